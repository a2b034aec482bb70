import FloeSpec

/// Builds the desired state the planner sees from what the stage asks for and the versions of the
/// secrets: a pure function, so that what floed plans with is the same whoever builds it.
public enum DesiredStateBuilder {
    /// `stage` (the stage's last good objects) with `complete` set and each service's digest folded
    /// with the versions of the secrets its containers use (`uses(spec)`): a changed secret rolls the
    /// services that use it, as an edit of their spec does. Jobs are not re-run for a secret change.
    /// A secret that does not exist folds in as "missing", so creating it rolls the service too.
    public static func build(
        stage: DesiredState, complete: Bool, secretVersions: [ObjectName: String],
        uses: (ServiceSpec) -> [ObjectName]
    ) -> DesiredState {
        var desired = stage
        if !complete { desired.complete = false }
        for (name, service) in desired.services {
            let used = uses(service.spec)
            guard !used.isEmpty else { continue }
            let versions = used.map { "secret:\($0.value):\(secretVersions[$0] ?? "missing")" }
            desired.services[name]?.digest = SpecDigest.combine([service.digest] + versions)
        }
        return desired
    }
}
