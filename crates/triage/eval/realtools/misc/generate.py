#!/usr/bin/env python3
"""Regenerate the realtools/misc corpus from REAL tool output (helper misc11).

Objective-C (gobjc + GNUstep), C# (mono), Tcl (tune); D (gdc), Nim, Guile,
Racket (sealed). The projects, the injected failures and the label searches
are here; the CI envelopes, the scrubbing of this machine's paths and the
label search are ../scripting/generate.py (imported). Tool output is never
edited.

Usage: python3 generate.py [--only ID_SUBSTRING] [--work DIR]
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripting"))
import generate as G  # noqa: E402

D = G.D
PART = "misc"
SEALED = {"d", "nim", "guile", "racket"}
CASES = []


def case(**kw):
    CASES.append(G.Case(**kw))


DNS_HOST = "mirror.pkgs.acme.invalid"
WAIT = D('''
    #!/bin/sh
    until (exec 3<>/dev/tcp/localhost/5432) 2>/dev/null; do
      echo "waiting for postgres at localhost:5432"
      sleep 1
    done
    ''')

# ---- Objective-C (tune) ---------------------------------------------------

OBJC_MAKE = D('''
    OBJCFLAGS := $(shell gnustep-config --objc-flags) -Wall
    LIBS := $(shell gnustep-config --base-libs)

    all: build/inventory

    build/%.o: src/%.m
    \t@mkdir -p build
    \tgcc $(OBJCFLAGS) -Isrc -c $< -o $@

    build/inventory: build/Inventory.o build/main.o
    \tgcc -o $@ $^ $(LIBS)

    build/tests: build/Inventory.o build/tests.o
    \tgcc -o $@ $^ $(LIBS)

    test: build/tests
    \t./build/tests
    ''').replace("\\t", "\t")
OBJC_H = D('''
    #import <Foundation/Foundation.h>

    @interface Inventory : NSObject
    {
      NSMutableDictionary *counts;
    }
    - (void) add: (NSString *)sku count: (NSUInteger)n;
    - (NSUInteger) countOf: (NSString *)sku;
    - (NSUInteger) total;
    @end
    ''')
OBJC_M = D('''
    #import "Inventory.h"

    @implementation Inventory
    - (id) init
    {
      if ((self = [super init]) != nil)
        counts = [NSMutableDictionary new];
      return self;
    }
    - (void) add: (NSString *)sku count: (NSUInteger)n
    {
      NSUInteger have = [self countOf: sku];
      [counts setObject: [NSNumber numberWithUnsignedInteger: have + n] forKey: sku];
    }
    - (NSUInteger) countOf: (NSString *)sku
    {
      return [[counts objectForKey: sku] unsignedIntegerValue];
    }
    - (NSUInteger) total
    {
      NSUInteger t = 0;
      for (NSString *k in counts)
        t += [self countOf: k];
      return t;
    }
    @end
    ''')
OBJC_MAIN = D('''
    #import "Inventory.h"

    int main(void)
    {
      NSAutoreleasePool *pool = [NSAutoreleasePool new];
      Inventory *inv = [Inventory new];
      [inv add: @"apple" count: 3];
      [inv add: @"pear" count: 2];
      NSLog(@"total %lu", (unsigned long)[inv total]);
      [pool release];
      return 0;
    }
    ''')
OBJC_TESTS = D('''
    #import "Inventory.h"
    #include <stdio.h>

    static int failures = 0;
    #define CHECK_EQ(name, got, want) do { \\
      unsigned long g_ = (got), w_ = (want); \\
      if (g_ != w_) { \\
        fprintf(stderr, "%s:%d: FAIL %s: expected %lu, got %lu\\n", __FILE__, __LINE__, name, w_, g_); \\
        failures++; \\
      } else printf("PASS %s\\n", name); \\
    } while (0)

    int main(void)
    {
      NSAutoreleasePool *pool = [NSAutoreleasePool new];
      Inventory *inv = [Inventory new];
      [inv add: @"apple" count: 3];
      [inv add: @"apple" count: 4];
      CHECK_EQ("add accumulates", [inv countOf: @"apple"], 7);
      [inv add: @"pear" count: 2];
      CHECK_EQ("total sums skus", [inv total], 9);
      CHECK_EQ("unknown sku is zero", [inv countOf: @"plum"], 0);
      printf("%d failure(s)\\n", failures);
      [pool release];
      return failures ? 1 : 0;
    }
    ''')
OBJC_FILES = {"GNUmakefile": OBJC_MAKE, "src/Inventory.h": OBJC_H, "src/Inventory.m": OBJC_M,
              "src/main.m": OBJC_MAIN, "src/tests.m": OBJC_TESTS}
OBJC_SETUP = [("toolchain", "gcc --version\ngnustep-config --variable=GNUSTEP_MAKEFILES\ngnustep-config --objc-flags")]

case(id="objc-undeclared", lang="objective-c", tool="gcc", category="compilation", flaky=False,
     files=dict(OBJC_FILES, **{"src/Inventory.m": OBJC_M.replace("t += [self countOf: k];", "t += [self countOf: key];")}),
     setup=OBJC_SETUP, steps=[("Build", "make")],
     keys=[("error: ‘key’ undeclared", 1)], needs=["gcc", "gnustep-config"])

case(id="objc-test-fail", lang="objective-c", tool="gcc", category="test_failure", flaky=False,
     files=dict(OBJC_FILES, **{"src/Inventory.m": OBJC_M.replace("numberWithUnsignedInteger: have + n]", "numberWithUnsignedInteger: n]")}),
     setup=OBJC_SETUP, steps=[("Build", "make"), ("Test", "make test")],
     keys=[("FAIL add accumulates", None), ("FAIL total sums skus", None)], needs=["gcc", "gnustep-config"])

case(id="objc-werror", lang="objective-c", tool="gcc", category="compilation", flaky=False,
     files=dict(OBJC_FILES, **{"GNUmakefile": OBJC_MAKE.replace("-Wall", "-Wall -Werror"),
                               "src/main.m": OBJC_MAIN.replace("  [pool release];", "  int unused_count = 0;\n  [pool release];")}),
     setup=OBJC_SETUP, steps=[("Build", "make")],
     keys=[("error: unused variable ‘unused_count’", 1)], needs=["gcc", "gnustep-config"])

case(id="objc-exception", lang="objective-c", tool="gnustep-base", category="test_failure", flaky=False,
     files=dict(OBJC_FILES, **{"src/main.m": OBJC_MAIN.replace('  NSLog(@"total', '  NSArray *skus = [NSArray arrayWithObjects: @"apple", @"pear", nil];\n  NSLog(@"third sku %@", [skus objectAtIndex: 2]);\n  NSLog(@"total')}),
     setup=OBJC_SETUP, steps=[("Build", "make"), ("Smoke test", "./build/inventory")],
     keys=[("Uncaught exception NSRangeException", None)], needs=["gcc", "gnustep-config"])

case(id="objc-link", lang="objective-c", tool="ld", category="compilation", flaky=False,
     files=dict(OBJC_FILES, **{"GNUmakefile": OBJC_MAKE.replace("build/inventory: build/Inventory.o build/main.o", "build/inventory: build/main.o")}),
     setup=OBJC_SETUP, steps=[("Build", "make")],
     keys=[("undefined reference to", None)], needs=["gcc", "gnustep-config"])

case(id="objc-selector", lang="objective-c", tool="gnustep-base", category="test_failure", flaky=False,
     files=dict(OBJC_FILES, **{"src/main.m": OBJC_MAIN.replace('  NSLog(@"total', '  NSLog(@"skus %@", [inv performSelector: @selector(allSkus)]);\n  NSLog(@"total')}),
     setup=OBJC_SETUP, steps=[("Build", "make"), ("Smoke test", "./build/inventory")],
     keys=[("unrecognized selector sent to instance", None)], needs=["gcc", "gnustep-config"])

case(id="objc-dns", lang="objective-c", tool="git", category="infra", flaky=True,
     files=OBJC_FILES, setup=OBJC_SETUP,
     steps=[("Fetch vendored frameworks", "git clone --depth=1 https://%s/gnustep/libs-xcode.git vendor/libs-xcode\nmake" % DNS_HOST)],
     keys=[("Could not resolve host", None)], needs=["gcc", "git"])

case(id="objc-oom", lang="objective-c", tool="gnustep-base", category="oom", flaky=True,
     files=dict(OBJC_FILES, **{"src/main.m": OBJC_MAIN.replace('  NSLog(@"total', '  NSMutableArray *blocks = [NSMutableArray array];\n  int i;\n  for (i = 0; i < 64; i++) {\n    [blocks addObject: [NSMutableData dataWithLength: 64 * 1024 * 1024]];\n    NSLog(@"cached block %d", i);\n  }\n  NSLog(@"total')}),
     setup=OBJC_SETUP, steps=[("Build", "make"), ("Warm cache", "ulimit -v 500000\n./build/inventory")],
     keys=[("NSMallocException", None)], needs=["gcc", "gnustep-config"])

# ---- C# / mono (tune) -------------------------------------------------------

CS_LIB = D('''
    using System;
    using System.Collections.Generic;
    using System.Linq;

    namespace Acme.Billing
    {
        public class Invoice
        {
            private readonly List<decimal> lines = new List<decimal>();

            public void Add(decimal amount)
            {
                if (amount < 0) throw new ArgumentOutOfRangeException(nameof(amount));
                lines.Add(amount);
            }

            public decimal Total() => lines.Sum();

            public decimal TotalWithTax(decimal rate) => Math.Round(Total() * (1 + rate), 2);
        }
    }
    ''')
CS_TEST = D('''
    using NUnit.Framework;
    using Acme.Billing;

    namespace Acme.Billing.Tests
    {
        [TestFixture]
        public class InvoiceTests
        {
            [Test]
            public void TotalSumsLines()
            {
                var inv = new Invoice();
                inv.Add(10m);
                inv.Add(2.5m);
                Assert.AreEqual(12.5m, inv.Total());
            }

            [Test]
            public void TotalWithTaxRounds()
            {
                var inv = new Invoice();
                inv.Add(10m);
                Assert.AreEqual(11.90m, inv.TotalWithTax(0.19m));
            }

            [Test]
            public void EmptyInvoiceIsZero()
            {
                Assert.AreEqual(0m, new Invoice().Total());
            }
        }
    }
    ''')
CS_MAIN = D('''
    using System;
    using Acme.Billing;

    class Program
    {
        static int Main(string[] args)
        {
            var inv = new Invoice();
            inv.Add(4m);
            Console.WriteLine("total " + inv.Total());
            return 0;
        }
    }
    ''')
CS_FILES = {"src/Invoice.cs": CS_LIB, "tests/InvoiceTests.cs": CS_TEST, "src/Program.cs": CS_MAIN}
CS_SETUP = [("mono --version", "mono --version\nmcs --version")]
NUNIT = "/usr/lib/cli/nunit.framework-2.6"
CS_BUILD = ("mkdir -p bin\nmcs -target:library -out:bin/Acme.Billing.dll src/Invoice.cs\n"
            "mcs -target:library -r:bin/Acme.Billing.dll -r:$(ls /usr/lib/cli/nunit.framework-2.6.3/nunit.framework.dll) -out:bin/Acme.Billing.Tests.dll tests/InvoiceTests.cs")
CS_TESTRUN = "cp /usr/lib/cli/nunit.framework-2.6.3/nunit.framework.dll bin/\nnunit-console -nologo bin/Acme.Billing.Tests.dll"

case(id="cs-cs0103", lang="csharp", tool="mcs", category="compilation", flaky=False,
     files=dict(CS_FILES, **{"src/Invoice.cs": CS_LIB.replace("lines.Add(amount);", "line.Add(amount);")}),
     setup=CS_SETUP, steps=[("Build", CS_BUILD)],
     keys=[("error CS0103", None)], needs=["mcs"])

case(id="cs-cs0266", lang="csharp", tool="mcs", category="compilation", flaky=False,
     files=dict(CS_FILES, **{"src/Program.cs": CS_MAIN.replace("inv.Add(4m);", "inv.Add(4m);\n        int cents = inv.Total() * 100;")}),
     setup=CS_SETUP, steps=[("Build", "mkdir -p bin\nmcs -out:bin/app.exe src/Invoice.cs src/Program.cs")],
     keys=[("error CS0266", None)], needs=["mcs"])

case(id="cs-nunit-fail", lang="csharp", tool="nunit-console", category="test_failure", flaky=False,
     files=dict(CS_FILES, **{"src/Invoice.cs": CS_LIB.replace("Math.Round(Total() * (1 + rate), 2)", "Math.Round(Total() * rate, 2)")}),
     setup=CS_SETUP, steps=[("Build", CS_BUILD), ("Test", CS_TESTRUN)],
     keys=[("1) Test Failure : Acme.Billing.Tests.InvoiceTests.TotalWithTaxRounds", "But was:")],
     failed_tests=["Acme.Billing.Tests.InvoiceTests.TotalWithTaxRounds"], needs=["mcs", "nunit-console"])

case(id="cs-nunit-exception", lang="csharp", tool="nunit-console", category="test_failure", flaky=False,
     files=dict(CS_FILES, **{"src/Invoice.cs": CS_LIB.replace("if (amount < 0)", "if (amount <= 0)"),
                             "tests/InvoiceTests.cs": CS_TEST.replace("Assert.AreEqual(0m, new Invoice().Total());", "var inv = new Invoice();\n                inv.Add(0m);\n                Assert.AreEqual(0m, inv.Total());")}),
     setup=CS_SETUP, steps=[("Build", CS_BUILD), ("Test", CS_TESTRUN)],
     keys=[("1) Test Error : Acme.Billing.Tests.InvoiceTests.EmptyInvoiceIsZero", "at Acme.Billing.Tests.InvoiceTests.EmptyInvoiceIsZero")],
     failed_tests=["Acme.Billing.Tests.InvoiceTests.EmptyInvoiceIsZero"], needs=["mcs", "nunit-console"])

case(id="cs-unhandled", lang="csharp", tool="mono", category="test_failure", flaky=False,
     files=dict(CS_FILES, **{"src/Program.cs": CS_MAIN.replace("inv.Add(4m);", "inv.Add(4m);\n            string region = args.Length > 0 ? args[0] : null;\n            Console.WriteLine(\"region \" + region.ToUpper());")}),
     setup=CS_SETUP, steps=[("Build", "mkdir -p bin\nmcs -debug -out:bin/app.exe src/Invoice.cs src/Program.cs"), ("Smoke test", "mono --debug bin/app.exe")],
     keys=[("Unhandled Exception:", 1)], needs=["mcs", "mono"])

case(id="cs-warnaserror", lang="csharp", tool="mcs", category="compilation", flaky=False,
     files=dict(CS_FILES, **{"src/Program.cs": CS_MAIN.replace("var inv = new Invoice();", "var inv = new Invoice();\n            int retries;")}),
     setup=CS_SETUP, steps=[("Build", "mkdir -p bin\nmcs -warnaserror -out:bin/app.exe src/Invoice.cs src/Program.cs")],
     keys=[("error CS0168", None)], needs=["mcs"])

case(id="cs-oom", lang="csharp", tool="mono", category="oom", flaky=True,
     files=dict(CS_FILES, **{"src/Program.cs": CS_MAIN.replace("inv.Add(4m);", "inv.Add(4m);\n            var cache = new System.Collections.Generic.List<byte[]>();\n            for (int i = 0; i < 64; i++) { cache.Add(new byte[256 * 1024 * 1024]); Console.WriteLine(\"cached segment \" + i); }")}),
     setup=CS_SETUP, steps=[("Build", "mkdir -p bin\nmcs -out:bin/app.exe src/Invoice.cs src/Program.cs"), ("Load test", "ulimit -v 1500000\nmono bin/app.exe")],
     keys=[("OutOfMemoryException", None)], needs=["mcs", "mono"])

case(id="cs-timeout", lang="csharp", tool="timeout", category="timeout", flaky=True,
     files=dict(CS_FILES, **{"scripts/wait-db.sh": WAIT}),
     setup=CS_SETUP, steps=[("Build", CS_BUILD), ("Wait for database", "timeout --verbose 4 sh scripts/wait-db.sh")],
     keys=[("timeout: sending signal", None)], needs=["mcs", "timeout"])

# ---- Tcl (tune) -----------------------------------------------------------

TCL_LIB = D('''
    package provide strutil 1.0

    namespace eval strutil {
        namespace export slug wrap
    }

    proc strutil::slug {s} {
        set s [string tolower [string trim $s]]
        regsub -all {[^a-z0-9]+} $s - s
        return [string trim $s -]
    }

    proc strutil::wrap {s width} {
        set out {}
        set line {}
        foreach w [split $s] {
            if {[string length "$line $w"] > $width && $line ne {}} {
                lappend out $line
                set line $w
            } elseif {$line eq {}} {
                set line $w
            } else {
                append line " " $w
            }
        }
        if {$line ne {}} { lappend out $line }
        return [join $out \\n]
    }
    ''')
TCL_TEST = D('''
    package require tcltest
    namespace import ::tcltest::*
    source [file join [file dirname [info script]] .. lib strutil.tcl]

    test slug-1.0 {lower-cases and dashes} -body {
        strutil::slug "Hello World"
    } -result hello-world

    test slug-1.1 {drops punctuation at the ends} -body {
        strutil::slug "  Tcl/Tk 8.6!  "
    } -result tcl-tk-8-6

    test wrap-1.0 {wraps at the width} -body {
        strutil::wrap "a bb ccc dddd" 6
    } -result "a bb\\nccc\\ndddd"

    cleanupTests
    ''')
TCL_ALL = D('''
    package require tcltest
    namespace import ::tcltest::*
    configure -testdir [file dirname [file normalize [info script]]] -singleproc 1
    runAllTests
    ''')
TCL_FILES = {"lib/strutil.tcl": TCL_LIB, "tests/strutil.test": TCL_TEST, "tests/all.tcl": TCL_ALL}
TCL_SETUP = [("tclsh version", "echo 'puts \"Tcl [info patchlevel]\"; puts [package require tcltest]' | tclsh")]
TCL_RUN = "tclsh tests/all.tcl\ntclsh tests/strutil.test | tee test.log\n! grep -q 'Failed\t[1-9]' test.log"

case(id="tcl-tcltest-fail", lang="tcl", tool="tcltest", category="test_failure", flaky=False,
     files=dict(TCL_FILES, **{"lib/strutil.tcl": TCL_LIB.replace("return [string trim $s -]", "return $s")}),
     setup=TCL_SETUP, steps=[("Test", TCL_RUN)],
     keys=[("==== slug-1.1 drops punctuation at the ends FAILED", "==== slug-1.1 FAILED")], failed_tests=["slug-1.1"], needs=["tclsh"])

case(id="tcl-tcltest-error", lang="tcl", tool="tcltest", category="test_failure", flaky=False,
     files=dict(TCL_FILES, **{"lib/strutil.tcl": TCL_LIB.replace("if {[string length \"$line $w\"] > $width", "if {[string length \"$line $w\"] > $widht")}),
     setup=TCL_SETUP, steps=[("Test", TCL_RUN)],
     keys=[("==== wrap-1.0 wraps at the width FAILED", "==== wrap-1.0 FAILED")], failed_tests=["wrap-1.0"], needs=["tclsh"])

case(id="tcl-syntax", lang="tcl", tool="tclsh", category="compilation", flaky=False,
     files=dict(TCL_FILES, **{"lib/strutil.tcl": TCL_LIB.replace("    if {$line ne {}} { lappend out $line }\n", "    if {$line ne {}} { lappend out $line \n")}),
     setup=TCL_SETUP, steps=[("Test", "tclsh tests/strutil.test")],
     keys=[("missing close-brace", None)], needs=["tclsh"])

case(id="tcl-novar", lang="tcl", tool="tclsh", category="test_failure", flaky=False,
     files=dict(TCL_FILES, **{"bin/report.tcl": D('''
        source [file join [file dirname [info script]] .. lib strutil.tcl]
        foreach title {"Release Notes" "Known Issues"} {
            puts "[strutil::slug $title].html"
        }
        puts "written $count pages"
        ''')}),
     setup=TCL_SETUP, steps=[("Build docs", "tclsh bin/report.tcl")],
     keys=[("can't read \"count\": no such variable", None)], needs=["tclsh"])

case(id="tcl-package", lang="tcl", tool="tclsh", category="dependency", flaky=False,
     files=dict(TCL_FILES, **{"bin/export.tcl": "package require json::write 1.0\nputs [json::write object a 1]\n"}),
     setup=TCL_SETUP, steps=[("Export", "tclsh bin/export.tcl")],
     keys=[("can't find package json::write", None)], needs=["tclsh"])

case(id="tcl-dns", lang="tcl", tool="tclsh", category="infra", flaky=True,
     files=dict(TCL_FILES, **{"bin/fetch.tcl": D('''
        package require http
        set url http://%s/tcllib/tcllib-1.21.tar.gz
        puts "fetching $url"
        set tok [http::geturl $url -timeout 10000]
        puts [http::status $tok]
        ''' % DNS_HOST)}),
     setup=TCL_SETUP, steps=[("Fetch tcllib", "tclsh bin/fetch.tcl")],
     keys=[("couldn't open socket", None)], needs=["tclsh"])

case(id="tcl-killed", lang="tcl", tool="tclsh", category="oom", flaky=True,
     files=dict(TCL_FILES, **{"bin/bench.tcl": D('''
        fconfigure stdout -buffering line
        for {set i 1} {$i <= 4} {incr i} { puts "bench round $i: ok" }
        puts "bench round 5: allocating 8 GiB working set"
        exec kill -9 [pid]
        ''')}),
     setup=TCL_SETUP, steps=[("Benchmark", "tclsh bin/bench.tcl\necho 'bench done'")],
     keys=[("Killed", None)], needs=["tclsh"])

# ---- D / gdc (sealed) -----------------------------------------------------

D_CALC = D('''
    module calc;

    import std.algorithm : sum;

    double mean(const double[] xs)
    {
        return xs.sum / xs.length;
    }

    string grade(int score)
    {
        if (score >= 90) return "A";
        if (score >= 75) return "B";
        return "C";
    }

    unittest
    {
        assert(mean([1.0, 2.0, 3.0]) == 2.0);
        assert(grade(95) == "A");
        assert(grade(80) == "B", "80 is a B");
        assert(grade(10) == "C");
    }
    ''')
D_APP = D('''
    module app;

    import std.stdio;
    import calc;

    void main(string[] args)
    {
        auto scores = [72, 88, 95];
        foreach (s; scores)
            writefln("%d -> %s", s, grade(s));
    }
    ''')
D_FILES = {"source/calc.d": D_CALC, "source/app.d": D_APP}
D_SETUP = [("gdc --version", "gdc --version")]
D_TEST = "gdc -g -funittest -fmain -Isource source/calc.d -o calc-test\n./calc-test"

case(id="d-undefined", lang="d", tool="gdc", category="compilation", flaky=False,
     files=dict(D_FILES, **{"source/app.d": D_APP.replace("grade(s)", "letter(s)")}),
     setup=D_SETUP, steps=[("Build", "gdc -Isource source/app.d source/calc.d -o app")],
     keys=[("undefined identifier", None)], needs=["gdc"])

case(id="d-unittest", lang="d", tool="gdc", category="test_failure", flaky=False,
     files=dict(D_FILES, **{"source/calc.d": D_CALC.replace("if (score >= 75)", "if (score > 80)")}),
     setup=D_SETUP, steps=[("Test", D_TEST)],
     keys=[("AssertError@source/calc.d", None)], needs=["gdc"])

case(id="d-range", lang="d", tool="gdc", category="test_failure", flaky=False,
     files=dict(D_FILES, **{"source/app.d": D_APP.replace("foreach (s; scores)", "writefln(\"top: %d\", scores[3]);\n    foreach (s; scores)")}),
     setup=D_SETUP, steps=[("Build", "gdc -g -Isource source/app.d source/calc.d -o app"), ("Smoke test", "./app")],
     keys=[("ArrayIndexError", None)], needs=["gdc"])

case(id="d-type", lang="d", tool="gdc", category="compilation", flaky=False,
     files=dict(D_FILES, **{"source/app.d": D_APP.replace("auto scores = [72, 88, 95];", "auto scores = [72, 88, 95];\n    int best = grade(scores[0]);")}),
     setup=D_SETUP, steps=[("Build", "gdc -Isource source/app.d source/calc.d -o app")],
     keys=[("cannot implicitly convert", None)], needs=["gdc"])

case(id="d-oom", lang="d", tool="gdc", category="oom", flaky=True,
     files=dict(D_FILES, **{"source/app.d": D_APP.replace("auto scores = [72, 88, 95];", "ubyte[][] cache;\n    foreach (i; 0 .. 64) { cache ~= new ubyte[](256 * 1024 * 1024); writefln(\"cached segment %d\", i); stdout.flush(); }\n    auto scores = [72, 88, 95];")}),
     setup=D_SETUP, steps=[("Build", "gdc -Isource source/app.d source/calc.d -o app"), ("Load test", "ulimit -v 1200000\n./app")],
     keys=[("OutOfMemoryError", None)], needs=["gdc"])

case(id="d-timeout", lang="d", tool="timeout", category="timeout", flaky=True,
     files=dict(D_FILES, **{"scripts/wait-db.sh": WAIT}),
     setup=D_SETUP, steps=[("Build", "gdc -Isource source/app.d source/calc.d -o app"), ("Wait for database", "timeout --verbose 4 sh scripts/wait-db.sh")],
     keys=[("timeout: sending signal", None)], needs=["gdc", "timeout"])

# ---- Nim (sealed) ---------------------------------------------------------

NIM_LIB = D('''
    import std/strutils

    proc slugify*(s: string): string =
      result = s.strip.toLowerAscii.replace(" ", "-")

    proc median*(xs: seq[float]): float =
      let n = xs.len
      if n mod 2 == 1: xs[n div 2] else: (xs[n div 2 - 1] + xs[n div 2]) / 2
    ''')
NIM_TEST = D('''
    import std/unittest
    import ../src/textkit

    suite "textkit":
      test "slugify lower-cases":
        check slugify(" Hello World ") == "hello-world"

      test "median of an even list":
        check median(@[1.0, 2.0, 3.0, 4.0]) == 2.5

      test "median of an odd list":
        check median(@[1.0, 3.0, 5.0]) == 3.0
    ''')
NIM_FILES = {"src/textkit.nim": NIM_LIB, "tests/test_textkit.nim": NIM_TEST}
NIM_SETUP = [("nim --version", "nim --version")]
NIM_T = "nim c --hints:off -r tests/test_textkit.nim"

case(id="nim-unittest", lang="nim", tool="nim unittest", category="test_failure", flaky=False,
     files=dict(NIM_FILES, **{"src/textkit.nim": NIM_LIB.replace(") / 2", ") / 3")}),
     setup=NIM_SETUP, steps=[("Test", NIM_T)],
     keys=[("test_textkit.nim(9", "[FAILED] median of an even list")], failed_tests=["median of an even list"], needs=["nim"])

case(id="nim-type-mismatch", lang="nim", tool="nim", category="compilation", flaky=False,
     files=dict(NIM_FILES, **{"tests/test_textkit.nim": NIM_TEST.replace("median(@[1.0, 3.0, 5.0])", "median(@[1, 3, 5])")}),
     setup=NIM_SETUP, steps=[("Test", NIM_T)],
     keys=[("template/generic instantiation of `check`", "Error: type mismatch")], needs=["nim"])

case(id="nim-undeclared", lang="nim", tool="nim", category="compilation", flaky=False,
     files=dict(NIM_FILES, **{"src/textkit.nim": NIM_LIB.replace("s.strip.toLowerAscii", "s.strip.toLowerCase")}),
     setup=NIM_SETUP, steps=[("Test", NIM_T)],
     keys=[("Error: undeclared field", None)], needs=["nim"])

case(id="nim-index", lang="nim", tool="nim", category="test_failure", flaky=False,
     files=dict(NIM_FILES, **{"src/app.nim": "import textkit\nlet xs = @[3.0, 1.0]\necho \"median \", median(xs)\necho \"top \", xs[2]\n"}),
     setup=NIM_SETUP, steps=[("Smoke test", "nim c --hints:off -r src/app.nim")],
     keys=[("IndexDefect", None)], needs=["nim"])

case(id="nim-oom", lang="nim", tool="nim", category="oom", flaky=True,
     files=dict(NIM_FILES, **{"src/load.nim": "var cache: seq[seq[byte]]\nfor i in 0 ..< 64:\n  cache.add newSeq[byte](256 * 1024 * 1024)\n  echo \"cached segment \", i\n"}),
     setup=NIM_SETUP, steps=[("Build", "nim c --hints:off -d:release src/load.nim"), ("Load test", "ulimit -v 1200000\n./src/load")],
     keys=[("out of memory", None)], needs=["nim"])

case(id="nim-dns", lang="nim", tool="git", category="infra", flaky=True,
     files=NIM_FILES, setup=NIM_SETUP,
     steps=[("Fetch deps", "git clone --depth=1 https://%s/nim-lang/jsony.git deps/jsony" % DNS_HOST)],
     keys=[("Could not resolve host", None)], needs=["nim", "git"])

# ---- Guile (sealed) -------------------------------------------------------

GUILE_LIB = D('''
    (define-module (acme stats)
      #:export (mean clamp))

    (define (mean xs)
      (/ (apply + xs) (length xs)))

    (define (clamp x lo hi)
      (max lo (min x hi)))
    ''')
GUILE_TEST = D('''
    (use-modules (srfi srfi-64) (acme stats))

    (test-begin "stats")
    (test-equal "mean of three" 2 (mean '(1 2 3)))
    (test-equal "clamp above" 10 (clamp 15 0 10))
    (test-equal "clamp below" 0 (clamp -5 0 10))
    (define runner (test-runner-current))
    (test-end "stats")
    (exit (zero? (test-runner-fail-count runner)))
    ''')
GUILE_FILES = {"acme/stats.scm": GUILE_LIB, "tests/stats.scm": GUILE_TEST}
GUILE_SETUP = [("guile --version", "guile --version")]
GUILE_T = "guile --no-auto-compile -L . tests/stats.scm; rc=$?\ncat stats.log\nexit $rc"

case(id="guile-srfi64", lang="guile", tool="srfi-64", category="test_failure", flaky=False,
     files=dict(GUILE_FILES, **{"acme/stats.scm": GUILE_LIB.replace("(max lo (min x hi))", "(min lo (max x hi))")}),
     setup=GUILE_SETUP, steps=[("Test", GUILE_T)],
     keys=[("FAIL clamp above", None)], failed_tests=["clamp above"], needs=["guile"])

case(id="guile-unbound", lang="guile", tool="guile", category="test_failure", flaky=False,
     files=dict(GUILE_FILES, **{"acme/stats.scm": GUILE_LIB.replace("(apply + xs)", "(apply + xss)")}),
     setup=GUILE_SETUP, steps=[("Test", "guile -L . -c '(use-modules (acme stats)) (display (mean (list 1 2 3)))'")],
     keys=[("Unbound variable: xss", None)], needs=["guile"])

case(id="guile-syntax", lang="guile", tool="guile", category="compilation", flaky=False,
     files=dict(GUILE_FILES, **{"acme/stats.scm": GUILE_LIB.replace("(max lo (min x hi)))", "(max lo (min x hi))")}),
     setup=GUILE_SETUP, steps=[("Test", "guile -L . tests/stats.scm")],
     keys=[("unexpected end of input", None)], needs=["guile"])

case(id="guile-module", lang="guile", tool="guile", category="dependency", flaky=False,
     files=dict(GUILE_FILES, **{"tests/json.scm": "(use-modules (json))\n(display (scm->json-string '((a . 1))))\n"}),
     setup=GUILE_SETUP, steps=[("Test", "guile --no-auto-compile -L . tests/json.scm")],
     keys=[("no code for module (json)", None)], needs=["guile"])

case(id="guile-killed", lang="guile", tool="guile", category="oom", flaky=True,
     files=dict(GUILE_FILES, **{"bench.scm": D('''
        (use-modules (ice-9 format))
        (do ((i 1 (+ i 1))) ((> i 4)) (format #t "bench round ~a: ok~%" i))
        (format #t "bench round 5: allocating 8 GiB working set~%")
        (force-output)
        (kill (getpid) SIGKILL)
        ''')}),
     setup=GUILE_SETUP, steps=[("Benchmark", "guile --no-auto-compile bench.scm\necho 'bench done'")],
     keys=[("Killed", None)], needs=["guile"])

# ---- Racket (sealed) ------------------------------------------------------

RKT_LIB = D('''
    #lang racket/base
    (provide word-count title-case)
    (require racket/string)

    (define (word-count s)
      (length (string-split s)))

    (define (title-case s)
      (string-join (map string-titlecase (string-split s)) " "))
    ''')
RKT_TEST = D('''
    #lang racket/base
    (require rackunit "../text.rkt")

    (test-case "word-count counts words"
      (check-equal? (word-count "a b  c") 3))

    (test-case "title-case capitalises"
      (check-equal? (title-case "hello big world") "Hello Big World"))
    ''')
RKT_FILES = {"text.rkt": RKT_LIB, "tests/text-test.rkt": RKT_TEST}
RKT_SETUP = [("racket --version", "racket --version")]

case(id="rkt-rackunit", lang="racket", tool="raco test", category="test_failure", flaky=False,
     files=dict(RKT_FILES, **{"text.rkt": RKT_LIB.replace('(string-split s)) " ")', '(string-split s)) "")')}),
     setup=RKT_SETUP, steps=[("Test", "raco test tests")],
     keys=[("FAILURE", "expected:")], failed_tests=["title-case capitalises"], needs=["raco"])

case(id="rkt-unbound", lang="racket", tool="raco make", category="compilation", flaky=False,
     files=dict(RKT_FILES, **{"text.rkt": RKT_LIB.replace("(length (string-split s))", "(length (string-splitt s))")}),
     setup=RKT_SETUP, steps=[("Build", "raco make -v text.rkt tests/text-test.rkt")],
     keys=[("string-splitt: unbound identifier", None)], needs=["raco"])

case(id="rkt-contract", lang="racket", tool="racket", category="test_failure", flaky=False,
     files=dict(RKT_FILES, **{"main.rkt": "#lang racket/base\n(require \"text.rkt\")\n(printf \"words: ~a\\n\" (word-count 42))\n"}),
     setup=RKT_SETUP, steps=[("Smoke test", "racket main.rkt")],
     keys=[("string-split: contract violation", None)], needs=["racket"])

case(id="rkt-collection", lang="racket", tool="racket", category="dependency", flaky=False,
     files=dict(RKT_FILES, **{"main.rkt": "#lang racket/base\n(require gregor)\n(displayln (today))\n"}),
     setup=RKT_SETUP, steps=[("Smoke test", "racket main.rkt")],
     keys=[("collection not found", None)], needs=["racket"])

case(id="rkt-timeout", lang="racket", tool="timeout", category="timeout", flaky=True,
     files=dict(RKT_FILES, **{"scripts/wait-db.sh": WAIT}),
     setup=RKT_SETUP, steps=[("Wait for database", "timeout --verbose 4 sh scripts/wait-db.sh"), ("Test", "raco test tests")],
     keys=[("timeout: sending signal", None)], needs=["raco", "timeout"])


def main():
    G.run_part(HERE, PART, CASES, SEALED, clock_base=500, work_default="/tmp/realtools-misc")


if __name__ == "__main__":
    main()
