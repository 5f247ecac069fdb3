#!/bin/bash
# A/B of the round-2 refactor (target split, fusion rewrite, cell kernels, hardening, striped
# weight-gradient partials) against e27ad0b, the last commit before it: W2–W5 and W2 built
# with the functional API, interleaved ABAB… over 5 rounds, 2 threads, same machine window.
# Usage: run.sh OUT BASE_BENCH HEAD_BENCH
OUT=$1; A=$2; B=$3; mkdir -p $OUT
cd /tmp
run() { "$1" "${@:3}" >> $OUT/$2.jsonl 2>>$OUT/err.log; }
for r in 1 2 3 4 5; do
  echo "round $r start $(date +%T)" >> $OUT/rounds.log
  for w in cnn-mnist lstm-many-to-one bigru-many-to-many conv-autoencoder; do
    if [ $((r % 2)) -eq 1 ]; then run $A base-$w $w; run $B head-$w $w; else run $B head-$w $w; run $A base-$w $w; fi
  done
  run $B head-cnn-mnist-functional cnn-mnist --functional
done
echo "done $(date +%T)" >> $OUT/rounds.log
