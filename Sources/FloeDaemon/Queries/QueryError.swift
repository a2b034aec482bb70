/// Why a query could not be answered.
public enum QueryError: Error, Sendable, CustomStringConvertible {
    case unknownObject(String)
    case badName(String)
    case noSuchInstance(String, Int)
    case noSuchContainer(String, String)

    public var description: String {
        switch self {
        case .unknownObject(let name):
            "service or job '\(name)' does not exist; `floectl services` and `floectl jobs` list what does"
        case .badName(let name): "'\(name)' is not a valid name (letters, digits, _ and $; starting with a letter or _)"
        case .noSuchInstance(let name, let id): "\(name) has no instance \(id); `floectl instances \(name)` lists them"
        case .noSuchContainer(let name, let c):
            "\(name) has no container '\(c)'; `floectl containers \(name)` lists them"
        }
    }
}
