extension SpecDigest {
    /// One digest standing for several (a service's spec and the images it runs), order-sensitive.
    public static func combine(_ digests: [String]) -> String {
        // FNV-1a over the joined digests, widened to 4 lanes; replaced by SHA-256 once FloeSpec has it.
        var lanes: [UInt64] = [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321]
        for (lane, seed) in lanes.enumerated() {
            var h = seed
            for byte in digests.joined(separator: "+").utf8 {
                h ^= UInt64(byte) &+ UInt64(lane)
                h = h &* 0x100_0000_01b3
            }
            lanes[lane] = h
        }
        return lanes.map { String($0, radix: 16).leftPadded(to: 16) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
