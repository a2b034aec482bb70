import ArgumentParser

/// `floectl`: floe's status and control command.
@main
struct Floectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floectl",
        abstract: "Status and control for floe, the declarative service-spec reconciler.",
        subcommands: [
            Status.self, Services.self, Jobs.self, Describe.self, Containers.self, Instances.self, Pools.self,
            Logs.self, Wait.self, Events.self, Apply.self, Delete.self, ExecuteJob.self, Validate.self,
            Endpoints.self, Suspend.self, Resume.self, Token.self,
            Secret.self,
            Functions.self, Call.self,
        ]
    )
}
