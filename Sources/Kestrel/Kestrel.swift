// `import Kestrel` is the whole library: tensors and ops, layers and training, file formats.
@_exported import KestrelCore
@_exported import KestrelFormats
@_exported import KestrelNN
