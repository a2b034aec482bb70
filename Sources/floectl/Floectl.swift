import ArgumentParser

/// `floectl`: floe's status and control command.
@main
struct Floectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floectl",
        abstract: "Status and control for floe, the declarative service-spec reconciler.",
        discussion: """
            The global options (--socket, --json) go before or after the command's name: \
            `floectl --json services` and `floectl services --json` are the same. With --json every \
            command prints JSON: the control API's answers, or {"ok": true, "action": ...} for commands \
            that change something.
            """,
        subcommands: [
            Status.self, Services.self, Jobs.self, Describe.self, Containers.self, Instances.self, Pools.self,
            Logs.self, Wait.self, Events.self, Apply.self, Delete.self, ExecuteJob.self, Validate.self,
            Endpoints.self, Suspend.self, Resume.self, Token.self,
            Secret.self,
            Functions.self, Call.self,
        ]
    )

    /// Parsed here wherever they stand on the command line; subcommands get these values.
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
}
