import Foundation
import KestrelCore

/// Several cells run as one (Keras `StackedRNNCells`): at each step the output of one cell
/// is the input of the next; the states are every cell's states in order, and the output is
/// the last cell's. Runs step by step inside `RNN`.
public final class StackedRNNCells: Layer, RecurrentCell {
    public let cells: [RecurrentCell]

    public init(_ cells: [RecurrentCell], name: String? = nil) {
        self.cells = cells
        super.init(name: name)
    }

    public override var sublayers: [Layer] { cells }

    /// Keras keeps each cell under `cells/<snake-case class name>` (`lstm_cell`, `lstm_cell_1`).
    public override var kerasWeightGroups: [KerasWeightGroup] {
        zip(LayerNames.kerasGroupKeys(cells), cells).flatMap { key, cell in cell.kerasWeightGroups.map { $0.nested(in: "cells/\(key)") } }
    }
    public var stateSizes: [Int] { cells.flatMap(\.stateSizes) }
    public var outputSize: Int { cells.last?.outputSize ?? 0 }

    public override func build(inputShapes: [[Int]]) throws {
        guard !cells.isEmpty else { throw KestrelError(.invalidArgument, "\(name): StackedRNNCells needs at least one cell") }
        var shape = inputShapes[0]
        for cell in cells {
            try cell.buildIfNeeded(inputShapes: [shape])
            shape = [shape[0], cell.outputSize]
        }
    }

    public func step(_ x: Tensor, states: [Tensor], training: Bool) throws -> (output: Tensor, states: [Tensor]) {
        var input = x, next: [Tensor] = [], offset = 0
        for cell in cells {
            let count = cell.stateSizes.count
            let (y, s) = try cell.step(input, states: Array(states[offset..<(offset + count)]), training: training)
            input = y
            next += s
            offset += count
        }
        return (input, next)
    }

    public override var configuration: [String: Any] { ["cells": cells.map(\.kerasSerialized)] }
}

extension StackedRNNCells: KerasReadableLayer {
    /// The cells a Keras `StackedRNNCells` config lists.
    public static func fromKeras(_ c: KerasConfig) throws -> Layer {
        guard let list = c["cells"] as? [[String: Any]] else { throw c.error("cells", "a list of cell configs") }
        let cells = try list.enumerated().map { k, entry in
            guard let className = entry["class_name"] as? String, let config = entry["config"] as? [String: Any],
                  let cell = try KerasLayerRegistry.makeLayer(className: className, config: config) as? RecurrentCell else {
                throw c.error("cells", "a list of recurrent cell configs (entry \(k) is not one)")
            }
            return cell
        }
        return StackedRNNCells(cells, name: c.name)
    }
}
