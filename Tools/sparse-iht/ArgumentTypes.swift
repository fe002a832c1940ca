import ArgumentParser
import SparseIHTCore
import SparseIHTData
import SparseIHTTasks

extension TaskKind: ExpressibleByArgument {}
extension BackendChoice: ExpressibleByArgument {}
extension BaselineMethod: ExpressibleByArgument {}
extension EvaluationPart: ExpressibleByArgument {}
extension Shard: ExpressibleByArgument {}
extension GateMode: ExpressibleByArgument {
    /// The gate modes `--mode` accepts (linear is the gaussian task's own, not a choice).
    public static var allValueStrings: [String] { [GateMode.sequential.rawValue, GateMode.convex.rawValue] }
}
extension Loss: ExpressibleByArgument {}
extension SolverOptions.Recipe: ExpressibleByArgument {}
extension SolverOptions.RefineRule: ExpressibleByArgument {}
extension SolverOptions.ReseedRule: ExpressibleByArgument {}
extension VectorOptions.Ranking: ExpressibleByArgument {}
extension VectorOptions.StepSchedule: ExpressibleByArgument {}
extension FourierFeatures.Coordinates: ExpressibleByArgument {}
extension RealTasks.Split: ExpressibleByArgument {}
