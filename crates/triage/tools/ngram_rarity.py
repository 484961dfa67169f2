#!/usr/bin/env python3
"""Regenerate src/rarity/{bytes,bigrams,trigrams}.bin: how rare each byte,
each byte pair and each of the most frequent byte triples is in real CI
logs, as round(-8 * log2(share)) capped at 255.

trigrams.bin lists only the TRIGRAMS most frequent triples (they carry ~95 %
of all positions), sorted by value, as little-endian u32 `a | b << 8 |
c << 16 | rarity << 24`. A triple not listed is rarer than every listed one.

The literal matcher (src/literals.rs) represents each trigger by its rarest
window; these tables say which window is rarest. They describe CI log text
in general (GitHub Actions, Travis, Jenkins; Python, Java, Go, JS, Rust),
not any one file: re-running this on other logs shifts values a little and
changes nothing the engine reports, only how fast it gets there.

usage: ngram_rarity.py DATASETS_DIR OUT_DIR   (needs numpy)
"""
import math
import os
import sys

import numpy as np

root, out = sys.argv[1], sys.argv[2]
uni = np.zeros(256, dtype=np.int64)
bi = np.zeros(65536, dtype=np.int64)
tri = np.zeros(1 << 24, dtype=np.int64)
TRIGRAMS = 16384
for dirpath, _, files in os.walk(root):
    for f in files:
        if not (f.endswith(".log") or f.endswith(".txt")):
            continue
        data = np.frombuffer(open(os.path.join(dirpath, f), "rb").read(), dtype=np.uint8)
        if len(data) < 2:
            continue
        uni += np.bincount(data, minlength=256)
        bi += np.bincount(data[:-1].astype(np.int64) * 256 + data[1:], minlength=65536)
        if len(data) >= 3:
            d = data.astype(np.int64)
            tri += np.bincount(d[:-2] | d[1:-1] << 8 | d[2:] << 16, minlength=1 << 24)


def rarity(counts):
    total = counts.sum()
    r = np.full(len(counts), 255, dtype=np.int64)
    seen = counts > 0
    r[seen] = np.minimum(255, np.round(-8 * np.log2(counts[seen] / total)))
    return r.astype(np.uint8)


os.makedirs(out, exist_ok=True)
open(os.path.join(out, "bytes.bin"), "wb").write(rarity(uni).tobytes())
open(os.path.join(out, "bigrams.bin"), "wb").write(rarity(bi).tobytes())
top = np.sort(np.argsort(tri, kind="stable")[::-1][:TRIGRAMS])
top = top[tri[top] > 0]
entries = top.astype(np.uint32) | rarity(tri)[top].astype(np.uint32) << 24
open(os.path.join(out, "trigrams.bin"), "wb").write(entries.astype("<u4").tobytes())
print(f"{uni.sum()} bytes read; {len(top)} trigrams listed, the rarest at {rarity(tri)[top].max()}")
