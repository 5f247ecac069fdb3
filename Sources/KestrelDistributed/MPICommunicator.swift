#if MPI
import CMPI
import Foundation
import KestrelCore
import KestrelNN

/// The processes `mpirun` started, as one data-parallel group (`MPI_COMM_WORLD`). The first
/// use initializes MPI (thread level "funneled": only the calling thread talks to MPI, the
/// compute pool never does) and MPI is finalized when the process exits. MPI errors are
/// returned, not fatal, and become `KestrelError`s naming the call.
public final class MPICommunicator: Communicator {
    /// The world group of this process.
    public static func world() throws -> MPICommunicator {
        try lock.withLock {
            if let shared { return shared }
            var initialized: Int32 = 0
            MPI_Initialized(&initialized)
            if initialized == 0 {
                var provided: Int32 = 0
                try check(MPI_Init_thread(nil, nil, kst_mpi_thread_funneled(), &provided), "MPI_Init_thread")
                atexit {
                    var finalized: Int32 = 0
                    MPI_Finalized(&finalized)
                    if finalized == 0 { MPI_Finalize() }
                }
            }
            let made = try MPICommunicator(comm: kst_mpi_comm_world())
            shared = made
            return made
        }
    }

    nonisolated(unsafe) private static var shared: MPICommunicator?
    private static let lock = NSLock()

    private let comm: MPI_Comm
    public let rank: Int
    public let size: Int

    private init(comm: MPI_Comm) throws {
        self.comm = comm
        try Self.check(MPI_Comm_set_errhandler(comm, kst_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var r: Int32 = 0, s: Int32 = 0
        try Self.check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(comm, &s), "MPI_Comm_size")
        rank = Int(r)
        size = Int(s)
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try chunks(buffer.count) { offset, n in
            try Self.check(MPI_Allreduce(kst_mpi_in_place(), buffer.baseAddress! + offset, n, kst_mpi_float(),
                                         kst_mpi_sum(), comm), "MPI_Allreduce (float, \(n) values)")
        }
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        try chunks(buffer.count) { offset, n in
            try Self.check(MPI_Allreduce(kst_mpi_in_place(), buffer.baseAddress! + offset, n, kst_mpi_double(),
                                         kst_mpi_sum(), comm), "MPI_Allreduce (double, \(n) values)")
        }
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard root >= 0 && root < size else {
            throw KestrelError(.invalidArgument, "MPICommunicator.broadcast: root \(root) is not a rank of this group of \(size)")
        }
        try chunks(buffer.count) { offset, n in
            try Self.check(MPI_Bcast(buffer.baseAddress! + offset, n, kst_mpi_byte(), Int32(root), comm),
                           "MPI_Bcast (\(n) bytes from rank \(root))")
        }
    }

    /// Runs `body` over pieces of at most 2^30 elements (MPI counts are 32-bit).
    private func chunks(_ count: Int, _ body: (Int, Int32) throws -> Void) throws {
        var offset = 0
        while offset < count {
            let n = min(1 << 30, count - offset)
            try body(offset, Int32(n))
            offset += n
        }
    }

    private static func check(_ code: Int32, _ call: String) throws {
        guard code != kst_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(kst_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw KestrelError(.collective, "\(call) failed: \(String(cString: text)) (MPI error \(code)); check that every rank runs the same program and that the network between the hosts is up")
    }
}
#endif
