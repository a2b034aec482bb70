import FloeSpec

extension InstanceState {
    /// The state of the container named `name`, if the instance has one.
    public func container(named name: String) -> ContainerState? {
        containers.first { $0.name == name }
    }

    /// The spec of the container named `name`, if the instance's spec has one.
    public func containerSpec(named name: String) -> ContainerSpec? {
        spec.containers.first { $0.name == name }
    }
}

extension World {
    /// The state of container `name` of instance `key`, if both exist.
    public func container(_ key: InstanceKey, _ name: String) -> ContainerState? {
        instances[key]?.container(named: name)
    }
}

extension DesiredState {
    /// The spec of the service or job named `name`, and whether it is a job.
    public func spec(of name: ObjectName) -> (ServiceSpec, Bool)? {
        if let service = services[name] { return (service.spec, false) }
        if let job = jobs[name] { return (job.spec, true) }
        return nil
    }

    /// The pool the service or job named `name` runs in.
    public func pool(of name: ObjectName) -> ObjectName? {
        services[name]?.pool ?? jobs[name]?.pool
    }

    /// How long the service or job named `name` gives its processes between SIGTERM and SIGKILL
    /// (30 s for an object the stage no longer has).
    public func stopGraceSeconds(of name: ObjectName) -> Int {
        services[name]?.header.stopGraceSeconds ?? jobs[name]?.header.stopGraceSeconds ?? 30
    }

    /// The user the service or job named `name` asks to run as (its header's `runAs`).
    public func runAs(of name: ObjectName) -> String? {
        services[name]?.header.runAs ?? jobs[name]?.header.runAs
    }
}
