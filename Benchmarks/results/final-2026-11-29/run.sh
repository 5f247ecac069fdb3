#!/bin/bash
# Interleaved W2 (kestrel vs Keras) and W3 (kestrel vs torch) on a quiet machine, 5 rounds.
OUT=$1; mkdir -p $OUT
B=/work/main/.build/release/kestrel-bench
cd /tmp
kw2() { $B cnn-mnist >> $OUT/kestrel-w2.jsonl; }
rw2() { /work/venv/bin/python /work/shared/bench/bench_keras.py --only cnn-mnist --no-gemm --no-startup >> $OUT/keras-w2.jsonl 2>>$OUT/err.log; }
kw3() { $B lstm-many-to-one --threads 2 >> $OUT/kestrel-w3.jsonl; }
rw3() { /work/venv/bin/python /work/shared/bench/bench_torch.py --only lstm-many-to-one --no-gemm --no-startup >> $OUT/torch-w3.jsonl 2>>$OUT/err.log; }
for r in 1 2 3 4 5; do
  echo "round $r start $(date +%T)" >> $OUT/rounds.log
  if [ $((r % 2)) -eq 1 ]; then kw2; rw2; kw3; rw3; else rw2; kw2; rw3; kw3; fi
done
echo done >> $OUT/rounds.log
