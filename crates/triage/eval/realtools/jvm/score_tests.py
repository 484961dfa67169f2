#!/usr/bin/env python3
"""Failing-test recall/precision on this part: native/score_tests.py, which
takes --labels/--root and works for any realtools part (same usage)."""
import os
import runpy

runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "native", "score_tests.py"), run_name="__main__")
