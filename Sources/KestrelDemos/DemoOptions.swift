import Foundation
import Kestrel

/// What `kestrel demo` may ask of any demo beyond its own settings: fewer or more epochs,
/// extra callbacks (a `BackupAndRestore` to survive being killed), and a file to save the
/// trained model to, so two runs can be compared byte for byte.
public struct DemoOptions {
    /// Replaces the demo's own epoch count when set.
    public var epochs: Int?
    /// Passed to `fit` besides the demo's own callbacks.
    public var callbacks: [Callback]
    /// Where the trained model is saved (before it is evaluated), when set.
    public var saveURL: URL?
    /// Trains data-parallel over this group when set (`kestrel demo NAME --data-parallel`);
    /// only its rank 0 saves.
    public var communicator: (any Communicator)?
    /// Where the training curves (loss and metrics per epoch) are drawn, when set: `.png` or `.svg`.
    public var curvesURL: URL?

    public init(epochs: Int? = nil, callbacks: [Callback] = [], saveURL: URL? = nil,
                communicator: (any Communicator)? = nil, curvesURL: URL? = nil) {
        self.epochs = epochs
        self.callbacks = callbacks
        self.saveURL = saveURL
        self.communicator = communicator
        self.curvesURL = curvesURL
    }

    /// The demo's `fit`, with these options applied, then the save and the curves.
    /// `validation` data is only evaluated after each epoch (for the curves); it does not
    /// change the training.
    func fit(_ model: Model, x: Tensor, y: Tensor, batchSize: Int, epochs: Int, verbose: Verbosity,
             validation: (x: Tensor, y: Tensor)? = nil) throws {
        let history = try model.fit(x: x, y: y, batchSize: batchSize, epochs: self.epochs ?? epochs, validationData: validation,
                                    callbacks: callbacks, verbose: verbose, communicator: communicator)
        guard (communicator?.rank ?? 0) == 0 else { return }
        if let saveURL { try model.save(to: saveURL) }
        if let curvesURL { try history.writeTrainingCurves(to: curvesURL) }
    }
}
