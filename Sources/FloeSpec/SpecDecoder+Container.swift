import FloeYAML

extension SpecDecoder {
    static let containerKeys = [
        "name", "image", "command", "args", "env", "readinessProbe", "livenessProbe", "volumeMounts", "resources",
        "secrets", "mountSessionToken", "sessionTokenConfig",
    ]
    static let probeKeys = ["port", "path", "periodSeconds", "failureThreshold"]
    static let amountKeys = ["memory", "cpu", "nvidia.com/gpu"]
    static let secretKeys = ["snowflakeSecret", "envVarName", "secretKeyRef", "directoryPath"]
    static let secretKeyRefs = ["username", "password", "secret_string"]

    /// Reads one `spec.containers[]` entry. `volumes` maps declared volume names to their positions.
    func container(_ node: YAMLNode, at path: String, index: Int, volumes: [String: YAMLMark]) -> ContainerSpec? {
        guard let fields = mapping(node, at: path, keys: Self.containerKeys) else { return nil }
        guard let name = requiredString(fields, "name", at: path, parent: node) else { return nil }
        if let nameNode = fields["name"] { checkDNSName(name, at: "\(path).name", node: nameNode) }
        guard let image = requiredString(fields, "image", at: path, parent: node) else { return nil }
        if let imageNode = fields["image"] { record("spec.containers[\(index)].image", imageNode) }
        record("spec.containers[\(index)]", node)

        var container = ContainerSpec(name: name, image: image)
        if let commandNode = fields["command"] { container.command = stringList(commandNode, at: "\(path).command") }
        if let argsNode = fields["args"] { container.args = stringList(argsNode, at: "\(path).args") }
        if let envNode = fields["env"], let entries = stringMap(envNode, at: "\(path).env") {
            container.env = entries.map { EnvVar(name: $0.name, value: $0.value) }
        }
        if let probeNode = fields["readinessProbe"] {
            container.readinessProbe = probe(probeNode, at: "\(path).readinessProbe", defaults: Probe.readinessDefaults)
        }
        if let probeNode = fields["livenessProbe"] {
            container.livenessProbe = probe(probeNode, at: "\(path).livenessProbe", defaults: Probe.livenessDefaults)
        }
        if let mountsNode = fields["volumeMounts"] {
            container.volumeMounts = volumeMounts(mountsNode, at: "\(path).volumeMounts", volumes: volumes)
        }
        if let resourcesNode = fields["resources"], let resources = resources(resourcesNode, at: "\(path).resources") {
            container.resources = resources
        }
        if let secretsNode = fields["secrets"] {
            container.secrets = secrets(secretsNode, at: "\(path).secrets")
        }
        if let tokenNode = fields["mountSessionToken"], let value = bool(tokenNode, at: "\(path).mountSessionToken") {
            container.mountSessionToken = value
        }
        if let configNode = fields["sessionTokenConfig"],
            mapping(
                configNode, at: "\(path).sessionTokenConfig", keys: ["path", "permission", "mountConnectionConfig"])
                != nil
        {
            notActedOn("sessionTokenConfig", at: keyMark("\(path).sessionTokenConfig", or: configNode.mark))
        }
        checkSecretReferences(container, fields: fields, at: path)
        return container
    }

    private func probe(_ node: YAMLNode, at path: String, defaults: (periodSeconds: Int, failureThreshold: Int))
        -> Probe?
    {
        guard let fields = mapping(node, at: path, keys: Self.probeKeys) else { return nil }
        guard let portNode = fields["port"] else {
            error("\(path) needs 'port' (the port to send HTTP GET to)", at: node.mark)
            return nil
        }
        guard let port = int(portNode, at: "\(path).port", range: 1...65535) else { return nil }
        guard let probePath = requiredString(fields, "path", at: path, parent: node) else { return nil }
        if !probePath.hasPrefix("/"), !SpecTemplate.isUnresolved(probePath), let pathNode = fields["path"] {
            error("\(path).path '\(probePath)' must start with '/'", at: pathNode.mark)
        }
        var probe = Probe(
            port: port, path: probePath, periodSeconds: defaults.periodSeconds,
            failureThreshold: defaults.failureThreshold)
        if let periodNode = fields["periodSeconds"],
            let value = int(periodNode, at: "\(path).periodSeconds", range: 1...86400)
        {
            probe.periodSeconds = value
        }
        if let thresholdNode = fields["failureThreshold"],
            let value = int(thresholdNode, at: "\(path).failureThreshold", range: 1...1000)
        {
            probe.failureThreshold = value
        }
        return probe
    }

    private func volumeMounts(_ node: YAMLNode, at path: String, volumes: [String: YAMLMark]) -> [VolumeMount] {
        guard let items = sequence(node, at: path, of: "mounts ({name, mountPath})") else { return [] }
        var mounts: [VolumeMount] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let fields = mapping(item, at: itemPath, keys: ["name", "mountPath"]),
                let name = requiredString(fields, "name", at: itemPath, parent: item),
                let mountPath = requiredString(fields, "mountPath", at: itemPath, parent: item)
            else { continue }
            if volumes[name] == nil, !SpecTemplate.isUnresolved(name), let nameNode = fields["name"] {
                let known = volumes.keys.sorted()
                let hint =
                    known.isEmpty
                    ? "add it under spec.volumes" : "declared volumes: \(known.joined(separator: ", "))"
                error("\(itemPath).name '\(name)' is not a volume declared in spec.volumes; \(hint)", at: nameNode.mark)
            }
            if !mountPath.hasPrefix("/"), !SpecTemplate.isUnresolved(mountPath), let pathNode = fields["mountPath"] {
                error(
                    "\(itemPath).mountPath '\(mountPath)' must be an absolute path (start with '/')", at: pathNode.mark)
            }
            mounts.append(VolumeMount(name: name, mountPath: mountPath))
        }
        return mounts
    }

    private func resources(_ node: YAMLNode, at path: String) -> Resources? {
        guard let fields = mapping(node, at: path, keys: ["requests", "limits"]) else { return nil }
        var resources = Resources()
        if let requests = fields["requests"], let amounts = amounts(requests, at: "\(path).requests") {
            resources.requests = amounts
        }
        if let limits = fields["limits"], let amounts = amounts(limits, at: "\(path).limits") {
            resources.limits = amounts
        }
        if let request = resources.requests.gpus, let limit = resources.limits.gpus, request != limit,
            let gpuNode = fields["requests"]?["nvidia.com/gpu"]
        {
            error(
                "\(path).requests.nvidia.com/gpu is \(request) but the limit is \(limit); SPCS needs the GPU request to equal the limit",
                at: gpuNode.mark)
        }
        if let request = resources.requests.milliCPU, let limit = resources.limits.milliCPU, request > limit,
            let cpuNode = fields["requests"]?["cpu"]
        {
            error(
                "\(path).requests.cpu (\(Quantity.formatCPU(request))) is over its limit (\(Quantity.formatCPU(limit))); lower the request or raise the limit",
                at: cpuNode.mark)
        }
        if let request = resources.requests.memoryBytes, let limit = resources.limits.memoryBytes, request > limit,
            let memoryNode = fields["requests"]?["memory"]
        {
            error(
                "\(path).requests.memory (\(Quantity.formatBytes(request))) is over its limit (\(Quantity.formatBytes(limit))); lower the request or raise the limit",
                at: memoryNode.mark)
        }
        if (resources.requests.gpus ?? 0) > 0 || (resources.limits.gpus ?? 0) > 0 {
            notActedOn("GPU resources (nvidia.com/gpu)", at: node.mark)
        }
        return resources
    }

    private func amounts(_ node: YAMLNode, at path: String) -> ResourceAmounts? {
        guard let fields = mapping(node, at: path, keys: Self.amountKeys) else { return nil }
        var amounts = ResourceAmounts()
        if let cpuNode = fields["cpu"], let text = string(cpuNode, at: "\(path).cpu"), !SpecTemplate.isUnresolved(text)
        {
            if let value = Quantity.milliCPU(text) {
                amounts.milliCPU = value
            } else {
                error("\(path).cpu '\(text)' is not a cpu amount; use \(Quantity.cpuForms)", at: cpuNode.mark)
            }
        }
        if let memoryNode = fields["memory"], let text = string(memoryNode, at: "\(path).memory"),
            !SpecTemplate.isUnresolved(text)
        {
            if let value = Quantity.bytes(text) {
                amounts.memoryBytes = value
            } else {
                error(
                    "\(path).memory '\(text)' is not a memory amount; use \(Quantity.memoryForms)", at: memoryNode.mark)
            }
        }
        if let gpuNode = fields["nvidia.com/gpu"], let value = int(gpuNode, at: "\(path).nvidia.com/gpu", range: 0...64)
        {
            if let text = gpuNode.scalar, SpecTemplate.isUnresolved(text) {
                // unknown until rendered
            } else {
                amounts.gpus = value
            }
        }
        return amounts
    }

    private func secrets(_ node: YAMLNode, at path: String) -> [SecretRef] {
        guard let items = sequence(node, at: path, of: "secrets") else { return [] }
        var result: [SecretRef] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let fields = mapping(item, at: itemPath, keys: Self.secretKeys) else { continue }
            var secret = SecretRef()
            guard let objectNode = fields["snowflakeSecret"] else {
                error("\(itemPath) needs 'snowflakeSecret' (the secret's name, or {objectName: …})", at: item.mark)
                continue
            }
            if objectNode.scalar != nil {
                secret.objectName = string(objectNode, at: "\(itemPath).snowflakeSecret")
            } else if let object = mapping(
                objectNode, at: "\(itemPath).snowflakeSecret", keys: ["objectName", "objectReference"])
            {
                if let nameNode = object["objectName"] {
                    secret.objectName = string(nameNode, at: "\(itemPath).snowflakeSecret.objectName")
                }
                if let referenceNode = object["objectReference"] {
                    secret.objectReference = string(referenceNode, at: "\(itemPath).snowflakeSecret.objectReference")
                }
                if object["objectName"] != nil, object["objectReference"] != nil {
                    error(
                        "\(itemPath).snowflakeSecret has both objectName and objectReference; give one",
                        at: objectNode.mark)
                } else if object["objectName"] == nil, object["objectReference"] == nil {
                    error("\(itemPath).snowflakeSecret needs objectName or objectReference", at: objectNode.mark)
                }
            }
            if let envNode = fields["envVarName"] { secret.envVarName = string(envNode, at: "\(itemPath).envVarName") }
            if let dirNode = fields["directoryPath"] {
                secret.directoryPath = string(dirNode, at: "\(itemPath).directoryPath")
                if fields["envVarName"] != nil {
                    error("\(itemPath) has both envVarName and directoryPath; give one", at: dirNode.mark)
                }
            }
            if let refNode = fields["secretKeyRef"], let ref = string(refNode, at: "\(itemPath).secretKeyRef") {
                let lower = ref.lowercased()
                if Self.secretKeyRefs.contains(lower) {
                    if lower != ref {
                        warning(
                            "\(itemPath).secretKeyRef '\(ref)' is upper-case; SPCS's reference writes '\(lower)'",
                            at: refNode.mark)
                    }
                    secret.secretKeyRef = lower
                } else if !SpecTemplate.isUnresolved(ref) {
                    error(
                        "\(itemPath).secretKeyRef must be username, password or secret_string, found '\(ref)'",
                        at: refNode.mark)
                }
                if fields["envVarName"] == nil {
                    error(
                        "\(itemPath).secretKeyRef goes with envVarName; add envVarName or remove secretKeyRef",
                        at: refNode.mark)
                }
            } else if fields["envVarName"] != nil, fields["secretKeyRef"] == nil, let envNode = fields["envVarName"] {
                error(
                    "\(itemPath).envVarName needs secretKeyRef (username, password or secret_string)", at: envNode.mark)
            }
            result.append(secret)
        }
        return result
    }

    /// Warns about `{{secret.NAME.KEY}}` references naming a secret the container does not declare.
    private func checkSecretReferences(_ container: ContainerSpec, fields: [String: YAMLNode], at path: String) {
        // A qualified name (db.schema.secret) is referenced by its last part.
        let names = container.secrets.compactMap { ($0.objectName ?? $0.objectReference)?.lowercased() }
        let declared = Set(names + names.compactMap { $0.split(separator: ".").last.map(String.init) })
        var values: [(String, YAMLNode)] = []
        if let envNode = fields["env"], let pairs = envNode.mapping {
            values += pairs.compactMap { pair in pair.value.scalar.map { ($0, pair.value) } }
        }
        for key in ["command", "args"] {
            values += (fields[key]?.sequence ?? []).compactMap { item in item.scalar.map { ($0, item) } }
        }
        for (value, node) in values where value.contains("{{") {
            for name in SpecTemplate.secretReferences(in: value) where !declared.contains(name) {
                warning(
                    "\(path) uses {{secret.\(name)…}} but does not declare that secret under secrets; add - snowflakeSecret: \(name)",
                    at: node.mark)
            }
        }
    }
}
