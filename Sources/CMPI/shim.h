// MPI's handles and constants are macros (casts of addresses in Open MPI, integers in MPICH)
// that Swift cannot import; these functions return them. Nothing else lives here.
#ifndef KESTREL_CMPI_SHIM_H
#define KESTREL_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm kst_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype kst_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype kst_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype kst_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op kst_mpi_sum(void) { return MPI_SUM; }
static inline void *kst_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler kst_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int kst_mpi_success(void) { return MPI_SUCCESS; }
static inline int kst_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int kst_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
