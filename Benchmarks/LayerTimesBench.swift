import ArgumentParser
import Kestrel

/// Per-op times of W2's training step (batch 128): each op's forward with the tape recording
/// and its backward alone, so a change to one kernel can be judged without the noise of the
/// whole step. Prints one JSON line per op and pass (median microseconds).
struct LayerTimesBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cnn-mnist-ops",
                                                    abstract: "Per-op forward/backward times of W2's training step (µs).")

    @Option(help: "Compute threads.") var threads = 2
    @Option(help: "Only these ops (comma-separated: conv1, pool1, conv2, pool2, conv1+pool1, conv2+pool2, dense1, dense2).") var only: String?
    @Option(help: "Runs per op.") var runs = 30

    func run() throws {
        Threading.threadCount = threads
        var gen = RandomGenerator(seed: 0)
        func normal(_ shape: [Int], _ scale: Float = 0.1) -> Tensor {
            Tensor.randomNormal(shape, standardDeviation: scale, generator: &gen)
        }
        let x = Tensor.randomUniform([128, 28, 28, 1], generator: &gen)
        let g1 = try ConvolutionGeometry(inputShape: [128, 28, 28, 1], kernel: (3, 3), padding: .valid, layer: "conv1")
        let p1 = try ConvolutionGeometry(inputShape: [128, 26, 26, 32], kernel: (2, 2), strides: (2, 2), padding: .valid, layer: "pool1")
        let g2 = try ConvolutionGeometry(inputShape: [128, 13, 13, 32], kernel: (3, 3), padding: .valid, layer: "conv2")
        let p2 = try ConvolutionGeometry(inputShape: [128, 11, 11, 64], kernel: (2, 2), strides: (2, 2), padding: .valid, layer: "pool2")
        let w1 = normal([3, 3, 1, 32]).requiringGradient(), b1 = normal([32]).requiringGradient()
        let w2 = normal([3, 3, 32, 64]).requiringGradient(), b2 = normal([64]).requiringGradient()
        let w3 = normal([1600, 128], 0.03).requiringGradient(), w4 = normal([128, 10]).requiringGradient()
        let a1 = withoutGradients { conv2d(x, w1, bias: b1, geometry: g1, relu: true) }
        let a2 = withoutGradients { maxPool2d(a1, geometry: p1) }
        let a3 = withoutGradients { conv2d(a2, w2, bias: b2, geometry: g2, relu: true) }
        let a4 = withoutGradients { maxPool2d(a3, geometry: p2) }.reshaped([128, 1600])
        let a5 = withoutGradients { relu(matmul(a4, w3)) }
        let ops: [(String, [Tensor], ([Tensor]) -> Tensor)] = [
            ("conv1", [w1, b1], { v in conv2d(x, v[0], bias: v[1], geometry: g1, relu: true) }),
            ("pool1", [a1], { v in maxPool2d(v[0], geometry: p1) }),
            ("conv2", [a2, w2, b2], { v in conv2d(v[0], v[1], bias: v[2], geometry: g2, relu: true) }),
            ("pool2", [a3], { v in maxPool2d(v[0], geometry: p2) }),
            ("conv1+pool1", [w1, b1], { v in conv2dReluMaxPool(x, v[0], bias: v[1], convolution: g1, pooling: p1) }),
            ("conv2+pool2", [a2, w2, b2], { v in conv2dReluMaxPool(v[0], v[1], bias: v[2], convolution: g2, pooling: p2) }),
            ("dense1", [a4, w3], { v in relu(matmul(v[0], v[1])) }),
            ("dense2", [a5, w4], { v in matmul(v[0], v[1]) }),
        ]
        let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
        for (name, inputs, op) in ops where wanted?.contains(name) ?? true {
            let vars = inputs.map { $0.requiresGradient ? $0 : $0.requiringGradient() }
            let seed = withoutGradients { op(vars) } * 0 + 1
            var forward: [Double] = [], backward: [Double] = []
            for _ in 0..<runs {
                let t0 = BenchSupport.now()
                let y = op(vars)
                let t1 = BenchSupport.now()
                _ = Tensor.gradients(of: y, withRespectTo: vars, seed: seed)
                let t2 = BenchSupport.now()
                forward.append((t1 - t0) * 1e6)
                backward.append((t2 - t1) * 1e6)
            }
            print("{\"op\":\"\(name)\",\"forward_us\":\(Int(BenchSupport.median(forward))),\"backward_us\":\(Int(BenchSupport.median(backward))),\"threads\":\(threads)}")
        }
    }
}
