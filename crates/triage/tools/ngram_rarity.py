#!/usr/bin/env python3
"""Regenerate src/rarity/{bytes,bigrams}.bin: how rare each byte and each
byte pair is in real CI logs, as round(-8 * log2(share)) capped at 255.

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
for dirpath, _, files in os.walk(root):
    for f in files:
        if not (f.endswith(".log") or f.endswith(".txt")):
            continue
        data = np.frombuffer(open(os.path.join(dirpath, f), "rb").read(), dtype=np.uint8)
        if len(data) < 2:
            continue
        uni += np.bincount(data, minlength=256)
        bi += np.bincount(data[:-1].astype(np.int64) * 256 + data[1:], minlength=65536)


def rarity(counts):
    total = counts.sum()
    r = np.full(len(counts), 255, dtype=np.int64)
    seen = counts > 0
    r[seen] = np.minimum(255, np.round(-8 * np.log2(counts[seen] / total)))
    return r.astype(np.uint8)


os.makedirs(out, exist_ok=True)
open(os.path.join(out, "bytes.bin"), "wb").write(rarity(uni).tobytes())
open(os.path.join(out, "bigrams.bin"), "wb").write(rarity(bi).tobytes())
print(f"{uni.sum()} bytes read")
