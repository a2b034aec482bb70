/// The one-line summary floed sends as `STATUS=` (shown by `systemctl status floed`), e.g.
/// `4 services: 3 running, 1 pending; 1 job running; 2 files with errors`.
public enum StatusLine {
    /// The order service states are listed in; states not listed here follow, sorted.
    static let stateOrder = [
        "running", "pending", "failed", "suspending", "suspended", "deleting", "done", "internal_error",
    ]

    /// Builds the summary.
    /// - Parameters:
    ///   - serviceStates: one state per service (SPCS service status, any case: `RUNNING`, `PENDING`…).
    ///   - runningJobs: jobs with an instance still running.
    ///   - filesWithErrors: stage files floed refused.
    public static func make(serviceStates: [String], runningJobs: Int, filesWithErrors: Int) -> String {
        var counts: [String: Int] = [:]
        for state in serviceStates {
            counts[state.lowercased(), default: 0] += 1
        }
        let ordered =
            stateOrder.filter { counts[$0] != nil }
            + counts.keys.filter { !stateOrder.contains($0) }.sorted()
        var line =
            serviceStates.isEmpty
            ? "no services"
            : "\(plural(serviceStates.count, "service")): "
                + ordered.map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
        if runningJobs > 0 {
            line += "; \(plural(runningJobs, "job")) running"
        }
        if filesWithErrors > 0 {
            line += "; \(plural(filesWithErrors, "file")) with errors"
        }
        return line
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
