"""Medians over all rounds of a run_sequence_blocks.sh or run_suite.sh file: samples/s per workload, mode and
framework, and Kestrel's ratio to the best reference, as a Markdown table. Kestrel runs with
a forced instruction set (KESTREL_ISA=avx2 on an AVX-512 machine) get their own row.

    python summarize.py RESULTS.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

rates = defaultdict(list)
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        framework = r["framework"]
        if framework == "kestrel" and r.get("isa", "avx512") != "avx512":
            framework = "kestrel-" + r["isa"]
        rates[(r["workload"], r["mode"], framework)] += r["repeats"]

print("| workload | mode | Kestrel | best reference | ratio | all references |")
print("|---|---|---|---|---|---|")
for workload, mode in sorted({(w, m) for w, m, _ in rates}):
    medians = {f: statistics.median(v) for (w, m, f), v in rates.items() if (w, m) == (workload, mode)}
    ours = {f: medians.pop(f) for f in sorted(medians) if f.startswith("kestrel")}
    best = max(medians, key=medians.get)
    others = ", ".join(f"{f} {v:.0f}" for f, v in sorted(medians.items(), key=lambda kv: -kv[1]))
    for name, value in ours.items():
        label = workload if name == "kestrel" else f"{workload} ({name})"
        print(f"| {label} | {mode} | {value:.0f} | {best} {medians[best]:.0f} | {value / medians[best]:.2f}× | {others} |")
