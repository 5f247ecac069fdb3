#!/bin/sh
# Interleaved rounds (Kestrel, then torch eager, torch channels-last, Keras graph and Keras
# XLA, ROUNDS times) of the conv3d workload, one JSON line per measurement into OUT; then the
# summary.   Benchmarks/reference/run_conv3d.sh PYTHON OUT [ROUNDS]
# PYTHON is a venv's python with torch, tensorflow-cpu and keras; build kestrel-bench first
# (swift build -c release --product kestrel-bench). ALSO_ISA=avx2 also runs Kestrel with that
# instruction set forced (KESTREL_ISA) in every round.
set -eu
python=$1 out=$2 rounds=${3:-5}
here=$(dirname "$0")
bench=$here/../../.build/release/kestrel-bench
: > "$out"
for round in $(seq "$rounds"); do
  "$bench" conv3d >> "$out"
  [ -n "${ALSO_ISA:-}" ] && KESTREL_ISA=$ALSO_ISA "$bench" conv3d >> "$out"
  for framework in torch torch-cl keras keras-xla; do
    "$python" "$here/conv3d_block.py" "$framework" 2>/dev/null >> "$out"
  done
  echo "round $round done" >&2
done
"$python" "$here/summarize.py" "$out"
