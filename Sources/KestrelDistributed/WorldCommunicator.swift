import KestrelCore
import KestrelNN

/// The data-parallel group this process belongs to: MPI's world when Kestrel was built with
/// the `MPI` trait (`swift build --traits MPI`), and an error that says how to get it when not.
public enum WorldCommunicator {
    /// True when this build can talk to MPI.
    public static var isAvailable: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }

    /// The world group (one process when run without `mpirun`).
    public static func make() throws -> any Communicator {
        #if MPI
        return try MPICommunicator.world()
        #else
        throw KestrelError(.unsupported, "data-parallel training needs MPI: install Open MPI (Debian: apt install libopenmpi-dev openmpi-bin), build with `swift build -c release --traits MPI`, and start with `mpirun -np N`")
        #endif
    }
}
