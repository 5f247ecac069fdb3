"""Medians over all rounds of a run_sequence_blocks.sh file: samples/s per workload, mode and
framework, and Kestrel's ratio to the best reference, as a Markdown table.

    python summarize_sequence_blocks.py RESULTS.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

rates = defaultdict(list)
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        rates[(r["workload"], r["mode"], r["framework"])] += r["repeats"]

print("| workload | mode | Kestrel | best reference | ratio | all references |")
print("|---|---|---|---|---|---|")
for workload, mode in sorted({(w, m) for w, m, _ in rates}):
    medians = {f: statistics.median(v) for (w, m, f), v in rates.items() if (w, m) == (workload, mode)}
    ours = medians.pop("kestrel", float("nan"))
    best = max(medians, key=medians.get)
    others = ", ".join(f"{f} {v:.0f}" for f, v in sorted(medians.items(), key=lambda kv: -kv[1]))
    print(f"| {workload} | {mode} | {ours:.0f} | {best} {medians[best]:.0f} | {ours / medians[best]:.2f}× | {others} |")
