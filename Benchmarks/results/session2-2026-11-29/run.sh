#!/bin/bash
# Interleaved (ABAB…, 5 rounds) on a quiet machine, second session of 2026-11-29:
# W2 kestrel vs Keras, W5 kestrel vs torch channels-last and Keras, W3 kestrel vs torch.
OUT=$1; mkdir -p $OUT
B=/work/main/.build/release/kestrel-bench
PY=/work/venv/bin/python
S=/work/shared/bench
cd /tmp
kw2() { $B cnn-mnist >> $OUT/kestrel-w2.jsonl; }
rw2() { $PY $S/bench_keras.py --only cnn-mnist --no-gemm --no-startup >> $OUT/keras-w2.jsonl 2>>$OUT/err.log; }
kw5() { $B conv-autoencoder >> $OUT/kestrel-w5.jsonl; }
rw5() { $PY $S/bench_torch.py --only conv-autoencoder --channels-last --no-gemm --no-startup >> $OUT/torch-cl-w5.jsonl 2>>$OUT/err.log
        $PY $S/bench_keras.py --only conv-autoencoder --no-gemm --no-startup >> $OUT/keras-w5.jsonl 2>>$OUT/err.log; }
kw3() { $B lstm-many-to-one >> $OUT/kestrel-w3.jsonl; }
rw3() { $PY $S/bench_torch.py --only lstm-many-to-one --no-gemm --no-startup >> $OUT/torch-w3.jsonl 2>>$OUT/err.log; }
for r in 1 2 3 4 5; do
  echo "round $r start $(date +%T)" >> $OUT/rounds.log
  if [ $((r % 2)) -eq 1 ]; then kw2; rw2; kw5; rw5; kw3; rw3; else rw2; kw2; rw5; kw5; rw3; kw3; fi
done
echo "done $(date +%T)" >> $OUT/rounds.log
