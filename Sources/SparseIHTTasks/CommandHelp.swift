/// The longer help texts of the `sparse-iht` commands (`--help` shows them below the
/// usage), kept beside the runs they describe.
public enum CommandHelp {
    /// `recover`: every task with its summary, then the data, defaults and outputs.
    public static var recover: String {
        TaskKind.overview + "\n\n--dataset is mnist-sample, fashion, or a path (IDX directory, CIFAR-10 "
            + "directory or .bin, CSV, PNG/PGM/PPM). Defaults follow the published settings of each task; the solver's "
            + "defaults are the best measured recipe (--recipe published for the paper's code). Output paths are checked "
            + "before the run; Ctrl-C (or SIGTERM) leaves earlier outputs as they were."
    }

    /// `baseline`: the IMP protocol and one-shot magnitude pruning.
    public static let baseline = """
        imp (the published protocol): train for --epochs (one batch order per round), prune
        --prune-fraction of the remaining weights by global magnitude across all layers, score the
        pruned network, rewind survivors to their initial values, repeat until at most min(--s)
        weights remain; the score at each target s is the first round whose pruned network has at
        most s weights. A last round retrains the final mask ("retrained" score). magnitude:
        train once, prune to each s, score without retraining. Memory counts the dense weights,
        gradients and both Adam moments.
        """

    /// `evaluate`: what is scored per task, and the guards.
    public static let evaluate = """
        Classification (binary-mnist, binary-cifar10, mnist): test accuracy on --on test|train of
        the same split rules as recover. inr: PSNR (peak 1) of the image. files: PSNR and relative
        residual of --x/--y (and accuracy when y holds 0/1 labels). A model that does not fit the
        task (another task or classes, a different number of outputs or input width) is refused;
        scoring rows the model was trained on (by its recorded split) prints a warning.
        """

    /// `sweep`: the grid and the results file.
    public static let sweep = "Every task flag of recover may follow (--m 1,2,5 --s 5,10 --n 500,1000 --steps 10 ...); numeric "
        + "flags take comma-separated lists, and the grid is every combination. Each finished cell is appended to --out "
        + "as one JSON line (fsynced); cells already there are skipped, so a killed sweep resumes where it stopped."
}
