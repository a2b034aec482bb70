/// The rule that a stage file's name (without `.yaml`/`.yml`) is the object's SPCS identifier.
enum FileNameRule {
    /// `my_service.yaml` -> `my_service`.
    static func stem(of fileName: String) -> String {
        for suffix in [".yaml", ".yml"] where fileName.hasSuffix(suffix) {
            return String(fileName.dropLast(suffix.count))
        }
        return fileName
    }

    /// Why `fileName` does not name an object, and what to rename it to.
    static func message(fileName: String, stem: String) -> String {
        var suggestion = String(
            stem.unicodeScalars.map { c -> Character in
                let ok =
                    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "$"
                return ok ? Character(c) : "_"
            })
        if let first = suggestion.unicodeScalars.first, first >= "0" && first <= "9" { suggestion = "_" + suggestion }
        if suggestion.isEmpty { suggestion = "my_service" }
        return
            "file name '\(fileName)' does not name an SPCS object: the part before .yaml must use letters, digits, '_' and '$' and start with a letter or '_'; rename it, for example to '\(suggestion).yaml'"
    }
}
