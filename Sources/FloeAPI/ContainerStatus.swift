/// One object of `SYSTEM$GET_SERVICE_STATUS`: one container of one instance, with SPCS's field names.
public struct ContainerStatus: Sendable, Hashable, Codable {
    /// PENDING, READY, DONE, FAILED, TERMINATING, UNKNOWN.
    public var status: String
    /// SPCS's words: "Running", "Waiting to start", "Readiness probe is failing at path: /x, port: n", ...
    public var message: String
    public var containerName: String
    /// The instance id, as a string (as SPCS prints it).
    public var instanceId: String
    public var serviceName: String
    public var image: String
    public var restartCount: Int
    /// RFC 3339 UTC, or nil before the container first started.
    public var startTime: String?

    public init(
        status: String, message: String, containerName: String, instanceId: String, serviceName: String,
        image: String, restartCount: Int, startTime: String?
    ) {
        self.status = status
        self.message = message
        self.containerName = containerName
        self.instanceId = instanceId
        self.serviceName = serviceName
        self.image = image
        self.restartCount = restartCount
        self.startTime = startTime
    }

    private enum CodingKeys: String, CodingKey {
        case status, message, containerName, instanceId, serviceName, image, restartCount, startTime
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(message, forKey: .message)
        try c.encode(containerName, forKey: .containerName)
        try c.encode(instanceId, forKey: .instanceId)
        try c.encode(serviceName, forKey: .serviceName)
        try c.encode(image, forKey: .image)
        try c.encode(restartCount, forKey: .restartCount)
        // SPCS omits startTime for a container that has not started.
        try c.encodeIfPresent(startTime, forKey: .startTime)
    }
}
