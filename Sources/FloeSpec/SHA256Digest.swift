/// SHA-256 for other modules (floed hashes access tokens with it).
public enum SHA256Digest {
    /// Lower-case hex of the SHA-256 digest of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        SHA256.hex(bytes)
    }
}
