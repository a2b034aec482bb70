import FloeYAML

extension SpecDecoder {
    static let specKeys = [
        "containers", "container", "endpoints", "endpoint", "volumes", "volume", "logExporters", "platformMonitor",
        "networkPolicyConfig", "resourceManagement",
    ]
    static let endpointKeys = ["name", "port", "portRange", "public", "protocol", "corsSettings"]
    static let volumeKeys = ["name", "source", "size", "uid", "gid", "stageConfig", "blockConfig"]
    static let corsKeys = [
        "Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
        "Access-Control-Expose-Headers",
    ]

    /// SPCS's limits per service.
    static let maxContainers = 20
    static let maxEndpoints = 100
    static let maxVolumes = 20
    static let maxSecrets = 50

    /// Reads `spec` (plus the top-level `serviceRoles` and `capabilities`) into a ``ServiceSpec``.
    func serviceSpec(spec specNode: YAMLNode?, roles: YAMLNode?, capabilities: YAMLNode?, root: YAMLNode)
        -> ServiceSpec?
    {
        guard let specNode else {
            error(
                "the file has no 'spec'; a service or job needs spec.containers (see docs/stage-files.md)",
                at: root.mark)
            return nil
        }
        record("spec", specNode)
        guard let fields = mapping(specNode, at: "spec", keys: Self.specKeys) else { return nil }

        let containerNodes = pluralList(
            fields, in: specNode, plural: "containers", singular: "container", of: "containers")
        let endpointNodes = pluralList(fields, in: specNode, plural: "endpoints", singular: "endpoint", of: "endpoints")
        let volumeNodes = pluralList(fields, in: specNode, plural: "volumes", singular: "volume", of: "volumes")

        if containerNodes.items.isEmpty, !containerNodes.failed {
            error("spec needs at least one container under 'containers'", at: specNode.mark)
        }
        if containerNodes.items.count > Self.maxContainers,
            let extra = containerNodes.items.dropFirst(Self.maxContainers).first
        {
            error(
                "spec has \(containerNodes.items.count) containers; SPCS allows at most \(Self.maxContainers)",
                at: extra.mark)
        }
        if endpointNodes.items.count > Self.maxEndpoints,
            let extra = endpointNodes.items.dropFirst(Self.maxEndpoints).first
        {
            error(
                "spec has \(endpointNodes.items.count) endpoints; SPCS allows at most \(Self.maxEndpoints)",
                at: extra.mark)
        }
        if volumeNodes.items.count > Self.maxVolumes, let extra = volumeNodes.items.dropFirst(Self.maxVolumes).first {
            error("spec has \(volumeNodes.items.count) volumes; SPCS allows at most \(Self.maxVolumes)", at: extra.mark)
        }

        var volumes: [VolumeSpec] = []
        var volumeMarks: [String: YAMLMark] = [:]
        for (index, node) in volumeNodes.items.enumerated() {
            let path = "spec.\(volumeNodes.key)[\(index)]"
            guard let volume = self.volume(node, at: path) else { continue }
            if let first = volumeMarks[volume.name] {
                error(
                    "\(path): volume name '\(volume.name)' is used twice (first at line \(first.line)); names must be unique",
                    at: node.mark)
                continue
            }
            volumeMarks[volume.name] = node.mark
            volumes.append(volume)
        }

        var containers: [ContainerSpec] = []
        var containerMarks: [String: YAMLMark] = [:]
        var usedVolumes: Set<String> = []
        var secretCount = 0
        for (index, node) in containerNodes.items.enumerated() {
            let path = "spec.\(containerNodes.key)[\(index)]"
            guard let container = self.container(node, at: path, index: index, volumes: volumeMarks) else { continue }
            if let first = containerMarks[container.name] {
                error(
                    "\(path): container name '\(container.name)' is used twice (first at line \(first.line)); names must be unique",
                    at: node.mark)
            }
            containerMarks[container.name] = node.mark
            usedVolumes.formUnion(container.volumeMounts.map(\.name))
            secretCount += container.secrets.count
            if secretCount > Self.maxSecrets {
                error(
                    "\(path): the service has \(secretCount) secrets; SPCS allows at most \(Self.maxSecrets)",
                    at: node.mark)
            }
            containers.append(container)
        }
        for volume in volumes where !usedVolumes.contains(volume.name) {
            if let mark = volumeMarks[volume.name] {
                warning("volume '\(volume.name)' is declared but no container mounts it", at: mark)
            }
        }

        var endpoints: [EndpointSpec] = []
        var endpointMarks: [String: YAMLMark] = [:]
        for (index, node) in endpointNodes.items.enumerated() {
            let path = "spec.\(endpointNodes.key)[\(index)]"
            guard let endpoint = self.endpoint(node, at: path) else { continue }
            if let first = endpointMarks[endpoint.name] {
                error(
                    "\(path): endpoint name '\(endpoint.name)' is used twice (first at line \(first.line)); names must be unique",
                    at: node.mark)
                continue
            }
            endpointMarks[endpoint.name] = node.mark
            endpoints.append(endpoint)
        }

        var spec = ServiceSpec(containers: containers, endpoints: endpoints, volumes: volumes)
        readObservability(fields, into: &spec)
        if let node = fields["networkPolicyConfig"] {
            warning(
                "networkPolicyConfig is not in SPCS's reference; floe ignores it",
                at: keyMark("spec.networkPolicyConfig", or: node.mark))
            if let policy = mapping(node, at: "spec.networkPolicyConfig", keys: ["allowInternetEgress"]),
                let egress = policy["allowInternetEgress"]
            {
                spec.allowInternetEgress = bool(egress, at: "spec.networkPolicyConfig.allowInternetEgress")
            }
        }
        if let node = fields["resourceManagement"] {
            if mapping(node, at: "spec.resourceManagement", keys: ["autoScalingPolicies"]) != nil {
                notActedOn(
                    "spec.resourceManagement (autoscaling policies)",
                    at: keyMark("spec.resourceManagement", or: node.mark))
            }
        }
        if let roles {
            spec.serviceRoles = serviceRoles(roles, endpoints: endpointMarks)
        }
        if let capabilities {
            readCapabilities(capabilities, into: &spec)
        }
        return spec
    }

    /// `containers:` or `container:` (both is an error).
    private func pluralList(
        _ fields: [String: YAMLNode], in specNode: YAMLNode, plural: String, singular: String, of what: String
    )
        -> (items: [YAMLNode], key: String, failed: Bool)
    {
        if fields[plural] != nil, fields[singular] != nil {
            let keys = (specNode.mapping ?? []).map(\.key).filter { $0.scalar == plural || $0.scalar == singular }
            if keys.count == 2 {
                error(
                    "spec has both '\(keys[0].scalar ?? "")' (line \(keys[0].mark.line)) and '\(keys[1].scalar ?? "")'; put all \(what) under '\(plural)'",
                    at: keys[1].mark)
            }
            return ([], plural, true)
        }
        let key = fields[plural] != nil ? plural : singular
        guard let node = fields[key] else { return ([], plural, false) }
        guard let items = sequence(node, at: "spec.\(key)", of: what) else { return ([], key, true) }
        return (items, key, false)
    }

    private func readObservability(_ fields: [String: YAMLNode], into spec: inout ServiceSpec) {
        if let node = fields["logExporters"],
            let exporters = mapping(node, at: "spec.logExporters", keys: ["eventTableConfig"]),
            let table = exporters["eventTableConfig"],
            let config = mapping(table, at: "spec.logExporters.eventTableConfig", keys: ["logLevel"]),
            let levelNode = config["logLevel"],
            let level = string(levelNode, at: "spec.logExporters.eventTableConfig.logLevel")
        {
            let upper = level.uppercased()
            if ["INFO", "ERROR", "NONE"].contains(upper) {
                spec.logLevel = upper
            } else {
                error(
                    "spec.logExporters.eventTableConfig.logLevel must be INFO, ERROR or NONE, found '\(level)'",
                    at: levelNode.mark)
            }
            notActedOn("spec.logExporters", at: keyMark("spec.logExporters", or: node.mark))
        }
        if let node = fields["platformMonitor"],
            let monitor = mapping(node, at: "spec.platformMonitor", keys: ["metricConfig"]),
            let metric = monitor["metricConfig"],
            let config = mapping(metric, at: "spec.platformMonitor.metricConfig", keys: ["groups"]),
            let groupsNode = config["groups"],
            let groups = stringList(groupsNode, at: "spec.platformMonitor.metricConfig.groups")
        {
            spec.platformMetricGroups = groups
            notActedOn("spec.platformMonitor", at: keyMark("spec.platformMonitor", or: node.mark))
        }
    }

    private func endpoint(_ node: YAMLNode, at path: String) -> EndpointSpec? {
        guard let fields = mapping(node, at: path, keys: Self.endpointKeys) else { return nil }
        guard let name = requiredString(fields, "name", at: path, parent: node) else { return nil }
        if let nameNode = fields["name"] { checkDNSName(name, at: "\(path).name", node: nameNode) }
        var endpoint = EndpointSpec(name: name)
        if let protocolNode = fields["protocol"], let text = string(protocolNode, at: "\(path).protocol") {
            if let value = EndpointSpec.TransportProtocol(rawValue: text.uppercased()) {
                endpoint.protocol = value
            } else if !SpecTemplate.isUnresolved(text) {
                error("\(path).protocol must be HTTP or TCP, found '\(text)'", at: protocolNode.mark)
            }
        }
        if let publicNode = fields["public"], let value = bool(publicNode, at: "\(path).public") {
            endpoint.isPublic = value
        }
        let portNode = fields["port"]
        let rangeNode = fields["portRange"]
        switch (portNode, rangeNode) {
        case (let portNode?, _?):
            error("\(path) has both 'port' and 'portRange'; give exactly one", at: portNode.mark)
        case (let portNode?, nil):
            endpoint.port = int(portNode, at: "\(path).port", range: 1...65535)
        case (nil, let rangeNode?):
            endpoint.portRange = portRange(rangeNode, at: "\(path).portRange")
            if endpoint.protocol != .tcp {
                error(
                    "\(path).portRange needs protocol: TCP (SPCS allows port ranges only for TCP endpoints)",
                    at: rangeNode.mark)
            }
            if endpoint.isPublic {
                error(
                    "\(path).portRange cannot be public; make the endpoint private or give one 'port'",
                    at: rangeNode.mark)
            }
        case (nil, nil):
            error("\(path) needs 'port' (or 'portRange' for a TCP endpoint)", at: node.mark)
        }
        if endpoint.isPublic, endpoint.protocol != .http, let publicNode = fields["public"] {
            error("\(path) is public, and public endpoints must use protocol HTTP", at: publicNode.mark)
        }
        if let corsNode = fields["corsSettings"],
            let cors = mapping(corsNode, at: "\(path).corsSettings", keys: Self.corsKeys)
        {
            let origin = cors["Access-Control-Allow-Origin"].flatMap {
                stringList($0, at: "\(path).corsSettings.Access-Control-Allow-Origin")
            }
            if cors["Access-Control-Allow-Origin"] == nil {
                error("\(path).corsSettings needs 'Access-Control-Allow-Origin'", at: corsNode.mark)
            }
            func list(_ key: String) -> [String] {
                cors[key].flatMap { stringList($0, at: "\(path).corsSettings.\(key)") } ?? []
            }
            endpoint.corsSettings = CORSSettings(
                allowOrigin: origin ?? [], allowMethods: list("Access-Control-Allow-Methods"),
                allowHeaders: list("Access-Control-Allow-Headers"), exposeHeaders: list("Access-Control-Expose-Headers")
            )
            notActedOn("corsSettings", at: keyMark("\(path).corsSettings", or: corsNode.mark))
        }
        return endpoint
    }

    private func portRange(_ node: YAMLNode, at path: String) -> ClosedRange<Int>? {
        guard let text = string(node, at: path) else { return nil }
        if SpecTemplate.isUnresolved(text) { return 1...1 }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { SpecTemplate.trim(String($0)) }
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]) else {
            error("\(path) must look like 'N-M' (for example '8000-8010'), found '\(text)'", at: node.mark)
            return nil
        }
        guard 1 <= low, low <= high, high <= 65535 else {
            error(
                "\(path) '\(text)' must be two ports between 1 and 65535, the first not above the second", at: node.mark
            )
            return nil
        }
        return low...high
    }

    private func volume(_ node: YAMLNode, at path: String) -> VolumeSpec? {
        guard let fields = mapping(node, at: path, keys: Self.volumeKeys) else { return nil }
        guard let name = requiredString(fields, "name", at: path, parent: node) else { return nil }
        if let nameNode = fields["name"] { checkDNSName(name, at: "\(path).name", node: nameNode) }
        guard let sourceNode = fields["source"] else {
            error("\(path) needs 'source' (local, memory, block or stage)", at: node.mark)
            return nil
        }
        guard let sourceText = string(sourceNode, at: "\(path).source") else { return nil }
        var volume: VolumeSpec
        if let source = VolumeSpec.Source(rawValue: sourceText.lowercased()) {
            volume = VolumeSpec(name: name, source: source)
        } else if sourceText.hasPrefix("@") {
            volume = VolumeSpec(name: name, source: .stage, stageName: sourceText)
            warning(
                "\(path).source '\(sourceText)' is SPCS's deprecated stage form; write source: stage and stageConfig.name: \"\(sourceText)\"",
                at: sourceNode.mark)
        } else if SpecTemplate.isUnresolved(sourceText) {
            volume = VolumeSpec(name: name, source: .local)
        } else {
            error("\(path).source must be local, memory, block or stage, found '\(sourceText)'", at: sourceNode.mark)
            return nil
        }
        if let sizeNode = fields["size"], let text = string(sizeNode, at: "\(path).size") {
            if let bytes = Quantity.bytes(text) {
                volume.sizeBytes = bytes
            } else if !SpecTemplate.isUnresolved(text) {
                error("\(path).size '\(text)' is not a size; use \(Quantity.memoryForms)", at: sizeNode.mark)
            }
        } else if fields["size"] == nil, volume.source == .memory || volume.source == .block {
            error(
                "\(path) is a \(volume.source.rawValue) volume and needs 'size' (for example size: 10Gi)", at: node.mark
            )
        }
        for key in ["uid", "gid"] {
            guard let idNode = fields[key], let value = int(idNode, at: "\(path).\(key)", range: 0...Int(Int32.max))
            else {
                continue
            }
            if key == "uid" { volume.uid = value } else { volume.gid = value }
            if volume.source != .stage {
                warning("\(path).\(key) applies only to stage volumes; floe ignores it here", at: idNode.mark)
            }
        }
        if let stageNode = fields["stageConfig"],
            let config = mapping(stageNode, at: "\(path).stageConfig", keys: ["name", "metadataCache", "resources"])
        {
            if let stageName = requiredString(config, "name", at: "\(path).stageConfig", parent: stageNode) {
                volume.stageName = stageName
            }
            if volume.source != .stage {
                warning("\(path).stageConfig applies only to stage volumes; floe ignores it here", at: stageNode.mark)
            }
        }
        if let blockNode = fields["blockConfig"] {
            if node.mapping != nil, blockNode.mapping == nil, !blockNode.isNull {
                error("\(path).blockConfig must be a mapping, found \(describe(blockNode))", at: blockNode.mark)
            }
        }
        switch volume.source {
        case .stage: notActedOn("stage volumes", at: sourceNode.mark)
        case .block: notActedOn("block volumes", at: sourceNode.mark)
        case .local, .memory: break
        }
        return volume
    }

    private func serviceRoles(_ node: YAMLNode, endpoints: [String: YAMLMark]) -> [ServiceRole] {
        guard let items = sequence(node, at: "serviceRoles", of: "roles") else { return [] }
        var roles: [ServiceRole] = []
        var seen: [String: YAMLMark] = [:]
        for (index, item) in items.enumerated() {
            let path = "serviceRoles[\(index)]"
            guard let fields = mapping(item, at: path, keys: ["name", "endpoints"]),
                let name = requiredString(fields, "name", at: path, parent: item)
            else { continue }
            if let first = seen[name.uppercased()] {
                error("\(path): service role '\(name)' is defined twice (first at line \(first.line))", at: item.mark)
            }
            seen[name.uppercased()] = item.mark
            var names: [String] = []
            if let endpointsNode = fields["endpoints"],
                let list = sequence(endpointsNode, at: "\(path).endpoints", of: "endpoint names")
            {
                for (position, entry) in list.enumerated() {
                    guard let endpoint = string(entry, at: "\(path).endpoints[\(position)]") else { continue }
                    if endpoints[endpoint] == nil, !SpecTemplate.isUnresolved(endpoint) {
                        let known = endpoints.keys.sorted()
                        let hint =
                            known.isEmpty
                            ? "the spec declares no endpoints" : "declared endpoints: \(known.joined(separator: ", "))"
                        error(
                            "\(path).endpoints[\(position)] names endpoint '\(endpoint)', which spec does not declare; \(hint)",
                            at: entry.mark)
                    }
                    names.append(endpoint)
                }
            } else if fields["endpoints"] == nil {
                error("\(path) needs 'endpoints' (the endpoints this role grants)", at: item.mark)
            }
            roles.append(ServiceRole(name: name, endpoints: names))
        }
        return roles
    }

    private func readCapabilities(_ node: YAMLNode, into spec: inout ServiceSpec) {
        guard let fields = mapping(node, at: "capabilities", keys: ["securityContext"]),
            let contextNode = fields["securityContext"],
            let context = mapping(
                contextNode, at: "capabilities.securityContext", keys: ["executeAsCaller", "enableCustomCredentials"])
        else { return }
        if let value = context["executeAsCaller"] {
            spec.executeAsCaller = bool(value, at: "capabilities.securityContext.executeAsCaller") ?? false
        }
        if let value = context["enableCustomCredentials"] {
            spec.enableCustomCredentials =
                bool(value, at: "capabilities.securityContext.enableCustomCredentials") ?? false
        }
        notActedOn("capabilities", at: keyMark("capabilities", or: node.mark))
    }
}
