# Normalises `ci-bot demo --out` files for comparison (see compare-outputs.sh).
import os, re, sys
def norm(path):
    t = open(path, encoding="utf-8").read()
    parts = re.split(r"\n---\n<!-- comment \d+ -->\n", t)
    head, rest = parts[0].strip(), sorted(p.strip() for p in parts[1:])
    s = head + "".join("\n---\n<!-- comment N -->\n" + p for p in rest)
    s = re.sub(r"(T\d\d:\d\d:\d\d)\.\d+Z", r"\1Z", s)
    return re.sub(r"issuecomment-\d+", "issuecomment-N", s)
d = sys.argv[1]; out = sys.argv[2]; os.makedirs(out, exist_ok=True)
for f in sorted(os.listdir(d)):
    open(os.path.join(out, f), "w", encoding="utf-8").write(norm(os.path.join(d, f)))
