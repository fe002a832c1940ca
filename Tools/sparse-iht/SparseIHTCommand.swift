import ArgumentParser

@main
struct SparseIHTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sparse-iht",
        abstract: "Train sparse ReLU networks by iterative hard thresholding on the gated reformulation.",
        subcommands: [RecoverCommand.self, BaselineCommand.self, EvaluateCommand.self, SweepCommand.self,
                      DevicesCommand.self, SelfTestCommand.self])
}
