#!/bin/sh
# Interleaved rounds of the broader suite (kestrel-bench suite MODEL, then suite.py for each
# reference), one JSON line per measurement into OUT; then the summary.
#   Benchmarks/reference/run_suite.sh PYTHON OUT [ROUNDS] [FRAMEWORKS]
# FRAMEWORKS defaults to "torch keras" (add keras-xla for XLA); torch-cl is added for the
# 4-D convolution models. Build kestrel-bench first.
set -eu
python=$1 out=$2 rounds=${3:-5} frameworks=${4:-"torch keras"}
here=$(dirname "$0")
bench=$here/../../.build/release/kestrel-bench
: > "$out"
for round in $(seq "$rounds"); do
  for model in conv1d-stack vgg-cifar text-lstm gru-large-batch k1-kernels cnn-mnist-functional lstm-64 lstm-128 lstm-256 lstm-512; do
    "$bench" suite "$model" >> "$out"
    extra=""
    case $model in vgg-cifar|k1-kernels|cnn-mnist-functional) extra=torch-cl ;; esac
    for framework in $frameworks $extra; do
      "$python" "$here/suite.py" "$framework" "$model" 2>/dev/null >> "$out"
    done
  done
  echo "round $round done" >&2
done
"$python" "$here/summarize.py" "$out"
