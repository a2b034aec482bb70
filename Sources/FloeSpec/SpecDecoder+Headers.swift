import FloeYAML

extension SpecDecoder {
    static let serviceHeaderKeys = [
        "computePool", "minInstances", "maxInstances", "minReadyInstances", "autoResume", "autoSuspendSecs", "using",
        "queryWarehouse", "comment", "runAs", "stopGraceSeconds", "upgradeDeadlineSeconds", "ingressPort",
    ]
    static let jobHeaderKeys = ["computePool", "replicas", "retries", "using", "runAs", "stopGraceSeconds"]
    static let poolKeys = [
        "minNodes", "maxNodes", "instanceFamily", "autoResume", "autoSuspendSecs", "initiallySuspended",
    ]
    static let functionKeys = [
        "service", "endpoint", "path", "arguments", "returns", "maxBatchRows", "maxBatchRetries", "onBatchFailure",
        "batchTimeoutSecs", "contextHeaders",
    ]
    static let imageKeys = ["reference", "directory", "entrypoint", "cmd", "env"]

    /// The `using:` values of a `service:`/`job:` header, read leniently (no diagnostics): used to
    /// render templates before the real read.
    static func usingValues(_ header: YAMLNode?) -> [String: String] {
        guard let pairs = header?["using"]?.mapping else { return [:] }
        var values: [String: String] = [:]
        for pair in pairs {
            if let key = pair.key.scalar, let value = pair.value.scalar { values[key] = value }
        }
        return values
    }

    private func using(_ node: YAMLNode, at path: String) -> [String: String] {
        var values: [String: String] = [:]
        for entry in stringMap(node, at: path) ?? [] { values[entry.name] = entry.value }
        return values
    }

    private func computePool(_ fields: [String: YAMLNode], at path: String) -> ObjectName? {
        guard let node = fields["computePool"] else { return nil }
        record("computePool", node)
        return objectName(node, at: "\(path).computePool")
    }

    func serviceHeader(_ node: YAMLNode) -> ServiceHeader? {
        guard let fields = mapping(node, at: "service", keys: Self.serviceHeaderKeys) else { return nil }
        var header = ServiceHeader(computePool: computePool(fields, at: "service"))
        if let value = fields["minInstances"].flatMap({ int($0, at: "service.minInstances", range: 1...1000) }) {
            header.minInstances = value
        }
        header.maxInstances =
            fields["maxInstances"].flatMap { int($0, at: "service.maxInstances", range: 1...1000) }
            ?? header.minInstances
        header.minReadyInstances =
            fields["minReadyInstances"].flatMap { int($0, at: "service.minReadyInstances", range: 1...1000) }
            ?? header.minInstances
        if header.maxInstances < header.minInstances, let maxNode = fields["maxInstances"] {
            error(
                "service.maxInstances (\(header.maxInstances)) is below minInstances (\(header.minInstances)); raise maxInstances",
                at: maxNode.mark)
        }
        if header.minReadyInstances > header.minInstances, let readyNode = fields["minReadyInstances"] {
            error(
                "service.minReadyInstances (\(header.minReadyInstances)) is above minInstances (\(header.minInstances)); it must not be",
                at: readyNode.mark)
        }
        if let value = fields["autoResume"].flatMap({ bool($0, at: "service.autoResume") }) {
            header.autoResume = value
        }
        if let value = fields["autoSuspendSecs"].flatMap({
            int($0, at: "service.autoSuspendSecs", range: 0...Int(Int32.max))
        }) {
            header.autoSuspendSecs = value
        }
        if let node = fields["using"] { header.using = using(node, at: "service.using") }
        header.queryWarehouse = fields["queryWarehouse"].flatMap { string($0, at: "service.queryWarehouse") }
        header.comment = fields["comment"].flatMap { string($0, at: "service.comment", allowNull: true) }
        header.runAs = fields["runAs"].flatMap { string($0, at: "service.runAs") }
        if let value = fields["stopGraceSeconds"].flatMap({ int($0, at: "service.stopGraceSeconds", range: 0...86400) })
        {
            header.stopGraceSeconds = value
        }
        if let value = fields["upgradeDeadlineSeconds"].flatMap({
            int($0, at: "service.upgradeDeadlineSeconds", range: 1...86400)
        }) {
            header.upgradeDeadlineSeconds = value
        }
        header.ingressPort = fields["ingressPort"].flatMap { int($0, at: "service.ingressPort", range: 1...65535) }
        return header
    }

    func jobHeader(_ node: YAMLNode) -> JobHeader? {
        guard let fields = mapping(node, at: "job", keys: Self.jobHeaderKeys) else { return nil }
        var header = JobHeader(computePool: computePool(fields, at: "job"))
        if let value = fields["replicas"].flatMap({ int($0, at: "job.replicas", range: 1...1000) }) {
            header.replicas = value
        }
        if let value = fields["retries"].flatMap({ int($0, at: "job.retries", range: 0...1000) }) {
            header.retries = value
        }
        if let node = fields["using"] { header.using = using(node, at: "job.using") }
        header.runAs = fields["runAs"].flatMap { string($0, at: "job.runAs") }
        if let value = fields["stopGraceSeconds"].flatMap({ int($0, at: "job.stopGraceSeconds", range: 0...86400) }) {
            header.stopGraceSeconds = value
        }
        return header
    }

    func computePoolSpec(_ node: YAMLNode) -> ComputePoolSpec? {
        guard let fields = mapping(node, at: "computePool", keys: Self.poolKeys) else { return nil }
        guard let familyNode = fields["instanceFamily"] else {
            error(
                "computePool needs 'instanceFamily' (one of \(InstanceFamily.all.map(\.name).joined(separator: ", ")))",
                at: node.mark)
            return nil
        }
        guard let familyName = string(familyNode, at: "computePool.instanceFamily") else { return nil }
        guard let family = InstanceFamily.named(familyName) else {
            let names = InstanceFamily.all.map(\.name)
            if let suggestion = KeySuggestion.closest(to: familyName, in: names) {
                error(
                    "computePool.instanceFamily '\(familyName)' is not an SPCS instance family; did you mean '\(suggestion)'?",
                    at: familyNode.mark)
            } else {
                error(
                    "computePool.instanceFamily '\(familyName)' is not an SPCS instance family; use one of \(names.joined(separator: ", "))",
                    at: familyNode.mark)
            }
            return nil
        }
        var pool = ComputePoolSpec(instanceFamily: family)
        if let value = fields["minNodes"].flatMap({ int($0, at: "computePool.minNodes", range: 1...1000) }) {
            pool.minNodes = value
        }
        pool.maxNodes =
            fields["maxNodes"].flatMap { int($0, at: "computePool.maxNodes", range: 1...1000) } ?? pool.minNodes
        if pool.maxNodes < pool.minNodes, let maxNode = fields["maxNodes"] {
            error(
                "computePool.maxNodes (\(pool.maxNodes)) is below minNodes (\(pool.minNodes)); raise maxNodes",
                at: maxNode.mark)
        }
        if let value = fields["autoResume"].flatMap({ bool($0, at: "computePool.autoResume") }) {
            pool.autoResume = value
        }
        if let value = fields["autoSuspendSecs"].flatMap({
            int($0, at: "computePool.autoSuspendSecs", range: 0...Int(Int32.max))
        }) {
            pool.autoSuspendSecs = value
        }
        if let value = fields["initiallySuspended"].flatMap({ bool($0, at: "computePool.initiallySuspended") }) {
            pool.initiallySuspended = value
        }
        return pool
    }

    func functionSpec(_ node: YAMLNode) -> FunctionSpec? {
        guard let fields = mapping(node, at: "function", keys: Self.functionKeys) else { return nil }
        guard let serviceNode = fields["service"] else {
            error("function needs 'service' (the service that answers calls)", at: node.mark)
            return nil
        }
        record("function.service", serviceNode)
        let service = objectName(serviceNode, at: "function.service")
        let endpoint = requiredString(fields, "endpoint", at: "function", parent: node)
        if let endpointNode = fields["endpoint"] { record("function.endpoint", endpointNode) }
        let path = requiredString(fields, "path", at: "function", parent: node)
        if let path, !path.hasPrefix("/"), let pathNode = fields["path"] {
            error("function.path '\(path)' must start with '/'", at: pathNode.mark)
        }
        let returns = requiredString(fields, "returns", at: "function", parent: node)
        guard let service, let endpoint, let path, let returns else { return nil }
        var function = FunctionSpec(service: service, endpoint: endpoint, path: path, returns: returns)
        if let argumentsNode = fields["arguments"],
            let items = sequence(argumentsNode, at: "function.arguments", of: "{name, type}")
        {
            for (index, item) in items.enumerated() {
                let itemPath = "function.arguments[\(index)]"
                guard let argument = mapping(item, at: itemPath, keys: ["name", "type"]),
                    let name = requiredString(argument, "name", at: itemPath, parent: item),
                    let type = requiredString(argument, "type", at: itemPath, parent: item)
                else { continue }
                function.arguments.append(FunctionSpec.Argument(name: name, type: type))
            }
        }
        function.maxBatchRows = fields["maxBatchRows"].flatMap {
            int($0, at: "function.maxBatchRows", range: 1...1_000_000)
        }
        if let value = fields["maxBatchRetries"].flatMap({ int($0, at: "function.maxBatchRetries", range: 0...100) }) {
            function.maxBatchRetries = value
        }
        if let failureNode = fields["onBatchFailure"], let text = string(failureNode, at: "function.onBatchFailure") {
            if let value = FunctionSpec.OnBatchFailure(rawValue: text.uppercased()) {
                function.onBatchFailure = value
            } else {
                error("function.onBatchFailure must be ABORT or RETURN_NULL, found '\(text)'", at: failureNode.mark)
            }
        }
        if let value = fields["batchTimeoutSecs"].flatMap({
            int($0, at: "function.batchTimeoutSecs", range: 1...604_800)
        }) {
            function.batchTimeoutSecs = value
        }
        if let headersNode = fields["contextHeaders"],
            let headers = stringList(headersNode, at: "function.contextHeaders")
        {
            function.contextHeaders = headers
        }
        return function
    }

    func imageSpec(_ node: YAMLNode, fileDirectory: String) -> ImageSpec? {
        guard let fields = mapping(node, at: "image", keys: Self.imageKeys) else { return nil }
        let reference = requiredString(fields, "reference", at: "image", parent: node)
        let directory = requiredString(fields, "directory", at: "image", parent: node)
        guard let reference, let directory else { return nil }
        if let directoryNode = fields["directory"] { record("image.directory", directoryNode) }
        var image = ImageSpec(reference: reference, directory: FilePath.resolve(directory, against: fileDirectory))
        if let entryNode = fields["entrypoint"], let list = stringList(entryNode, at: "image.entrypoint") {
            image.entrypoint = list
        }
        if let cmdNode = fields["cmd"], let list = stringList(cmdNode, at: "image.cmd") { image.cmd = list }
        if let envNode = fields["env"], let entries = stringMap(envNode, at: "image.env") {
            image.env = entries.map { EnvVar(name: $0.name, value: $0.value) }
        }
        return image
    }
}
