import Foundation

/// The per-axis weights of each `ImageInterpolation`, computed in Float32 step by step as
/// TensorFlow's kernels compute them (`resize_bilinear_op.cc`, `resize_nearest_neighbor_op.cc`,
/// `resize_bicubic_op.cc`, `resize_area_op.cc`, `scale_and_translate_op.cc`), so that
/// `Tensor.resized` reads the same source pixels with the same weights as `tf.image.resize`.
extension AxisResampling {
    /// The table that resizes an axis of `input` cells to `output` cells (both ≥ 1).
    package init(_ interpolation: ImageInterpolation, from input: Int, to output: Int) {
        let taps: [[(index: Int, weight: Float)]]
        switch interpolation {
        case .bilinear: taps = AxisResampling.bilinearTaps(input, output)
        case .nearest: taps = AxisResampling.nearestTaps(input, output)
        case .area: taps = AxisResampling.areaTaps(input, output)
        case .bicubic: taps = AxisResampling.bicubicTaps(input, output)
        case .lanczos3: taps = AxisResampling.lanczosTaps(input, output, radius: 3)
        case .lanczos5: taps = AxisResampling.lanczosTaps(input, output, radius: 5)
        }
        self.init(inputLength: input, taps: taps)
    }

    /// Source position (o + 0.5)·in/out − 0.5; cells floor and ceil of it, clamped to the
    /// image, blended by its fractional part.
    private static func bilinearTaps(_ input: Int, _ output: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { o in
            let position = (Float(o) + 0.5) * scale - 0.5
            let floor = position.rounded(.down)
            let lerp = position - floor
            let lower = Swift.max(Int(floor), 0), upper = Swift.min(Int(position.rounded(.up)), input - 1)
            return [(lower, 1 - lerp), (upper, lerp)]
        }
    }

    /// Cell floor((o + 0.5)·in/out), clamped to the image.
    private static func nearestTaps(_ input: Int, _ output: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { o in
            let source = Int(((Float(o) + 0.5) * scale).rounded(.down))
            return [(Swift.max(0, Swift.min(source, input - 1)), 1)]
        }
    }

    /// Output cell o covers [o·s, (o + 1)·s) of the input (s = in/out); each input cell
    /// weighs the length of it that is covered, divided by s.
    private static func areaTaps(_ input: Int, _ output: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Float(input) / Float(output)
        let inverse = 1 / scale
        return (0..<output).map { o in
            let start = Float(o) * scale, end = Float(o + 1) * scale
            return (Int(start.rounded(.down))..<Int(end.rounded(.up))).map { i in
                let cell = Float(i)
                let covered: Float
                if cell < start {
                    covered = cell + 1 > end ? scale : cell + 1 - start
                } else {
                    covered = cell + 1 > end ? end - cell : 1
                }
                return (Swift.max(0, Swift.min(i, input - 1)), covered * inverse)
            }
        }
    }

    /// Keys' cubic (a = −0.5) at the 4 cells around (o + 0.5)·in/out − 0.5, its weights
    /// looked up in TF's 1025-entry table; taps outside the image get 0 and the rest are
    /// renormalised to sum to 1.
    private static func bicubicTaps(_ input: Int, _ output: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Float(input) / Float(output)
        let table = keysCubicTable, size = keysCubicTableSize
        return (0..<output).map { o in
            let position = (Float(o) + 0.5) * scale - 0.5
            let floor = position.rounded(.down)
            let cell = Int(floor)
            let offset = Int(((position - floor) * Float(size)).rounded(.toNearestOrEven))
            let kernel = [table[offset * 2 + 1], table[offset * 2], table[(size - offset) * 2], table[(size - offset) * 2 + 1]]
            var taps = (0..<4).map { k -> (index: Int, weight: Float) in
                let wanted = cell - 1 + k
                let index = Swift.max(0, Swift.min(wanted, input - 1))
                return (index, index == wanted ? kernel[k] : 0)
            }
            let total = taps[0].weight + taps[1].weight + taps[2].weight + taps[3].weight
            if Swift.abs(total) >= 1000 * Float.leastNormalMagnitude {
                let inverse = 1 / total
                taps = taps.map { ($0.index, $0.weight * inverse) }
            }
            return taps
        }
    }

    /// The Lanczos kernel centred on (o + 0.5)·in/out, over the cells whose centres lie
    /// within `radius` of it, normalised to sum to 1 (TF `ScaleAndTranslate`, antialias off).
    private static func lanczosTaps(_ input: Int, _ output: Int, radius: Float) -> [[(index: Int, weight: Float)]] {
        let scale = Float(output) / Float(input)
        let inverseScale = Float(1.0 / Double(scale))
        return (0..<output).map { o in
            let sample = (Float(o) + 0.5) * inverseScale
            let first = Swift.max(0, Swift.min(Int((sample - radius - 0.5).rounded(.up)), input - 1))
            let last = Swift.max(0, Swift.min(Int((sample + radius - 0.5).rounded(.down)), input - 1))
            var weights = (first...last).map { lanczos(Swift.abs(Float($0) + 0.5 - sample), radius: radius) }
            var total: Float = 0
            for w in weights { total += w }
            if Swift.abs(total) >= 1000 * Float.leastNormalMagnitude {
                let inverse = 1 / total
                weights = weights.map { $0 * inverse }
            } else {
                weights = weights.map { _ in 0 }
            }
            return zip(first...last, weights).map { ($0, $1) }
        }
    }

    /// TF's `LanczosKernelFunc`, with its π and its small-argument cut-off.
    private static func lanczos(_ x: Float, radius: Float) -> Float {
        let pi: Float = 3.14159265359
        if x > radius { return 0 }
        if x <= 1e-3 { return 1 }
        return radius * Foundation.sin(pi * x) * Foundation.sin(pi * x / radius) / (pi * pi * x * x)
    }
}

/// Entries per unit of TF's bicubic coefficient table (`kTableSize`).
private let keysCubicTableSize = 1024

/// TF's bicubic coefficient table for Keys' a = −0.5 (`InitCoeffsTable`): entry 2i is the
/// kernel at distance i/1024, entry 2i + 1 at distance 1 + i/1024, computed in Double and
/// stored as Float.
private let keysCubicTable: [Float] = {
    let a = -0.5
    return (0...keysCubicTableSize).flatMap { i -> [Float] in
        let near = Double(Float(Double(i) / Double(keysCubicTableSize)))
        let far = near + 1
        return [Float(((a + 2) * near - (a + 3)) * near * near + 1), Float(((a * far - 5 * a) * far + 8 * a) * far - 4 * a)]
    }
}()
