import Testing

@testable import FloeSpec

/// A seeded random mutation test: the reader must never crash and every diagnostic must have a
/// position, whatever the input.
@Suite("Fuzz")
struct FuzzTests {
    /// SplitMix64: small, seedable, reproducible.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static let interesting: [[UInt8]] = [
        "{{", "}}", "{%", "&a", "*a", "- ", ": ", "\n", "\t", "'", "\"", "[", "]", "{", "}", "#",
        "---\n", "!!str ", "? ", "|\n", ">\n", "\u{FEFF}", "é", "secret.", "{{ x }}",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + random.below(4)) {
            switch random.below(6) {
            case 0 where !bytes.isEmpty:  // flip a byte
                bytes[random.below(bytes.count)] ^= UInt8(truncatingIfNeeded: 1 << random.below(8))
            case 1:  // insert something YAML cares about
                let token = interesting[random.below(interesting.count)]
                bytes.insert(contentsOf: token, at: random.below(bytes.count + 1))
            case 2 where !bytes.isEmpty:  // delete a run
                let start = random.below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + random.below(8)))
            case 3:  // duplicate a line
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                guard !lines.isEmpty else { break }
                var copy = lines.map(Array.init)
                let index = random.below(copy.count)
                copy.insert(copy[index], at: index)
                bytes = Array(copy.joined(separator: [UInt8(ascii: "\n")]))
            case 4:  // truncate
                bytes = Array(bytes.prefix(random.below(bytes.count + 1)))
            default:  // random byte
                bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: random.below(bytes.count + 1))
            }
        }
        return bytes
    }

    @Test func mutatedSpecsNeverCrashTheReader() {
        var seeds = Conformance.specs().map(\.1)
        seeds += [
            minimalService, "service:\n  using: {tag: v1}\n" + minimalService + "\n    env: {A: '{{ tag }}'}",
            "computePool:\n  instanceFamily: CPU_X64_S\n",
            "function:\n  service: s\n  endpoint: e\n  path: /f\n  returns: x\n",
            "image:\n  reference: /a/b/c/d\n  directory: .\n",
        ].map { Array($0.utf8) }
        var random = Random(state: 0x5EED_F10E)
        let iterations = 3000
        for iteration in 0..<iterations {
            let seed = seeds[iteration % seeds.count]
            let input = Self.mutate(seed, &random)
            let file = SpecReader.read(
                path: "/stage/fuzz.yaml", bytes: input, options: SpecReaderOptions(allowTemplates: iteration % 2 == 0))
            #expect(
                file.diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 },
                "iteration \(iteration): \(describe(file))")
            if file.object != nil { #expect(file.digest != nil && !file.hasErrors) }
            _ = StageReader.checked([file])
        }
    }
}
