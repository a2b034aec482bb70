extension SpecDigest {
    /// One digest standing for several (a service's spec and the images it runs), order-sensitive:
    /// SHA-256 of the digests joined by `+`.
    public static func combine(_ digests: [String]) -> String {
        SHA256.hex(SHA256.hash(Array(digests.joined(separator: "+").utf8)))
    }
}
