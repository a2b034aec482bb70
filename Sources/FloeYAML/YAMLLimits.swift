/// Bounds that keep hostile input from costing unbounded time or memory.
public struct YAMLLimits: Sendable, Hashable {
    /// Largest accepted input, in bytes.
    public var maxBytes: Int
    /// Deepest accepted nesting of sequences and mappings.
    public var maxDepth: Int
    /// Most nodes the document may hold once every alias is expanded (stops "billion laughs").
    public var maxExpandedNodes: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxExpandedNodes: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxExpandedNodes = maxExpandedNodes
    }

    /// The defaults floe applies to every stage and config file: 1 MiB, depth 64, 100,000 nodes.
    public static let `default` = YAMLLimits()
}
