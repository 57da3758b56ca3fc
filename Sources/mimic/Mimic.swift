import ArgumentParser

@main
struct Mimic: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mimic",
        abstract: "Turn a few robot demos into many new, checked demos for imitation learning.",
        version: "0.1.0",
        subcommands: [
            InspectCommand.self, PrepareCommand.self, AugmentCommand.self, ValidateCommand.self, ExportCommand.self, MergeCommand.self,
            RenderCommand.self, ReportCommand.self,
        ]
    )

    /// SIGINT and SIGTERM remove the partial outputs before exiting (`Interrupts`).
    static func main() async {
        Interrupts.install()
        await main(nil)
    }
}
