import Dispatch
import Foundation

/// SIGINT and SIGTERM end a run cleanly: the staged outputs' temporary files are removed,
/// every earlier output stays as it was, stderr says so, and the process exits with
/// 128 + the signal (130, 143). The handlers run on a Dispatch queue (the signals
/// themselves are ignored), so they may use the file system freely.
public enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    /// Extra words for the message (a sweep: where its finished cells are kept).
    nonisolated(unsafe) public static var note: String?

    /// Installs the handlers (once per process).
    public static func install() {
        guard sources.isEmpty else { return }
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global(qos: .userInitiated))
            source.setEventHandler { stop(signal: number, name: name) }
            source.resume()
            sources.append(source)
        }
    }

    /// The line printed on stderr when `name` stops the run: the staged outputs `kept` (not
    /// written) and `written` (already complete), and `note`.
    public static func message(signal name: String, kept: [String], written: [String], note: String?) -> String {
        var text = "\nsparse-iht: interrupted by \(name)"
        if !kept.isEmpty { text += "; not written, so earlier files there are left as they were: " + kept.joined(separator: ", ") }
        if !written.isEmpty { text += "; already complete: " + written.joined(separator: ", ") }
        if kept.isEmpty && written.isEmpty && note == nil { text += "; no output was written" }
        if let note { text += "; " + note }
        return text + "\n"
    }

    private static func stop(signal number: Int32, name: String) {
        let (kept, written) = OutputStaging.interruptAll()
        ChildProcesses.signalAll(SIGTERM)  // a sweep's running cells (their rows are not appended)
        FileHandle.standardError.write(Data(message(signal: name, kept: kept, written: written, note: note).utf8))
        _exit(128 + number)
    }
}
