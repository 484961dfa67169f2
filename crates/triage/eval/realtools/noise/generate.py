#!/usr/bin/env python3
"""Regenerate the realtools/noise corpus: LONG, NOISY job logs from REAL tools.

Each case is a small-but-real project that first produces a lot of genuine
passing output (dependency/tool setup, many compile units with benign
warnings, dozens to hundreds of passing tests whose names contain
error/fail/Exception words, a download that is retried and then succeeds),
then one injected realistic failure (or an infra/flaky one: DNS failure,
`timeout`, OOM under `ulimit -v`, SIGKILL). Most are wrapped in a long Travis
envelope (worker banner, build system information, folds and time markers,
cache upload after the failure, `The command "…" exited with N.` and
`Done. Your build exited with 1.`), some in GitHub Actions or GitLab CI.

The CI envelope lines are the only lines written here; everything between
them is the tools' own output with this machine's paths replaced. Labels come
from construction: the key lines are found by searching the final text for
the failure's own line (../scripting/generate.py: spans/find), never by line
number.

Usage: python3 generate.py [--only ID_SUBSTRING] [--work DIR]
Needs Debian packages: gcc g++ make cmake ruby ruby-rspec ruby-minitest rake
php-cli phpunit perl erlang-base erlang-eunit elixir lua5.4 lua-busted
r-base-core r-cran-testthat ghc bats shellcheck curl python3.
"""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripting"))
import generate as G  # noqa: E402

D = G.D
PART = "noise"
SEALED = {"cpp", "php", "erlang", "lua", "r", "haskell"}
CASES = []
ESC = "\x1b"


def case(**kw):
    kw.setdefault("ci", "travis")
    CASES.append(G.Case(**kw))


# --------------------------------------------------------------------------
# shared noise: real commands whose output is long and benign


def APT(pkgs):
    # a simulated install prints the real resolver output without touching the machine
    return ("apt-get addons", "apt-get -s install -y --no-install-recommends %s 2>&1 | head -n 400\n"
            "apt-cache policy %s" % (pkgs, pkgs.split()[0]))


# a download that fails (nothing listening yet), is retried, and succeeds
RETRY = ("Fetch fixtures", D('''
    mkdir -p /tmp/fx-$$ && echo '{"fixtures": 42}' > /tmp/fx-$$/fixtures.json
    for attempt in 1 2 3; do
      echo "fetching fixtures (attempt $attempt)"
      if curl -fsS --max-time 5 -o fixtures.json http://127.0.0.1:8931/fixtures.json; then echo "fixtures ok"; break; fi
      echo "download failed, retrying in 1s"
      if [ $attempt = 1 ]; then python3 -m http.server 8931 --bind 127.0.0.1 --directory /tmp/fx-$$ >/dev/null 2>&1 & srv=$!; fi
      sleep 1
    done
    kill $srv
    test -s fixtures.json
    ''').strip())

DNS_HOST = "mirror.pkgs.acme.invalid"
WAIT = D('''
    #!/bin/sh
    until (exec 3<>/dev/tcp/localhost/5432) 2>/dev/null; do
      echo "waiting for postgres at localhost:5432"
      sleep 1
    done
    ''')

# words that make passing output look like failures
NOISY = ["error_handling", "fails_on_empty_input", "raises_error_on_bad_input", "exception_is_rethrown",
         "failure_count_is_zero", "error_message_format", "no_errors_when_valid", "fatal_flag_parsing",
         "timeout_is_respected", "retry_after_failure", "panic_free_parse", "aborts_on_missing_file"]


def noisy_name(i):
    return "%s_%d" % (NOISY[i % len(NOISY)], i)


# ==========================================================================
# C (tune): make with many units and -Wall -Wextra warnings, a test runner


def c_unit(i, broken=None):
    body = D('''
        #include <stdio.h>
        #include <string.h>
        #include "units.h"

        /* unit %(i)d: a checksum over a buffer (benign warnings: unused parameter, sign compare) */
        int unit_%(i)d_checksum(const char *buf, int len, int flags)
        {
            int sum = 0;
            for (size_t k = 0; k < len; k++)
                sum = (sum * 31 + buf[k]) & 0xffff;
            return sum;
        }

        int unit_%(i)d_error_count(const char *msg)
        {
            int errors = 0;
            if (strstr(msg, "error") != NULL)
                errors++;
            return errors;
        }
        ''') % dict(i=i)
    if broken == "compile":
        body = body.replace("return sum;", "return sum + undeclared_offset;")
    return body


def c_files(n_units=30, n_tests=160, fail=None):
    files = {}
    hdr = ["#ifndef UNITS_H", "#define UNITS_H"]
    for i in range(n_units):
        files["src/unit_%02d.c" % i] = c_unit(i, "compile" if fail == "compile" and i == n_units - 1 else None)
        hdr.append("int unit_%d_checksum(const char *buf, int len, int flags);" % i)
        hdr.append("int unit_%d_error_count(const char *msg);" % i)
    if fail == "link":
        hdr.append("int unit_archive_flush(void);")
    hdr.append("#endif")
    files["src/units.h"] = "\n".join(hdr) + "\n"
    t = ["#include <assert.h>", "#include <stdio.h>", "#include \"../src/units.h\"", "",
         "static int run = 0;", "#define PASS(name) do { run++; printf(\"PASS: %s\\n\", name); } while (0)", ""]
    for j in range(n_tests):
        u = j % n_units
        t.append("static void test_%s(void) {" % noisy_name(j))
        t.append("    int e = unit_%d_error_count(\"no error here\");" % u)
        t.append("    assert(e == 1);")
        if fail == "assert" and j == n_tests - 7:
            t.append("    assert(unit_%d_checksum(\"abc\", 3, 0) == 0x1f);" % u)
        if fail == "segv" and j == n_tests - 5:
            t.append("    volatile int *p = 0; (void)unit_%d_checksum((const char *)p, 3, *p);" % u)
        t.append("    PASS(\"test_%s\");" % noisy_name(j))
        t.append("}")
    if fail == "link":
        t.append("static void test_archive_flush(void) { assert(unit_archive_flush() == 0); }")
    t.append("int main(void) {")
    t.append("    setvbuf(stdout, NULL, _IONBF, 0);")
    for j in range(n_tests):
        t.append("    test_%s();" % noisy_name(j))
    if fail == "link":
        t.append("    test_archive_flush();")
    t.append("    printf(\"%d tests, 0 failures, 0 errors\\n\", run);")
    t.append("    return 0;")
    t.append("}")
    files["tests/test_main.c"] = "\n".join(t) + "\n"
    files["Makefile"] = D('''
        CC ?= gcc
        CFLAGS = -std=c11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration -Wno-error=unused-parameter
        SRC = $(sort $(wildcard src/*.c))
        OBJ = $(SRC:src/%.c=build/%.o)

        all: build/libunits.a build/test_main

        build/%.o: src/%.c src/units.h
        \t@mkdir -p build
        \t$(CC) $(CFLAGS) -c $< -o $@

        build/libunits.a: $(OBJ)
        \tar rcs $@ $^

        build/test_main: tests/test_main.c build/libunits.a
        \t$(CC) $(CFLAGS) -o $@ $< build/libunits.a

        check: all
        \t./build/test_main

        .PHONY: all check
        ''')
    return files


C_SETUP = [APT("build-essential libssl-dev zlib1g-dev valgrind"), ("gcc --version", "gcc -v 2>&1\nmake --version"), RETRY]

case(id="c-compile-error", lang="c", tool="gcc", category="compilation", flaky=False,
     files=c_files(fail="compile"), setup=C_SETUP, steps=[("Build", "make -k all 2>&1")],
     keys=[("undeclared (first use in this function)", None)], needs=["gcc", "make"])

case(id="c-assert", lang="c", tool="gcc", category="test_failure", flaky=False,
     files=c_files(fail="assert"), setup=C_SETUP + [("Build", "make all")], steps=[("Test", "make check")],
     keys=[("Assertion `unit_", None)], needs=["gcc", "make"])

case(id="c-link", lang="c", tool="ld", category="compilation", flaky=False,
     files=c_files(fail="link"), setup=C_SETUP, steps=[("Build", "make all")],
     keys=[("undefined reference to", None)], needs=["gcc", "make"], ci="gha")

case(id="c-segv", lang="c", tool="gcc", category="test_failure", flaky=False,
     files=c_files(fail="segv"), setup=C_SETUP + [("Build", "make all")], steps=[("Test", "make check")],
     keys=[("Segmentation fault", None)], needs=["gcc", "make"])

case(id="c-oom", lang="c", tool="gcc", category="oom", flaky=True,
     files=dict(c_files(), **{"tools/loadgen.c": D('''
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        int main(void) {
            setvbuf(stdout, NULL, _IONBF, 0);
            for (int i = 1; i <= 64; i++) {
                char *p = malloc((size_t)256 << 20);
                if (!p) { perror("loadgen: malloc"); fprintf(stderr, "loadgen: out of memory after %d chunks\\n", i - 1); return 3; }
                memset(p, 1, (size_t)256 << 20);
                printf("loadgen: chunk %d resident\\n", i);
            }
            return 0;
        }
        ''')}),
     setup=C_SETUP + [("Build", "make all"), ("Test", "make check")],
     steps=[("Load test", "gcc -O2 -o build/loadgen tools/loadgen.c\nulimit -v 1200000\n./build/loadgen")],
     keys=[("loadgen: malloc: Cannot allocate memory", None)], needs=["gcc", "make"])

# ==========================================================================
# C++ (sealed): cmake + make, many units with warnings, ctest with many tests


def cpp_files(n_units=24, n_tests=60, fail=None):
    files = {}
    names = []
    for i in range(n_units):
        src = D('''
            #include "shapes.hpp"
            #include <vector>
            #include <string>
            #include <stdexcept>

            namespace shapes {
            // unit %(i)d (benign warnings: sign compare, unused variable)
            double area_%(i)d(const std::vector<double>& xs) {
                double total = 0;
                int unused_error_count = 0;
                for (int k = 0; k < xs.size(); ++k) total += xs[k] * %(i)d;
                return total;
            }
            void validate_%(i)d(double v) {
                if (v < 0) throw std::invalid_argument("negative extent in unit %(i)d");
            }
            }  // namespace shapes
            ''') % dict(i=i)
        if fail == "compile" and i == n_units - 1:
            src = src.replace("return total;", "std::string label = total;\n    return label;")
        files["src/unit_%02d.cpp" % i] = src
    h = ["#pragma once", "#include <vector>", "namespace shapes {"]
    for i in range(n_units):
        h.append("double area_%d(const std::vector<double>& xs);" % i)
        h.append("void validate_%d(double v);" % i)
    if fail == "link":
        h.append("double perimeter(const std::vector<double>& xs);")
    h.append("}")
    files["src/shapes.hpp"] = "\n".join(h) + "\n"
    for j in range(n_tests):
        u = j % n_units
        nm = "test_%s" % noisy_name(j)
        body = ["#include \"../src/shapes.hpp\"", "#include <cstdio>", "#include <stdexcept>", "int main() {",
                "    try { shapes::validate_%d(-1.0); std::puts(\"expected exception not thrown\"); return 1; }" % u,
                "    catch (const std::invalid_argument& e) { std::printf(\"caught expected exception: %s\\n\", e.what()); }",
                "    double a = shapes::area_%d({1.0, 2.0});" % u]
        if fail == "test" and j == n_tests - 4:
            body.append("    if (a != 4.5) { std::fprintf(stderr, \"%s:%%d: expected area 4.5, got %%g\\n\", __LINE__, a); return 1; }" % ("tests/" + nm + ".cpp"))
        if fail == "throw" and j == n_tests - 4:
            body.append("    shapes::validate_%d(-a);" % u)
        if fail == "link" and j == n_tests - 4:
            body.append("    a += shapes::perimeter({1.0});")
        body += ["    return a < 0;", "}"]
        files["tests/%s.cpp" % nm] = "\n".join(body) + "\n"
        names.append(nm)
    cm = ["cmake_minimum_required(VERSION 3.13)", "project(shapes CXX)", "set(CMAKE_CXX_STANDARD 17)",
          "add_compile_options(-Wall -Wextra -Wno-error=sign-compare)", "enable_testing()",
          "file(GLOB SRC src/*.cpp)", "add_library(shapes STATIC ${SRC})"]
    for nm in names:
        cm.append("add_executable(%s tests/%s.cpp)" % (nm, nm))
        cm.append("target_link_libraries(%s shapes)" % nm)
        cm.append("add_test(NAME %s COMMAND %s)" % (nm, nm))
    files["CMakeLists.txt"] = "\n".join(cm) + "\n"
    return files


CPP_SETUP = [APT("g++ cmake libboost-dev"), ("g++ --version", "g++ --version\ncmake --version"),
             ("Configure", "cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug")]

case(id="cpp-compile-error", lang="cpp", tool="g++", category="compilation", flaky=False,
     files=cpp_files(fail="compile"), setup=CPP_SETUP, steps=[("Build", "cmake --build build -- -k")],
     keys=[("to non-scalar type", None)], needs=["g++", "cmake"])

case(id="cpp-ctest-fail", lang="cpp", tool="ctest", category="test_failure", flaky=False,
     files=cpp_files(fail="test"), setup=CPP_SETUP + [("Build", "cmake --build build")],
     steps=[("Test", "cd build && ctest --output-on-failure")],
     keys=[("expected area 4.5, got", None)], failed_tests=["test_%s" % noisy_name(56)], needs=["g++", "cmake"])

case(id="cpp-uncaught", lang="cpp", tool="ctest", category="test_failure", flaky=False,
     files=cpp_files(fail="throw"), setup=CPP_SETUP + [("Build", "cmake --build build")],
     steps=[("Test", "cd build && ctest -V")],
     keys=[("terminate called after throwing an instance of", 1)],
     failed_tests=["test_%s" % noisy_name(56)], needs=["g++", "cmake"], ci="gitlab")

case(id="cpp-link", lang="cpp", tool="ld", category="compilation", flaky=False,
     files=cpp_files(fail="link"), setup=CPP_SETUP, steps=[("Build", "cmake --build build")],
     keys=[("undefined reference to", None)], needs=["g++", "cmake"])

case(id="cpp-killed", lang="cpp", tool="g++", category="oom", flaky=True,
     files=cpp_files(), setup=CPP_SETUP + [("Build", "cmake --build build")],
     steps=[("Test", "cd build && ctest\necho 'running benchmark'\nbash -c 'echo \"bench: building 12 GiB index\"; kill -9 $$'\necho 'benchmark done'")],
     keys=[("Killed", None)], needs=["g++", "cmake"])

# ==========================================================================
# Ruby (tune): rspec documentation format, minitest via rake, ruby -wc


def rb_files(n_groups=12, per=14, fail=None):
    files = {"lib/ledger.rb": D('''
        # frozen_string_literal: true
        module Ledger
          class Error < StandardError; end
          class ParseError < Error; end

          def self.parse(line)
            raise ParseError, "empty line" if line.strip.empty?
            date, amount, memo = line.split(",", 3)
            { date: date, amount: Integer(amount), memo: memo.to_s.strip }
          end

          def self.total(rows)
            rows.sum { |r| r[:amount] }
          end
        end
        ''')}
    for g in range(n_groups):
        ex = []
        for k in range(per):
            idx = g * per + k
            nm = ["raises Ledger::ParseError on an empty line", "handles errors in the memo", "does not fail on unicode memos",
                  "reports an error count of zero", "rescues Exception from a bad amount", "parses amount %d" % idx,
                  "totals rows without failure"][k % 7]
            nm = "%s (case %d)" % (nm, idx)
            if k % 7 == 0:
                body = "expect { Ledger.parse('  ') }.to raise_error(Ledger::ParseError, /empty/)"
            elif k % 7 == 4:
                body = "expect { Ledger.parse('2024-01-01,abc,x') }.to raise_error(ArgumentError)"
            else:
                body = "expect(Ledger.parse('2024-01-01,%d,memo')[:amount]).to eq(%d)" % (idx, idx)
            if fail == "rspec" and g == n_groups - 2 and k == 5:
                body = "expect(Ledger.total([Ledger.parse('2024-01-01,10,a'), Ledger.parse('2024-01-02,5,b')])).to eq(16)"
            if fail == "nomethod" and g == n_groups - 2 and k == 5:
                body = "expect(Ledger.balance([])).to eq(0)"
            ex.append("    it %r do\n      %s\n    end\n" % (nm, body))
        files["spec/ledger_%02d_spec.rb" % g] = (
            "require 'ledger'\n\nRSpec.describe Ledger do\n  describe 'batch %d' do\n%s  end\nend\n" % (g, "\n".join(ex)))
    files[".rspec"] = "--require spec_helper\n"
    files["spec/spec_helper.rb"] = D('''
        $LOAD_PATH.unshift File.expand_path('../lib', __dir__)
        RSpec.configure do |c|
          c.expect_with(:rspec) { |e| e.syntax = :expect }
          c.order = :defined
        end
        ''')
    return files


def rb_minitest(n=120, fail=None):
    t = ["require 'minitest/autorun'", "require_relative '../lib/ledger'", "", "class LedgerTest < Minitest::Test"]
    for j in range(n):
        t.append("  def test_%s" % noisy_name(j))
        if fail == "error" and j == n - 9:
            t.append("    row = Ledger.parse('2024-01-01,12,x')")
            t.append("    assert_equal 12, row.fetch(:amount).succ.pred.to_str")
        elif fail == "assert" and j == n - 9:
            t.append("    assert_equal 'memo', Ledger.parse('2024-01-01,12, memo ,x')[:memo]")
        else:
            t.append("    assert_raises(Ledger::ParseError) { Ledger.parse('') }")
            t.append("    assert_equal %d, Ledger.parse('2024-01-01,%d,m')[:amount]" % (j, j))
        t.append("  end")
    t.append("end")
    return {"test/ledger_test.rb": "\n".join(t) + "\n",
            "Rakefile": "require 'rake/testtask'\nRake::TestTask.new(:test) do |t|\n  t.libs << 'lib'\n  t.test_files = FileList['test/**/*_test.rb']\n  t.verbose = true\n  t.warning = true\nend\ntask default: :test\n"}


RB_SETUP = [APT("ruby-full libxml2-dev libxslt1-dev"),
            ("rvm use", "ruby --version\ngem --version\ngem list --local 2>/dev/null | head -n 120\nrspec --version"), RETRY]
RB_LIB = rb_files()["lib/ledger.rb"]

case(id="rb-rspec-fail", lang="ruby", tool="rspec", category="test_failure", flaky=False,
     files=rb_files(fail="rspec"), setup=RB_SETUP, steps=[("Test", "rspec --format documentation")],
     keys=[("1) Ledger batch 10 parses amount", "got: 15")], failed_tests=["Ledger batch 10 parses amount 145 (case 145)"],
     needs=["rspec"])

case(id="rb-rspec-nomethod", lang="ruby", tool="rspec", category="test_failure", flaky=False,
     files=rb_files(fail="nomethod"), setup=RB_SETUP, steps=[("Test", "rspec --format documentation")],
     keys=[("1) Ledger batch 10 parses amount", "NoMethodError")], failed_tests=["Ledger batch 10 parses amount 145 (case 145)"],
     needs=["rspec"], ci="gha")

case(id="rb-minitest-error", lang="ruby", tool="minitest", category="test_failure", flaky=False,
     files=dict(rb_minitest(fail="error"), **{"lib/ledger.rb": RB_LIB}), setup=RB_SETUP,
     steps=[("Test", "rake test TESTOPTS=-v")],
     keys=[("1) Error:", "NoMethodError")], failed_tests=["test_%s" % noisy_name(111)], needs=["rake"])

case(id="rb-minitest-fail", lang="ruby", tool="minitest", category="test_failure", flaky=False,
     files=dict(rb_minitest(fail="assert"), **{"lib/ledger.rb": RB_LIB}), setup=RB_SETUP,
     steps=[("Test", "rake test TESTOPTS=-v")],
     keys=[("1) Failure:", "Actual: \"memo ,x\"")], failed_tests=["test_%s" % noisy_name(111)], needs=["rake"])

case(id="rb-syntax", lang="ruby", tool="ruby", category="compilation", flaky=False,
     files=dict(rb_files(), **{"lib/ledger/report.rb": "module Ledger\n  module Report\n    def self.render(rows)\n      rows.map do |r|\n        \"#{r[:date]} #{r[:amount]}\"\n    end\n  end\nend\n"}),
     setup=RB_SETUP + [("Test", "rspec --format documentation")],
     steps=[("Lint", "for f in $(find lib spec -name '*.rb' | sort); do echo \"== $f\"; ruby -wc \"$f\"; done")],
     keys=[("syntax error, unexpected", None)], needs=["rspec"])

case(id="rb-gem-dns", lang="ruby", tool="gem", category="infra", flaky=True,
     files=rb_files(), setup=RB_SETUP,
     steps=[("Install", "gem install --no-document --clear-sources --source https://rubygems.%s/ rack -v 2.2.8" % DNS_HOST)],
     keys=[("Could not find a valid gem 'rack'", 1)], needs=["gem"])

# ==========================================================================
# Perl (tune): many TAP test files, prove -v, make test


def pl_files(n_files=10, per=25, fail=None):
    files = {"lib/Acme/Ledger.pm": D('''
        package Acme::Ledger;
        use strict;
        use warnings;
        our $VERSION = '1.04';

        sub parse {
            my ($line) = @_;
            die "parse error: empty line\\n" unless defined $line && $line =~ /\\S/;
            my ($date, $amount, $memo) = split /,/, $line, 3;
            die "parse error: bad amount '$amount'\\n" unless $amount =~ /^-?\\d+$/;
            return { date => $date, amount => $amount, memo => $memo // '' };
        }

        sub total { my $t = 0; $t += $_->{amount} for @_; return $t }

        1;
        '''),
        "Makefile.PL": "use ExtUtils::MakeMaker;\nWriteMakefile(NAME => 'Acme::Ledger', VERSION_FROM => 'lib/Acme/Ledger.pm', test => {TESTS => 't/*.t'});\n"}
    for f in range(n_files):
        t = ["use strict;", "use warnings;", "use Test::More tests => %d;" % per, "use Acme::Ledger;", ""]
        for k in range(per):
            idx = f * per + k
            nm = noisy_name(idx).replace("_", " ")
            if k % 3 == 0:
                t.append("eval { Acme::Ledger::parse('') }; like($@, qr/parse error/, '%s');" % nm)
            else:
                t.append("is(Acme::Ledger::parse('2024-01-01,%d,m')->{amount}, %d, '%s');" % (idx, idx, nm))
            if fail == "isfail" and f == n_files - 1 and k == per - 6:
                t[-1] = "is(Acme::Ledger::total(map { Acme::Ledger::parse($_) } '2024-01-01,3,a', '2024-01-02,4,b'), 8, '%s');" % nm
        if fail == "die" and f == n_files - 1:
            t.insert(per // 2 + 5, "my $cfg = Acme::Ledger->load_config('ledger.yml');")
        files["t/%02d-ledger.t" % f] = "\n".join(t) + "\n"
    return files


PL_SETUP = [APT("cpanminus libtest-most-perl"), ("perl -V", "perl -V\ncpan -v 2>&1 | head -n 5 || true"), RETRY]

case(id="pl-prove-fail", lang="perl", tool="prove", category="test_failure", flaky=False,
     files=pl_files(fail="isfail"), setup=PL_SETUP, steps=[("Test", "prove -lv t/")],
     keys=[("#   Failed test 'failure count is zero 244'", "expected: '8'"), ("not ok 20 - ", None)], failed_tests=["t/09-ledger.t"], needs=["prove"])

case(id="pl-die", lang="perl", tool="prove", category="test_failure", flaky=False,
     files=pl_files(fail="die"), setup=PL_SETUP, steps=[("Test", "prove -l t/")],
     keys=[("Can't locate object method \"load_config\"", None)], failed_tests=["t/09-ledger.t"], needs=["prove"])

case(id="pl-make-test", lang="perl", tool="make", category="test_failure", flaky=False,
     files=pl_files(fail="isfail"), setup=PL_SETUP + [("Configure", "perl Makefile.PL"), ("Build", "make")],
     steps=[("Test", "make test TEST_VERBOSE=1")],
     keys=[("#   Failed test 'failure count is zero 244'", "expected: '8'"), ("not ok 20 - ", None)], failed_tests=["t/09-ledger.t"], needs=["prove", "make"], ci="gitlab")

case(id="pl-oom", lang="perl", tool="perl", category="oom", flaky=True,
     files=dict(pl_files(), **{"script/load_corpus.pl": D('''
        use strict;
        use warnings;
        $| = 1;
        my @chunks;
        for my $i (1 .. 64) {
            push @chunks, 'x' x (64 * 1024 * 1024);
            print "loaded chunk $i\\n";
        }
        ''')}),
     setup=PL_SETUP + [("Test", "prove -l t/")],
     steps=[("Load corpus", "ulimit -v 400000\nperl script/load_corpus.pl")],
     keys=[("Out of memory", None)], needs=["perl"])

# ==========================================================================
# Elixir (tune): mix compile with warnings, mix test --trace


def ex_files(n_mods=16, n_tests=140, fail=None):
    files = {"mix.exs": D('''
        defmodule Ledger.MixProject do
          use Mix.Project
          def project, do: [app: :ledger, version: "0.4.0", elixir: "~> 1.12", deps: []]
          def application, do: [extra_applications: [:logger]]
        end
        ''')}
    for m in range(n_mods):
        src = D('''
            defmodule Ledger.Unit%(m)d do
              @moduledoc "unit %(m)d"
              def parse(""), do: {:error, :empty}
              def parse(line) do
                unused_error = :none
                [date, amount | _] = String.split(line, ",")
                {:ok, %%{date: date, amount: String.to_integer(amount)}}
              end
              def total(rows), do: Enum.reduce(rows, 0, fn r, acc -> acc + r.amount end)
            end
            ''') % dict(m=m)
        if fail == "compile" and m == n_mods - 1:
            src = src.replace("Enum.reduce(rows, 0,", "Enum.reduce(rows, 0, Ledger.Math.add_fn(),")
            src = src.replace("fn r, acc -> acc + r.amount end)", ")")
            src = src.replace("def total(rows)", "def total(rows)")
            src = src.replace("@moduledoc \"unit %d\"" % m, "@moduledoc \"unit %d\"\n  import Ledger.Missing" % m)
        files["lib/ledger/unit_%02d.ex" % m] = src
    t = ["defmodule LedgerTest do", "  use ExUnit.Case", ""]
    for j in range(n_tests):
        u = j % n_mods
        t.append("  test \"%s\" do" % noisy_name(j).replace("_", " "))
        t.append("    assert {:error, :empty} = Ledger.Unit%d.parse(\"\")" % u)
        if fail == "assert" and j == n_tests - 11:
            t.append("    assert Ledger.Unit%d.total([%%{amount: 2}, %%{amount: 3}]) == 6" % u)
        else:
            t.append("    assert {:ok, %%{amount: %d}} = Ledger.Unit%d.parse(\"2024-01-01,%d\")" % (j, u, j))
        t.append("  end")
    t.append("end")
    files["test/ledger_test.exs"] = "\n".join(t) + "\n"
    files["test/test_helper.exs"] = "ExUnit.start()\n"
    return files


EX_SETUP = [APT("elixir erlang-dev erlang-xmerl"), ("elixir --version", "elixir --version\nmix help"), RETRY]

case(id="ex-test-fail", lang="elixir", tool="mix", category="test_failure", flaky=False,
     files=ex_files(fail="assert"), setup=EX_SETUP + [("Compile", "mix compile")],
     steps=[("Test", "mix test --trace --seed 0")],
     keys=[("1) test %s" % noisy_name(129).replace("_", " "), "right: 6")], failed_tests=["test %s" % noisy_name(129).replace("_", " ")],
     needs=["mix"])

case(id="ex-compile-error", lang="elixir", tool="mix", category="compilation", flaky=False,
     files=ex_files(fail="compile"), setup=EX_SETUP, steps=[("Compile", "mix compile --force")],
     keys=[("== Compilation error in file lib/ledger/unit_15.ex ==", "syntax error before")], needs=["mix"])

case(id="ex-warnings-as-errors", lang="elixir", tool="mix", category="compilation", flaky=False,
     files=ex_files(), setup=EX_SETUP, steps=[("Compile", "mix compile --force --warnings-as-errors")],
     keys=[("Compilation failed due to warnings while using the --warnings-as-errors option", None)], needs=["mix"], ci="gha")

case(id="ex-timeout", lang="elixir", tool="timeout", category="timeout", flaky=True,
     files=dict(ex_files(), **{"scripts/wait.sh": WAIT}), setup=EX_SETUP + [("Compile", "mix compile")],
     steps=[("Test", "mix test --trace --seed 0"), ("Wait for postgres", "timeout --verbose 5 sh scripts/wait.sh")],
     keys=[("timeout: sending signal", None)], needs=["mix", "timeout"])

# ==========================================================================
# shell (tune): bats, shellcheck, bash scripts


def sh_files(n=240, fail=None):
    lib = D('''
        #!/usr/bin/env bash
        # helpers used by the release scripts
        log_error() { echo "error: $*" >&2; }
        version_of() { sed -n 's/^version=//p' "$1"; }
        bump() { local v=$1; echo "${v%.*}.$(( ${v##*.} + 1 ))"; }
        ''')
    t = ["#!/usr/bin/env bats", "", "load '../lib/release.sh'", ""]
    for j in range(n):
        t.append("@test \"%s\" {" % noisy_name(j).replace("_", " "))
        if fail == "bats" and j == n - 8:
            t.append("  run bump 1.9.9")
            t.append("  [ \"$output\" = \"1.10.0\" ]")
        else:
            t.append("  run bump 1.2.%d" % j)
            t.append("  [ \"$status\" -eq 0 ]")
            t.append("  [ \"$output\" = \"1.2.%d\" ]" % (j + 1))
        t.append("}")
        t.append("")
    files = {"lib/release.sh": lib, "test/release.bats": "\n".join(t)}
    for k in range(30):
        files["scripts/step_%02d.sh" % k] = D('''
            #!/usr/bin/env bash
            set -euo pipefail
            # step %(k)d of the release: prints what it would do
            source "$(dirname "$0")/../lib/release.sh"
            echo "step %(k)d: ok (errors: 0, failures: 0)"
            ''') % dict(k=k)
    return files


SH_SETUP = [APT("shellcheck bats jq"), ("versions", "bash --version\nbats --version\nshellcheck --version"), RETRY]

case(id="sh-bats-fail", lang="shell", tool="bats", category="test_failure", flaky=False,
     files=sh_files(fail="bats"), setup=SH_SETUP, steps=[("Test", "bats --tap test")],
     keys=[("not ok 233 ", "= \"1.10.0\" ]' failed")], failed_tests=[noisy_name(232).replace("_", " ")], needs=["bats"])

case(id="sh-shellcheck", lang="shell", tool="shellcheck", category="lint", flaky=False,
     files=dict(sh_files(), **{"scripts/step_31.sh": "#!/usr/bin/env bash\nset -eu\nfor f in $(ls build/*.tar.gz); do\n  echo \"uploading $f\"\n  [ $f == *rc* ] && continue\ndone\n"}),
     setup=SH_SETUP + [("Test", "bats --tap test"), ("Lint (advisory)", "shellcheck -S style -f gcc scripts/*.sh lib/*.sh || true")],
     steps=[("Lint", "for f in scripts/*.sh lib/*.sh; do echo \"shellcheck $f\"; shellcheck -S warning \"$f\"; done")],
     keys=[("In scripts/step_31.sh line 3:", "SC2045 (error)")], needs=["shellcheck", "bats"])

case(id="sh-script-error", lang="shell", tool="bash", category="test_failure", flaky=False,
     files=dict(sh_files(), **{"scripts/step_30.sh": "#!/usr/bin/env bash\nset -euo pipefail\nsource \"$(dirname \"$0\")/../lib/release.sh\"\necho \"step 30: reading version\"\nversion=$(version_of VERSION)\necho \"releasing $version\"\n"}),
     setup=SH_SETUP + [("Test", "bats --tap test")],
     steps=[("Release dry run", "for s in scripts/step_*.sh; do bash \"$s\"; done")],
     keys=[("VERSION: No such file or directory", None)], needs=["bats"], ci="gitlab")

case(id="sh-curl-dns", lang="shell", tool="curl", category="infra", flaky=True,
     files=sh_files(), setup=SH_SETUP + [("Test", "bats --tap test")],
     steps=[("Upload", "curl -fsS --retry 2 --retry-delay 1 -o /dev/null https://artifacts.%s/upload" % DNS_HOST)],
     keys=[("curl: (6) Could not resolve host", None)], needs=["bats", "curl"])

# ==========================================================================
# PHP (sealed): php -l over many files, phpunit --testdox


def php_files(n_cls=40, n_tests=120, fail=None):
    files = {"phpunit.xml": D('''
        <?xml version="1.0" encoding="UTF-8"?>
        <phpunit bootstrap="src/autoload.php" colors="false">
          <testsuites><testsuite name="ledger"><directory>tests</directory></testsuite></testsuites>
        </phpunit>
        '''), "src/autoload.php": "<?php\nforeach (glob(__DIR__ . '/*/*.php') as $f) { require_once $f; }\n"}
    for i in range(n_cls):
        src = D('''
            <?php
            namespace Ledger;

            class Unit%(i)d
            {
                public static function parse(string $line): array
                {
                    if (trim($line) === '') {
                        throw new \\InvalidArgumentException('parse error: empty line');
                    }
                    [$date, $amount] = explode(',', $line) + [null, '0'];
                    return ['date' => $date, 'amount' => (int) $amount];
                }
            }
            ''') % dict(i=i)
        if fail == "parse" and i == n_cls - 1:
            src = src.replace("(int) $amount];", "(int) $amount]")
        if fail == "fatal" and i == n_cls - 1:
            src = src.replace("class Unit%d\n" % i, "class Unit%d extends \\Ledger\\BaseUnit\n" % i)
        files["src/Units/Unit%02d.php" % i] = src
    t = ["<?php", "use PHPUnit\\Framework\\TestCase;", "", "final class LedgerTest extends TestCase", "{"]
    for j in range(n_tests):
        u = j % n_cls
        nm = "test" + "".join(w.title() for w in noisy_name(j).split("_"))
        t.append("    public function %s(): void" % nm)
        t.append("    {")
        t.append("        $this->expectException(\\InvalidArgumentException::class);") if j % 5 == 0 else None
        if j % 5 == 0:
            t.append("        \\Ledger\\Unit%d::parse('');" % u)
        elif fail == "phpunit" and j == n_tests - 6:
            t.append("        $this->assertSame(15, \\Ledger\\Unit%d::parse('2024-01-01,51')['amount']);" % u)
        else:
            t.append("        $this->assertSame(%d, \\Ledger\\Unit%d::parse('2024-01-01,%d')['amount']);" % (j, u, j))
        t.append("    }")
    t.append("}")
    files["tests/LedgerTest.php"] = "\n".join(x for x in t if x is not None) + "\n"
    return files


PHP_SETUP = [APT("php-cli php-xml php-mbstring phpunit"), ("phpenv", "php --version\nphp -i\nphpunit --version"), RETRY]
PHP_FAIL_NAME = "test" + "".join(w.title() for w in noisy_name(114).split("_"))

case(id="php-phpunit-fail", lang="php", tool="phpunit", category="test_failure", flaky=False,
     files=php_files(fail="phpunit"), setup=PHP_SETUP, steps=[("Test", "phpunit --testdox")],
     keys=[("✘ No errors when valid 114", "Failed asserting that 51 is identical to 15.")], failed_tests=["LedgerTest::" + PHP_FAIL_NAME], needs=["phpunit"])

case(id="php-lint", lang="php", tool="php", category="compilation", flaky=False,
     files=php_files(fail="parse"), setup=PHP_SETUP,
     steps=[("Lint", "for f in $(find src tests -name '*.php' | sort); do php -l \"$f\"; done")],
     keys=[("PHP Parse error:", None)], needs=["php"], ci="gha")

case(id="php-fatal", lang="php", tool="phpunit", category="test_failure", flaky=False,
     files=php_files(fail="fatal"), setup=PHP_SETUP, steps=[("Test", "phpunit --testdox")],
     keys=[("Class \"Ledger\\BaseUnit\" not found", None)], needs=["phpunit"])

case(id="php-dns", lang="php", tool="php", category="infra", flaky=True,
     files=php_files(), setup=PHP_SETUP + [("Test", "phpunit --testdox")],
     steps=[("Fetch fixtures", "php -r '$d = file_get_contents(\"https://fixtures.%s/ledger.json\"); if ($d === false) { exit(1); }'" % DNS_HOST)],
     keys=[("php_network_getaddresses: getaddrinfo", None)], needs=["php"])

case(id="php-oom", lang="php", tool="php", category="oom", flaky=False,
     files=dict(php_files(), **{"scripts/build_index.php": "<?php\nini_set('memory_limit', '64M');\n$rows = [];\nfor ($i = 0; $i < 5000000; $i++) { $rows[] = str_repeat('x', 64) . $i; if ($i % 500000 === 0) echo \"indexed $i rows\\n\"; }\n"}),
     setup=PHP_SETUP + [("Test", "phpunit --testdox")], steps=[("Build index", "php scripts/build_index.php")],
     keys=[("Allowed memory size of", None)], needs=["php"])

# ==========================================================================
# Erlang (sealed): erlc many modules with warnings, eunit verbose


def erl_files(n_mods=30, per=10, fail=None):
    files = {}
    for m in range(n_mods):
        tests = []
        for k in range(per):
            idx = m * per + k
            nm = noisy_name(idx)
            if fail == "eunit" and m == n_mods - 2 and k == 6:
                tests.append("%s_test() -> ?assertEqual(7, total([{a, 3}, {b, 3}]))." % nm)
            else:
                tests.append("%s_test() -> ?assertEqual({error, empty}, parse(<<>>)), ?assertEqual(%d, total([{a, %d}]))." % (nm, idx, idx))
        src = D('''
            -module(unit_%(m)02d).
            -export([parse/1, total/1]).
            -include_lib("eunit/include/eunit.hrl").

            parse(<<>>) -> {error, empty};
            parse(Line) -> Unused = error_count, binary:split(Line, <<",">>, [global]).

            total(Rows) -> lists:sum([N || {_, N} <- Rows]).

            ''') % dict(m=m)
        if fail == "compile" and m == n_mods - 1:
            src = src.replace("total(Rows) -> lists:sum", "total(Rows) -> lists:sum(Rows, Acc)\n    + lists:sum")
        files["src/unit_%02d.erl" % m] = src + "\n".join(tests) + "\n"
    files["Makefile"] = "all:\n\tmkdir -p ebin\n\terlc -Wall -o ebin src/*.erl\n"
    return files


ERL_SETUP = [APT("erlang-base erlang-eunit erlang-dev"),
             ("erl version", "erl -noshell -eval 'io:format(\"Erlang/OTP ~s~n\", [erlang:system_info(otp_release)]), halt().'\nls -1 /usr/lib/erlang/lib")]
ERL_EUNIT = "erl -noshell -pa ebin -eval 'case eunit:test([%s], [verbose]) of ok -> halt(0); _ -> halt(1) end.'"
ERL_MODS = ",".join("unit_%02d" % m for m in range(30))

case(id="erl-eunit-fail", lang="erlang", tool="eunit", category="test_failure", flaky=False,
     files=erl_files(fail="eunit"), setup=ERL_SETUP + [("Compile", "make all")],
     steps=[("Test", ERL_EUNIT % ERL_MODS)],
     keys=[("%s_test...*failed*" % noisy_name(286), "{value,6}")], failed_tests=["unit_28:%s_test" % noisy_name(286)], needs=["erlc"])

case(id="erl-compile-error", lang="erlang", tool="erlc", category="compilation", flaky=False,
     files=erl_files(fail="compile"), setup=ERL_SETUP, steps=[("Compile", "make all")],
     keys=[("variable 'Acc' is unbound", None)], needs=["erlc"], ci="gitlab")

case(id="erl-oom", lang="erlang", tool="erl", category="oom", flaky=True,
     files=dict(erl_files(), **{"src/loader.erl": "-module(loader).\n-export([run/0]).\nrun() -> io:format(\"loading corpus~n\"), L = [binary:copy(<<0>>, 64*1024*1024) || _ <- lists:seq(1, 64)], io:format(\"~p~n\", [length(L)]).\n"}),
     setup=ERL_SETUP + [("Compile", "make all"), ("Test", ERL_EUNIT % ERL_MODS)],
     steps=[("Load data", "ulimit -v 2500000\nerl -noshell -pa ebin -s loader run -s init stop")],
     keys=[("Cannot allocate", None)], needs=["erlc"])

# ==========================================================================
# Lua (sealed): busted with many specs


def lua_files(n=300, fail=None):
    mod = D('''
        local M = {}
        function M.parse(line)
          if line == "" then return nil, "parse error: empty line" end
          local date, amount = line:match("^([^,]+),(%-?%d+)")
          return { date = date, amount = tonumber(amount) }
        end
        function M.total(rows)
          local t = 0
          for _, r in ipairs(rows) do t = t + r.amount end
          return t
        end
        return M
        ''')
    s = ["local ledger = require(\"src.ledger\")", "", "describe(\"ledger\", function()"]
    for j in range(n):
        s.append("  it(\"%s\", function()" % noisy_name(j).replace("_", " "))
        s.append("    local r, err = ledger.parse(\"\")")
        s.append("    assert.is_nil(r); assert.are.equal(\"parse error: empty line\", err)")
        if fail == "busted" and j == n - 10:
            s.append("    assert.are.equal(9, ledger.total({ {amount = 4}, {amount = 4} }))")
        elif fail == "runtime" and j == n - 10:
            s.append("    assert.are.equal(4, ledger.total({ {amount = 4}, {} }))")
        else:
            s.append("    assert.are.equal(%d, ledger.parse(\"2024-01-01,%d\").amount)" % (j, j))
        s.append("  end)")
    s.append("end)")
    return {"src/ledger.lua": mod, "spec/ledger_spec.lua": "\n".join(s) + "\n"}


LUA_SETUP = [APT("lua5.4 lua-busted luarocks"), ("lua -v", "lua -v\nbusted --version\nbusted --help || true"), RETRY]

case(id="lua-busted-fail", lang="lua", tool="busted", category="test_failure", flaky=False,
     files=lua_files(fail="busted"), setup=LUA_SETUP, steps=[("Test", "busted -o TAP spec")],
     keys=[("not ok 291 - ledger %s" % noisy_name(290).replace("_", " "), "Expected objects to be equal")],
     failed_tests=["ledger %s" % noisy_name(290).replace("_", " ")], needs=["busted"])

case(id="lua-busted-error", lang="lua", tool="busted", category="test_failure", flaky=False,
     files=lua_files(fail="runtime"), setup=LUA_SETUP, steps=[("Test", "busted -o utfTerminal spec")],
     keys=[("Error → spec/ledger_spec.lua", "attempt to perform arithmetic on a nil value")],
     failed_tests=["ledger %s" % noisy_name(290).replace("_", " ")], needs=["busted"], ci="gha")

case(id="lua-timeout", lang="lua", tool="timeout", category="timeout", flaky=True,
     files=dict(lua_files(), **{"scripts/wait.sh": WAIT}), setup=LUA_SETUP,
     steps=[("Test", "busted -o TAP spec"), ("Wait for postgres", "timeout --verbose 5 sh scripts/wait.sh")],
     keys=[("timeout: sending signal", None)], needs=["busted", "timeout"])

# ==========================================================================
# R (sealed): testthat with many expectations, Rscript


def r_files(n=200, fail=None):
    t = ["library(testthat)", "source('../../R/ledger.R')", ""]
    for j in range(n):
        t.append("test_that(\"%s\", {" % noisy_name(j).replace("_", " "))
        t.append("  expect_error(parse_line(''), 'parse error')")
        if fail == "expect" and j == n - 7:
            t.append("  expect_equal(ledger_total(list(parse_line('2024-01-01,3'), parse_line('2024-01-02,4'))), 8)")
        else:
            t.append("  expect_equal(parse_line('2024-01-01,%d')$amount, %d)" % (j, j))
        t.append("})")
    return {"R/ledger.R": D('''
        parse_line <- function(line) {
          if (!nzchar(trimws(line))) stop("parse error: empty line")
          p <- strsplit(line, ",")[[1]]
          list(date = p[1], amount = as.integer(p[2]))
        }
        ledger_total <- function(rows) sum(vapply(rows, function(r) r$amount, integer(1)))
        '''), "tests/testthat/test-ledger.R": "\n".join(t) + "\n",
        "tests/testthat.R": "library(testthat)\ntest_dir('tests/testthat', reporter = 'progress', stop_on_failure = TRUE)\n"}


R_SETUP = [APT("r-base-core r-cran-testthat"), ("R version", "R --version\nRscript -e 'sessionInfo()'\nRscript -e 'options(width = 200); print(installed.packages()[, c(\"Package\", \"Version\", \"Built\")])'\nR CMD config --all 2>/dev/null | head -n 150"), RETRY]

case(id="r-testthat-fail", lang="r", tool="testthat", category="test_failure", flaky=False,
     files=r_files(fail="expect"), setup=R_SETUP, steps=[("Test", "Rscript tests/testthat.R")],
     keys=[("Failure ('test-ledger.R:", "[1] 7 - 8 == -1")], failed_tests=[noisy_name(193).replace("_", " ")], needs=["Rscript"])

case(id="r-script-error", lang="r", tool="Rscript", category="test_failure", flaky=False,
     files=dict(r_files(), **{"scripts/report.R": "source('R/ledger.R')\nfor (i in 1:40) cat(sprintf('report row %d: ok\\n', i))\nrows <- lapply(readLines('data/ledger.csv'), parse_line)\n"}),
     setup=R_SETUP + [("Test", "Rscript tests/testthat.R")], steps=[("Report", "Rscript scripts/report.R")],
     keys=[("cannot open file 'data/ledger.csv'", None)], needs=["Rscript"])

# ==========================================================================
# Haskell (sealed): ghc --make with -Wall warnings


def hs_files(n_mods=24, fail=None):
    files = {}
    imports = []
    for m in range(n_mods):
        src = D('''
            module Unit%(m)d (parse%(m)d, total%(m)d) where

            import Data.List (foldl')
            import Data.Char (isSpace)

            parse%(m)d :: String -> Either String Int
            parse%(m)d s
              | all isSpace s = Left "parse error: empty line"
              | otherwise = Right (read (takeWhile (/= ',') (drop 1 (dropWhile (/= ',') s))))

            total%(m)d xs = foldl' (+) 0 xs
            ''') % dict(m=m)
        if fail == "type" and m == n_mods - 1:
            src = src.replace("total%d xs = foldl' (+) 0 xs" % m, "total%d :: [Int] -> Int\ntotal%d xs = foldl' (+) \"0\" xs" % (m, m))
        files["src/Unit%d.hs" % m] = src
        imports.append("import Unit%d" % m)
    body = ["module Main (main) where", "", "import System.Exit", "import Control.Monad (forM_, unless)"] + imports + [
        "", "main :: IO ()", "main = do"]
    for m in range(n_mods):
        for k in range(8):
            nm = noisy_name(m * 8 + k)
            want = "Right %d" % (m * 8 + k)
            if fail == "test" and m == n_mods - 2 and k == 3:
                want = "Right 7"
            body.append("  check \"%s\" (parse%d \"2024-01-01,%d\") (%s)" % (nm, m, m * 8 + k, want))
    body += ["  putStrLn \"all checks passed\"", "",
             "check :: String -> Either String Int -> Either String Int -> IO ()",
             "check name got want = if got == want then putStrLn (\"PASS \" ++ name) else do",
             "  putStrLn (\"FAIL \" ++ name ++ \": expected \" ++ show want ++ \", got \" ++ show got)",
             "  exitFailure"]
    files["test/Main.hs"] = "\n".join(body) + "\n"
    return files


HS_SETUP = [APT("ghc cabal-install libghc-quickcheck2-dev"), ("ghc --version", "ghc --version\nghc-pkg list --global 2>/dev/null | head -n 60")]

case(id="hs-type-error", lang="haskell", tool="ghc", category="compilation", flaky=False,
     files=hs_files(fail="type"), setup=HS_SETUP,
     steps=[("Build", "mkdir -p build\nghc --make -Wall -isrc -outputdir build -o build/test test/Main.hs")],
     keys=[(": error:", None)], needs=["ghc"])

case(id="hs-test-fail", lang="haskell", tool="ghc", category="test_failure", flaky=False,
     files=hs_files(fail="test"), setup=HS_SETUP + [("Build", "mkdir -p build\nghc --make -Wall -isrc -outputdir build -o build/test test/Main.hs")],
     steps=[("Test", "./build/test")],
     keys=[("FAIL %s" % noisy_name(179), None)], failed_tests=[noisy_name(179)], needs=["ghc"], ci="gitlab")


# --------------------------------------------------------------------------
# the long Travis envelope


def travis_long(c, ran, clk):
    L, starts = [], []
    jid = hashlib.sha1(c.id.encode()).hexdigest()
    lang = {"cpp": "cpp", "shell": "shell", "r": "r"}.get(c.lang, c.lang)
    L += ["travis_fold:start:worker_info\r%s[0K%s[33;1mWorker information%s[0m" % (ESC, ESC, ESC),
          "hostname: %s-%s.travisci.net:travis-ci-amethyst-%s" % (jid[:8], jid[8:12], jid[12:16]),
          "version: v6.2.22 https://github.com/travis-ci/worker/tree/858d4ff0fa6a4a1ed8183a1bd89a2a6c23b3f1a0",
          "instance: travis-job-%s travis-ci-ubuntu-2004-1669979281-7f0a9e8f (via amqp)" % jid[16:24],
          "startup: 6.530312459s",
          "travis_fold:end:worker_info\r%s[0K" % ESC,
          "travis_time:start:%s\r%s[0K" % (jid[:8], ESC),
          "travis_time:end:%s:start=1796284800000000000,finish=1796284800512000000,duration=512000000,event=no_world_writable_dirs\r%s[0K" % (jid[:8], ESC),
          "travis_time:start:%s\r%s[0K" % (jid[1:9], ESC),
          "travis_time:end:%s:start=1796284801000000000,finish=1796284801092000000,duration=92000000,event=agent\r%s[0K" % (jid[1:9], ESC),
          "travis_fold:start:system_info\r%s[0K%s[33;1mBuild system information%s[0m" % (ESC, ESC, ESC),
          "Build language: %s" % lang, "Build dist: focal", "Build id: %d" % (600000000 + int(jid[:6], 16)),
          "Job id: %d" % (600000001 + int(jid[:6], 16)), "Runtime kernel version: 5.4.0-1096-gcp",
          "travis-build version: 8a1c1cc4a", "%s[34m%s[1mBuild image provisioning date and time%s[0m" % (ESC, ESC, ESC),
          "Mon Nov 28 09:18:34 UTC 2022", "%s[34m%s[1mOperating System Details%s[0m" % (ESC, ESC, ESC),
          "Distributor ID:\tUbuntu", "Description:\tUbuntu 20.04.5 LTS", "Release:\t20.04", "Codename:\tfocal",
          "%s[34m%s[1mSystemd Version%s[0m" % (ESC, ESC, ESC), "systemd 245 (245.4-4ubuntu3.19)",
          "%s[34m%s[1mCookbooks Version%s[0m" % (ESC, ESC, ESC), "a1ebdcc https://github.com/travis-ci/travis-cookbooks/tree/a1ebdcc",
          "%s[34m%s[1mgit version%s[0m" % (ESC, ESC, ESC), "git version 2.38.1",
          "%s[34m%s[1mbash version%s[0m" % (ESC, ESC, ESC), "GNU bash, version 5.0.17(1)-release (x86_64-pc-linux-gnu)",
          "%s[34m%s[1mgcc version%s[0m" % (ESC, ESC, ESC), "gcc (Ubuntu 9.4.0-1ubuntu1~20.04.1) 9.4.0",
          "Copyright (C) 2019 Free Software Foundation, Inc.",
          "This is free software; see the source for copying conditions.  There is NO",
          "warranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.", "",
          "%s[34m%s[1mdocker version%s[0m" % (ESC, ESC, ESC), "Client:", " Version:           20.10.12",
          " API version:       1.41", " Go version:        go1.16.2", "Server:", " Engine:",
          "  Version:          20.10.12", "  API version:      1.41 (minimum version 1.12)",
          "%s[34m%s[1mclang version%s[0m" % (ESC, ESC, ESC), "clang version 14.0.0",
          "Target: x86_64-unknown-linux-gnu", "Thread model: posix", "InstalledDir: /usr/local/clang-14.0.0/bin",
          "%s[34m%s[1mjq version%s[0m" % (ESC, ESC, ESC), "jq-1.6",
          "%s[34m%s[1mbats version%s[0m" % (ESC, ESC, ESC), "Bats 0.4.0",
          "%s[34m%s[1mshellcheck version%s[0m" % (ESC, ESC, ESC), "0.8.0",
          "%s[34m%s[1mshfmt version%s[0m" % (ESC, ESC, ESC), "v3.5.1",
          "%s[34m%s[1mccache version%s[0m" % (ESC, ESC, ESC), "3.7.7",
          "%s[34m%s[1mcmake version%s[0m" % (ESC, ESC, ESC), "cmake version 3.24.2",
          "%s[34m%s[1mheroku version%s[0m" % (ESC, ESC, ESC), "heroku/7.66.4 linux-x64 node-v14.19.0",
          "%s[34m%s[1mimagemagick version%s[0m" % (ESC, ESC, ESC), "Version: ImageMagick 6.9.10-23 Q16 x86_64 20190101",
          "%s[34m%s[1mmd5deep version%s[0m" % (ESC, ESC, ESC), "4.4",
          "%s[34m%s[1mmercurial version%s[0m" % (ESC, ESC, ESC), "version 6.3.1",
          "%s[34m%s[1mmysql version%s[0m" % (ESC, ESC, ESC), "mysql  Ver 8.0.31-0ubuntu0.20.04.2 for Linux on x86_64 ((Ubuntu))",
          "%s[34m%s[1mopenssl version%s[0m" % (ESC, ESC, ESC), "OpenSSL 1.1.1f  31 Mar 2020",
          "%s[34m%s[1mpacker version%s[0m" % (ESC, ESC, ESC), "1.8.4",
          "%s[34m%s[1mpostgresql client version%s[0m" % (ESC, ESC, ESC), "psql (PostgreSQL) 15.1 (Ubuntu 15.1-1.pgdg20.04+1)",
          "%s[34m%s[1mragel version%s[0m" % (ESC, ESC, ESC), "Ragel State Machine Compiler version 6.10 March 2017",
          "%s[34m%s[1msudo version%s[0m" % (ESC, ESC, ESC), "1.8.31",
          "%s[34m%s[1mgzip version%s[0m" % (ESC, ESC, ESC), "gzip 1.10",
          "%s[34m%s[1mzip version%s[0m" % (ESC, ESC, ESC), "Zip 3.0 (July 5th 2008), by Info-ZIP.",
          "%s[34m%s[1mvim version%s[0m" % (ESC, ESC, ESC), "VIM - Vi IMproved 8.1 (2018 May 18, compiled Oct 06 2022 19:01:33)",
          "%s[34m%s[1miptables version%s[0m" % (ESC, ESC, ESC), "iptables v1.8.4 (legacy)",
          "%s[34m%s[1mcurl version%s[0m" % (ESC, ESC, ESC), "curl 7.68.0 (x86_64-pc-linux-gnu) libcurl/7.68.0 OpenSSL/1.1.1f zlib/1.2.11",
          "%s[34m%s[1mwget version%s[0m" % (ESC, ESC, ESC), "GNU Wget 1.20.3 built on linux-gnu.",
          "%s[34m%s[1mrsync version%s[0m" % (ESC, ESC, ESC), "rsync  version 3.1.3  protocol version 31",
          "%s[34m%s[1mgimme version%s[0m" % (ESC, ESC, ESC), "v1.5.4",
          "%s[34m%s[1mnvm version%s[0m" % (ESC, ESC, ESC), "0.39.1",
          "%s[34m%s[1mperlbrew version%s[0m" % (ESC, ESC, ESC), "/home/travis/perl5/perlbrew/bin/perlbrew  - App::perlbrew/0.96",
          "%s[34m%s[1mphpenv version%s[0m" % (ESC, ESC, ESC), "rbenv 1.2.0-16-gc4395e5",
          "%s[34m%s[1mrvm version%s[0m" % (ESC, ESC, ESC), "rvm 1.29.12 (latest) by Michal Papis, Piotr Kuczynski, Wayne E. Seguin [https://rvm.io]",
          "%s[34m%s[1mdefault ruby version%s[0m" % (ESC, ESC, ESC), "ruby 3.1.2p20 (2022-04-12 revision 4491bb740a) [x86_64-linux]",
          "%s[34m%s[1mCouchDB version%s[0m" % (ESC, ESC, ESC), "couchdb 1.6.1",
          "%s[34m%s[1mElasticSearch version%s[0m" % (ESC, ESC, ESC), "5.5.0",
          "%s[34m%s[1mInstalled Firefox version%s[0m" % (ESC, ESC, ESC), "firefox 63.0.1",
          "%s[34m%s[1mMongoDB version%s[0m" % (ESC, ESC, ESC), "MongoDB 4.0.2",
          "%s[34m%s[1mPhantomJS version%s[0m" % (ESC, ESC, ESC), "2.1.1",
          "%s[34m%s[1mPre-installed PostgreSQL versions%s[0m" % (ESC, ESC, ESC), "12.13", "13.9", "14.6", "15.1",
          "%s[34m%s[1mRedis version%s[0m" % (ESC, ESC, ESC), "redis-server 5.0.7",
          "%s[34m%s[1mRiak version%s[0m" % (ESC, ESC, ESC), "2.2.3",
          "%s[34m%s[1mPre-installed Go versions%s[0m" % (ESC, ESC, ESC), "1.11.1",
          "%s[34m%s[1mant version%s[0m" % (ESC, ESC, ESC), "Apache Ant(TM) version 1.9.6 compiled on July 20 2018",
          "%s[34m%s[1mmvn version%s[0m" % (ESC, ESC, ESC), "Apache Maven 3.6.3",
          "%s[34m%s[1mgradle version%s[0m" % (ESC, ESC, ESC), "Gradle 5.1.1!",
          "%s[34m%s[1mlein version%s[0m" % (ESC, ESC, ESC), "Leiningen 2.9.1 on Java 11.0.2 OpenJDK 64-Bit Server VM",
          "%s[34m%s[1mPre-installed Node.js versions%s[0m" % (ESC, ESC, ESC), "v10.24.1", "v12.22.12", "v14.21.1", "v16.18.1",
          "%s[34m%s[1mphpenv versions%s[0m" % (ESC, ESC, ESC), "  system", "  7.4.33", "* 8.1.12 (set by /home/travis/.phpenv/version)",
          "  hhvm", "  hhvm-stable",
          "%s[34m%s[1mcomposer --version%s[0m" % (ESC, ESC, ESC), "Composer version 2.4.4 2022-10-27 14:39:29",
          "%s[34m%s[1mPre-installed Ruby versions%s[0m" % (ESC, ESC, ESC), "ruby-2.7.6", "ruby-3.0.4", "ruby-3.1.2",
          "travis_fold:end:system_info\r%s[0K" % ESC, "",
          "%s[33;1mSetting environment variables from repository settings%s[0m" % (ESC, ESC),
          "$ export COVERALLS_REPO_TOKEN=[secure]", "$ export DEPLOY_KEY=[secure]", "",
          "%s[33;1mSetting environment variables from .travis.yml%s[0m" % (ESC, ESC),
          "$ export CI_STRICT=1", "$ export MAKEFLAGS=-j2", "",
          "travis_fold:start:services\r%s[0Ktravis_time:start:%s\r%s[0K$ sudo systemctl start postgresql" % (ESC, jid[2:10], ESC),
          "travis_time:end:%s:start=1796284803000000000,finish=1796284806000000000,duration=3000000000,event=prepare\r%s[0Ktravis_fold:end:services\r%s[0K" % (jid[2:10], ESC, ESC),
          "%s[33;1msudo systemctl start postgresql: waiting 3 seconds%s[0m" % (ESC, ESC), "",
          "travis_fold:start:cache.1\r%s[0KSetting up build cache" % ESC,
          "$ export CASHER_DIR=${TRAVIS_HOME}/.casher",
          "travis_time:start:%s\r%s[0K$ Installing caching utilities" % (jid[3:11], ESC),
          "travis_time:end:%s:start=1796284806100000000,finish=1796284806400000000,duration=300000000,event=setup_casher\r%s[0K" % (jid[3:11], ESC),
          "attempting to download cache archive",
          "fetching main/cache-linux-focal-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855--%s.tgz" % lang,
          "found cache", "", "travis_time:start:%s\r%s[0K" % (jid[4:12], ESC),
          "travis_time:end:%s:start=1796284806500000000,finish=1796284807100000000,duration=600000000,event=setup_casher\r%s[0K" % (jid[4:12], ESC),
          "travis_fold:end:cache.1\r%s[0K" % ESC, ""]
    setup_n = 0
    for i, r in enumerate(ran):
        tid = hashlib.sha1(("%s%d" % (c.id, i)).encode()).hexdigest()[:8]
        fold = None
        if r["name"] == "checkout":
            fold = "git.checkout"
        elif r["phase"] == "setup":
            setup_n += 1
            fold = ("before_install.%d" if setup_n <= 2 else "install.%d") % setup_n
        if fold:
            L.append("travis_fold:start:%s\r%s[0Ktravis_time:start:%s\r%s[0K$ %s" % (fold, ESC, tid, ESC, r["cmd"]))
        else:
            L.append("travis_time:start:%s\r%s[0K$ %s" % (tid, ESC, r["cmd"]))
        starts.append(len(L))
        L += G.lines_of(r["out"])
        end = "travis_time:end:%s:start=%d,finish=%d,duration=%d,event=%s\r%s[0K" % (
            tid, clk.t * 10**9, (clk.t + 3) * 10**9, 3 * 10**9, "script" if r["phase"] == "script" else "install", ESC)
        clk.tick(30)
        if r["rc"] != 0:
            L.append(end + "%s[31;1mThe command \"%s\" exited with %d.%s[0m" % (ESC, r["cmd"], r["rc"], ESC))
        else:
            L.append(end)
        if fold:
            L.append("travis_fold:end:%s\r%s[0K" % (fold, ESC))
        if r["name"] == "checkout":
            L += ["$ export TRAVIS_COMPILER=gcc", "$ export CC=${CC:-gcc}", "$ export CC_FOR_BUILD=${CC_FOR_BUILD:-gcc}"]
        if r["phase"] == "setup" and r["rc"] != 0:
            break
    rc = max(1, max(r["rc"] for r in ran if r["rc"]))
    # after the failure: the cache upload and after_failure, as a real job prints them
    L += ["", "travis_fold:start:cache.2\r%s[0Kstore build cache" % ESC,
          "travis_time:start:%s\r%s[0K" % (jid[5:13], ESC),
          "travis_time:end:%s:start=1796284900000000000,finish=1796284900020000000,duration=20000000,event=cache\r%s[0K" % (jid[5:13], ESC),
          "travis_time:start:%s\r%s[0Kchange detected (content changed, file is created, or file is deleted):" % (jid[6:14], ESC),
          "/home/travis/.cache/%s/index" % lang, "/home/travis/.cache/%s/objects/pack/pack-1f2e3d.idx" % lang, "",
          "changes detected, packing new archive",
          "uploading main/cache-linux-focal-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855--%s.tgz" % lang,
          "cache uploaded",
          "travis_time:end:%s:start=1796284900030000000,finish=1796284904530000000,duration=4500000000,event=cache\r%s[0K" % (jid[6:14], ESC),
          "travis_fold:end:cache.2\r%s[0K" % ESC, "",
          "Done. Your build exited with %d." % (1 if rc else 0)]
    return L, starts


G.ENVELOPES["travis"] = travis_long


def main():
    G.run_part(HERE, PART, CASES, SEALED, clock_base=900, work_default="/tmp/realtools-noise")


if __name__ == "__main__":
    main()
