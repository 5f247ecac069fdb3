import Foundation
import KestrelCore

/// The learning rate an optimizer is built with: a float32 constant (settable later, e.g.
/// by a callback) or a schedule evaluated at the step count.
public enum LearningRate: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case constant(Float)
    case schedule(any LearningRateSchedule)

    public init(floatLiteral value: Double) { self = .constant(Float(value)) }
    public init(integerLiteral value: Int) { self = .constant(Float(value)) }
}

/// Per-parameter optimizer state (a moment, an accumulator): one float32 buffer with the
/// parameter's shape, at a fixed address so update loops can hold several at once.
package final class SlotBuffer {
    package let shape: [Int]
    package let count: Int
    package let pointer: UnsafeMutablePointer<Float>

    package init(shape: [Int], initialValue: Float) {
        self.shape = shape
        count = Shape.count(shape)
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: initialValue, count: count)
    }

    package init(_ tensor: Tensor) {
        shape = tensor.shape
        count = tensor.count
        pointer = .allocate(capacity: count)
        let p = pointer
        tensor.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: $0.count) }
    }

    deinit { pointer.deallocate() }

    package var tensor: Tensor { Tensor(shape: shape, scalars: Array(UnsafeBufferPointer(start: pointer, count: count))) }
}

/// The shared machinery of Keras 3's optimizers: the learning rate (constant or
/// scheduled), gradient clipping (`clipnorm` per variable, `globalClipnorm` over all,
/// `clipvalue` element-wise; at most one), decoupled weight decay
/// (`w -= w · weightDecay · lr` before the update), the `iterations` counter, and
/// per-parameter state slots keyed by `Parameter.path` that can be saved and restored.
/// Subclasses supply the element-wise update rule, which runs on raw float32 buffers.
public class Optimizer {
    /// The Keras `name` of the optimizer.
    public var name: String
    /// The Keras class name (`Adam`, `SGD`, ...).
    public let kerasClassName: String
    /// How many updates have been applied (Keras `iterations`).
    public private(set) var iterations: Int = 0
    /// Clip each gradient to this L2 norm (Keras `clipnorm`).
    public let clipnorm: Double?
    /// Clip each gradient element to [−clipvalue, clipvalue] (Keras `clipvalue`).
    public let clipvalue: Double?
    /// Scale all gradients together so their joint L2 norm is at most this (Keras `global_clipnorm`).
    public let globalClipnorm: Double?
    /// Decoupled weight decay coefficient (Keras `weight_decay`), nil for none.
    public let weightDecay: Double?
    /// The schedule, when the optimizer was built with one.
    public let schedule: (any LearningRateSchedule)?
    private var constantRate: Float
    private var slots: [String: [SlotBuffer]] = [:]

    package init(kerasClassName: String, name: String, learningRate: LearningRate, weightDecay: Double?, clipnorm: Double?,
         clipvalue: Double?, globalClipnorm: Double?) throws {
        let clipCount = [clipnorm, clipvalue, globalClipnorm].compactMap { $0 }.count
        guard clipCount <= 1 else {
            throw KestrelError(.invalidArgument, "\(name): only one of clipnorm, clipvalue and globalClipnorm can be set (got \(clipCount))")
        }
        for (key, value) in [("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", globalClipnorm)] {
            if let value, !(value > 0 && value.isFinite) {
                throw KestrelError(.invalidArgument, "\(name): \(key) must be a positive number, got \(value)")
            }
        }
        self.kerasClassName = kerasClassName
        self.name = name
        self.weightDecay = weightDecay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.globalClipnorm = globalClipnorm
        switch learningRate {
        case .constant(let rate): constantRate = rate; schedule = nil
        case .schedule(let s): constantRate = s(step: 0); schedule = s
        }
    }

    // MARK: Subclass interface

    /// Names of the state slots each parameter gets, in a fixed order.
    package var slotNames: [String] { [] }
    /// The starting value of slot `index` (0 except for Adagrad's accumulator).
    package func initialValue(ofSlot index: Int) -> Float { 0 }
    /// The optimizer's own config entries (beyond the shared ones).
    package var specificConfig: [String: Any] { [:] }
    /// Updates `count` weights in place from their gradients; `step` is `iterations + 1`.
    /// Every subclass provides its rule; the base class has none.
    package func update(weights w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, count: Int,
                slots: [UnsafeMutablePointer<Float>], learningRate: Float, step: Int) {
        fatalError("Optimizer subclasses override update")
    }

    // MARK: Learning rate

    /// The learning rate the next update will use (the schedule's value at `iterations`).
    /// Setting it (as ReduceLROnPlateau and LearningRateScheduler do) stores a float32
    /// constant; like Keras, an optimizer that follows a schedule refuses, so check
    /// `schedule == nil` first or use the throwing `setLearningRate(_:)`.
    public var learningRate: Float {
        get {
            if let schedule { return schedule(step: iterations) }
            return constantRate
        }
        set {
            checkedPrecondition(schedule == nil, scheduleRefusal)
            constantRate = newValue
        }
    }

    private var scheduleRefusal: String {
        "\(name): the learning rate follows a \(schedule.map { $0.kerasClassName } ?? "") schedule and cannot be set; build the optimizer with a constant learning rate to change it during training"
    }

    /// Sets a constant learning rate; throws when the optimizer follows a schedule (Keras
    /// raises a TypeError there).
    public func setLearningRate(_ value: Float) throws {
        guard schedule == nil else { throw KestrelError(.invalidArgument, scheduleRefusal) }
        constantRate = value
    }

    // MARK: Updates

    /// Applies one update to the trainable `parameters` from their `gradients` (same order,
    /// same shapes): clip, weight-decay, the optimizer's rule, then `iterations += 1`.
    /// Throws, before changing anything, when counts, shapes or paths do not fit.
    public func apply(gradients: [Tensor], to parameters: [Parameter]) throws {
        guard gradients.count == parameters.count else {
            throw KestrelError(.invalidArgument,
                               "\(name).apply: \(gradients.count) gradients for \(parameters.count) parameters; pass one gradient per parameter, in the same order")
        }
        var grads: [Tensor] = []
        var params: [Parameter] = []
        var seen = Set<String>()
        for (g, p) in zip(gradients, parameters) where p.isTrainable {
            guard g.shape == p.shape else {
                throw KestrelError(.shapeMismatch,
                                   "\(name).apply: gradient of shape \(g.shape) for parameter \(p.path) of shape \(p.shape); gradients must have their parameter's shape")
            }
            guard seen.insert(p.path).inserted else {
                throw KestrelError(.invalidArgument,
                                   "\(name).apply: two parameters share the path \(p.path); optimizer state is keyed by path, so give each weight a unique path")
            }
            if let existing = slots[p.path], existing.contains(where: { $0.shape != p.shape }) {
                throw KestrelError(.shapeMismatch,
                                   "\(name).apply: the state for \(p.path) has shape \(existing[0].shape) but the parameter has shape \(p.shape); the optimizer was used with (or loaded for) a different model")
            }
            grads.append(g)
            params.append(p)
        }
        grads = clipped(grads)
        let lr = learningRate
        let decay = weightDecay.map { Float($0) }
        let step = iterations + 1
        for (g, p) in zip(grads, params) {
            let buffers = slotBuffers(for: p)
            let slotPointers = buffers.map(\.pointer)
            var w = p.value.detached()
            w.withUnsafeMutableBufferPointer { wb in
                guard let wp = wb.baseAddress else { return }
                if let decay {
                    for i in 0..<wb.count { wp[i] = wp[i] - wp[i] * decay * lr }
                }
                g.withUnsafeBufferPointer { gb in
                    update(weights: wp, gradients: gb.baseAddress!, count: wb.count, slots: slotPointers,
                           learningRate: lr, step: step)
                }
            }
            p.value = w
        }
        iterations += 1
    }

    /// The slots of `parameter`, created on first use.
    private func slotBuffers(for parameter: Parameter) -> [SlotBuffer] {
        if let existing = slots[parameter.path] { return existing }
        let created = slotNames.indices.map { SlotBuffer(shape: parameter.shape, initialValue: initialValue(ofSlot: $0)) }
        slots[parameter.path] = created
        return created
    }

    /// Keras's gradient clipping; at most one mode is set.
    private func clipped(_ grads: [Tensor]) -> [Tensor] {
        func sumOfSquares(_ t: Tensor) -> Float {
            t.withUnsafeBufferPointer { b in Float(b.reduce(0.0) { $0 + Double($1) * Double($1) }) }
        }
        func mapped(_ t: Tensor, _ f: (Float) -> Float) -> Tensor {
            Tensor(shape: t.shape, scalars: t.withUnsafeBufferPointer { $0.map(f) })
        }
        if let clipnorm, clipnorm > 0 {
            let c = Float(clipnorm)
            return grads.map { g in
                let l2 = sumOfSquares(g)
                let norm = l2 > 0 ? l2.squareRoot() : l2
                let divisor = Swift.max(norm, c)
                return mapped(g) { ($0 * c) / divisor }
            }
        }
        if let globalClipnorm, globalClipnorm > 0 {
            let c = Float(globalClipnorm)
            let norm = grads.reduce(Float(0)) { $0 + sumOfSquares($1) }.squareRoot()
            // Keras: clip · min(1/norm, 1/clip), turned into NaN when the norm is not finite.
            let scale = c * Swift.min(1 / norm, 1 / c) + (norm - norm)
            return grads.map { mapped($0) { $0 * scale } }
        }
        if let clipvalue, clipvalue > 0 {
            let v = Float(clipvalue)
            return grads.map { mapped($0) { Swift.min(Swift.max($0, -v), v) } }
        }
        return grads
    }

    // MARK: State

    /// The optimizer's state: `iterations`, the constant `learning_rate` (when there is no
    /// schedule), and each slot as `<parameter path>/<slot name>`. Counts are stored as
    /// float32, exact up to 2^24 steps.
    public func stateTensors() -> [String: Tensor] {
        var state: [String: Tensor] = ["iterations": Tensor(Float(iterations))]
        if schedule == nil { state["learning_rate"] = Tensor(constantRate) }
        for (path, buffers) in slots {
            for (slotName, buffer) in zip(slotNames, buffers) { state["\(path)/\(slotName)"] = buffer.tensor }
        }
        return state
    }

    /// Restores state saved by `stateTensors()` (replacing the current state), so training
    /// continues exactly where it stopped. An empty dictionary leaves the optimizer as it
    /// is. Throws when a name or shape does not fit this optimizer or, when `parameters`
    /// are given, when a slot belongs to no parameter or has another shape than its own.
    public func loadState(_ state: [String: Tensor], parameters: [Parameter]? = nil) throws {
        func fail(_ why: String) -> KestrelError {
            KestrelError(.invalidData, "\(name).loadState: \(why); load the state saved by the same kind of optimizer (\(kerasClassName)) for the same model")
        }
        if state.isEmpty { return }
        guard let it = state["iterations"] else { throw fail("\"iterations\" is missing") }
        guard it.count == 1, let restoredIterations = Int(exactly: it.scalar), restoredIterations >= 0 else {
            let got = it.count == 1 ? "\(it.scalar)" : "a tensor of shape \(it.shape)"
            throw fail("\"iterations\" must be one whole number from 0 to \(Int.max), got \(got)")
        }
        var grouped: [String: [String: Tensor]] = [:]
        for (key, tensor) in state where key != "iterations" && key != "learning_rate" {
            guard let slash = key.lastIndex(of: "/"), slotNames.contains(String(key[key.index(after: slash)...])) else {
                throw fail("unexpected entry \"\(key)\" (expected <path>/<slot> with slot in \(slotNames))")
            }
            grouped[String(key[..<slash]), default: [:]][String(key[key.index(after: slash)...])] = tensor
        }
        var restored: [String: [SlotBuffer]] = [:]
        for (path, entries) in grouped {
            let tensors = try slotNames.map { slotName -> Tensor in
                guard let t = entries[slotName] else { throw fail("\"\(path)/\(slotName)\" is missing") }
                return t
            }
            guard tensors.allSatisfy({ $0.shape == tensors[0].shape }) else {
                throw fail("the slots of \(path) have different shapes \(tensors.map(\.shape))")
            }
            if let parameters {
                guard let owner = parameters.first(where: { $0.path == path }) else {
                    throw fail("the state has slots for \(path), which is not one of the parameters")
                }
                guard owner.shape == tensors[0].shape else {
                    throw fail("\(path) has shape \(tensors[0].shape) in the state but \(owner.shape) in the model")
                }
            }
            restored[path] = tensors.map(SlotBuffer.init)
        }
        if let rate = state["learning_rate"], schedule == nil {
            guard rate.count == 1, rate.scalar.isFinite else {
                throw fail("\"learning_rate\" must hold one finite value, got \(rate.count == 1 ? "\(rate.scalar)" : "a tensor of shape \(rate.shape)")")
            }
            constantRate = rate.scalar
        }
        slots = restored
        iterations = restoredIterations
    }

    // MARK: Config

    /// The Keras `get_config()` dictionary: the shared entries (learning_rate as the
    /// float32 value, or the serialized schedule) plus the optimizer's own.
    public var kerasConfig: [String: Any] {
        var config: [String: Any] = [
            "name": name,
            "learning_rate": schedule.map { $0.kerasSerialized as Any } ?? kerasFloat32(constantRate),
            "weight_decay": kerasOptional(weightDecay),
            "clipnorm": kerasOptional(clipnorm),
            "global_clipnorm": kerasOptional(globalClipnorm),
            "clipvalue": kerasOptional(clipvalue),
            "use_ema": false,
            "ema_momentum": 0.99,
            "ema_overwrite_frequency": kerasNull,
            "loss_scale_factor": kerasNull,
            "gradient_accumulation_steps": kerasNull,
        ]
        config.merge(specificConfig) { _, new in new }
        return config
    }
}

/// Looks up optimizers by the names and configs Keras uses.
public enum Optimizers {
    /// An optimizer with default arguments from a Keras string (`"adam"`, `"sgd"`,
    /// `"rmsprop"`, `"adagrad"`, `"adamw"`, or the class names).
    public static func named(_ identifier: String) throws -> Optimizer {
        switch identifier.lowercased() {
        case "sgd": return try SGD()
        case "adam": return try Adam()
        case "adamw": return try AdamW()
        case "rmsprop": return try RMSprop()
        case "adagrad": return try Adagrad()
        default:
            throw KestrelError(.invalidArgument, "unknown optimizer \"\(identifier)\"; known: sgd, adam, adamw, rmsprop, adagrad")
        }
    }

    /// Keys that change nothing Kestrel computes: EMA settings (EMA itself is rejected) and
    /// tf_keras's execution switches.
    private static let ignoredOptimizerKeys: Set<String> = ["ema_momentum", "ema_overwrite_frequency", "jit_compile", "is_legacy_optimizer"]

    /// Rebuilds an optimizer from a Keras class name and its `get_config()` dictionary.
    /// Features Kestrel does not implement (EMA, loss scaling, gradient accumulation) throw.
    public static func fromKeras(className: String, config: [String: Any]) throws -> Optimizer {
        let r = KerasConfig(className: className, values: config)
        let made = try make(r)
        try r.requireEveryKeyRead(ignoring: ignoredOptimizerKeys)
        return made
    }

    private static func make(_ r: KerasConfig) throws -> Optimizer {
        let className = r.className
        try r.requireUnset("use_ema", orEqualTo: false, what: "exponential moving averages of weights")
        try r.requireUnset("loss_scale_factor", what: "loss scaling")
        try r.requireUnset("gradient_accumulation_steps", what: "gradient accumulation")
        try r.requireUnset("decay", orEqualTo: 0.0, what: "Keras 2's per-step learning-rate decay; use a learning-rate schedule")
        let clips = ["clipnorm", "clipvalue", "global_clipnorm"].filter { !r.isNull($0) }
        guard clips.count <= 1 else {
            throw KestrelError(.invalidArgument, "\(className) config: only one of clipnorm, clipvalue and global_clipnorm can be set, got \(clips)")
        }
        let learningRate: LearningRate
        if let nested = r["learning_rate"] as? [String: Any] {
            guard let scheduleClass = nested["class_name"] as? String else {
                throw KestrelError(.invalidArgument, "\(className) config: learning_rate is an object without class_name")
            }
            learningRate = .schedule(try LearningRateSchedules.fromKeras(className: scheduleClass,
                                                                         config: nested["config"] as? [String: Any] ?? [:]))
        } else if let rate = try r.optionalDouble("learning_rate") {
            learningRate = .constant(Float(rate))
        } else {
            learningRate = .constant(className == "SGD" ? 0.01 : 0.001)
        }
        let wd = try r.optionalDouble("weight_decay")
        let cn = try r.optionalDouble("clipnorm"), cv = try r.optionalDouble("clipvalue")
        let gcn = try r.optionalDouble("global_clipnorm")
        switch className {
        case "SGD":
            let momentum = try r.double("momentum", default: 0)
            guard momentum >= 0 && momentum <= 1 else { throw r.error("momentum", "a number in [0, 1]") }
            return try SGD(learningRate: learningRate, momentum: momentum,
                       nesterov: try r.bool("nesterov", default: false), weightDecay: wd, clipnorm: cn, clipvalue: cv,
                       globalClipnorm: gcn, name: try r.string("name", default: "SGD"))
        case "Adam", "AdamW":
            let args = (b1: try r.double("beta_1", default: 0.9), b2: try r.double("beta_2", default: 0.999),
                        eps: try r.double("epsilon", default: 1e-7), ams: try r.bool("amsgrad", default: false))
            if className == "AdamW" {
                return try AdamW(learningRate: learningRate, weightDecay: wd ?? 0.004, beta1: args.b1, beta2: args.b2,
                             epsilon: args.eps, amsgrad: args.ams, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn,
                             name: try r.string("name", default: "adamw"))
            }
            return try Adam(learningRate: learningRate, beta1: args.b1, beta2: args.b2, epsilon: args.eps, amsgrad: args.ams,
                        weightDecay: wd, clipnorm: cn, clipvalue: cv, globalClipnorm: gcn,
                        name: try r.string("name", default: "adam"))
        case "RMSprop":
            return try RMSprop(learningRate: learningRate, rho: try r.double("rho", default: 0.9),
                           momentum: try r.double("momentum", default: 0), epsilon: try r.double("epsilon", default: 1e-7),
                           centered: try r.bool("centered", default: false), weightDecay: wd, clipnorm: cn,
                           clipvalue: cv, globalClipnorm: gcn, name: try r.string("name", default: "rmsprop"))
        case "Adagrad":
            return try Adagrad(learningRate: learningRate,
                           initialAccumulatorValue: try r.double("initial_accumulator_value", default: 0.1),
                           epsilon: try r.double("epsilon", default: 1e-7), weightDecay: wd, clipnorm: cn,
                           clipvalue: cv, globalClipnorm: gcn, name: try r.string("name", default: "adagrad"))
        default:
            throw KestrelError(.unsupported, "optimizer class \"\(className)\" is not supported; use SGD, Adam, AdamW, RMSprop or Adagrad")
        }
    }
}
