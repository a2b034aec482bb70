/// `POST /v1/wait`: wait until every named service or job reaches a state (`floectl wait NAME...`).
public struct WaitRequest: Sendable, Hashable, Codable {
    /// Service or job names, as written in their files (any case).
    public var names: [String]
    /// `READY` (every container READY), `RUNNING`, `DONE` or `FAILED`.
    public var target: String
    /// Seconds to wait at most.
    public var timeout: Double

    /// The states a wait can be for.
    public static let targets: Set<String> = [
        ContainerStatusName.ready.rawValue, ServiceStatusName.running.rawValue, ServiceStatusName.done.rawValue,
        ServiceStatusName.failed.rawValue,
    ]
    /// The longest wait, in seconds (a year); longer timeouts are cut to it.
    public static let longestTimeout: Double = 365 * 86_400

    public init(names: [String], target: String, timeout: Double) {
        self.names = names
        self.target = target
        self.timeout = timeout
    }

    private enum CodingKeys: String, CodingKey {
        case names
        case target = "for"
        case timeout
    }
}

/// The answer of `POST /v1/wait`: whether every object got there, and each one's status.
public struct WaitAnswer: Sendable, Hashable, Codable {
    /// One object's status when the wait ended.
    public struct Object: Sendable, Hashable, Codable {
        /// The object's name, upper-case.
        public var name: String
        public var reached: Bool
        /// Its SPCS service status (`PENDING`, `RUNNING`, `DONE`...).
        public var status: String

        public init(name: String, reached: Bool, status: String) {
            self.name = name
            self.reached = reached
            self.status = status
        }
    }

    /// True when every object reached the state asked for.
    public var reached: Bool
    /// One entry per name asked for, in the same order.
    public var objects: [Object]

    public init(reached: Bool, objects: [Object]) {
        self.reached = reached
        self.objects = objects
    }
}
