#!/usr/bin/env python3
# Usage: run score.py with --json /tmp/score.json first, then this script.
# Re-score cidiff_breakages with its labels converted from Java readLine()
# numbering (\r, \n and \r\n all end a line) to the contract's `\n` numbering.
import json,re
rows=[json.loads(l) for l in open('/work/shared/datasets/labels.jsonl')]
res={r['id']:r for r in json.load(open('/tmp/score.json'))['results']}
h1=h5=n=0
for r in rows:
    if r['dataset']!='cidiff_breakages': continue
    b=open('/work/shared/datasets/'+r['log'],'rb').read()
    # map logical line (universal newlines) -> \n line
    m=[]; nl=1; i=0
    for tok in re.finditer(rb'\r\n|\r|\n', b):
        m.append(nl)
        if tok.group()!=b'\r': nl+=1
    m.append(nl)
    spans=[s for s in r['key_lines'] if s['kind']=='error'] or r['key_lines']
    sp=[(m[min(s['start'],len(m))-1], m[min(s['end'],len(m))-1]) for s in spans]
    top=res[r['id']].get('top') or []
    n+=1
    h1+= bool(top) and any(a<=top[0]<=b_ for a,b_ in sp)
    h5+= any(any(a<=t<=b_ for a,b_ in sp) for t in top[:5])
print('cidiff with remapped labels: n=%d loc@1=%.1f%% loc@5=%.1f%%'%(n,100*h1/n,100*h5/n))
