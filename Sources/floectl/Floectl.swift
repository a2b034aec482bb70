import ArgumentParser

/// `floectl`: floe's status and control command.
@main
struct Floectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floectl",
        abstract: "Status and control for floe, the declarative service-spec reconciler.",
        subcommands: [
            Validate.self
        ]
    )
}
