#!/usr/bin/env python3
"""Failing-test recall/precision on this part: runs ../misc/eval_tests.py
(same options) against this folder's labels.jsonl instead of holding a copy.

Usage: python3 eval_tests.py --bin target/release/ci-triage [--split tune|sealed] [--args '--ruleset generic'] [-v]
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "misc", "eval_tests.py")
exec(compile(open(SRC).read(), SRC, "exec"), {"__file__": os.path.join(HERE, "eval_tests.py"), "__name__": "__main__"})
