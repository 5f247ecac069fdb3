/// A group of processes that train one model together (MPI's `MPI_COMM_WORLD`, a Horovod or
/// DDP process group). Data-parallel `fit` needs only these collectives; every rank must call
/// them in the same order with buffers of the same length. Implementations: `SingleProcess`
/// here, and `MPICommunicator` in the `KestrelDistributed` product (the `MPI` package trait).
public protocol Communicator: AnyObject {
    /// This process's index in the group, 0..<size.
    var rank: Int { get }
    /// The number of processes in the group.
    var size: Int { get }
    /// Replaces `buffer` on every rank by its element-wise sum over all ranks.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Replaces `buffer` on every rank by its element-wise sum over all ranks.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Replaces `buffer` on every rank by the bytes rank `root` holds.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
}

/// The group of one: every collective is the identity. Data-parallel code written against
/// `Communicator` runs unchanged without MPI.
public final class SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {}
}
