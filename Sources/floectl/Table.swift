import Foundation

/// Prints rows as an aligned text table, the way SHOW commands look in a terminal.
struct Table {
    var columns: [String]
    var rows: [[String]] = []

    init(_ columns: [String]) {
        self.columns = columns
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    func render() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var out = [line(columns)]
        out += rows.map(line)
        return out.joined(separator: "\n") + "\n"
    }
}

/// Prints a value as JSON (pretty, keys in declaration order).
func printJSON<T: Encodable>(_ value: T, pretty: Bool = true) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
    var text = String(decoding: try encoder.encode(value), as: UTF8.self)
    if text.filter({ !$0.isWhitespace }) == "[]" { text = "[]" }
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
