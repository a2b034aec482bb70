import FloeSpec

/// The objects whose instances floe observed changing (a process started, exited or failed to
/// start, a probe answered) since the reconciler last took them (``World/takeObservedObjects()``).
///
/// After a burst of observations that only concern their own objects, the reconciler plans just
/// those objects (``Planner/plan(desired:world:now:objects:)``) instead of the whole world. The
/// journal is bookkeeping about the world, not part of it: it is not saved, and two worlds that
/// differ only in their journals are equal.
public struct ObservationJournal: Sendable, Hashable {
    /// The objects observed since the journal was last taken.
    public private(set) var objects: Set<ObjectName> = []

    public init() {}

    /// Notes that an instance of `object` changed.
    public mutating func note(_ object: ObjectName) {
        objects.insert(object)
    }

    /// Journals never make worlds differ.
    public static func == (lhs: ObservationJournal, rhs: ObservationJournal) -> Bool { true }

    /// Journals never make worlds hash differently.
    public func hash(into hasher: inout Hasher) {}
}

extension World {
    /// The objects observed changing since the last call, and an empty journal from now on.
    public mutating func takeObservedObjects() -> Set<ObjectName> {
        let objects = observed.objects
        observed = ObservationJournal()
        return objects
    }
}
