import FloeSpec
import Foundation

/// `{{secret.NAME.KEY}}` in a container's `env` values, `command` and `args`: replaced by the value of
/// key KEY (`username`, `password`, `secret_string`) of secret NAME when floed starts the container.
/// Spaces inside the braces are allowed; other `{{ ... }}` text is left as it is.
public enum SecretPlaceholders {
    /// `text` with every secret placeholder filled in, or the first secret or key that is missing.
    public static func fill(
        _ text: String, secrets: [ObjectName: StoredSecret]
    ) -> Result<String, SecretDeliveryError> {
        guard text.contains("{{") else { return .success(text) }
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let parts = inner.split(separator: ".", omittingEmptySubsequences: false)
            result += rest[..<open.lowerBound]
            if parts.count == 3, parts[0].lowercased() == "secret" {
                guard let name = ObjectName(String(parts[1])) else { return .failure(.badReference(String(parts[1]))) }
                guard let secret = secrets[name] else { return .failure(.notFound(name)) }
                let key = parts[2].lowercased()
                guard let value = secret.value(forKey: key) else {
                    return .failure(.noSuchKey(name, key: key, has: secret.keys))
                }
                result += value
            } else {
                result += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return .success(result + rest)
    }
}
