#!/bin/sh
# Interleaved rounds (Kestrel, then each reference, ROUNDS times) of the mha-block and
# convlstm2d workloads, one JSON line per measurement into OUT; then the summary.
#   Benchmarks/reference/run_sequence_blocks.sh PYTHON OUT [ROUNDS]
# PYTHON is a venv's python with torch, tensorflow-cpu and keras; build kestrel-bench first
# (swift build -c release --product kestrel-bench). ALSO_ISA=avx2 also runs Kestrel with that
# instruction set forced (KESTREL_ISA) in every round, for the AVX2 path on an AVX-512 machine.
set -eu
python=$1 out=$2 rounds=${3:-5}
here=$(dirname "$0")
bench=$here/../../.build/release/kestrel-bench
: > "$out"
for round in $(seq "$rounds"); do
  for workload in mha-block convlstm2d; do
    "$bench" "$workload" >> "$out"
    [ -n "${ALSO_ISA:-}" ] && KESTREL_ISA=$ALSO_ISA "$bench" "$workload" >> "$out"
    frameworks="torch keras keras-xla"
    [ "$workload" = convlstm2d ] && frameworks="torch torch-cl torch-hoisted keras keras-xla"
    for framework in $frameworks; do
      "$python" "$here/sequence_blocks.py" "$framework" "$workload" 2>/dev/null >> "$out"
    done
  done
  echo "round $round done" >&2
done
"$python" "$here/summarize.py" "$out"
