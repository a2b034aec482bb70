import FloeYAML

/// Maps positions in a rendered template back to the file as written: a placeholder replaced by a
/// longer or shorter value moves the columns after it on its line.
struct ColumnMap {
    /// One substitution on a line, in Unicode scalars.
    struct Substitution {
        var renderedColumn: Int
        var renderedLength: Int
        var originalColumn: Int
        var originalLength: Int
    }

    private var lines: [Int: [Substitution]] = [:]

    /// Records that the placeholder at `position` (written as `original`) became `replacement`.
    /// Substitutions must be added in text order.
    mutating func add(at position: SourcePosition, original: String, replacement: String) {
        var substitutions = lines[position.line] ?? []
        let shift = substitutions.reduce(0) { $0 + $1.renderedLength - $1.originalLength }
        substitutions.append(
            Substitution(
                renderedColumn: position.column + shift, renderedLength: replacement.unicodeScalars.count,
                originalColumn: position.column, originalLength: original.unicodeScalars.count))
        lines[position.line] = substitutions
    }

    /// The position in the file as written of `mark`, a position in the rendered text.
    func original(_ mark: YAMLMark) -> YAMLMark {
        guard let substitutions = lines[mark.line] else { return mark }
        var delta = 0
        for substitution in substitutions {
            if mark.column < substitution.renderedColumn { break }
            if mark.column < substitution.renderedColumn + substitution.renderedLength {
                return YAMLMark(line: mark.line, column: substitution.originalColumn)
            }
            delta += substitution.originalLength - substitution.renderedLength
        }
        return YAMLMark(line: mark.line, column: max(1, mark.column + delta))
    }
}
