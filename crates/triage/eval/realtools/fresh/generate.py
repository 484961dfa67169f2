#!/usr/bin/env python3
"""Regenerate the realtools/fresh corpus from REAL tool output (helper fresh13).

Ada (gnat/gprbuild/AUnit), Free Pascal (fpc/fpcunit), SWI-Prolog (plunit)
(tune); GnuCOBOL (cobc), Clojure (clojure.test), Vala (valac, GLib.Test),
Octave (sealed). The projects, the injected failures and the label searches
are here; the CI envelopes, the scrubbing of this machine's paths and the
label search are ../scripting/generate.py (imported). Tool output is never
edited.

Usage: python3 generate.py [--only ID_SUBSTRING] [--work DIR]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripting"))
import generate as G  # noqa: E402

D = G.D
PART = "fresh"
SEALED = {"cobol", "clojure", "vala", "octave"}
CASES = []


def case(**kw):
    CASES.append(G.Case(**kw))


DNS_HOST = "index.pkgs.acme.invalid"
WAIT = D('''
    #!/bin/sh
    until (exec 3<>/dev/tcp/localhost/5432) 2>/dev/null; do
      echo "waiting for postgres at localhost:5432"
      sleep 1
    done
    ''')
KILL_SELF = "kill -9 $$"

# ---- Ada (tune) ------------------------------------------------------------

ADA_GPR = D('''
    project Ledger is
       for Source_Dirs use ("src");
       for Object_Dir use "obj";
       for Exec_Dir use "bin";
       for Main use ("main.adb");
       package Compiler is
          for Default_Switches ("Ada") use ("-g", "-gnata", "-gnatwa");
       end Compiler;
    end Ledger;
    ''')
ADA_ADS = D('''
    package Ledger is
       type Amount_Array is array (Positive range <>) of Integer;
       function Total (Items : Amount_Array) return Integer;
       function Average (Items : Amount_Array) return Integer;
    end Ledger;
    ''')
ADA_ADB = D('''
    package body Ledger is
       function Total (Items : Amount_Array) return Integer is
          Sum : Integer := 0;
       begin
          for I in Items'Range loop
             Sum := Sum + Items (I);
          end loop;
          return Sum;
       end Total;

       function Average (Items : Amount_Array) return Integer is
       begin
          return Total (Items) / Items'Length;
       end Average;
    end Ledger;
    ''')
ADA_MAIN = D('''
    with Ada.Text_IO; use Ada.Text_IO;
    with Ledger; use Ledger;

    procedure Main is
       Week : constant Amount_Array := (120, 80, 100);
    begin
       Put_Line ("total" & Integer'Image (Total (Week)));
       Put_Line ("average" & Integer'Image (Average (Week)));
    end Main;
    ''')
ADA_TEST_GPR = D('''
    with "aunit";
    project Tests is
       for Source_Dirs use ("src", "tests");
       for Object_Dir use "obj-tests";
       for Exec_Dir use "bin";
       for Main use ("test_runner.adb");
       package Compiler is
          for Default_Switches ("Ada") use ("-g", "-gnata");
       end Compiler;
    end Tests;
    ''')
ADA_TEST_ADS = D('''
    with AUnit.Test_Cases;
    package Ledger_Tests is
       type Ledger_Test is new AUnit.Test_Cases.Test_Case with null record;
       overriding procedure Register_Tests (T : in out Ledger_Test);
       overriding function Name (T : Ledger_Test) return AUnit.Message_String;
    end Ledger_Tests;
    ''')
ADA_TEST_ADB = D('''
    with AUnit.Assertions; use AUnit.Assertions;
    with Ledger; use Ledger;

    package body Ledger_Tests is
       use AUnit.Test_Cases.Registration;

       procedure Test_Total (T : in out AUnit.Test_Cases.Test_Case'Class) is
          pragma Unreferenced (T);
       begin
          Assert (Total ((1, 2, 3)) = 6, "total of 1, 2, 3");
       end Test_Total;

       procedure Test_Average (T : in out AUnit.Test_Cases.Test_Case'Class) is
          pragma Unreferenced (T);
       begin
          Assert (Average ((10, 20, 30)) = 20, "average of 10, 20, 30");
       end Test_Average;

       overriding procedure Register_Tests (T : in out Ledger_Test) is
       begin
          Register_Routine (T, Test_Total'Access, "Test_Total");
          Register_Routine (T, Test_Average'Access, "Test_Average");
       end Register_Tests;

       overriding function Name (T : Ledger_Test) return AUnit.Message_String is
          pragma Unreferenced (T);
       begin
          return AUnit.Format ("Ledger");
       end Name;
    end Ledger_Tests;
    ''')
ADA_SUITE = D('''
    with Ada.Command_Line;
    with AUnit; use AUnit;
    with AUnit.Reporter.Text;
    with AUnit.Run;
    with AUnit.Test_Suites; use AUnit.Test_Suites;
    with Ledger_Tests;

    procedure Test_Runner is
       function Suite return Access_Test_Suite is
          S : constant Access_Test_Suite := new Test_Suite;
       begin
          S.Add_Test (new Ledger_Tests.Ledger_Test);
          return S;
       end Suite;
       function Run is new AUnit.Run.Test_Runner_With_Status (Suite);
       Reporter : AUnit.Reporter.Text.Text_Reporter;
    begin
       if Run (Reporter) /= Success then
          Ada.Command_Line.Set_Exit_Status (Ada.Command_Line.Failure);
       end if;
    end Test_Runner;
    ''')
ADA_FILES = {"ledger.gpr": ADA_GPR, "src/ledger.ads": ADA_ADS, "src/ledger.adb": ADA_ADB,
             "src/main.adb": ADA_MAIN}
ADA_TFILES = dict(ADA_FILES, **{"tests.gpr": ADA_TEST_GPR, "tests/ledger_tests.ads": ADA_TEST_ADS,
                                "tests/ledger_tests.adb": ADA_TEST_ADB, "tests/test_runner.adb": ADA_SUITE})
ADA_SETUP = [("toolchain", "gnat --version | head -1\ngprbuild --version | head -1")]
ADA_BUILD = ("Build", "gprbuild -p -P ledger.gpr")

case(id="ada-type", lang="ada", tool="gprbuild", category="compilation", flaky=False,
     files=dict(ADA_FILES, **{"src/main.adb": ADA_MAIN.replace('Put_Line ("total" & Integer\'Image (Total (Week)));',
                                                                'Put_Line ("total" & Total (Week));')}),
     setup=ADA_SETUP, steps=[ADA_BUILD],
     keys=[("main.adb:7:", None)], needs=["gprbuild"])

case(id="ada-undefined", lang="ada", tool="gprbuild", category="compilation", flaky=False,
     files=dict(ADA_FILES, **{"src/ledger.adb": ADA_ADB.replace("Sum := Sum + Items (I);", "Sum := Sum + Item (I);")}),
     setup=ADA_SETUP, steps=[ADA_BUILD],
     keys=[("ledger.adb:6:", None)], needs=["gprbuild"])

case(id="ada-aunit", lang="ada", tool="aunit", category="test_failure", flaky=False,
     files=dict(ADA_TFILES, **{"src/ledger.adb": ADA_ADB.replace("/ Items'Length", "/ (Items'Length + 1)")}),
     setup=ADA_SETUP, steps=[("Build tests", "gprbuild -p -q -P tests.gpr"), ("Test", "./bin/test_runner")],
     keys=[("FAIL Ledger : Test_Average", "at ledger_tests.adb")], failed_tests=["Test_Average"], needs=["gprbuild"])

case(id="ada-constraint", lang="ada", tool="gnat runtime", category="test_failure", flaky=False,
     files=dict(ADA_FILES, **{"src/main.adb": ADA_MAIN.replace('   Put_Line ("average"',
                                                                '   Put_Line ("fourth" & Integer\'Image (Week (4)));\n   Put_Line ("average"')}),
     setup=ADA_SETUP, steps=[ADA_BUILD, ("Smoke test", "./bin/main")],
     keys=[("raised CONSTRAINT_ERROR", None)], needs=["gprbuild"])

case(id="ada-style", lang="ada", tool="gnat style check", category="lint", flaky=False,
     files=dict(ADA_FILES, **{"src/ledger.adb": ADA_ADB.replace("      return Sum;", "      return Sum ;").replace(
         "return Total (Items) / Items'Length;", "return Total(Items) / Items'Length;")}),
     setup=ADA_SETUP, steps=[("Style check", "gprbuild -p -c -P ledger.gpr -cargs -gnatyy -gnatwe -gnatwa")],
     keys=[("ledger.adb:8:", 0), ("ledger.adb:13:", 0)], needs=["gprbuild"])

case(id="ada-oom", lang="ada", tool="gnat runtime", category="oom", flaky=True,
     files=dict(ADA_FILES, **{"src/main.adb": D('''
        with Ada.Text_IO; use Ada.Text_IO;
        with Ledger; use Ledger;

        procedure Main is
           type Block is array (1 .. 64 * 1024 * 1024) of Integer;
           type Block_Access is access Block;
           Cache : array (1 .. 64) of Block_Access;
        begin
           for I in Cache'Range loop
              Cache (I) := new Block'(others => I);
              Put_Line ("cached block" & Integer'Image (I));
           end loop;
           Put_Line ("total" & Integer'Image (Total ((1, 2))));
        end Main;
        ''')}),
     setup=ADA_SETUP, steps=[ADA_BUILD, ("Load test", "ulimit -v 1200000\n./bin/main")],
     keys=[("raised STORAGE_ERROR", None)], needs=["gprbuild"])

case(id="ada-dns", lang="ada", tool="curl", category="infra", flaky=True,
     files=ADA_FILES, setup=ADA_SETUP,
     steps=[("Fetch crate index", "mkdir -p deps\ncurl -fsSL -o deps/index.tar.gz https://%s/alire/index-1.3.tar.gz\ntar -C deps -xzf deps/index.tar.gz" % DNS_HOST),
            ADA_BUILD],
     keys=[("Could not resolve host", None)], needs=["gprbuild", "curl"])

# ---- Free Pascal (tune) ----------------------------------------------------

FPC_UNIT = D('''
    unit Stats;

    {$mode objfpc}{$H+}

    interface

    function Mean(const Xs: array of Double): Double;
    function Clamp(X, Lo, Hi: Integer): Integer;

    implementation

    function Mean(const Xs: array of Double): Double;
    var
      I: Integer;
      Sum: Double;
    begin
      Sum := 0;
      for I := Low(Xs) to High(Xs) do
        Sum := Sum + Xs[I];
      Result := Sum / Length(Xs);
    end;

    function Clamp(X, Lo, Hi: Integer): Integer;
    begin
      if X < Lo then
        Result := Lo
      else if X > Hi then
        Result := Hi
      else
        Result := X;
    end;

    end.
    ''')
FPC_MAIN = D('''
    program Report;

    {$mode objfpc}{$H+}

    uses SysUtils, Stats;

    var
      Scores: array[0..2] of Double = (72, 88, 95);
    begin
      WriteLn('mean ', FormatFloat('0.00', Mean(Scores)));
      WriteLn('clamped ', Clamp(120, 0, 100));
    end.
    ''')
FPC_TESTS = D('''
    unit StatsTests;

    {$mode objfpc}{$H+}

    interface

    uses fpcunit, testregistry, Stats;

    type
      TStatsTest = class(TTestCase)
      published
        procedure TestMeanOfThree;
        procedure TestClampAbove;
        procedure TestClampBelow;
      end;

    implementation

    procedure TStatsTest.TestMeanOfThree;
    begin
      AssertEquals('mean of 1,2,3', 2.0, Mean([1.0, 2.0, 3.0]), 1e-9);
    end;

    procedure TStatsTest.TestClampAbove;
    begin
      AssertEquals('clamp above', 10, Clamp(15, 0, 10));
    end;

    procedure TStatsTest.TestClampBelow;
    begin
      AssertEquals('clamp below', 0, Clamp(-5, 0, 10));
    end;

    initialization
      RegisterTest(TStatsTest);
    end.
    ''')
FPC_RUNNER = D('''
    program TestRunner;

    {$mode objfpc}{$H+}

    uses consoletestrunner, StatsTests;

    var
      App: TTestRunner;
    begin
      DefaultFormat := fPlain;
      DefaultRunAllTests := True;
      App := TTestRunner.Create(nil);
      App.Initialize;
      App.Title := 'Stats tests';
      App.Run;
      App.Free;
    end.
    ''')
FPC_FILES = {"src/stats.pas": FPC_UNIT, "src/report.lpr": FPC_MAIN, "tests/statstests.pas": FPC_TESTS,
             "tests/testrunner.lpr": FPC_RUNNER}
FPC_SETUP = [("fpc -iV", "fpc -iV\nfpc -iTP")]
FPC_BUILD = ("Build", "mkdir -p out\nfpc -Fusrc -FEout -Cr -gl src/report.lpr")
FPC_TEST = ("Test", "mkdir -p out\nfpc -Fusrc -Futests -FEout -gl tests/testrunner.lpr\n./out/testrunner --all --format=plain")

case(id="fpc-identifier", lang="pascal", tool="fpc", category="compilation", flaky=False,
     files=dict(FPC_FILES, **{"src/stats.pas": FPC_UNIT.replace("Sum := Sum + Xs[I];", "Sum := Sum + X[I];")}),
     setup=FPC_SETUP, steps=[FPC_BUILD],
     keys=[("Error: Identifier not found", None)], needs=["fpc"])

case(id="fpc-types", lang="pascal", tool="fpc", category="compilation", flaky=False,
     files=dict(FPC_FILES, **{"src/report.lpr": FPC_MAIN.replace("WriteLn('clamped ', Clamp(120, 0, 100));",
                                                                  "WriteLn('clamped ', Clamp('120', 0, 100));")}),
     setup=FPC_SETUP, steps=[FPC_BUILD],
     keys=[("Error: Incompatible type", None)], needs=["fpc"])

case(id="fpc-fpcunit", lang="pascal", tool="fpcunit", category="test_failure", flaky=False,
     files=dict(FPC_FILES, **{"src/stats.pas": FPC_UNIT.replace("else if X > Hi then\n    Result := Hi", "else if X > Hi then\n    Result := X")}),
     setup=FPC_SETUP, steps=[FPC_TEST],
     keys=[("TestClampAbove  Failed", 2), ("Message:           TStatsTest.TestClampAbove", 2)], failed_tests=["TStatsTest.TestClampAbove"], needs=["fpc"])

case(id="fpc-range", lang="pascal", tool="fpc runtime", category="test_failure", flaky=False,
     files=dict(FPC_FILES, **{"src/report.lpr": FPC_MAIN.replace("WriteLn('clamped ', Clamp(120, 0, 100));",
                                                                  "WriteLn('clamped ', Clamp(120, 0, 100));\n  WriteLn('top ', Scores[Clamp(120, 0, 100)]:0:1);")}),
     setup=FPC_SETUP, steps=[("Build", "mkdir -p out\nfpc -Fusrc -FEout -Cr -Crt -gl -vw-n- src/report.lpr\n"), ("Smoke test", "./out/report")],
     keys=[("An unhandled exception occurred", 2)], needs=["fpc"])

case(id="fpc-unit-missing", lang="pascal", tool="fpc", category="dependency", flaky=False,
     files=dict(FPC_FILES, **{"src/report.lpr": FPC_MAIN.replace("uses SysUtils, Stats;", "uses SysUtils, Stats, synacode;")}),
     setup=FPC_SETUP, steps=[FPC_BUILD],
     keys=[("Can't find unit synacode", None)], needs=["fpc"])

case(id="fpc-oom", lang="pascal", tool="fpc runtime", category="oom", flaky=True,
     files=dict(FPC_FILES, **{"src/load.lpr": D('''
        program Load;

        {$mode objfpc}{$H+}

        uses SysUtils;

        var
          Cache: array[0..63] of Pointer;
          I: Integer;
        begin
          for I := 0 to 63 do
          begin
            Cache[I] := GetMem(256 * 1024 * 1024);
            FillChar(PByte(Cache[I])^, 256 * 1024 * 1024, I);
            WriteLn('cached segment ', I);
          end;
        end.
        ''')}),
     setup=FPC_SETUP, steps=[("Build", "mkdir -p out\nfpc -FEout -gl src/load.lpr"), ("Load test", "ulimit -v 1200000\n./out/load")],
     keys=[("An unhandled exception occurred", 1)], needs=["fpc"])

case(id="fpc-timeout", lang="pascal", tool="timeout", category="timeout", flaky=True,
     files=dict(FPC_FILES, **{"scripts/wait-db.sh": WAIT}),
     setup=FPC_SETUP, steps=[FPC_BUILD, ("Wait for database", "timeout --verbose 4 sh scripts/wait-db.sh")],
     keys=[("timeout: sending signal", None)], needs=["fpc", "timeout"])

# ---- SWI-Prolog (tune) -----------------------------------------------------

PL_LIB = D('''
    :- module(route, [shortest/4, edge/3]).

    edge(a, b, 4).
    edge(a, c, 1).
    edge(c, b, 2).
    edge(b, d, 5).

    path(X, Y, C, [X, Y]) :- edge(X, Y, C).
    path(X, Y, C, [X|P]) :- edge(X, Z, C1), path(Z, Y, C2, P), C is C1 + C2.

    shortest(X, Y, Cost, Path) :-
        aggregate_all(min(C, P), path(X, Y, C, P), min(Cost, Path)).
    ''')
PL_TEST = D('''
    :- use_module(route).
    :- use_module(library(plunit)).

    :- begin_tests(route).

    test(direct_edge) :-
        edge(a, c, C),
        assertion(C == 1).

    test(shortest_a_b, [true(Cost =:= 3)]) :-
        shortest(a, b, Cost, _).

    test(shortest_path, [true(Path == [a, c, b, d])]) :-
        shortest(a, d, _, Path).

    :- end_tests(route).
    ''')
PL_FILES = {"route.pl": PL_LIB, "tests/test_route.pl": PL_TEST}
PL_SETUP = [("swipl --version", "swipl --version")]
PL_T = ("Test", "swipl -g run_tests -t halt -p library=. tests/test_route.pl")

case(id="pl-plunit", lang="prolog", tool="plunit", category="test_failure", flaky=False,
     files=dict(PL_FILES, **{"route.pl": PL_LIB.replace("edge(c, b, 2).", "edge(c, b, 7).")}),
     setup=PL_SETUP, steps=[PL_T],
     keys=[("test_route.pl:10:", "Got:"), ("test_route.pl:13:", "Got:")], failed_tests=["shortest_a_b", "shortest_path"], needs=["swipl"])

case(id="pl-plunit-error", lang="prolog", tool="plunit", category="test_failure", flaky=False,
     files=dict(PL_FILES, **{"tests/test_route.pl": PL_TEST.replace("shortest(a, d, _, Path).", "shortest(a, d, _, Path),\n    length(Path, N),\n    N > limit.")}),
     setup=PL_SETUP, steps=[PL_T],
     keys=[("test_route.pl:13:", 1)], failed_tests=["shortest_path"], needs=["swipl"])

case(id="pl-syntax", lang="prolog", tool="swipl", category="compilation", flaky=False,
     files=dict(PL_FILES, **{"route.pl": PL_LIB.replace("edge(b, d, 5).", "edge(b, d, 5)")}),
     setup=PL_SETUP, steps=[("Test", "swipl --on-error=status -g run_tests -t halt tests/test_route.pl")],
     keys=[("Syntax error", None)], needs=["swipl"])

case(id="pl-unknown-proc", lang="prolog", tool="swipl", category="test_failure", flaky=False,
     files=dict(PL_FILES, **{"bin/report.pl": D('''
        :- use_module('../route').
        :- initialization(main, main).

        main :-
            shortest(a, d, Cost, Path),
            format("a -> d costs ~w via ~w~n", [Cost, Path]),
            print_route_table(Path).
        ''')}),
     setup=PL_SETUP, steps=[("Report", "swipl bin/report.pl")],
     keys=[("print_route_table/1", None)], needs=["swipl"])

case(id="pl-library", lang="prolog", tool="swipl", category="dependency", flaky=False,
     files=dict(PL_FILES, **{"bin/export.pl": D('''
        :- use_module(library(yaml_schema)).
        :- use_module('../route').
        :- initialization(main, main).

        main :- shortest(a, d, C, _), format("~w~n", [C]).
        ''')}),
     setup=PL_SETUP, steps=[("Export", "swipl --on-error=status bin/export.pl")],
     keys=[("export.pl:1:", 1)], needs=["swipl"])

case(id="pl-dns", lang="prolog", tool="swipl", category="infra", flaky=True,
     files=dict(PL_FILES, **{"bin/fetch.pl": D('''
        :- use_module(library(http/http_open)).
        :- initialization(main, main).

        main :-
            Url = 'https://%s/swipl/packs/index.json',
            format("fetching ~w~n", [Url]),
            setup_call_cleanup(http_open(Url, In, []), read_string(In, _, S), close(In)),
            string_length(S, N),
            format("~w bytes~n", [N]).
        ''' % DNS_HOST)}),
     setup=PL_SETUP, steps=[("Fetch pack index", "swipl bin/fetch.pl")],
     keys=[("Socket error: Name or service not known", None)], needs=["swipl"])

case(id="pl-killed", lang="prolog", tool="swipl", category="oom", flaky=True,
     files=dict(PL_FILES, **{"bin/bench.pl": D('''
        :- initialization(main, main).

        main :-
            forall(between(1, 4, I), format("bench round ~w: ok~n", [I])),
            format("bench round 5: allocating 8 GiB working set~n"),
            flush_output,
            current_prolog_flag(pid, Pid),
            format(atom(Cmd), "kill -9 ~w", [Pid]),
            shell(Cmd).
        ''')}),
     setup=PL_SETUP, steps=[("Benchmark", "swipl bin/bench.pl\necho 'bench done'")],
     keys=[("Killed", None)], needs=["swipl"])

# ---- GnuCOBOL (sealed) -----------------------------------------------------

COB_PAYROLL = D('''
           IDENTIFICATION DIVISION.
           PROGRAM-ID. PAYROLL.
           DATA DIVISION.
           WORKING-STORAGE SECTION.
           01 WS-RATES.
              05 WS-RATE PIC 9(3)V99 OCCURS 3 TIMES.
           01 WS-HOURS    PIC 9(3) VALUE 40.
           01 WS-TOTAL    PIC 9(7)V99 VALUE 0.
           01 WS-IDX      PIC 9(2).
           01 WS-OUT      PIC Z(6)9.99.
           PROCEDURE DIVISION.
               MOVE 25.50 TO WS-RATE(1)
               MOVE 30.00 TO WS-RATE(2)
               MOVE 41.25 TO WS-RATE(3)
               PERFORM VARYING WS-IDX FROM 1 BY 1 UNTIL WS-IDX > 3
                   COMPUTE WS-TOTAL = WS-TOTAL + WS-RATE(WS-IDX) * WS-HOURS
               END-PERFORM
               MOVE WS-TOTAL TO WS-OUT
               DISPLAY "PAYROLL TOTAL " WS-OUT
               STOP RUN.
    ''')
COB_TEST = D('''
           IDENTIFICATION DIVISION.
           PROGRAM-ID. TESTCALC.
           DATA DIVISION.
           WORKING-STORAGE SECTION.
           01 WS-A        PIC S9(5)V99.
           01 WS-B        PIC S9(5)V99.
           01 WS-R        PIC S9(7)V99.
           01 WS-PASS     PIC 9(3) VALUE 0.
           01 WS-FAIL     PIC 9(3) VALUE 0.
           PROCEDURE DIVISION.
               MOVE 10.50 TO WS-A
               MOVE 2 TO WS-B
               COMPUTE WS-R = WS-A * WS-B
               IF WS-R = 21.00
                   DISPLAY "PASS multiply-rate"
                   ADD 1 TO WS-PASS
               ELSE
                   DISPLAY "FAIL multiply-rate: expected 21.00 got " WS-R
                   ADD 1 TO WS-FAIL
               END-IF
               COMPUTE WS-R = WS-A + WS-B
               IF WS-R = 12.50
                   DISPLAY "PASS add-bonus"
                   ADD 1 TO WS-PASS
               ELSE
                   DISPLAY "FAIL add-bonus: expected 12.50 got " WS-R
                   ADD 1 TO WS-FAIL
               END-IF
               DISPLAY WS-PASS " passed, " WS-FAIL " failed"
               IF WS-FAIL > 0
                   MOVE 1 TO RETURN-CODE
               END-IF
               STOP RUN.
    ''')
COB_FILES = {"src/payroll.cob": COB_PAYROLL, "tests/testcalc.cob": COB_TEST}
COB_SETUP = [("cobc --version", "cobc --version | head -3")]
COB_BUILD = ("Build", "mkdir -p bin\ncobc -x -free -Wall -debug -o bin/payroll src/payroll.cob")

case(id="cobol-undefined", lang="cobol", tool="cobc", category="compilation", flaky=False,
     files=dict(COB_FILES, **{"src/payroll.cob": COB_PAYROLL.replace("MOVE WS-TOTAL TO WS-OUT", "MOVE WS-TOTL TO WS-OUT")}),
     setup=COB_SETUP, steps=[COB_BUILD],
     keys=[("WS-TOTL", None)], needs=["cobc"])

case(id="cobol-syntax", lang="cobol", tool="cobc", category="compilation", flaky=False,
     files=dict(COB_FILES, **{"src/payroll.cob": COB_PAYROLL.replace("MOVE WS-TOTAL TO WS-OUT", "MOVE WS-TOTAL WS-OUT")}),
     setup=COB_SETUP, steps=[COB_BUILD],
     keys=[("error:", None)], needs=["cobc"])

case(id="cobol-test", lang="cobol", tool="cobc", category="test_failure", flaky=False,
     files=dict(COB_FILES, **{"tests/testcalc.cob": COB_TEST.replace("COMPUTE WS-R = WS-A + WS-B", "COMPUTE WS-R = WS-A - WS-B")}),
     setup=COB_SETUP, steps=[COB_BUILD, ("Test", "cobc -x -free -o bin/testcalc tests/testcalc.cob\n./bin/testcalc")],
     keys=[("FAIL add-bonus", None)], failed_tests=["add-bonus"], needs=["cobc"])

case(id="cobol-subscript", lang="cobol", tool="libcob", category="test_failure", flaky=False,
     files=dict(COB_FILES, **{"src/payroll.cob": COB_PAYROLL.replace("UNTIL WS-IDX > 3", "UNTIL WS-IDX > 4")}),
     setup=COB_SETUP, steps=[COB_BUILD, ("Smoke test", "./bin/payroll")],
     keys=[("libcob: ", None)], needs=["cobc"])

case(id="cobol-copybook", lang="cobol", tool="cobc", category="dependency", flaky=False,
     files=dict(COB_FILES, **{"src/payroll.cob": COB_PAYROLL.replace("01 WS-HOURS", "COPY TAXRATES.\n01 WS-HOURS")}),
     setup=COB_SETUP, steps=[COB_BUILD],
     keys=[("TAXRATES", None)], needs=["cobc"])

case(id="cobol-timeout", lang="cobol", tool="timeout", category="timeout", flaky=True,
     files=dict(COB_FILES, **{"scripts/wait-db.sh": WAIT}),
     setup=COB_SETUP, steps=[COB_BUILD, ("Wait for database", "timeout --verbose 4 sh scripts/wait-db.sh")],
     keys=[("timeout: sending signal", None)], needs=["cobc", "timeout"])

# ---- Clojure (sealed) ------------------------------------------------------

CLJ_SRC = D('''
    (ns acme.cart)

    (defn subtotal [items]
      (reduce + (map (fn [{:keys [price qty]}] (* price qty)) items)))

    (defn discount [total code]
      (case code
        "TEN" (* total 0.9)
        "HALF" (* total 0.5)
        total))
    ''')
CLJ_TEST = D('''
    (ns acme.cart-test
      (:require [clojure.test :refer [deftest is testing run-tests]]
                [acme.cart :as cart]))

    (deftest subtotal-test
      (is (= 7 (cart/subtotal [{:price 2 :qty 2} {:price 3 :qty 1}]))))

    (deftest discount-test
      (testing "TEN takes ten percent"
        (is (= 90.0 (cart/discount 100 "TEN"))))
      (testing "unknown code is ignored"
        (is (= 100 (cart/discount 100 "NOPE")))))
    ''')
CLJ_RUN = D('''
    (require 'clojure.test 'acme.cart-test)
    (let [{:keys [fail error]} (clojure.test/run-tests 'acme.cart-test)]
      (System/exit (if (zero? (+ fail error)) 0 1)))
    ''')
CLJ_FILES = {"src/acme/cart.clj": CLJ_SRC, "test/acme/cart_test.clj": CLJ_TEST, "test/run.clj": CLJ_RUN}
CLJ_SETUP = [("clojure version", "java -version 2>&1 | head -1\nclojure -e '(println (clojure-version))'")]
CLJ_T = ("Test", "clojure -cp src:test test/run.clj")

case(id="clj-test-fail", lang="clojure", tool="clojure.test", category="test_failure", flaky=False,
     files=dict(CLJ_FILES, **{"src/acme/cart.clj": CLJ_SRC.replace('"TEN" (* total 0.9)', '"TEN" (* total 0.8)')}),
     setup=CLJ_SETUP, steps=[CLJ_T],
     keys=[("FAIL in (discount-test)", "actual:")], failed_tests=["acme.cart-test/discount-test"], needs=["clojure"])

case(id="clj-test-error", lang="clojure", tool="clojure.test", category="test_failure", flaky=False,
     files=dict(CLJ_FILES, **{"src/acme/cart.clj": CLJ_SRC.replace("(* price qty)", "(* price (:count qty))")}),
     setup=CLJ_SETUP, steps=[CLJ_T],
     keys=[("ERROR in (subtotal-test)", "actual:")], failed_tests=["acme.cart-test/subtotal-test"], needs=["clojure"])

case(id="clj-unresolved", lang="clojure", tool="clojure", category="compilation", flaky=False,
     files=dict(CLJ_FILES, **{"src/acme/cart.clj": CLJ_SRC.replace("(reduce + (map", "(reduce + (mapp")}),
     setup=CLJ_SETUP, steps=[CLJ_T],
     keys=[("Syntax error compiling", "Unable to resolve symbol")], needs=["clojure"])

case(id="clj-missing-ns", lang="clojure", tool="clojure", category="dependency", flaky=False,
     files=dict(CLJ_FILES, **{"src/acme/cart.clj": CLJ_SRC.replace("(ns acme.cart)", "(ns acme.cart\n  (:require [cheshire.core :as json]))")}),
     setup=CLJ_SETUP, steps=[CLJ_T],
     keys=[("Execution error (FileNotFoundException)", 1)], needs=["clojure"])

case(id="clj-oom", lang="clojure", tool="clojure", category="oom", flaky=True,
     files=dict(CLJ_FILES, **{"test/load.clj": D('''
        (def cache (atom []))
        (doseq [i (range 64)]
          (swap! cache conj (byte-array (* 64 1024 1024)))
          (println "cached segment" i))
        ''')}),
     setup=CLJ_SETUP, steps=[("Load test", "JAVA_TOOL_OPTIONS=-Xmx256m clojure -cp src:test test/load.clj")],
     keys=[("Execution error (OutOfMemoryError)", 1)], needs=["clojure"])

case(id="clj-killed", lang="clojure", tool="clojure", category="oom", flaky=True,
     files=dict(CLJ_FILES, **{"test/bench.clj": D('''
        (doseq [i (range 1 5)] (println (str "bench round " i ": ok")))
        (println "bench round 5: allocating 8 GiB working set")
        (flush)
        (.waitFor (.exec (Runtime/getRuntime) (into-array ["kill" "-9" (str (.pid (java.lang.ProcessHandle/current)))])))
        ''')}),
     setup=CLJ_SETUP, steps=[("Benchmark", "clojure -cp src:test test/bench.clj\necho 'bench done'")],
     keys=[("Killed", None)], needs=["clojure"])

# ---- Vala (sealed) ---------------------------------------------------------

VALA_LIB = D('''
    namespace Acme {
        public int word_count (string s) {
            int n = 0;
            foreach (unowned string w in s.split (" ")) {
                if (w != "") {
                    n++;
                }
            }
            return n;
        }

        public string initials (string s) {
            var sb = new StringBuilder ();
            foreach (unowned string w in s.split (" ")) {
                if (w != "") {
                    sb.append_unichar (w.get_char (0).toupper ());
                }
            }
            return sb.str;
        }
    }
    ''')
VALA_TEST = D('''
    void test_word_count () {
        assert_cmpint (Acme.word_count ("a b  c"), CompareOperator.EQ, 3);
    }

    void test_initials () {
        assert_cmpstr (Acme.initials ("grace brewster hopper"), CompareOperator.EQ, "GBH");
    }

    int main (string[] args) {
        Test.init (ref args);
        Test.add_func ("/text/word_count", test_word_count);
        Test.add_func ("/text/initials", test_initials);
        return Test.run ();
    }
    ''')
VALA_MAIN = D('''
    int main (string[] args) {
        print ("words: %d\\n", Acme.word_count ("the quick brown fox"));
        print ("initials: %s\\n", Acme.initials ("ada lovelace"));
        return 0;
    }
    ''')
VALA_FILES = {"src/text.vala": VALA_LIB, "src/main.vala": VALA_MAIN, "tests/test_text.vala": VALA_TEST}
VALA_SETUP = [("valac --version", "valac --version")]
VALA_BUILD = ("Build", "mkdir -p build\nvalac -o build/app src/text.vala src/main.vala")
VALA_T = ("Test", "mkdir -p build\nvalac -o build/test-text src/text.vala tests/test_text.vala\n./build/test-text")

case(id="vala-name", lang="vala", tool="valac", category="compilation", flaky=False,
     files=dict(VALA_FILES, **{"src/text.vala": VALA_LIB.replace("n++;", "count++;")}),
     setup=VALA_SETUP, steps=[VALA_BUILD],
     keys=[("error: The name", 2)], needs=["valac"])

case(id="vala-test", lang="vala", tool="glib test", category="test_failure", flaky=False,
     files=dict(VALA_FILES, **{"src/text.vala": VALA_LIB.replace("w.get_char (0).toupper ()", "w.get_char (0)")}),
     setup=VALA_SETUP, steps=[VALA_T],
     keys=[("ERROR:", 1)], failed_tests=["/text/initials"], needs=["valac"])

case(id="vala-package", lang="vala", tool="valac", category="dependency", flaky=False,
     files=VALA_FILES, setup=VALA_SETUP,
     steps=[("Build", "mkdir -p build\nvalac --pkg gee-0.8 -o build/app src/text.vala src/main.vala")],
     keys=[("gee-0.8", None)], needs=["valac"])

case(id="vala-type", lang="vala", tool="valac", category="compilation", flaky=False,
     files=dict(VALA_FILES, **{"src/main.vala": VALA_MAIN.replace('print ("words: %d\\n", Acme.word_count ("the quick brown fox"));',
                                                                  'int w = Acme.initials ("the quick brown fox");\n    print ("words: %d\\n", w);')}),
     setup=VALA_SETUP, steps=[VALA_BUILD],
     keys=[("error: Assignment: Cannot convert", 2)], needs=["valac"])

case(id="vala-dns", lang="vala", tool="git", category="infra", flaky=True,
     files=VALA_FILES, setup=VALA_SETUP,
     steps=[("Fetch subprojects", "git clone --depth=1 https://%s/gnome/json-glib.git subprojects/json-glib" % DNS_HOST), VALA_BUILD],
     keys=[("Could not resolve host", None)], needs=["valac", "git"])

# ---- Octave (sealed) -------------------------------------------------------

OCT_FN = D('''
    function y = moving_avg (x, k)
      % moving average over a window of k samples
      n = numel (x) - k + 1;
      y = zeros (1, n);
      for i = 1:n
        y(i) = mean (x(i:i+k-1));
      end
    end

    %!assert (moving_avg ([1 2 3 4], 2), [1.5 2.5 3.5])
    %!assert (moving_avg ([5 5 5], 3), 5)
    %!error moving_avg ()
    ''')
OCT_FILES = {"inst/moving_avg.m": OCT_FN}
OCT_SETUP = [("octave --version", "octave --version | head -1")]
OCT_T = ("Test", "octave --no-gui --no-window-system -q --eval \"addpath('inst'); [n, m] = test('moving_avg', 'verbose'); if n != m, exit(1); end\"")

case(id="oct-test", lang="octave", tool="octave test", category="test_failure", flaky=False,
     files={"inst/moving_avg.m": OCT_FN.replace("mean (x(i:i+k-1))", "sum (x(i:i+k-1)) / (k + 1)")},
     setup=OCT_SETUP, steps=[OCT_T],
     keys=[("!!!!! test failed", 1), ("!!!!! test failed", 1)], needs=["octave"])

case(id="oct-undefined", lang="octave", tool="octave", category="test_failure", flaky=False,
     files=dict(OCT_FILES, **{"scripts/report.m": "addpath('inst');\nx = [3 1 4 1 5 9 2 6];\ny = moving_avg (x, 3);\nprintf ('smoothed %d samples\\n', numel (y));\nplot_summary (y);\n"}),
     setup=OCT_SETUP, steps=[("Report", "octave --no-gui --no-window-system -q scripts/report.m")],
     keys=[("'plot_summary' undefined", None)], needs=["octave"])

case(id="oct-parse", lang="octave", tool="octave", category="compilation", flaky=False,
     files={"inst/moving_avg.m": OCT_FN.replace("y(i) = mean (x(i:i+k-1));", "y(i) = mean (x(i:i+k-1);")},
     setup=OCT_SETUP, steps=[OCT_T],
     keys=[("parse error near line", 4)], needs=["octave"])

case(id="oct-pkg", lang="octave", tool="octave pkg", category="dependency", flaky=False,
     files=dict(OCT_FILES, **{"scripts/fit.m": "pkg load statistics\nx = randn (100, 1);\nprintf ('kurtosis %f\\n', kurtosis (x));\n"}),
     setup=OCT_SETUP, steps=[("Fit", "octave --no-gui --no-window-system -q scripts/fit.m")],
     keys=[("package statistics is not installed", None)], needs=["octave"])

case(id="oct-timeout", lang="octave", tool="timeout", category="timeout", flaky=True,
     files=dict(OCT_FILES, **{"scripts/wait-db.sh": WAIT}),
     setup=OCT_SETUP, steps=[("Wait for database", "timeout --verbose 4 sh scripts/wait-db.sh"), OCT_T],
     keys=[("timeout: sending signal", None)], needs=["octave", "timeout"])


def main():
    G.run_part(HERE, PART, CASES, SEALED, clock_base=900, work_default="/tmp/realtools-fresh")


if __name__ == "__main__":
    main()
