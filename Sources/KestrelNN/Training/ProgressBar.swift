import Foundation
import KestrelCore

/// How much `fit`, `evaluate` and `predict` print: nothing, a live progress bar per epoch
/// (plain lines when stdout is not a terminal), or one line per epoch. `auto` is the bar.
public enum Verbosity: Int {
    case silent = 0, progressBar = 1, oneLinePerEpoch = 2
    public static let auto = Verbosity.progressBar
}

/// Keras's per-epoch progress line:
/// `12/32 [=======>......................] - ETA: 3s - loss: 0.4321 - accuracy: 0.8712`,
/// redrawn in place on a terminal and ending in a line with the epoch time, time per step
/// and the validation metrics.
package struct ProgressBar {
    package let total: Int
    package let verbosity: Verbosity
    package let isTerminal: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let width = 30

    package init(total: Int, verbosity: Verbosity) {
        self.total = total
        self.verbosity = verbosity
        isTerminal = isatty(STDOUT_FILENO) != 0
    }

    /// Redraws the bar after `step` of `total` steps (terminal, verbosity 1 only).
    package mutating func update(step: Int, logs: [(String, Float)]) {
        guard verbosity == .progressBar, isTerminal else { return }
        let now = Date()
        guard step == total || now.timeIntervalSince(lastDraw) > 0.05 else { return }
        lastDraw = now
        print("\r" + liveLine(step: step, elapsed: now.timeIntervalSince(start), logs: logs) + "\u{1B}[K", terminator: "")
        fflush(stdout)
    }

    /// Prints the closing line of the epoch.
    package func finish(logs: [(String, Float)]) {
        guard verbosity != .silent else { return }
        let line = closingLine(elapsed: Date().timeIntervalSince(start), logs: logs)
        print((isTerminal && verbosity == .progressBar ? "\r" : "") + line + (isTerminal ? "\u{1B}[K" : ""))
        fflush(stdout)
    }

    /// `12/32 [=======>......] - ETA: 3s - loss: 0.4321`
    package func liveLine(step: Int, elapsed: Double, logs: [(String, Float)]) -> String {
        let eta = step > 0 ? elapsed / Double(step) * Double(total - step) : 0
        return "\(counter(step)) \(bar(step)) - ETA: \(ProgressBar.duration(eta))" + ProgressBar.format(logs)
    }

    /// `32/32 [==========] - 1s 3ms/step - loss: 0.4321 - val_loss: 0.5` (the bar only at verbosity 1).
    package func closingLine(elapsed: Double, logs: [(String, Float)]) -> String {
        let perStep = elapsed / Double(Swift.max(total, 1))
        let timing = "\(ProgressBar.duration(elapsed)) \(ProgressBar.stepTime(perStep))/step"
        let head = verbosity == .progressBar ? "\(counter(total)) \(bar(total))" : "\(total)/\(total)"
        return "\(head) - \(timing)" + ProgressBar.format(logs)
    }

    private func counter(_ step: Int) -> String {
        let digits = String(total).count
        return String(repeating: " ", count: Swift.max(0, digits - String(step).count)) + "\(step)/\(total)"
    }

    private func bar(_ step: Int) -> String {
        let filled = total > 0 ? width * step / total : width
        if filled >= width { return "[" + String(repeating: "=", count: width) + "]" }
        return "[" + String(repeating: "=", count: filled) + ">" + String(repeating: ".", count: width - filled - 1) + "]"
    }

    package static func format(_ logs: [(String, Float)]) -> String {
        logs.map { " - \($0.0): \(String(format: "%.4f", $0.1))" }.joined()
    }

    package static func duration(_ seconds: Double) -> String {
        seconds >= 3600 ? String(format: "%d:%02d:%02d", Int(seconds) / 3600, Int(seconds) % 3600 / 60, Int(seconds) % 60)
            : seconds >= 60 ? String(format: "%d:%02d", Int(seconds) / 60, Int(seconds) % 60)
            : "\(Int(seconds.rounded()))s"
    }

    package static func stepTime(_ seconds: Double) -> String {
        seconds >= 1 ? String(format: "%.0fs", seconds) : seconds >= 1e-3 ? String(format: "%.0fms", seconds * 1e3) : String(format: "%.0fus", seconds * 1e6)
    }
}
