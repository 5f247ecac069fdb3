# Medians of all timed blocks per (workload, mode, framework) and per placement band: python3 summarize.py run3
import json,statistics,glob,sys
from collections import defaultdict
res=defaultdict(list)
for f in sorted(glob.glob(sys.argv[1]+'/*.jsonl')):
    for l in open(f):
        if not l.startswith('{'): continue
        r=json.loads(l)
        if 'mode' not in r: continue
        pl=r.get('placement') or ['?']*len(r['repeats'])
        if isinstance(pl,str): pl=pl.split(',')
        for v,p in zip(r['repeats'],pl):
            res[(r['workload'],r['mode'],r['framework']+('-cl' if r.get('channels_last') else ''),p)].append(v)
        res[(r['workload'],r['mode'],r['framework'],'ALL')].extend(r['repeats'])
keys=sorted(res)
for k in keys:
    v=res[k]; print(k, len(v), round(statistics.median(v)))
