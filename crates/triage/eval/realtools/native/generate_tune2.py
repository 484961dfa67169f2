#!/usr/bin/env python3
"""Split "tune2" of realtools/native (helper fmt9): NEW autotools, gfortran,
shellcheck, Catch2, dune and go vet cases, written after the fmt9 rules, to
check them on real output that was not looked at while writing them. The
projects, envelopes and labelling are generate.py's (imported); only the
injected failures (and, for automake, `make check VERBOSE=1`) are new.

Runs generate.main() on these cases alone, keeping the other rows of
labels.jsonl, then marks the new rows "split": "tune2" (labels.tune.jsonl and
labels.sealed.jsonl keep only their own splits).
Usage: python3 generate_tune2.py [--only ID]
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402

G.CASES.clear()
case = G.case

case("t2_make_check_verbose", "autotools", "c", "automake", "test_failure",
     G.ac(**{"src/ring.c": G.AC_FILES["src/ring.c"].replace("*v = r->buf[r->head];", "*v = r->buf[r->head] + 1;")}),
     [G.AUTORECONF, G.CONFIGURE, ("make", "make"), ("make check", "make check VERBOSE=1")],
     [(r"^test_ring: popped \d+, expected 7", 0)], tests=["tests/test_ring"])

case("t2_fortran_lower_bound", "fortran", "fortran", "gfortran", "test_failure",
     {"Makefile": G.F_MK, "stats_mod.f90": G.F_MOD, "main.f90": G.F_MAIN.replace("do i = 1, 10", "do i = 0, 10")},
     [("make", "make"), ("make test", "make test")],
     [(r"^At line \d+ of file main\.f90", 1)])

case("t2_shellcheck_quotes", "shellcheck", "shell", "shellcheck", "lint",
     {"scripts/clean.sh": "#!/bin/bash\nset -e\nTARGET=$1\nfor f in $(ls $TARGET/*.tmp); do\n  rm $f\ndone\necho \"cleaned $TARGET\"\n"},
     [("shellcheck", "shellcheck scripts/clean.sh")],
     [(r"^In scripts/clean\.sh line \d+:", r"^\S.*|^\s*\^|^\s*$")])

case("t2_catch2_compact_two", "catch2", "c++", "catch2", "test_failure", G.c2(n="4", empty="a"),
     [G.C2B, ("tests", "./test_main --reporter compact")],
     [(r"test_main\.cpp:\d+: failed: ", 0), (r"test_main\.cpp:\d+: failed: ", 0)], tests=["split on commas", "split keeps empty fields"])

case("t2_dune_syntax_error", "ocaml", "ocaml", "dune", "compilation",
     G.ml(**{"lib__shapes_ml": G.ML_FILES["lib/shapes.ml"].replace("| Rect (w, h) -> w *. h", "| Rect (w, h) -> w *. h in")}),
     [G.DUNE_BUILD],
     [(r'^File "lib/shapes\.ml", line \d+', r"^\d+ \||^\s+\^|^Error|^\s{2,}\S")])

case("t2_go_vet_args", "go", "go", "go vet", "lint",
     G.go(extra={"report.go": 'package ratelimit\n\nimport "fmt"\n\nfunc (b *Bucket) Report() string {\n\treturn fmt.Sprintf("%d of %d tokens", b.tokens)\n}\n'}),
     [("go build", "go build ./..."), ("go vet", "go vet ./...")],
     [(r"report\.go:\d+:\d+: fmt\.Sprintf format", 0)], env=G.GOENV)


def main():
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else "t2_"
    sys.argv = [sys.argv[0], "--only", only]
    G.main()
    ids = {c["id"] for c in G.CASES}
    path = os.path.join(G.HERE, "labels.jsonl")
    rows = [json.loads(l) for l in open(path)]
    for r in rows:
        if r["id"] in ids:
            r["split"] = "tune2"
    with open(path, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    for split in ("tune", "sealed"):
        with open(os.path.join(G.HERE, "labels.%s.jsonl" % split), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows if r["split"] == split)


if __name__ == "__main__":
    main()
