import ArgumentParser
import Foundation
import Kestrel

/// W6 startup: a fresh process builds W2's model (compiled with Adam and the loss, as a
/// user would), makes one (128, 28, 28, 1) batch and runs one inference, then exits. The
/// parent starts `runs` such children under `/usr/bin/time -v` and reports the median wall
/// time around each whole child and the median peak RSS.
struct StartupBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "startup", abstract: "W6: cold-process build + first inference.")

    @Option(help: "Child processes to time.")
    var runs = 5

    @Flag(help: "Be the child: build, infer once, print the phase timings.")
    var child = false

    @Flag(help: "Do not wait for a quiet machine before each child.")
    var noGate = false

    func run() throws {
        if child { return try runChild() }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        var walls: [Double] = [], rss: [Double] = [], foreign: [Double] = [], builds: [Double] = [], infers: [Double] = []
        var xcore: [Double?] = []
        for _ in 0..<runs {
            if !noGate { _ = BenchSupport.waitQuiet() }
            let x0 = PlacedBench.crossCoreNanoseconds()
            let s0 = BenchSupport.snap()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
            p.arguments = ["-v", exe, "startup", "--child"]
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let s1 = BenchSupport.snap()
            let x1 = PlacedBench.crossCoreNanoseconds()
            guard p.terminationStatus == 0 else {
                throw KestrelError(.invalidData, "startup child failed: \(String(decoding: stderr, as: UTF8.self).suffix(2000))")
            }
            walls.append(s1.wall - s0.wall)
            foreign.append(BenchSupport.foreign(s0, s1))
            xcore.append(x0.flatMap { a in x1.map { Swift.max(a, $0) } })
            let timeText = String(decoding: stderr, as: UTF8.self)
            if let line = timeText.split(separator: "\n").first(where: { $0.contains("Maximum resident set size") }),
               let kb = Double(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) {
                rss.append(kb / 1024)
            }
            let fields = String(decoding: stdout, as: UTF8.self).split(separator: " ")
            for f in fields {
                let kv = f.split(separator: "=")
                guard kv.count == 2, let v = Double(kv[1].trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
                if kv[0] == "build_s" { builds.append(v) }
                if kv[0] == "first_infer_s" { infers.append(v) }
            }
        }
        BenchSupport.emit([
            ("framework", "kestrel"), ("workload", "startup"), ("mode", "cold-process"),
            ("wall_s", BenchSupport.round3(BenchSupport.median(walls))), ("min", BenchSupport.round3(walls.min() ?? .nan)),
            ("max", BenchSupport.round3(walls.max() ?? .nan)), ("repeats", walls.map(BenchSupport.round3)),
            ("foreign_cpu", foreign.map(BenchSupport.round3)),
            ("xcore_ns", xcore.map { $0.map { ($0 * 10).rounded() / 10 } ?? .nan }),
            ("placement", xcore.map(PlacedBench.placement).joined(separator: ",")),
            ("peak_rss_mib", (BenchSupport.median(rss) * 10).rounded() / 10),
            ("import_s", 0.0), ("build_s", BenchSupport.round3(BenchSupport.median(builds))),
            ("first_infer_s", BenchSupport.round3(BenchSupport.median(infers))),
        ])
    }

    /// Builds W2, runs one batch of 128, prints `build_s=… first_infer_s=…`.
    func runChild() throws {
        let t0 = BenchSupport.now()
        let model = try BenchModels.cnnMNIST()
        let (x, _) = PlacedBench.images(batch: 128, classes: 10)
        let t1 = BenchSupport.now()
        let y = try model.predictOnBatch(x)
        let t2 = BenchSupport.now()
        precondition(y.shape == [128, 10])
        print("build_s=\(t1 - t0) first_infer_s=\(t2 - t1)")
    }
}
