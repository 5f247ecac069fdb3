#!/bin/bash
# Interleaved W4 (ABAB…, 5 rounds): kestrel vs Keras (best at training) and Keras XLA (best at inference).
OUT=$1; mkdir -p $OUT
B=/work/main/.build/release/kestrel-bench
PY=/work/venv/bin/python
S=/work/shared/bench
cd /tmp
k() { $B bigru-many-to-many >> $OUT/kestrel-w4.jsonl; }
r() { $PY $S/bench_keras.py --only bigru-many-to-many --no-gemm --no-startup >> $OUT/keras-w4.jsonl 2>>$OUT/err.log
      $PY $S/bench_keras.py --only bigru-many-to-many --jit --no-gemm --no-startup >> $OUT/keras-jit-w4.jsonl 2>>$OUT/err.log; }
for i in 1 2 3 4 5; do
  echo "round $i start $(date +%T)" >> $OUT/rounds.log
  if [ $((i % 2)) -eq 1 ]; then k; r; else r; k; fi
done
echo "done $(date +%T)" >> $OUT/rounds.log
