/// The recurrent cells the fused sequence op runs, with Keras's gate orders and layouts.
public enum RecurrentCellKind: Equatable, Sendable {
    /// h = act(x·W + h·U + b).
    case simple
    /// Gates i, f, c (candidate), o in the 4U columns; bias (4U).
    case lstm
    /// Gates z, r, h in the 3U columns; `resetAfter`: bias (2, 3U) and the reset gate applied
    /// to h·U (Keras 3 default, cuDNN/PyTorch style); otherwise bias (3U) and r applied to h.
    case gru(resetAfter: Bool)

    /// Column blocks per unit in the kernels.
    package var gateCount: Int {
        switch self {
        case .simple: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }

    /// States carried between steps: (h, c) for LSTM, h otherwise.
    public var stateCount: Int { self == .lstm ? 2 : 1 }
}

/// The cell shared by every direction of one fused op.
package struct RecurrentCellSpec: Equatable {
    package let kind: RecurrentCellKind
    package let units: Int
    package let activation: CellActivation
    package let recurrentActivation: CellActivation
    /// Keras `zero_output_for_mask`: a masked step outputs zeros instead of repeating the
    /// previous output (Bidirectional sets it on its layers when returning sequences).
    package let zeroOutputForMask: Bool

    package init(kind: RecurrentCellKind, units: Int, activation: CellActivation, recurrentActivation: CellActivation,
                 zeroOutputForMask: Bool) {
        self.kind = kind
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.zeroOutputForMask = zeroOutputForMask
    }
}

extension RecurrentCellSpec {
    /// The fused kernel of this cell kind with its activations.
    package var kernel: any FusedCellKernel {
        switch kind {
        case .simple: SimpleRNNKernel(activation: activation)
        case .lstm: LSTMKernel(activation: activation, recurrentActivation: recurrentActivation)
        case .gru(resetAfter: true): GRUResetAfterKernel(activation: activation, recurrentActivation: recurrentActivation)
        case .gru(resetAfter: false): GRUResetBeforeKernel(activation: activation, recurrentActivation: recurrentActivation)
        }
    }
}

/// One direction's operands: the input (after input dropout), the weights, optional initial
/// states (N, U), whether it reads the sequence backwards, and the recurrent-dropout mask
/// (N, U) applied to h before the recurrent product (training only).
package struct RecurrentDirection {
    package var x: Tensor
    package var kernel: Tensor
    package var recurrentKernel: Tensor
    package var bias: Tensor?
    package var initialStates: [Tensor]
    package var goBackwards: Bool
    package var recurrentDropoutMask: Tensor?

    package init(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?, initialStates: [Tensor],
                 goBackwards: Bool, recurrentDropoutMask: Tensor?) {
        self.x = x
        self.kernel = kernel
        self.recurrentKernel = recurrentKernel
        self.bias = bias
        self.initialStates = initialStates
        self.goBackwards = goBackwards
        self.recurrentDropoutMask = recurrentDropoutMask
    }

    /// The tape inputs of this direction, in the order the backward pass returns gradients.
    package var tapeInputs: [Tensor] { [x, kernel, recurrentKernel] + (bias.map { [$0] } ?? []) + initialStates }
}

/// Runs a whole recurrent layer (one or two directions) as one differentiable op: one GEMM
/// projects the inputs of all time steps, each step does one recurrent GEMM and in-place
/// vectorised gate math, and the backward pass runs through time by hand, accumulating the
/// weight gradients afterwards as single GEMMs over all steps. Directions and batch chunks
/// run in parallel with no per-step synchronisation.
///
/// Returns the packed tensor (directions, N, T + states, U): rows 0..<T hold the outputs in
/// processing order (reversed time for a backwards direction, as Keras returns them), then
/// the final h (and c for LSTM). Slices of it are the layer's outputs, so gradients from all
/// of them meet in one backward pass. `mask` (N, T) of 1/0 makes masked steps keep the state
/// and repeat the previous output (or output zeros, per `zeroOutputForMask`).
package func recurrentSequence(_ spec: RecurrentCellSpec, _ directions: [RecurrentDirection], mask: Tensor?) -> Tensor {
    let inputs = directions.flatMap(\.tapeInputs)
    // Without a backward pass the forward keeps two state slots instead of every step's.
    let history = GradientMode.isRecording && inputs.contains { $0.requiresGradient }
    let run = RecurrentRun(spec: spec, directions: directions, mask: mask, history: history)
    let packed = Tensor(shape: [directions.count, run.n, run.t + run.s, spec.units]) { out, _ in
        run.forward(into: out)
    }
    return packed.recorded(from: inputs) { g in run.backward(g) }
}

/// An aligned scratch buffer owned by one fused recurrent call.
package final class FloatBuffer {
    package let p: UnsafeMutablePointer<Float>

    package init(_ count: Int, zeroed: Bool = false) {
        p = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        if zeroed { p.initialize(repeating: 0, count: count) }
    }

    deinit { UnsafeMutableRawPointer(p).deallocate() }
}

/// What the forward pass of one direction keeps for the backward pass, time-major in
/// processing order (step s reads input time T-1-s when going backwards). Without `history`
/// (no backward pass will run) states alternate between two slots and per-step values
/// share one slot.
package final class DirectionTrace {
    package let history: Bool
    /// Whether each step computes its own input projection (then xs is empty and z holds
    /// one step).
    package let projectsInputPerStep: Bool
    /// Inputs (T, N, F).
    package let xs: FloatBuffer
    /// (T, N, G): the input projection, then the activated gates, then (backward) dZ.
    package let z: FloatBuffer
    /// States before each step (T+1, N, U); c only for LSTM.
    package let h: FloatBuffer
    package let c: FloatBuffer?
    /// (T, N, U): LSTM act(c_t); GRU reset-after h·U_h + b_h; GRU reset-before r ⊙ h.
    package let aux: FloatBuffer?
    /// (T, N, U): h ⊙ recurrent-dropout mask, when dropout is on.
    package let hDropped: FloatBuffer?

    package init(kind: RecurrentCellKind, t: Int, n: Int, f: Int, u: Int, dropout: Bool, history: Bool, projectsInputPerStep: Bool) {
        let g = kind.gateCount * u
        let states = history ? t + 1 : 2, steps = history ? t : 1
        self.history = history
        self.projectsInputPerStep = projectsInputPerStep
        xs = FloatBuffer(projectsInputPerStep ? 0 : t * n * f)
        z = FloatBuffer((projectsInputPerStep ? 1 : t) * n * g)
        h = FloatBuffer(states * n * u)
        c = kind == .lstm ? FloatBuffer(states * n * u) : nil
        aux = kind == .simple ? nil : FloatBuffer(steps * n * u)
        hDropped = dropout ? FloatBuffer(steps * n * u) : nil
    }

    /// Slot of the state before step `step`.
    @inline(__always) package func stateSlot(_ step: Int) -> Int { history ? step : step & 1 }

    /// Slot of step `step`'s gates in z.
    @inline(__always) package func gateSlot(_ step: Int) -> Int { projectsInputPerStep ? 0 : step }

    /// Slot of step `step`'s per-step values.
    @inline(__always) package func stepSlot(_ step: Int) -> Int { history ? step : 0 }
}
