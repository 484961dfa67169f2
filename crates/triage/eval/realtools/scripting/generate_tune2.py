#!/usr/bin/env python3
"""Split "tune2" of realtools/scripting (helper fmt9): NEW Perl, Erlang, R and
Lua cases, written after the fmt9 rules, to check them on real output that was
not looked at while writing them. Same projects, envelopes and labelling as
generate.py (imported); only the injected failures differ from the sealed
cases. Rows are added to labels.jsonl with "split": "tune2" (rows of other
splits are kept). Usage: python3 generate_tune2.py [--only ID] [--work DIR]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as G  # noqa: E402

D = G.D
T2 = []


def case(**kw):
    T2.append(G.Case(**kw))


PERL_FILES = G.PERL_FILES
case(id="t2-perl-is-deeply", lang="perl", tool="prove", category="test_failure", flaky=False,
     files=dict(PERL_FILES, **{"t/04-list.t": D('''
        use strict;
        use warnings;
        use Test::More tests => 2;
        use Acme::Calc;

        my $c = Acme::Calc->new;
        ok($c, 'constructed');
        is_deeply([map { $c->add($_, $_) } 1 .. 3], [2, 4, 7], 'doubles a list');
        ''')}),
     setup=G.PERL_SETUP, steps=[("Test", "prove -l t/00-load.t t/04-list.t")],
     keys=[("#   Failed test 'doubles a list'", "$expected->[2]")], failed_tests=["doubles a list"], needs=["prove"])

case(id="t2-perl-syntax-test", lang="perl", tool="perl -c", category="compilation", flaky=False,
     files=dict(PERL_FILES, **{"bin/report.pl": "use strict;\nuse warnings;\nmy %h = (a => 1);\nforeach my $k (keys %h) {\n    print \"$k\\n\"\n    print \"done\\n\";\n}\n"}),
     setup=G.PERL_SETUP, steps=[("Syntax check", "perl -Ilib -c bin/report.pl")],
     keys=[("syntax error at bin/report.pl", None)], needs=["perl"])

case(id="t2-perl-oom", lang="perl", tool="perl", category="oom", flaky=True,
     files=dict(PERL_FILES, **{"script/index.pl": D('''
        use strict;
        use warnings;
        $| = 1;
        my @rows;
        for my $i (1 .. 64) {
            push @rows, 'x' x (64 * 1024 * 1024);
            print "indexed batch $i\\n";
        }
        ''')}),
     setup=G.PERL_SETUP, steps=[("Index", "ulimit -v 600000\nperl script/index.pl")],
     keys=[("Out of memory", None)], needs=["perl"])

ERL_CALC = G.ERL_CALC
case(id="t2-erl-undefined", lang="erlang", tool="erlc", category="compilation", flaky=False,
     files={"src/calc.erl": ERL_CALC.replace("add(A, B) -> A + B.", "add(A, B) -> plus(A, B)."), "ebin/.keep": ""},
     setup=G.ERL_SETUP, steps=[("Compile", "erlc -o ebin src/*.erl")],
     keys=[("function plus/2 undefined", 2)], needs=["erlc"])

case(id="t2-erl-heap", lang="erlang", tool="erl", category="oom", flaky=True,
     files={"src/calc.erl": ERL_CALC, "ebin/.keep": "",
            "src/grow.erl": D('''
                -module(grow).
                -export([run/0]).
                run() -> loop([], 1).
                loop(Acc, N) ->
                    case N rem 2000000 of 0 -> io:format("grew to ~p terms~n", [N]); _ -> ok end,
                    loop([N | Acc], N + 1).
                ''')},
     setup=G.ERL_SETUP, steps=[("Load test", "erlc -o ebin src/*.erl\nulimit -v 3000000\nerl -noshell -pa ebin -s grow run -s init stop")],
     keys=[("Cannot allocate", None)], needs=["erl", "erlc"])

R_FILES = G.R_FILES
case(id="t2-r-unexpected-symbol", lang="r", tool="Rscript", category="compilation", flaky=False,
     files=dict(R_FILES, **{"R/report.R": "report <- function(x) {\n  total <- sum(x)\n  paste(\"total\" total)\n}\n"}),
     setup=G.R_SETUP, steps=[("Load", "Rscript -e 'for (f in list.files(\"R\", full.names = TRUE)) source(f)'")],
     keys=[("unexpected symbol", None)], needs=["Rscript"])

case(id="t2-r-testthat-two", lang="r", tool="testthat", category="test_failure", flaky=False,
     files=dict(R_FILES, **{"tests/testthat/test-extra.R": D('''
        test_that("tmean of a constant is the constant", {
          expect_equal(tmean(rep(2, 10)), 3)
        })
        ''')}),
     setup=G.R_SETUP, steps=[("Test", G.R_TESTDIR)],
     # R_FILES' own tmean test fails too (the sealed r-testthat-fail injection): two failures in one run.
     keys=[("Failure ('test-extra.R:2')", "`expected`"), ("Failure ('test-tmean.R:6')", "`expected`:  3")],
     failed_tests=["tmean of a constant is the constant", "tmean trims both ends"], needs=["Rscript"])

case(id="t2-r-oom-matrix", lang="r", tool="Rscript", category="oom", flaky=True,
     files=dict(R_FILES, **{"scripts/fit.R": "cat(\"building design matrix\\n\")\nm <- matrix(0, nrow = 60000, ncol = 60000)\ncat(dim(m), \"\\n\")\n"}),
     setup=G.R_SETUP, steps=[("Fit", "ulimit -v 2000000\nRscript scripts/fit.R")],
     keys=[("cannot allocate vector of size", None)], needs=["Rscript"])

LUA_FILES = G.LUA_FILES
case(id="t2-lua-luac-expected", lang="lua", tool="luac", category="compilation", flaky=False,
     files=dict(LUA_FILES, **{"src/conf.lua": "local M = {}\nM.name = 'acme'\nlocal retries 3\nreturn M\n"}),
     setup=G.LUA_SETUP, steps=[("Syntax check", "for f in src/*.lua; do luac5.4 -p \"$f\"; done")],
     keys=[("src/conf.lua:3:", None)], needs=["luac5.4"])

case(id="t2-lua-arith-nil", lang="lua", tool="lua", category="test_failure", flaky=False,
     files=dict(LUA_FILES, **{"test/sum.lua": D('''
        package.path = "./?.lua;" .. package.path
        local util = require("src.util")
        local rows = {1, 2, nil, 4}
        local total = 0
        for i = 1, 4 do
          total = util.add(total, rows[i])
          print("sum: row " .. i .. " ok")
        end
        ''')}),
     setup=G.LUA_SETUP, steps=[("Test", "lua test/sum.lua")],
     keys=[("attempt to perform arithmetic", None)], needs=["lua"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--work", default="/tmp/realtools-scripting-t2")
    a = ap.parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    label_path = os.path.join(G.HERE, "labels.jsonl")
    rows = [json.loads(l) for l in open(label_path)]
    by_id = {r["id"]: r for r in rows}
    for n, c in enumerate(T2):
        if a.only and a.only not in c.id:
            continue
        lack = [t for t in c.needs if not G.have(t)]
        if lack:
            print("skip %s: missing %s" % (c.id, ", ".join(lack)))
            continue
        # Offset the rotation so the new cases do not all take generate.py's first CI systems.
        ci = G.CIS[(n + 3) % len(G.CIS)]
        try:
            base, build, ran = G.execute(c, work, sys.prefix)
        except RuntimeError as e:
            print("FAIL", e)
            continue
        for r in ran:
            r["out"] = G.scrub(r["out"], ci, c, base, build, sys.prefix)
            r["cmd"] = G.scrub(r["cmd"], ci, c, base, build, sys.prefix)
        L, starts = G.ENVELOPES[ci](c, ran, G.Clock(100 + n))
        L, starts = G.flatten(L, starts)
        fail_idx = next(i for i, r in enumerate(ran) if r["rc"] != 0)
        try:
            ks = G.spans(L, c.keys, starts[min(fail_idx, len(starts) - 1)])
        except LookupError as e:
            print("FAIL %s: %s\n%s" % (c.id, e, "\n".join(L[-40:])))
            continue
        with open(os.path.join(G.HERE, "cases", c.id + ".log"), "w") as f:
            f.write("\n".join(L) + "\n")
        by_id[c.id] = {"dataset": "realtools_" + G.PART, "id": c.id, "log": "%s/cases/%s.log" % (G.PART, c.id), "ci": ci,
                       "language": c.lang, "tool": c.tool, "category": c.category, "flaky": c.flaky, "key_lines": ks,
                       "failed_tests": c.failed_tests, "split": "tune2",
                       "label_source": "generated: real %s output, injected failure" % c.tool}
        print("ok %-28s %-9s %s %s" % (c.id, ci, c.category, [(k["start"], k["end"]) for k in ks]))
    with open(label_path, "w") as f:
        for r in by_id.values():
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
