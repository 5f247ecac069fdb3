# Median samples/s over all timed blocks per (file, mode): python3 summarize.py DIR
import json, statistics, glob, sys, os
rows = {}
for f in sorted(glob.glob(sys.argv[1] + '/*.jsonl')):
    for line in open(f):
        if line.startswith('{'):
            r = json.loads(line)
            if 'mode' in r:
                rows.setdefault((os.path.basename(f)[:-6], r['mode']), []).extend(r['repeats'])
for (name, mode), v in sorted(rows.items()):
    print(f"{name:32s} {mode:6s} median {statistics.median(v):10.1f}  blocks {len(v)}")
