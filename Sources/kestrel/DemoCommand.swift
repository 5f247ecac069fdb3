import ArgumentParser
import Foundation
import Kestrel
import KestrelDemos
import KestrelDistributed

/// `kestrel demo [NAME]`: trains a model on real data and prints its test score last.
/// `--save FILE` writes the trained model (two runs with the same thread count write the
/// same bytes); `--backup-dir DIR` makes the run resumable after a crash or `kill -9`:
/// run the same command again and it continues from the latest backup. `--data-parallel`
/// under `mpirun -np N` trains on N processes (rank 0 prints and saves).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train a demo model on real data (default: the best available demo).",
        discussion: "Demos: \(DemoCommand.demos.map(\.name).joined(separator: ", ")).")

    /// Every demo, best first (`kestrel demo` with no name runs the first).
    static let demos: [DemoCatalog.Demo] = DemoCatalog.all

    @Argument(help: "Which demo to run.")
    var name: String?

    @Option(help: "Save the trained model to this file: .keras or .h5 for Keras, anything else for Kestrel's safetensors format.")
    var save: String?

    @Option(help: "Train for this many epochs instead of the demo's own count.")
    var epochs: Int?

    @Option(help: "Back training up into this folder and, when a backup is there, resume from it.")
    var backupDir: String?

    @Option(help: "With --backup-dir: back up every N batches instead of every epoch.")
    var backupEvery: Int?

    @Option(help: "Draw the training curves (loss and metrics per epoch; the CNN demos add the test set as validation) into this .png or .svg file (default: NAME-training-curves.png beside the demo's other pictures).")
    var curves: String?

    @Option(help: "Write TensorBoard event files of the run into this folder (train/ and validation/), for `tensorboard --logdir`.")
    var logdir: String?

    @Flag(help: "Train data-parallel over the processes of `mpirun -np N` (needs a build with --traits MPI).")
    var dataParallel = false

    func run() throws {
        let chosen = name ?? DemoCommand.demos[0].name
        guard let demo = DemoCommand.demos.first(where: { $0.name == chosen }) else {
            throw ValidationError("unknown demo \"\(chosen)\"; available: \(DemoCommand.demos.map(\.name).joined(separator: ", "))")
        }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if backupEvery != nil && backupDir == nil { throw ValidationError("--backup-every needs --backup-dir") }
        do {
            var options = DemoOptions(epochs: epochs, saveURL: save.map { URL(fileURLWithPath: $0) },
                                      curvesURL: curves.map { URL(fileURLWithPath: $0) }
                                          ?? ConvolutionDemos.outputDirectory.appendingPathComponent("\(chosen)-training-curves.png"))
            if dataParallel {
                let world = try WorldCommunicator.make()
                options.communicator = world
                if world.rank == 0 {
                    print("data-parallel: \(world.size) ranks (this is rank 0)")
                } else {
                    // One rank reports: the others' output would repeat rank 0's.
                    fflush(stdout)
                    _ = freopen("/dev/null", "w", stdout)
                }
            }
            if let backupDir {
                options.callbacks.append(try BackupAndRestore(backupDirectory: backupDir,
                                                              saveFrequency: backupEvery.map { .batches($0) } ?? .epoch))
            }
            if let logdir { options.callbacks.append(try TensorBoard(logDirectory: URL(fileURLWithPath: logdir))) }
            print(try demo.run(options))
        } catch let error as KestrelError {
            FileHandle.standardError.write(Data("kestrel demo: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
