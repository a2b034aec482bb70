import Testing

@testable import FloeSystemd

@Suite struct StatusLineTests {
    @Test func theIssuesExample() {
        let line = StatusLine.make(
            serviceStates: ["RUNNING", "PENDING", "RUNNING", "RUNNING"], runningJobs: 1, filesWithErrors: 2)
        #expect(line == "4 services: 3 running, 1 pending; 1 job running; 2 files with errors")
    }

    @Test func emptyAndSingularForms() {
        #expect(StatusLine.make(serviceStates: [], runningJobs: 0, filesWithErrors: 0) == "no services")
        #expect(
            StatusLine.make(serviceStates: ["FAILED"], runningJobs: 2, filesWithErrors: 1)
                == "1 service: 1 failed; 2 jobs running; 1 file with errors")
        #expect(
            StatusLine.make(serviceStates: ["weird", "SUSPENDED", "RUNNING"], runningJobs: 0, filesWithErrors: 0)
                == "3 services: 1 running, 1 suspended, 1 weird")
    }
}
