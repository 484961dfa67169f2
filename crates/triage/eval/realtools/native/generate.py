#!/usr/bin/env python3
"""Regenerate the `native` part of the real-tool corpus.

Every case is a tiny project with one injected failure (sometimes two). The
REAL tool (gcc, clang, make, cmake, ninja, ctest, GoogleTest, Catch2,
autotools, gfortran, ghc/cabal, dune, scalac, pdflatex, bats, shellcheck, go,
cargo) runs on it here; its output, unedited except for this machine's paths,
is wrapped in a CI job envelope (Travis, GitHub Actions, GitLab CI, Jenkins,
Buildkite, CircleCI, Azure Pipelines) whose step headers and exit-code footers
are the only lines this script writes. Labels come from construction: the
generator knows what it broke and finds the tool's message about it in the
final text by searching, never by line number.

python3 stdlib only. Usage: generate.py [--only ID_SUBSTRING] [--keep]
Tools that are missing are reported and their cases skipped.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
PART = "native"
WORK = "/tmp/real7-gen"

# Decided before measuring (README.md): the split is by ecosystem.
SEALED = {"fortran", "ocaml", "scala", "latex", "catch2", "autotools", "shellcheck", "go"}

CI_ROT = ["travis", "gha", "gitlab", "jenkins", "buildkite", "circleci", "azure"]
CI_ROOT = {
    "travis": "/home/travis/build/acme/{repo}",
    "gha": "/home/runner/work/{repo}/{repo}",
    "gitlab": "/builds/acme/{repo}",
    "jenkins": "/var/lib/jenkins/workspace/{repo}",
    "buildkite": "/var/lib/buildkite-agent/builds/bk-agent-3/acme/{repo}",
    "circleci": "/home/circleci/project",
    "azure": "/home/vsts/work/1/s",
}
CI_HOME = {
    "travis": "/home/travis", "gha": "/home/runner", "gitlab": "/root",
    "jenkins": "/var/lib/jenkins", "buildkite": "/var/lib/buildkite-agent",
    "circleci": "/home/circleci", "azure": "/home/vsts",
}

ENV = dict(os.environ)
ENV.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "",
            "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GONOSUMDB": "*", "GOSUMDB": "off",
            "CARGO_NET_OFFLINE": "true"})
ENV.pop("NO_COLOR")


def run(cmd, cwd, timeout=300, env=None):
    e = dict(ENV)
    if env:
        e.update(env)
    p = subprocess.run(["bash", "-c", cmd], cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout, env=e)
    return p.stdout.decode("utf-8", "replace"), p.returncode


def write(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        if path.endswith(".sh") or path.endswith(".bats") or "/bin/" in path:
            os.chmod(full, 0o755)


# ------------------------------------------------------------------ cases
# A case: files, setup steps (must pass), the failing step(s), keys to label.
# key = (regex, extra): the first line at/after the failing step's start that
# matches `regex`; `extra` is an int (lines after it that belong to the same
# message) or a regex every continuation line must match.

CASES = []


def case(id, eco, lang, tool, category, files, steps, keys, tests=None, flaky=False,
         need=(), env=None):
    CASES.append(dict(id=id, eco=eco, lang=lang, tool=tool, category=category, files=files,
                      steps=steps, keys=keys, tests=tests, flaky=flaky, need=need, env=env))


SNIP = r"^\s*(\d+ \||\|)"          # gcc/clang/rustc source snippet lines

# ---------------------------------------------------------------- C (gcc)
C_MAKEFILE = """
CC ?= gcc
CFLAGS ?= -O2 -Wall -Wextra -std=c11
OBJS = src/main.o src/parse.o src/buffer.o

all: app

app: $(OBJS)
\t$(CC) $(CFLAGS) -o $@ $(OBJS)

%.o: %.c
\t$(CC) $(CFLAGS) -Iinclude -c $< -o $@

check: app tests/run_tests
\t./tests/run_tests

tests/run_tests: tests/run_tests.c src/parse.o src/buffer.o
\t$(CC) $(CFLAGS) -Iinclude -o $@ $^

clean:
\trm -f app $(OBJS) tests/run_tests
"""
C_HDR = {
    "include/parse.h": """
        #ifndef PARSE_H
        #define PARSE_H
        #include <stddef.h>
        int parse_int(const char *s, int *out);
        size_t count_fields(const char *line, char sep);
        #endif
    """,
    "include/buffer.h": """
        #ifndef BUFFER_H
        #define BUFFER_H
        #include <stddef.h>
        typedef struct { char *data; size_t len, cap; } buffer;
        int buffer_init(buffer *b, size_t cap);
        int buffer_append(buffer *b, const char *s, size_t n);
        void buffer_free(buffer *b);
        #endif
    """,
}
C_BUFFER = """
    #include <stdlib.h>
    #include <string.h>
    #include "buffer.h"

    int buffer_init(buffer *b, size_t cap) {
        b->data = malloc(cap);
        b->len = 0;
        b->cap = b->data ? cap : 0;
        return b->data ? 0 : -1;
    }

    int buffer_append(buffer *b, const char *s, size_t n) {
        if (b->len + n > b->cap) {
            size_t cap = (b->len + n) * 2;
            char *p = realloc(b->data, cap);
            if (!p) return -1;
            b->data = p;
            b->cap = cap;
        }
        memcpy(b->data + b->len, s, n);
        b->len += n;
        return 0;
    }

    void buffer_free(buffer *b) { free(b->data); b->data = NULL; b->len = b->cap = 0; }
"""
C_PARSE = """
    #include <errno.h>
    #include <stdlib.h>
    #include "parse.h"

    int parse_int(const char *s, int *out) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || *end != '\\0') return -1;
        *out = (int)v;
        return 0;
    }

    size_t count_fields(const char *line, char sep) {
        size_t n = 1;
        for (; *line; line++)
            if (*line == sep) n++;
        return n;
    }
"""
C_MAIN = """
    #include <stdio.h>
    #include "parse.h"
    #include "buffer.h"

    int main(int argc, char **argv) {
        buffer b;
        if (buffer_init(&b, 64)) return 1;
        for (int i = 1; i < argc; i++) {
            int v;
            if (parse_int(argv[i], &v) == 0)
                buffer_append(&b, argv[i], 1);
        }
        printf("%zu fields\\n", count_fields("a,b,c", ','));
        buffer_free(&b);
        return 0;
    }
"""
C_TESTS = """
    #include <assert.h>
    #include <stdio.h>
    #include "parse.h"

    static void test_parse_int(void) {
        int v = 0;
        assert(parse_int("42", &v) == 0 && v == 42);
        assert(parse_int("4x", &v) == -1);
        printf("PASS: test_parse_int\\n");
    }

    static void test_count_fields(void) {
        assert(count_fields("a,b,c", ',') == 3);
        assert(count_fields("", ',') == %s);
        printf("PASS: test_count_fields\\n");
    }

    int main(void) {
        test_parse_int();
        test_count_fields();
        printf("all tests passed\\n");
        return 0;
    }
"""


def cproj(main=C_MAIN, parse=C_PARSE, buffer=C_BUFFER, makefile=C_MAKEFILE, tests_expect="1",
          extra=None):
    f = {"Makefile": makefile, "src/main.c": main, "src/parse.c": parse,
         "src/buffer.c": buffer, "tests/run_tests.c": C_TESTS % tests_expect}
    f.update(C_HDR)
    f.update(extra or {})
    return f


case("c_gcc_undeclared", "c", "c", "gcc", "compilation",
     cproj(main=C_MAIN.replace("buffer_free(&b);", "buffer_free(&buf);")),
     [("make", "make CC=gcc")],
     [(r"main\.c:\d+:\d+: error: .buf. undeclared", SNIP)])

case("c_gcc_link_undefined", "c", "c", "gcc", "compilation",
     cproj(parse=C_PARSE.replace("size_t count_fields(", "size_t count_field(")),
     [("make", "make")],
     [(r"in function .main.:", 1)])

case("c_gcc_werror", "c", "c", "gcc", "compilation",
     cproj(parse=C_PARSE.replace("char *end;", "char *end;\n        int unused_flag = 0;"),
           makefile=C_MAKEFILE.replace("-std=c11", "-std=c11 -Werror")),
     [("make", "make")],
     [(r"parse\.c:\d+:\d+: error: unused variable", SNIP)])

case("c_gcc_missing_header", "c", "c", "gcc", "compilation",
     cproj(buffer=C_BUFFER.replace('#include "buffer.h"', '#include "buffer.h"\n    #include <zstd.h>')),
     [("make", "make")],
     [(r"fatal error: zstd\.h: No such file", SNIP)])

case("c_gcc_two_errors", "c", "c", "gcc", "compilation",
     cproj(parse=C_PARSE.replace("*out = (int)v;", "*out = (int)v\n        "),
           buffer=C_BUFFER.replace("b->len += n;", "b->length += n;")),
     [("make -k", "make -k -j1")],
     [(r"parse\.c:\d+:\d+: error: expected .;.", SNIP),
      (r"buffer\.c:\d+:\d+: error: .buffer.* has no member named .length.", SNIP)])

case("c_assert_test", "c", "c", "gcc", "test_failure",
     cproj(tests_expect="0"),
     [("make", "make"), ("make check", "make check")],
     [(r"run_tests: .*Assertion .* failed", 0)])

case("c_warnings_then_link", "c", "c", "gcc", "compilation",
     cproj(main=C_MAIN.replace("int v;", "int v, unused;").replace(
         'printf("%zu fields\\n", count_fields("a,b,c", \',\'));',
         'printf("%zu fields\\n", count_fields("a,b,c", \',\'));\n        buffer_reset(&b);'),
         makefile=C_MAKEFILE.replace("-std=c11", "-std=gnu99")),
     [("make", "make")],
     [(r"undefined reference to .buffer_reset.", 0)])

case("c_segfault_check", "c", "c", "gcc", "test_failure",
     cproj(extra={"tests/run_tests.c": """
        #include <stdio.h>
        #include <string.h>
        #include "parse.h"

        int main(void) {
            const char *rows[] = {"a,b", "c,d,e", NULL};
            printf("PASS: test_parse_int\\n");
            for (int i = 0; i <= 3; i++) {
                printf("row %d: %zu fields\\n", i, count_fields(rows[i], ','));
                fflush(stdout);
            }
            return 0;
        }
     """}),
     [("make", "make"), ("make check", "make check")],
     [(r"Segmentation fault", 0)])

# ------------------------------------------------------------ C++ (clang/g++)
CPP_LIB = {
    "include/stats.hpp": """
        #pragma once
        #include <string>
        #include <vector>
        namespace stats {
        double mean(const std::vector<double>& xs);
        double median(std::vector<double> xs);
        std::string describe(const std::vector<double>& xs);
        }
    """,
    "src/stats.cpp": """
        #include "stats.hpp"
        #include <algorithm>
        #include <numeric>
        #include <sstream>
        namespace stats {
        double mean(const std::vector<double>& xs) {
            if (xs.empty()) return 0.0;
            return std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
        }
        double median(std::vector<double> xs) {
            if (xs.empty()) return 0.0;
            std::sort(xs.begin(), xs.end());
            size_t n = xs.size();
            return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2.0;
        }
        std::string describe(const std::vector<double>& xs) {
            std::ostringstream os;
            os << "n=" << xs.size() << " mean=" << mean(xs) << " median=" << median(xs);
            return os.str();
        }
        }
    """,
    "src/main.cpp": """
        #include <iostream>
        #include "stats.hpp"
        int main() {
            std::vector<double> xs{3, 1, 4, 1, 5, 9, 2, 6};
            std::cout << stats::describe(xs) << std::endl;
            return 0;
        }
    """,
}
CPP_MAKE = """
CXX ?= clang++
CXXFLAGS ?= -O2 -Wall -std=c++17 -Iinclude
app: src/main.o src/stats.o
\t$(CXX) $(CXXFLAGS) -o $@ $^
%.o: %.cpp
\t$(CXX) $(CXXFLAGS) -c $< -o $@
"""


def cpp(files=None, make=CPP_MAKE):
    f = dict(CPP_LIB)
    f["Makefile"] = make
    f.update(files or {})
    return f


case("cpp_clang_no_member", "cpp", "c++", "clang", "compilation",
     cpp({"src/stats.cpp": CPP_LIB["src/stats.cpp"].replace("size_t n = xs.size();", "size_t n = xs.length();")}),
     [("make", "make CXX=clang++")],
     [(r"stats\.cpp:\d+:\d+: error: no member named .length.", SNIP)])

case("cpp_gxx_no_matching", "cpp", "c++", "g++", "compilation",
     cpp({"src/main.cpp": CPP_LIB["src/main.cpp"].replace("stats::describe(xs)", "stats::describe(xs, 2)")}),
     [("make", "make CXX=g++")],
     [(r"main\.cpp:\d+:\d+: error: too many arguments to function|main\.cpp:\d+:\d+: error: no matching function", SNIP)])

case("cpp_clang_template_wall", "cpp", "c++", "clang", "compilation",
     cpp({"src/main.cpp": """
        #include <iostream>
        #include <map>
        #include <string>
        #include "stats.hpp"
        int main() {
            std::map<std::string, std::vector<double>> groups{{"a", {1, 2}}, {"b", {3}}};
            for (auto& [name, xs] : groups) {
                int unused = 0;
                std::cout << name << ": " << stats::describe(xs) << std::endl;
            }
            std::map<std::string, int> counts;
            counts.insert(std::vector<int>{1, 2});
            return 0;
        }
     """}),
     [("make", "make CXX=clang++")],
     [(r"main\.cpp:\d+:\d+: error: no matching member function for call to .insert.", SNIP)])

case("cpp_gxx_werror_sign", "cpp", "c++", "g++", "compilation",
     cpp({"src/stats.cpp": CPP_LIB["src/stats.cpp"].replace(
         "std::sort(xs.begin(), xs.end());",
         "for (int i = 0; i < xs.size(); ++i) if (xs[i] < 0) return -1;\n    std::sort(xs.begin(), xs.end());")},
         make=CPP_MAKE.replace("-Wall", "-Wall -Wextra -Werror")),
     [("make", "make CXX=g++")],
     [(r"stats\.cpp:\d+:\d+: error: comparison of integer expressions of different signedness", SNIP)])

# -------------------------------------------------------- recursive make
REC_TOP = """
SUBDIRS = lib tools

all:
\tfor d in $(SUBDIRS); do $(MAKE) -C $$d || exit 1; done

.PHONY: all
"""
REC_TOP2 = """
SUBDIRS = lib tools

all: $(SUBDIRS)

$(SUBDIRS):
\t$(MAKE) -C $@

tools: lib

.PHONY: all $(SUBDIRS)
"""
REC_LIB_MK = """
CFLAGS = -O2 -Wall -I../include
libutil.a: strutil.o hashmap.o
\tar rcs $@ $^
%.o: %.c
\t$(CC) $(CFLAGS) -c $< -o $@
"""
REC_TOOLS_MK = """
CFLAGS = -O2 -Wall -I../include
wc2: wc2.o ../lib/libutil.a
\t$(CC) $(CFLAGS) -o $@ $^
%.o: %.c
\t$(CC) $(CFLAGS) -c $< -o $@
"""
REC_FILES = {
    "include/util.h": """
        #pragma once
        #include <stddef.h>
        size_t str_count(const char *s, char c);
        unsigned long hash_str(const char *s);
    """,
    "lib/Makefile": REC_LIB_MK,
    "lib/strutil.c": """
        #include "util.h"
        size_t str_count(const char *s, char c) {
            size_t n = 0;
            for (; *s; s++) n += (*s == c);
            return n;
        }
    """,
    "lib/hashmap.c": """
        #include "util.h"
        unsigned long hash_str(const char *s) {
            unsigned long h = 5381;
            int c;
            while ((c = *s++)) h = ((h << 5) + h) + c;
            return h;
        }
    """,
    "tools/Makefile": REC_TOOLS_MK,
    "tools/wc2.c": """
        #include <stdio.h>
        #include "util.h"
        int main(int argc, char **argv) {
            for (int i = 1; i < argc; i++)
                printf("%s %zu %lu\\n", argv[i], str_count(argv[i], 'a'), hash_str(argv[i]));
            return 0;
        }
    """,
}


def rec(top=REC_TOP2, **over):
    f = dict(REC_FILES)
    f["Makefile"] = top
    f.update(over)
    return f


case("make_recursive_compile", "make", "c", "make", "compilation",
     rec(**{"tools/wc2.c": REC_FILES["tools/wc2.c"].replace("hash_str(argv[i])", "hash_str(argv[i], 31)")}),
     [("make", "make")],
     [(r"wc2\.c:\d+:\d+: error: too many arguments to function", SNIP)])

case("make_recursive_loop", "make", "c", "make", "compilation",
     rec(top=REC_TOP, **{"lib/hashmap.c": REC_FILES["lib/hashmap.c"].replace("int c;", "int c")}),
     [("make", "make")],
     [(r"hashmap\.c:\d+:\d+: error: expected", SNIP)])

case("make_no_rule", "make", "c", "make", "compilation",
     rec(**{"lib/Makefile": REC_LIB_MK.replace("strutil.o hashmap.o", "strutil.o hashmap.o arena.o")}),
     [("make", "make")],
     [(r"No rule to make target 'arena\.o'", 0)])

case("make_missing_separator", "make", "c", "make", "config",
     rec(**{"tools/Makefile": REC_TOOLS_MK.replace("\t$(CC) $(CFLAGS) -o $@ $^", "    $(CC) $(CFLAGS) -o $@ $^")}),
     [("make", "make")],
     [(r"Makefile:\d+: \*\*\* missing separator", 0)])

case("make_tool_not_found", "make", "c", "make", "dependency",
     rec(**{"lib/Makefile": REC_LIB_MK + "\nschema.c: schema.proto\n\tprotoc-c --c_out=. schema.proto\n",
            "lib/schema.proto": 'syntax = "proto3";\nmessage Row { string name = 1; }\n'},
         top=REC_TOP2.replace("$(MAKE) -C $@", "$(MAKE) -C $@ && $(MAKE) -C $@ schema.c")),
     [("make", "make")],
     [(r"protoc-c: (command )?not found|protoc-c: No such file", 0)])

# ---------------------------------------------------------- cmake / ninja
CM_BASE = """
cmake_minimum_required(VERSION 3.16)
project(geom CXX)
set(CMAKE_CXX_STANDARD 17)
add_library(geom src/geom.cpp)
target_include_directories(geom PUBLIC include)
add_executable(geomcli src/cli.cpp)
target_link_libraries(geomcli geom)
"""
CM_FILES = {
    "include/geom.hpp": """
        #pragma once
        struct Vec2 { double x, y; };
        double dot(Vec2 a, Vec2 b);
        double norm(Vec2 a);
        Vec2 scale(Vec2 a, double k);
    """,
    "src/geom.cpp": """
        #include "geom.hpp"
        #include <cmath>
        double dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
        double norm(Vec2 a) { return std::sqrt(dot(a, a)); }
        Vec2 scale(Vec2 a, double k) { return {a.x * k, a.y * k}; }
    """,
    "src/cli.cpp": """
        #include <cstdio>
        #include "geom.hpp"
        int main() {
            Vec2 v{3, 4};
            std::printf("%.1f %.1f\\n", norm(v), dot(v, scale(v, 2)));
            return 0;
        }
    """,
}


def cm(cmake=CM_BASE, **over):
    f = dict(CM_FILES)
    f["CMakeLists.txt"] = cmake
    f.update(over)
    return f


CFG_NINJA = ("cmake configure", "cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release")
CFG_MAKE = ("cmake configure", "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release")
BUILD = ("cmake build", "cmake --build build")

case("cmake_missing_package", "cmake", "c++", "cmake", "dependency",
     cm(CM_BASE + "find_package(Eigen4 3.4 REQUIRED)\ntarget_link_libraries(geom Eigen4::Eigen)\n"),
     [CFG_NINJA],
     [(r"CMake Error at CMakeLists\.txt:\d+ \(find_package\)", r"^\s+\S|^$")])

case("cmake_unknown_command", "cmake", "c++", "cmake", "config",
     cm(CM_BASE.replace("add_executable(geomcli", "add_exectuable(geomcli")),
     [CFG_NINJA],
     [(r"CMake Error at CMakeLists\.txt:\d+ \(add_exectuable\)", 1)])

case("cmake_missing_source", "cmake", "c++", "cmake", "config",
     cm(CM_BASE.replace("add_library(geom src/geom.cpp)", "add_library(geom src/geom.cpp src/polygon.cpp)")),
     [CFG_NINJA],
     [(r"CMake Error at CMakeLists\.txt:\d+ \(add_library\)", r"^\s+\S|^$")])

case("ninja_compile_error", "cmake", "c++", "ninja", "compilation",
     cm(**{"src/geom.cpp": CM_FILES["src/geom.cpp"].replace("return {a.x * k, a.y * k};", "return {a.x * k, a.z * k};")}),
     [CFG_NINJA, BUILD],
     [(r"geom\.cpp:\d+:\d+: error: .*z", SNIP)])

case("ninja_link_error", "cmake", "c++", "ninja", "compilation",
     cm(**{"include/geom.hpp": CM_FILES["include/geom.hpp"] + "double cross(Vec2 a, Vec2 b);\n",
           "src/cli.cpp": CM_FILES["src/cli.cpp"].replace("norm(v), dot(v, scale(v, 2))", "norm(v), cross(v, scale(v, 2))")}),
     [CFG_NINJA, BUILD],
     [(r"undefined reference to .cross\(Vec2, Vec2\)", 0)])

case("ninja_clang_error", "cmake", "c++", "ninja", "compilation",
     cm(**{"src/cli.cpp": CM_FILES["src/cli.cpp"].replace("Vec2 v{3, 4};", "Vec2 v{3, 4};\n    auto w = rotate(v, 0.5);")}),
     [("cmake configure", "CXX=clang++ cmake -S . -B build -G Ninja"), BUILD],
     [(r"cli\.cpp:\d+:\d+: error: use of undeclared identifier .rotate.", SNIP)])

case("cmake_make_build_error", "cmake", "c++", "cmake", "compilation",
     cm(**{"src/cli.cpp": CM_FILES["src/cli.cpp"].replace("#include <cstdio>", "#include <cstdio>\n#include \"geom/polygon.hpp\"")}),
     [CFG_MAKE, BUILD],
     [(r"fatal error: geom/polygon\.hpp: No such file", SNIP)])

# ---------------------------------------------------------------- ctest
CT_FILES = dict(CM_FILES)
CT_FILES.update({
    "tests/check_norm.cpp": """
        #include <cmath>
        #include <cstdio>
        #include "geom.hpp"
        int main() {
            double n = norm({3, 4});
            std::printf("norm({3,4}) = %g\\n", n);
            if (std::fabs(n - 5.0) > 1e-9) { std::printf("expected 5\\n"); return 1; }
            return 0;
        }
    """,
    "tests/check_dot.cpp": """
        #include <cstdio>
        #include "geom.hpp"
        int main() {
            double d = dot({1, 2}, {3, 4});
            std::printf("dot = %g\\n", d);
            if (d != DOT_EXPECTED) { std::fprintf(stderr, "check_dot: dot({1,2},{3,4}) returned %g, expected %g\\n", d, (double)DOT_EXPECTED); return 1; }
            return 0;
        }
    """,
    "tests/check_scale.cpp": """
        #include <cstdio>
        #include <unistd.h>
        #include "geom.hpp"
        int main() {
            SCALE_BODY
            Vec2 s = scale({1, 1}, 3);
            std::printf("scale = %g %g\\n", s.x, s.y);
            return s.x == 3 ? 0 : 1;
        }
    """,
})
CT_CMAKE = CM_BASE + """
enable_testing()
foreach(t check_norm check_dot check_scale)
  add_executable(${t} tests/${t}.cpp)
  target_link_libraries(${t} geom)
  add_test(NAME ${t} COMMAND ${t})
endforeach()
target_compile_definitions(check_dot PRIVATE DOT_EXPECTED=@DOT@)
set_tests_properties(check_scale PROPERTIES TIMEOUT 2)
"""


def ct(dot="11", scale=";"):
    f = dict(CT_FILES)
    f["CMakeLists.txt"] = CT_CMAKE.replace("@DOT@", dot)
    f["tests/check_scale.cpp"] = f["tests/check_scale.cpp"].replace("SCALE_BODY", scale)
    return f


CTEST = ("ctest", "cd build && ctest --output-on-failure")
case("ctest_plain_fail", "ctest", "c++", "ctest", "test_failure",
     ct(dot="12"), [CFG_NINJA, BUILD, CTEST],
     [(r"check_dot \.+\*+Failed", 1)], tests=["check_dot"])

case("ctest_timeout", "ctest", "c++", "ctest", "timeout",
     ct(scale="sleep(30);"), [CFG_MAKE, BUILD, CTEST],
     [(r"check_scale \.+\*+Timeout", 0)], tests=["check_scale"])

case("ctest_segfault", "ctest", "c++", "ctest", "test_failure",
     ct(scale="int *p = nullptr; if (SCALE_NULL) *p = 1;".replace("SCALE_NULL", "getpid() > 0")),
     [CFG_NINJA, BUILD, CTEST],
     [(r"check_scale \.+\*+Exception: SegFault", 0)], tests=["check_scale"])

case("ctest_two_fail", "ctest", "c++", "ctest", "test_failure",
     ct(dot="12", scale="return 2;"), [CFG_NINJA, BUILD, ("ctest", "cd build && ctest --output-on-failure -j1")],
     [(r"check_dot \.+\*+Failed", 1), (r"check_scale \.+\*+Failed", 0)],
     tests=["check_dot", "check_scale"])

# ------------------------------------------------------------ GoogleTest
GT_CMAKE = CM_BASE + """
enable_testing()
find_package(GTest REQUIRED)
add_executable(geom_test tests/geom_test.cpp)
target_link_libraries(geom_test geom GTest::gtest_main)
include(GoogleTest)
gtest_discover_tests(geom_test)
"""
GT_TEST = """
#include <gtest/gtest.h>
#include <stdexcept>
#include <vector>
#include "geom.hpp"

TEST(GeomTest, DotOfOrthogonalIsZero) {
  EXPECT_DOUBLE_EQ(dot({1, 0}, {0, 1}), 0.0);
}

TEST(GeomTest, NormOfUnit) {
  EXPECT_DOUBLE_EQ(norm({1, 0}), @NORM@);
}

TEST(GeomTest, ScaleByTwo) {
  Vec2 s = scale({1, 2}, 2);
  EXPECT_EQ(s.x, 2);
  EXPECT_EQ(s.y, @SY@);
}

TEST(ParserTest, RejectsEmpty) {
  @THROW@
  SUCCEED();
}

class NormParam : public ::testing::TestWithParam<double> {};
TEST_P(NormParam, NonNegative) {
  EXPECT_GE(norm({GetParam(), 0}), @PMIN@) << "for x=" << GetParam();
}
INSTANTIATE_TEST_SUITE_P(Values, NormParam, ::testing::Values(0.0, 1.5, -2.0));
"""


def gt(norm="1.0", sy="4", throw="", pmin="0.0"):
    f = dict(CM_FILES)
    f["CMakeLists.txt"] = GT_CMAKE
    f["tests/geom_test.cpp"] = GT_TEST.replace("@NORM@", norm).replace("@SY@", sy).replace(
        "@THROW@", throw).replace("@PMIN@", pmin)
    return f


GT_RUN = ("unit tests", "./build/geom_test")
case("gtest_expect_eq", "gtest", "c++", "googletest", "test_failure",
     gt(sy="5"), [CFG_NINJA, BUILD, GT_RUN],
     [(r"geom_test\.cpp:\d+: Failure", r"^(Expected|  |Which is|Value of|Actual|Expected:)")],
     tests=["GeomTest.ScaleByTwo"])

case("gtest_exception", "gtest", "c++", "googletest", "test_failure",
     gt(throw='throw std::runtime_error("empty input: no rows");'), [CFG_MAKE, BUILD, GT_RUN],
     [(r"unknown file: Failure", 1)], tests=["ParserTest.RejectsEmpty"])

case("gtest_param", "gtest", "c++", "googletest", "test_failure",
     gt(pmin="1.0"), [CFG_NINJA, BUILD, GT_RUN],
     [(r"geom_test\.cpp:\d+: Failure", r"^(Expected|  |Which is|Value of|Actual|for x=)")],
     tests=["Values/NormParam.NonNegative/0"])

case("gtest_two_via_ctest", "gtest", "c++", "googletest", "test_failure",
     gt(norm="2.0", sy="5"), [CFG_NINJA, BUILD, ("ctest", "cd build && ctest --output-on-failure")],
     [(r"geom_test\.cpp:\d+: Failure", r"^(Expected|  |Which is|Value of|Actual)"),
      (r"geom_test\.cpp:\d+: Failure", r"^(Expected|  |Which is|Value of|Actual)")],
     tests=["GeomTest.NormOfUnit", "GeomTest.ScaleByTwo"])

case("gtest_filter_shuffle", "gtest", "c++", "googletest", "test_failure",
     gt(norm="0.5"), [CFG_NINJA, BUILD, ("unit tests", "./build/geom_test --gtest_shuffle --gtest_random_seed=7 --gtest_color=yes")],
     [(r"geom_test\.cpp:\d+: Failure", r"^(Expected|  |Which is|Value of|Actual)")],
     tests=["GeomTest.NormOfUnit"])

# --------------------------------------------------------------- Haskell
HS_CABAL = """
cabal-version:      2.4
name:               textstats
version:            0.1.0.0
build-type:         Simple

library
    exposed-modules:  TextStats
    build-depends:    base >=4 && <5
    hs-source-dirs:   src
    default-language: Haskell2010
    ghc-options:      -Wall @WERROR@

executable textstats
    main-is:          Main.hs
    build-depends:    base >=4 && <5, textstats
    hs-source-dirs:   app
    default-language: Haskell2010

test-suite spec
    type:             exitcode-stdio-1.0
    main-is:          Spec.hs
    hs-source-dirs:   test
    build-depends:    base >=4 && <5, textstats, @TESTDEP@
    default-language: Haskell2010
"""
HS_LIB = """
module TextStats (wordCount, lineCount, longest) where

import Data.List (maximumBy)
import Data.Ord (comparing)

wordCount :: String -> Int
wordCount = length . words

lineCount :: String -> Int
lineCount = length . lines

longest :: String -> Maybe String
longest s = case words s of
  [] -> Nothing
  ws -> Just (maximumBy (comparing length) ws)
"""
HS_MAIN = """
module Main (main) where

import TextStats

main :: IO ()
main = do
  s <- getContents
  print (wordCount s, lineCount s, longest s)
"""
HS_HSPEC = """
import Test.Hspec
import TextStats

main :: IO ()
main = hspec $ do
  describe "wordCount" $ do
    it "counts words separated by spaces" $
      wordCount "a b c" `shouldBe` 3
    it "ignores repeated blanks" $
      wordCount "a   b" `shouldBe` @WC@
  describe "longest" $ do
    it "is Nothing for empty input" $
      longest "" `shouldBe` Nothing
    it "picks the longest word" $
      longest "to be or not" `shouldBe` Just "@LONG@"
"""
HS_HUNIT = """
import Test.HUnit
import System.Exit
import TextStats

tests :: Test
tests = TestList
  [ "wordCount" ~: wordCount "a b c" ~?= 3
  , "lineCount" ~: lineCount "a\\nb\\n" ~?= @LC@
  , "longest"   ~: longest "aa b" ~?= Just "aa"
  ]

main :: IO ()
main = do
  c <- runTestTT tests
  if failures c + errors c > 0 then exitFailure else exitSuccess
"""


def hs(lib=HS_LIB, main=HS_MAIN, werror="", test="hspec", wc="2", long="not", lc="2"):
    spec = (HS_HSPEC.replace("@WC@", wc).replace("@LONG@", long) if test == "hspec"
            else HS_HUNIT.replace("@LC@", lc))
    return {"textstats.cabal": HS_CABAL.replace("@WERROR@", werror).replace(
                "@TESTDEP@", "hspec" if test == "hspec" else "HUnit"),
            "src/TextStats.hs": lib, "app/Main.hs": main, "test/Spec.hs": spec,
            "cabal.project": "packages: .\ntests: True\n"}


CABAL_BUILD = ("cabal build", "cabal build --offline all 2>&1")
HSENV = {"CABAL_DIR": "/tmp/real7-gen/_cabal"}
CABAL_TEST = ("cabal test", "cabal test --offline --test-show-details=direct 2>&1")
case("ghc_type_error", "haskell", "haskell", "ghc", "compilation",
     hs(lib=HS_LIB.replace("wordCount = length . words", "wordCount = words")), [CABAL_BUILD],
     [(r"TextStats\.hs:\d+:\d+: error:", r"^\s+\S|^\d+ \|")])

case("ghc_scope_error", "haskell", "haskell", "ghc", "compilation",
     hs(main=HS_MAIN.replace("lineCount s", "lineCnt s")), [CABAL_BUILD],
     [(r"Main\.hs:\d+:\d+: error:", r"^\s+\S|^\d+ \|")])

case("ghc_werror_unused", "haskell", "haskell", "ghc", "compilation",
     hs(lib=HS_LIB.replace("import Data.Ord (comparing)", "import Data.Ord (comparing)\nimport Data.Char (toUpper)"),
        werror="-Werror"), [CABAL_BUILD],
     [(r"TextStats\.hs:\d+:\d+: error: \[-Wunused-imports", r"^\s+\S|^\d+ \|")])

case("hspec_failure", "haskell", "haskell", "hspec", "test_failure",
     hs(wc="3"), [CABAL_BUILD, CABAL_TEST],
     [(r"^\s*1\) wordCount ignores repeated blanks", r"^\s+\S")],
     tests=["wordCount ignores repeated blanks"])

case("hspec_two_failures", "haskell", "haskell", "hspec", "test_failure",
     hs(wc="3", long="note"), [CABAL_BUILD, CABAL_TEST],
     [(r"^\s*1\) wordCount ignores repeated blanks", r"^\s+\S"),
      (r"^\s*2\) longest picks the longest word", r"^\s+\S")],
     tests=["wordCount ignores repeated blanks", "longest picks the longest word"])

case("hunit_failure", "haskell", "haskell", "hunit", "test_failure",
     hs(test="hunit", lc="3"), [CABAL_BUILD, CABAL_TEST],
     [(r"### Failure in: 1:lineCount", r"^(expected|\s*but got|\S+\.hs:)")],
     tests=["1:lineCount"])

# ----------------------------------------------------------------- shell
BATS_LIB = """
#!/usr/bin/env bash
# semver helpers used by the release scripts
semver_bump() {
  local v=$1 part=$2
  IFS=. read -r major minor patch <<<"$v"
  case $part in
    major) echo "$((major + 1)).0.0" ;;
    minor) echo "$major.$((minor + 1)).0" ;;
    patch) echo "$major.$minor.$((patch + 1))" ;;
    *) echo "unknown part: $part" >&2; return 2 ;;
  esac
}
semver_cmp() {
  [ "$(printf '%s\\n%s\\n' "$1" "$2" | sort -V | head -n1)" = "$1" ]
}
"""
BATS_TEST = """
#!/usr/bin/env bats

setup() {
  source "$BATS_TEST_DIRNAME/../lib/semver.sh"
}

@test "bump patch" {
  run semver_bump 1.2.3 patch
  [ "$status" -eq 0 ]
  [ "$output" = "1.2.4" ]
}

@test "bump minor resets patch" {
  run semver_bump 1.2.3 minor
  [ "$status" -eq 0 ]
  [ "$output" = "@MINOR@" ]
}

@test "bump major" {
  result="$(semver_bump 1.2.3 major)"
  [ "$result" = "@MAJOR@" ]
}

@test "unknown part fails" {
  run semver_bump 1.2.3 build
  [ "$status" -eq @STATUS@ ]
}

@test "compare versions" {
  semver_cmp 1.2.3 1.10.0
}
"""


def bats_proj(minor="1.3.0", major="2.0.0", status="2"):
    return {"lib/semver.sh": BATS_LIB,
            "test/semver.bats": BATS_TEST.replace("@MINOR@", minor).replace("@MAJOR@", major).replace("@STATUS@", status)}


BATS = ("bats", "bats test/")
case("bats_failure", "shell", "shell", "bats", "test_failure",
     bats_proj(minor="1.3.1"), [BATS],
     [(r"^not ok 2 bump minor resets patch", r"^# ")], tests=["bump minor resets patch"])

case("bats_two_failures", "shell", "shell", "bats", "test_failure",
     bats_proj(major="2.0.1", status="1"), [("bats", "bats --tap test/")],
     [(r"^not ok 3 bump major", r"^# "), (r"^not ok 4 unknown part fails", r"^# ")],
     tests=["bump major", "unknown part fails"])

SH_DEPLOY = """
#!/usr/bin/env bash
set -euo pipefail
echo "==> packaging release $RELEASE_TAG"
mkdir -p dist
tar -czf dist/site.tar.gz lib
echo "==> uploading to ${DEPLOY_BUCKET}"
ls -l dist
"""
case("sh_unbound_variable", "shell", "shell", "bash", "config",
     {"lib/semver.sh": BATS_LIB, "scripts/deploy.sh": SH_DEPLOY},
     [("deploy", "RELEASE_TAG=v1.4.0 ./scripts/deploy.sh")],
     [(r"DEPLOY_BUCKET: unbound variable", 0)])

case("sh_command_not_found", "shell", "shell", "bash", "dependency",
     {"scripts/release-notes.sh": """
        #!/usr/bin/env bash
        set -e
        echo "collecting merged pull requests"
        git log --oneline | head -n 3
        prs=$(git log --format=%s | grep -c Merge || true)
        echo "found $prs merge commits"
        git-cliff --tag v1.4.0 -o CHANGELOG.md
        echo "notes written"
     """},
     [("release notes", "./scripts/release-notes.sh")],
     [(r"git-cliff: command not found", 0)])

case("sh_set_e_cp", "shell", "shell", "bash", "config",
     {"scripts/package.sh": """
        #!/bin/sh
        set -ex
        VERSION=$(cat VERSION)
        mkdir -p out
        cp README.md out/
        cp "build/app-$VERSION.bin" out/
        sha256sum out/* > out/SHA256SUMS
     """, "VERSION": "1.4.0\n", "README.md": "# app\n"},
     [("package", "./scripts/package.sh")],
     [(r"cp: cannot stat 'build/app-1\.4\.0\.bin'", 0)])

# ------------------------------------------------------------------ Rust
RS_TOML = """
[package]
name = "tally"
version = "0.1.0"
edition = "2021"

[dependencies]
@DEPS@
"""
RS_LIB = """
//! Word tallies for log lines.
use std::collections::HashMap;

pub fn tally(text: &str) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for w in text.split_whitespace() {
        *m.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    m
}

pub fn top(text: &str, n: usize) -> Vec<(String, usize)> {
    let mut v: Vec<_> = tally(text).into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

pub fn mean_len(text: &str) -> f64 {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return 0.0;
    }
    words.iter().map(|w| w.len()).sum::<usize>() as f64 / words.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_case_insensitively() {
        assert_eq!(tally("A a b")["a"], @COUNT@);
    }

    #[test]
    fn top_orders_by_count() {
        assert_eq!(top("b a b", 1), vec![("b".to_string(), 2)]);
    }

    #[test]
    fn mean_len_of_empty_is_zero() {
        assert_eq!(mean_len(""), 0.0);
    }

    #[test]
    fn top_of_empty() {
        @TOPEMPTY@
    }
}
"""


def rs(lib=None, count="2", topempty="assert!(top(\"\", 3).is_empty());", deps=""):
    lib = lib or RS_LIB
    return {"Cargo.toml": RS_TOML.replace("@DEPS@", deps),
            "src/lib.rs": lib.replace("@COUNT@", count).replace("@TOPEMPTY@", topempty),
            "src/main.rs": """
                use std::io::Read;
                fn main() {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s).unwrap();
                    for (w, n) in tally::top(&s, 5) {
                        println!("{n:5} {w}");
                    }
                }
            """}


RCOL = {"CARGO_TERM_COLOR": "always"}
case("rust_mismatched_types", "rust", "rust", "cargo", "compilation",
     rs(lib=RS_LIB.replace("v.truncate(n);", "v.truncate(n as u32);")),
     [("cargo build", "cargo build --offline --locked 2>&1 || cargo build --offline 2>&1")],
     [(r"^error\[E0308\]: mismatched types", r"^\s*(-->|\d*\s*\||=|\.\.\.)|^\s*$")])

case("rust_borrow_error", "rust", "rust", "cargo", "compilation",
     rs(lib=RS_LIB.replace("        *m.entry(w.to_lowercase()).or_insert(0) += 1;",
                           "        let e = m.entry(w.to_lowercase()).or_insert(0);\n        let n = m.len();\n        *e += n;")),
     [("cargo build", "cargo build --offline")],
     [(r"error\[E0502\]: cannot borrow", r"^\s*(-->|\d*\s*\||=|\.\.\.)|^\s*$")], env=RCOL)

case("rust_test_failure", "rust", "rust", "cargo", "test_failure",
     rs(count="3"), [("cargo build", "cargo build --offline"), ("cargo test", "cargo test --offline")],
     [(r"^---- tests::counts_case_insensitively stdout ----", 5)], tests=["tests::counts_case_insensitively"])

case("rust_two_test_failures", "rust", "rust", "cargo", "test_failure",
     rs(count="3", topempty='let v = top("", 3); assert!(!v.is_empty(), "top of empty text gave {v:?}");'),
     [("cargo test", "cargo test --offline")],
     [(r"^---- tests::top_of_empty stdout ----", 3),
      (r"^---- tests::counts_case_insensitively stdout ----", 5)],
     tests=["tests::counts_case_insensitively", "tests::top_of_empty"], env=RCOL)

case("rust_clippy_deny", "rust", "rust", "clippy", "lint",
     rs(lib=RS_LIB.replace("if words.is_empty() {", "if words.len() == 0 {")),
     [("cargo clippy", "cargo clippy --offline -- -D warnings")],
     [(r"^error: length comparison to zero", r"^\s*(-->|\d*\s*\||=|\.\.\.)|^\s*$")])

case("rust_offline_dependency", "rust", "rust", "cargo", "dependency",
     rs(deps='serde_yamlx = "0.9"'), [("cargo build", "cargo build --offline")],
     [(r"^error: no matching package named .serde_yamlx. found", r"^\S")])

case("rust_unwrap_panic_main", "rust", "rust", "cargo", "test_failure",
     {**rs(), "tests/cli.rs": """
        use std::process::Command;
        #[test]
        fn reads_stdin() {
            let out = Command::new(env!("CARGO_BIN_EXE_tally")).arg("--json").output().unwrap();
            assert!(out.status.success(), "exit {:?}", out.status);
        }
        #[test]
        fn config_parses() {
            let cfg = std::fs::read_to_string("tally.toml").unwrap();
            assert!(cfg.contains("top"));
        }
     """},
     [("cargo test", "cargo test --offline")],
     [(r"^---- config_parses stdout ----", 3)], tests=["config_parses"])

# ----------------------------------------------------------- infra (tune)
case("infra_curl_dns", "c", "c", "curl", "infra", cproj(),
     [("fetch test data", "curl -sSfL -o testdata.tar.gz https://artifacts.unreachable.invalid/testdata/v3.tar.gz"),
      ("make", "make")],
     [(r"curl: \(6\) Could not resolve host", 0)], flaky=True)

case("infra_timeout_verbose", "ctest", "c++", "timeout", "timeout",
     ct(scale="sleep(30);"), [CFG_NINJA, BUILD, ("ctest", "cd build && timeout --verbose 5 ./check_scale")],
     [(r"timeout: sending signal TERM", 0)])

case("oom_bad_alloc", "cpp", "c++", "g++", "oom",
     {"Makefile": "bench: bench.cpp\n\tg++ -O1 -o bench bench.cpp\n", "bench.cpp": """
        #include <cstdio>
        #include <vector>
        int main() {
            std::vector<std::vector<char>> blocks;
            for (int i = 0; i < 64; i++) {
                blocks.emplace_back(64u << 20, 1);
                std::printf("allocated %d MiB\\n", (i + 1) * 64);
                std::fflush(stdout);
            }
            return 0;
        }
     """},
     [("build", "make"), ("memory benchmark", "ulimit -v 400000; ./bench")],
     [(r"terminate called after throwing an instance of 'std::bad_alloc'", 1)])

case("oom_killed", "rust", "rust", "cargo", "oom", rs(),
     [("cargo build", "cargo build --offline"),
      ("integration", "./target/debug/tally < /dev/zero & pid=$!; sleep 1; kill -9 $pid; wait $pid")],
     [(r"Killed", 0)], flaky=True)

case("infra_git_clone", "make", "c", "git", "infra", rec(),
     [("submodules", "git clone --depth 1 https://git.unreachable.invalid/acme/vendor-libs.git vendor"),
      ("make", "make")],
     [(r"fatal: unable to access", 0)], flaky=True)

# -------------------------------------------------------- Fortran (sealed)
F_MOD = """
module stats_mod
  implicit none
contains
  pure function mean(x) result(m)
    real, intent(in) :: x(:)
    real :: m
    m = sum(x) / size(x)
  end function mean

  pure function variance(x) result(v)
    real, intent(in) :: x(:)
    real :: v
    v = sum((x - mean(x))**2) / (size(x) - 1)
  end function variance
end module stats_mod
"""
F_MAIN = """
program main
  use stats_mod
  implicit none
  real :: data(10)
  integer :: i
  do i = 1, 10
    data(i) = real(i)
  end do
  print '(a, f8.3)', 'mean     = ', mean(data)
  print '(a, f8.3)', 'variance = ', variance(data)
end program main
"""
F_MK = """
FC = gfortran
FFLAGS = -O2 -Wall -fcheck=bounds
stats: stats_mod.o main.o
\t$(FC) $(FFLAGS) -o $@ $^
main.o: stats_mod.o
%.o: %.f90
\t$(FC) $(FFLAGS) -c $<
test: stats
\t./stats
"""
case("fortran_syntax_error", "fortran", "fortran", "gfortran", "compilation",
     {"Makefile": F_MK, "stats_mod.f90": F_MOD.replace("m = sum(x) / size(x)", "m = sum(x) / size(x"),
      "main.f90": F_MAIN},
     [("make", "make")],
     [(r"stats_mod\.f90:\d+:\d+:", r"^\s*$|^\s+\d+ \||^\s+\||^Error:")])

case("fortran_implicit_none", "fortran", "fortran", "gfortran", "compilation",
     {"Makefile": F_MK, "stats_mod.f90": F_MOD, "main.f90": F_MAIN.replace("data(i) = real(i)", "data(i) = real(i) * scale")},
     [("make", "make")],
     [(r"main\.f90:\d+:\d+:", r"^\s*$|^\s+\d+ \||^\s+\||^Error:")])

case("fortran_bounds_runtime", "fortran", "fortran", "gfortran", "test_failure",
     {"Makefile": F_MK, "stats_mod.f90": F_MOD, "main.f90": F_MAIN.replace("do i = 1, 10", "do i = 1, 11")},
     [("make", "make"), ("make test", "make test")],
     [(r"^At line \d+ of file main\.f90", 1)])

case("fortran_link_error", "fortran", "fortran", "gfortran", "compilation",
     {"Makefile": F_MK, "stats_mod.f90": F_MOD,
      "main.f90": F_MAIN.replace("print '(a, f8.3)', 'variance", "call report(data)\n  print '(a, f8.3)', 'variance")},
     [("make", "make")],
     [(r"undefined reference to .report_.", 0)])

# --------------------------------------------------------- OCaml (sealed)
ML_FILES = {
    "dune-project": "(lang dune 2.9)\n",
    "bin/dune": "(executable (name main) (libraries shapes))\n",
    "lib/dune": "(library (name shapes))\n",
    "test/dune": "(test (name test_shapes) (libraries shapes))\n",
    "lib/shapes.ml": """
        type shape = Circle of float | Rect of float * float

        let area = function
          | Circle r -> Float.pi *. r *. r
          | Rect (w, h) -> w *. h

        let perimeter = function
          | Circle r -> 2. *. Float.pi *. r
          | Rect (w, h) -> 2. *. (w +. h)

        let describe s = Printf.sprintf "area=%.2f perimeter=%.2f" (area s) (perimeter s)
    """,
    "bin/main.ml": """
        let () =
          let shapes = [ Shapes.Circle 1.0; Shapes.Rect (2.0, 3.0) ] in
          List.iter (fun s -> print_endline (Shapes.describe s)) shapes
    """,
    "test/test_shapes.ml": """
        let () =
          assert (Shapes.area (Shapes.Rect (2.0, 3.0)) = 6.0);
          print_endline "rect area ok";
          assert (Shapes.perimeter (Shapes.Rect (2.0, 3.0)) = @PERIM@);
          print_endline "rect perimeter ok"
    """,
}


def ml(perim="10.0", **over):
    f = dict(ML_FILES)
    f["test/test_shapes.ml"] = f["test/test_shapes.ml"].replace("@PERIM@", perim)
    for k, v in over.items():
        f[k.replace("__", "/").replace("_ml", ".ml")] = v
    return f


DUNE_BUILD = ("dune build", "dune build 2>&1")
case("dune_type_error", "ocaml", "ocaml", "dune", "compilation",
     ml(**{"bin__main_ml": ML_FILES["bin/main.ml"].replace("print_endline (Shapes.describe s)", "print_endline (Shapes.area s)")}),
     [DUNE_BUILD],
     [(r'^File "bin/main\.ml", line \d+', r"^\d+ \||^\s+\^|^Error|^\s{2,}\S")])

case("dune_unbound_value", "ocaml", "ocaml", "dune", "compilation",
     ml(**{"lib__shapes_ml": ML_FILES["lib/shapes.ml"].replace("(area s) (perimeter s)", "(area s) (perimetre s)")}),
     [DUNE_BUILD],
     [(r'^File "lib/shapes\.ml", line \d+', r"^\d+ \||^\s+\^|^Error|^\s{2,}\S")])

case("dune_warning_error", "ocaml", "ocaml", "dune", "compilation",
     ml(**{"lib__shapes_ml": ML_FILES["lib/shapes.ml"].replace("let describe s =", "let describe s =\n  let unit_name = \"cm\" in")}),
     [DUNE_BUILD],
     [(r'^File "lib/shapes\.ml", line \d+', r"^\d+ \||^\s+\^|^Error|^\s{2,}\S")])

case("dune_test_assert", "ocaml", "ocaml", "dune", "test_failure",
     ml(perim="12.0"), [DUNE_BUILD, ("dune test", "dune test 2>&1")],
     [(r"Fatal error: exception Assert_failure", 0)], tests=["test_shapes"])

# --------------------------------------------------------- Scala (sealed)
SC_MAIN = """
object Inventory {
  case class Item(name: String, qty: Int, price: BigDecimal)

  def total(items: Seq[Item]): BigDecimal = items.map(i => i.price * i.qty).sum

  def restock(items: Seq[Item], min: Int): Seq[Item] =
    items.filter(_.qty < min).map(i => i.copy(qty = min))

  def main(args: Array[String]): Unit = {
    val items = Seq(Item("bolt", 10, BigDecimal("0.25")), Item("nut", 3, BigDecimal("0.10")))
    println(s"total = ${total(items)}")
    println(s"restock = ${restock(items, 5).map(_.name).mkString(",")}")
  }
}
"""
SCALAC = ("scalac", "mkdir -p out && scalac -d out src/Inventory.scala")
case("scalac_type_mismatch", "scala", "scala", "scalac", "compilation",
     {"src/Inventory.scala": SC_MAIN.replace('Item("nut", 3,', 'Item("nut", "3",')}, [SCALAC],
     [(r"Inventory\.scala:\d+: error: type mismatch", r"^\s+(found|required)|^\s+\S|^\s+\^")])

case("scalac_not_found", "scala", "scala", "scalac", "compilation",
     {"src/Inventory.scala": SC_MAIN.replace("restock(items, 5).map(_.name)", "restok(items, 5).map(_.name)")}, [SCALAC],
     [(r"Inventory\.scala:\d+: error: not found: value restok", 2)])

case("scala_assertion_test", "scala", "scala", "scala", "test_failure",
     {"src/Inventory.scala": SC_MAIN, "src/InventoryCheck.scala": """
        object InventoryCheck {
          import Inventory._
          def main(args: Array[String]): Unit = {
            val items = Seq(Item("bolt", 10, BigDecimal("0.25")))
            assert(total(items) == BigDecimal("2.50"), "total of 10 bolts")
            println("total ok")
            val r = restock(Seq(Item("nut", 3, BigDecimal("0.10"))), 5)
            assert(r.head.qty == 6, s"restock to min gave ${r.head.qty}")
            println("restock ok")
          }
        }
     """},
     [("scalac", "mkdir -p out && scalac -d out src/*.scala"), ("checks", "scala -cp out InventoryCheck")],
     [(r"java\.lang\.AssertionError: assertion failed: restock to min gave 5", 0)])

# --------------------------------------------------------- LaTeX (sealed)
TEX = r"""
\documentclass{article}
\usepackage{amsmath}
\title{Design notes}
\author{Build team}
\begin{document}
\maketitle
\section{Overview}
The scheduler assigns each job to the least loaded worker.
\section{Cost}
For $n$ jobs and $m$ workers the cost is
\begin{equation}
  C(n, m) = \sum_{i=1}^{n} \frac{w_i}{m}
\end{equation}
@BODY@
\end{document}
"""
PDFLATEX = ("docs", "cd docs && pdflatex -interaction=nonstopmode -halt-on-error design.tex")
case("latex_undefined_cs", "latex", "latex", "pdflatex", "docs",
     {"docs/design.tex": TEX.replace("@BODY@", r"The bound is \bigO{n \log n} in practice.")}, [PDFLATEX],
     [(r"^! Undefined control sequence\.", r"^l\.\d+|^\S")])

case("latex_missing_sty", "latex", "latex", "pdflatex", "docs",
     {"docs/design.tex": TEX.replace(r"\usepackage{amsmath}", "\\usepackage{amsmath}\n\\usepackage{minted2}").replace("@BODY@", "")},
     [PDFLATEX],
     [(r"^! LaTeX Error: File .minted2\.sty. not found", 0)])

case("latex_missing_dollar", "latex", "latex", "pdflatex", "docs",
     {"docs/design.tex": TEX.replace("@BODY@", r"Each worker keeps a queue of size q_i for its jobs.")}, [PDFLATEX],
     [(r"^! Missing \$ inserted\.", r"^l\.\d+|^<")])

case("latex_env_mismatch", "latex", "latex", "pdflatex", "docs",
     {"docs/design.tex": TEX.replace("@BODY@", "\\begin{itemize}\n\\item one\n\\item two\n\\end{enumerate}")}, [PDFLATEX],
     [(r"^! LaTeX Error: \\begin\{itemize\} on input line \d+ ended by", 0)])

# -------------------------------------------------------- Catch2 (sealed)
C2_TEST = r"""
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

static std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) { out.push_back(cur); cur.clear(); } else cur += c;
  }
  out.push_back(cur);
  return out;
}

static int parse_port(const std::string& s) {
  int p = std::stoi(s);
  if (p <= 0 || p > 65535) throw std::out_of_range("port out of range: " + s);
  return p;
}

TEST_CASE("split on commas", "[split]") {
  auto v = split("a,b,c", ',');
  REQUIRE(v.size() == @N@);
  CHECK(v[0] == "a");
}

TEST_CASE("split keeps empty fields", "[split]") {
  SECTION("trailing separator") {
    REQUIRE(split("a,", ',').size() == 2);
  }
  SECTION("leading separator") {
    CHECK(split(",a", ',')[0] == "@EMPTY@");
  }
}

TEST_CASE("parse ports", "[port]") {
  CHECK(parse_port("8080") == 8080);
  @PORT@
}
"""


def c2(n="3", empty="", port='CHECK_THROWS(parse_port("70000"));'):
    return {"tests/test_main.cpp": C2_TEST.replace("@N@", n).replace("@EMPTY@", empty).replace("@PORT@", port),
            "Makefile": "test_main: tests/test_main.cpp\n\tg++ -std=c++17 -O1 -o $@ $<\ncheck: test_main\n\t./test_main\n"}


C2B = ("build tests", "make test_main")
case("catch2_require", "catch2", "c++", "catch2", "test_failure",
     c2(n="4"), [C2B, ("tests", "./test_main")],
     [(r"test_main\.cpp:\d+: FAILED:", r"^\s+\S|^with expansion:")], tests=["split on commas"])

case("catch2_section", "catch2", "c++", "catch2", "test_failure",
     c2(empty="a"), [C2B, ("tests", "make check")],
     [(r"test_main\.cpp:\d+: FAILED:", r"^\s+\S|^with expansion:")], tests=["split keeps empty fields"])

case("catch2_exception", "catch2", "c++", "catch2", "test_failure",
     c2(port='CHECK(parse_port("99999") == 99999);'), [C2B, ("tests", "./test_main --use-colour no")],
     [(r"test_main\.cpp:\d+: FAILED:", r"^\s+\S|^due to unexpected exception")], tests=["parse ports"])

case("catch2_two", "catch2", "c++", "catch2", "test_failure",
     c2(n="2", empty="x"), [C2B, ("tests", "./test_main -r console")],
     [(r"test_main\.cpp:\d+: FAILED:", r"^\s+\S|^with expansion:"),
      (r"test_main\.cpp:\d+: FAILED:", r"^\s+\S|^with expansion:")],
     tests=["split on commas", "split keeps empty fields"])

# ----------------------------------------------------- autotools (sealed)
AC_CONF = """
AC_INIT([ringbuf], [0.3.1], [dev@example.org])
AM_INIT_AUTOMAKE([foreign -Wall])
AC_PROG_CC
@CHECKS@
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
"""
AM_MAKE = """
bin_PROGRAMS = ringcat
ringcat_SOURCES = src/ringcat.c src/ring.c src/ring.h
check_PROGRAMS = tests/test_ring tests/test_wrap
tests_test_ring_SOURCES = tests/test_ring.c src/ring.c src/ring.h
tests_test_wrap_SOURCES = tests/test_wrap.c src/ring.c src/ring.h
TESTS = $(check_PROGRAMS)
"""
AC_FILES = {
    "src/ring.h": """
        #pragma once
        #include <stddef.h>
        typedef struct { int *buf; size_t cap, head, len; } ring;
        int ring_init(ring *r, size_t cap);
        int ring_push(ring *r, int v);
        int ring_pop(ring *r, int *v);
    """,
    "src/ring.c": """
        #include <stdlib.h>
        #include "ring.h"
        int ring_init(ring *r, size_t cap) {
            r->buf = calloc(cap, sizeof *r->buf);
            r->cap = cap; r->head = 0; r->len = 0;
            return r->buf ? 0 : -1;
        }
        int ring_push(ring *r, int v) {
            if (r->len == r->cap) return -1;
            r->buf[(r->head + r->len) % r->cap] = v;
            r->len++;
            return 0;
        }
        int ring_pop(ring *r, int *v) {
            if (!r->len) return -1;
            *v = r->buf[r->head];
            r->head = (r->head + 1) % r->cap;
            r->len--;
            return 0;
        }
    """,
    "src/ringcat.c": """
        #include <stdio.h>
        #include "ring.h"
        int main(void) {
            ring r; int v;
            ring_init(&r, 4);
            for (int i = 0; i < 6; i++) ring_push(&r, i);
            while (ring_pop(&r, &v) == 0) printf("%d\\n", v);
            return 0;
        }
    """,
    "tests/test_ring.c": """
        #include <stdio.h>
        #include "../src/ring.h"
        int main(void) {
            ring r; int v = -1;
            ring_init(&r, 2);
            ring_push(&r, 7);
            ring_pop(&r, &v);
            if (v != 7) { printf("test_ring: popped %d, expected 7\\n", v); return 1; }
            printf("test_ring: ok\\n");
            return 0;
        }
    """,
    "tests/test_wrap.c": """
        #include <stdio.h>
        #include "../src/ring.h"
        int main(void) {
            ring r; int v = -1;
            ring_init(&r, 2);
            ring_push(&r, 1); ring_push(&r, 2);
            int full = ring_push(&r, 3);
            if (full != @FULL@) { fprintf(stderr, "test_wrap: push on full ring returned %d, expected @FULL@\\n", full); return 1; }
            ring_pop(&r, &v); ring_push(&r, 3); ring_pop(&r, &v); ring_pop(&r, &v);
            if (v != 3) { fprintf(stderr, "test_wrap: wrapped value %d, expected 3\\n", v); return 1; }
            printf("test_wrap: ok\\n");
            return 0;
        }
    """,
}


def ac(checks="", full="-1", **over):
    f = dict(AC_FILES)
    f["configure.ac"] = AC_CONF.replace("@CHECKS@", checks)
    f["Makefile.am"] = AM_MAKE
    f["tests/test_wrap.c"] = f["tests/test_wrap.c"].replace("@FULL@", full)
    f.update(over)
    return f


AUTORECONF = ("autoreconf", "autoreconf -fi 2>&1")
CONFIGURE = ("configure", "./configure")
case("configure_missing_lib", "autotools", "c", "autoconf", "dependency",
     ac(checks='AC_CHECK_LIB([lz4frame], [LZ4F_compressFrame], [], [AC_MSG_ERROR([liblz4frame is required to build ringbuf])])'),
     [AUTORECONF, CONFIGURE],
     [(r"^configure: error: liblz4frame is required", 0)])

case("configure_missing_header", "autotools", "c", "autoconf", "dependency",
     ac(checks='AC_CHECK_HEADERS([uring/ring_ext.h], [], [AC_MSG_ERROR([cannot find uring/ring_ext.h; install liburing-ext-dev])])'),
     [AUTORECONF, CONFIGURE],
     [(r"^configure: error: cannot find uring/ring_ext\.h", 0)])

case("make_check_failure", "autotools", "c", "automake", "test_failure",
     ac(full="0"), [AUTORECONF, CONFIGURE, ("make", "make"), ("make check", "make check"),
                    ("test-suite.log", "cat test-suite.log", "always")],
     [(r"test_wrap: push on full ring returned", 0)], tests=["tests/test_wrap"])

case("make_check_two", "autotools", "c", "automake", "test_failure",
     ac(full="0", **{"src/ring.c": AC_FILES["src/ring.c"].replace("*v = r->buf[r->head];", "*v = r->buf[r->head] + 1;")}),
     [AUTORECONF, CONFIGURE, ("make", "make"), ("make check", "make check || { cat tests/*.log; exit 1; }")],
     [(r"test_ring: popped 8, expected 7", 0), (r"test_wrap: push on full ring returned", 0)],
     tests=["tests/test_ring", "tests/test_wrap"])

case("configure_no_compiler", "autotools", "c", "autoconf", "dependency",
     ac(), [AUTORECONF, ("configure", "CC=gcc-14 ./configure")],
     [(r"^configure: error: in ", 1)])

# ----------------------------------------------------- shellcheck (sealed)
SC_SCRIPT = """
#!/bin/bash
# rotate logs older than N days
DIR=$1
DAYS=${2:-7}
for f in $(ls $DIR/*.log); do
  if [ $(find $f -mtime +$DAYS) ]; then
    gzip $f
  fi
done
echo "rotated logs in $DIR"
"""
case("shellcheck_default", "shellcheck", "shell", "shellcheck", "lint",
     {"scripts/rotate.sh": SC_SCRIPT}, [("shellcheck", "shellcheck scripts/*.sh")],
     [(r"^In scripts/rotate\.sh line \d+:", r"^\S.*|^\s*\^|^\s*$")])

case("shellcheck_gcc", "shellcheck", "shell", "shellcheck", "lint",
     {"scripts/rotate.sh": SC_SCRIPT}, [("lint", "shellcheck -f gcc -S warning scripts/*.sh")],
     [(r"^scripts/rotate\.sh:\d+:\d+: (error|warning):", 0)])

case("shellcheck_error_only", "shellcheck", "shell", "shellcheck", "lint",
     {"scripts/ok.sh": "#!/bin/sh\nset -eu\necho \"building\"\n",
      "scripts/bad.sh": "#!/bin/sh\nif [ -f VERSION ]\n  echo found\nfi\n"},
     [("shellcheck", "shellcheck -S error scripts/ok.sh scripts/bad.sh")],
     [(r"^In scripts/bad\.sh line \d+:", r"^\S.*|^\s*\^|^\s*$")])

# ------------------------------------------------------------- Go (sealed)
GO_MOD = "module example.com/ratelimit\n\ngo 1.19\n"
GO_SRC = """
package ratelimit

import "time"

// Bucket is a token bucket.
type Bucket struct {
	cap, tokens int
	every       time.Duration
	last        time.Time
}

func New(cap int, every time.Duration) *Bucket {
	return &Bucket{cap: cap, tokens: cap, every: every, last: time.Now()}
}

func (b *Bucket) refill(now time.Time) {
	n := int(now.Sub(b.last) / b.every)
	if n > 0 {
		b.tokens += n
		if b.tokens > b.cap {
			b.tokens = b.cap
		}
		b.last = now
	}
}

// Allow takes a token if one is available.
func (b *Bucket) Allow(now time.Time) bool {
	b.refill(now)
	if b.tokens == 0 {
		return false
	}
	b.tokens--
	return true
}
"""
GO_TEST = """
package ratelimit

import (
	"testing"
	"time"
)

func TestAllowUpToCap(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := &Bucket{cap: 3, tokens: 3, every: time.Second, last: t0}
	for i := 0; i < 3; i++ {
		if !b.Allow(t0) {
			t.Fatalf("Allow #%d = false, want true", i)
		}
	}
	if b.Allow(t0) {
		t.Errorf("Allow after cap = true, want false")
	}
}

func TestRefill(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := &Bucket{cap: 3, tokens: 0, every: time.Second, last: t0}
	b.refill(t0.Add(2 * time.Second))
	if b.tokens != @TOK@ {
		t.Errorf("tokens after 2s = %d, want @TOK@", b.tokens)
	}
}

func TestNew(t *testing.T) {
	b := New(5, time.Millisecond)
	@NEWBODY@
	if b.cap != 5 {
		t.Errorf("cap = %d", b.cap)
	}
}
"""


def go(src=GO_SRC, tok="2", newbody="_ = b", extra=None):
    f = {"go.mod": GO_MOD, "bucket.go": src,
         "bucket_test.go": GO_TEST.replace("@TOK@", tok).replace("@NEWBODY@", newbody)}
    f.update(extra or {})
    return f


GOENV = {"GOPATH": "/tmp/real7-gen/_gopath", "GOCACHE": "/tmp/real7-gen/_gocache", "GOFLAGS": ""}
case("go_build_undefined", "go", "go", "go", "compilation",
     go(src=GO_SRC.replace("b.tokens--", "b.tokens--\n\tb.allowed++")),
     [("go build", "go build ./...")],
     [(r"^\./bucket\.go:\d+:\d+: b\.allowed undefined", 0)], env=GOENV)

case("go_vet_printf", "go", "go", "go vet", "lint",
     go(extra={"debug.go": 'package ratelimit\n\nimport "fmt"\n\nfunc (b *Bucket) Debug() string {\n\treturn fmt.Sprintf("%d/%d tokens every %d", b.tokens, b.cap, b.every.String())\n}\n'}),
     [("go build", "go build ./..."), ("go vet", "go vet ./...")],
     [(r"debug\.go:\d+:\d+: fmt\.Sprintf format %d has arg", 0)], env=GOENV)

case("go_test_fail", "go", "go", "go test", "test_failure",
     go(tok="3"), [("go build", "go build ./..."), ("go test", "go test -v ./...")],
     [(r"bucket_test\.go:\d+: tokens after 2s = 2, want 3", 1)], tests=["TestRefill"], env=GOENV)

case("go_test_panic", "go", "go", "go test", "test_failure",
     go(newbody="var z *Bucket\n\tz.Allow(time.Now())"), [("go test", "go test ./...")],
     [(r"^--- FAIL: TestNew", 2)], tests=["TestNew"], env=GOENV)

case("go_two_failures", "go", "go", "go test", "test_failure",
     go(tok="3", src=GO_SRC.replace("if b.tokens == 0 {", "if b.tokens < 0 {")),
     [("go test", "go test -count=1 -v ./...")],
     [(r"bucket_test\.go:\d+: Allow after cap = true", 1), (r"bucket_test\.go:\d+: tokens after 2s", 1)],
     tests=["TestAllowUpToCap", "TestRefill"], env=GOENV)

case("go_mod_dns", "go", "go", "go", "infra",
     go(extra={"go.mod": GO_MOD + "\nrequire golang.org/x/time v0.5.0\n",
               "rate.go": 'package ratelimit\n\nimport _ "golang.org/x/time/rate"\n'}),
     [("go mod download", "go mod download")],
     [(r"dial tcp: lookup|Could not resolve|no such host", 0)], flaky=True,
     env={**GOENV, "GOPROXY": "https://proxy.unreachable.invalid", "GOFLAGS": "-mod=mod"})

case("latex_dns_tlmgr", "latex", "latex", "curl", "infra",
     {"docs/design.tex": TEX.replace("@BODY@", "")},
     [("fetch fonts", "curl -fsSL https://mirror.unreachable.invalid/ctan/fonts/inconsolata.zip -o /tmp/inconsolata.zip"),
      PDFLATEX],
     [(r"curl: \(6\) Could not resolve host", 0)], flaky=True)

# ------------------------------------------------- second batch (tune)
# Appended after the first batch so that every earlier case keeps its CI
# system (the envelope rotates by position).
SAN_MAKE = C_MAKEFILE.replace("-std=c11", "-std=c11 -g -fsanitize=address,undefined -fno-sanitize-recover=all").replace(
    "$(CC) $(CFLAGS) -o $@ $(OBJS)", "$(CC) $(CFLAGS) -o $@ $(OBJS)")
case("c_asan_overflow", "c", "c", "gcc", "test_failure",
     cproj(makefile=SAN_MAKE, parse=C_PARSE.replace("for (; *line; line++)", "for (; line[-1] || *line; line++)")),
     [("make", "make"), ("make check", "make check")],
     [(r"ERROR: AddressSanitizer: ", 1)])

case("c_ubsan_overflow", "c", "c", "gcc", "test_failure",
     cproj(makefile=SAN_MAKE, parse=C_PARSE.replace("*out = (int)v;", "*out = (int)v * 100000000;"), tests_expect="1"),
     [("make", "make"), ("make check", "make check")],
     [(r"parse\.c:\d+:\d+: runtime error: ", 0)])

case("c_make_parallel", "c", "c", "gcc", "compilation",
     cproj(main=C_MAIN.replace("buffer b;", "buffer b = {0};\n        size_t fields;").replace("return 0;\n    }", "return fields;\n    }"),
           buffer=C_BUFFER.replace("memcpy(b->data + b->len, s, n);", "memcpy(b->data + b->len, s, n)\n    b->len += 0;"),
           makefile=C_MAKEFILE.replace("-Wextra", "-Wextra -Wshadow")),
     [("make -j4", "make -j4 all check")],
     [(r"buffer\.c:\d+:\d+: error: expected", SNIP)])

case("cpp_clang_linker", "cpp", "c++", "clang", "compilation",
     cpp({"include/stats.hpp": CPP_LIB["include/stats.hpp"].replace("std::string describe(", "double stddev(const std::vector<double>& xs);\nstd::string describe("),
          "src/main.cpp": CPP_LIB["src/main.cpp"].replace("stats::describe(xs)", "stats::describe(xs) << \" sd=\" << stats::stddev(xs)")}),
     [("make", "make CXX=clang++")],
     [(r"undefined reference to .stats::stddev", 0)])

case("cpp_static_assert", "cpp", "c++", "g++", "compilation",
     cpp({"src/stats.cpp": CPP_LIB["src/stats.cpp"].replace("namespace stats {", "#include <type_traits>\nnamespace stats {\nstatic_assert(sizeof(double) == 4, \"stats assumes 32-bit floats for the packed wire format\");", 1)}),
     [("make", "make CXX=g++")],
     [(r"stats\.cpp:\d+:\d+: error: static assertion failed", SNIP)])

case("cmake_ninja_werror", "cmake", "c++", "ninja", "compilation",
     cm(CM_BASE + "target_compile_options(geom PRIVATE -Wall -Wextra -Werror)\n",
        **{"src/geom.cpp": CM_FILES["src/geom.cpp"].replace("double norm(Vec2 a) {", "double norm(Vec2 a) {\n    int unused_count = 0;")}),
     [CFG_NINJA, BUILD],
     [(r"geom\.cpp:\d+:\d+: error: unused variable", SNIP)])

case("rust_fmt_check", "rust", "rust", "rustfmt", "lint",
     rs(lib=RS_LIB.replace("pub fn top(text: &str, n: usize) -> Vec<(String, usize)> {", "pub fn top( text: &str,n: usize) -> Vec<(String, usize)>\n{")),
     [("cargo fmt", "cargo fmt --all -- --check")],
     [(r"^Diff in .*lib\.rs", r"^[ +-]|^\s*$")])

case("rust_test_compile_error", "rust", "rust", "cargo", "compilation",
     rs(topempty="assert!(top_n(\"\", 3).is_empty());"),
     [("cargo build", "cargo build --offline"), ("cargo test", "cargo test --offline")],
     [(r"^error\[E0425\]: cannot find function", r"^\s*(-->|\d*\s*\||=|\.\.\.|help)|^\s*$")])

case("rust_doctest_failure", "rust", "rust", "cargo", "test_failure",
     rs(lib=RS_LIB.replace("pub fn mean_len(text: &str) -> f64 {",
                           "/// Mean word length.\n///\n/// ```\n/// assert_eq!(tally::mean_len(\"ab cd\"), 3.0);\n/// ```\npub fn mean_len(text: &str) -> f64 {")),
     [("cargo test", "cargo test --offline")],
     [(r"^---- src/lib\.rs - mean_len \(line \d+\) stdout ----", r"^(Test executable failed|\s*$|thread|assertion|\s+(left|right):|stderr:|note:)")],
     tests=["src/lib.rs - mean_len (line 21)"])

case("rust_deny_warnings", "rust", "rust", "cargo", "compilation",
     rs(lib=RS_LIB.replace("let mut m = HashMap::new();", "let mut m = HashMap::new();\n    let total = 0;")),
     [("cargo build", "cargo build --offline")],
     [(r"^error: unused variable: .total.", r"^\s*(-->|\d*\s*\||=|\.\.\.|help)|^\s*$")], env={"RUSTFLAGS": "-D warnings"})

case("ghc_hidden_package", "haskell", "haskell", "ghc", "dependency",
     hs(lib=HS_LIB.replace("import Data.Ord (comparing)", "import Data.Ord (comparing)\nimport qualified Data.Map.Strict as M").replace(
         "lineCount = length . lines", "lineCount = M.size . M.fromList . flip zip [0 :: Int ..] . lines")),
     [CABAL_BUILD],
     [(r"TextStats\.hs:\d+:\d+: error:", r"^\s+\S|^\d+ \|")])

case("hspec_uncaught_exception", "haskell", "haskell", "hspec", "test_failure",
     hs(lib=HS_LIB.replace("  [] -> Nothing", "  [] -> error \"longest: empty input\"")),
     [CABAL_BUILD, CABAL_TEST],
     [(r"^\s*1\) longest is Nothing for empty input", r"^\s+\S")],
     tests=["longest is Nothing for empty input"])

case("bats_setup_failure", "shell", "shell", "bats", "test_failure",
     {"lib/semver.sh": BATS_LIB,
      "test/semver.bats": BATS_TEST.replace('source "$BATS_TEST_DIRNAME/../lib/semver.sh"',
                                            'source "$BATS_TEST_DIRNAME/../lib/semver.sh"\n  [ -n "$SEMVER_FIXTURES" ]').replace("@MINOR@", "1.3.0").replace("@MAJOR@", "2.0.0").replace("@STATUS@", "2")},
     [("bats", "SEMVER_FIXTURES= bats test/")],
     [(r"^not ok 1 bump patch", r"^# ")],
     tests=["bump patch", "bump minor resets patch", "bump major", "unknown part fails", "compare versions"])

case("c_valgrind_leak", "c", "c", "valgrind", "test_failure",
     cproj(parse=C_PARSE.replace("size_t n = 1;", "size_t n = 1;\n        static char *last_scratch;\n        char *scratch = malloc(64);\n        scratch[0] = *line;\n        last_scratch = scratch;\n        n += (last_scratch[0] == '#');")),
     [("make", "make"), ("memcheck", "make clean && make CFLAGS='-O0 -g -Wall -std=c11' tests/run_tests && valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 ./tests/run_tests")],
     [(r"\d+ bytes in \d+ blocks are definitely lost", 2)])

# -------------------------------------------------- third batch (tune)
case("cpp_include_chain", "cpp", "c++", "g++", "compilation",
     cpp({"include/stats.hpp": CPP_LIB["include/stats.hpp"].replace("double mean(const std::vector<double>& xs);", "double mean(const std::vector<double>& xs)\ndouble trimmed_mean(const std::vector<double>& xs, double cut);")}),
     [("make", "make CXX=g++")],
     [(r"stats\.hpp:\d+:\d+: error: ", SNIP)])

case("cpp_template_instantiation", "cpp", "c++", "g++", "compilation",
     cpp({"src/stats.cpp": CPP_LIB["src/stats.cpp"].replace("#include <sstream>", "#include <sstream>\n#include <list>").replace(
         "std::sort(xs.begin(), xs.end());", "std::list<double> ys(xs.begin(), xs.end());\n    std::sort(ys.begin(), ys.end());")}),
     [("make", "make CXX=g++")],
     [(r"stl_algo\.h:\d+:\d+: error: no match for .operator-.", SNIP)])

case("rust_link_error", "rust", "rust", "cargo", "compilation",
     rs(lib=RS_LIB.replace("pub fn mean_len(text: &str) -> f64 {",
                           "extern \"C\" {\n    fn fast_len(p: *const u8, n: usize) -> usize;\n}\n\npub fn byte_len(text: &str) -> usize {\n    unsafe { fast_len(text.as_ptr(), text.len()) }\n}\n\npub fn mean_len(text: &str) -> f64 {").replace(
                           "for (w, n) in", "for (w, n) in"),
        ) | {"src/main.rs": """
                use std::io::Read;
                fn main() {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s).unwrap();
                    println!("{} bytes", tally::byte_len(&s));
                }
            """},
     [("cargo build", "cargo build --offline")],
     [(r"^error: linking with .cc. failed", 0), (r"error: undefined symbol: fast_len", 0)])

case("rust_should_panic", "rust", "rust", "cargo", "test_failure",
     rs(topempty='}\n\n    #[test]\n    #[should_panic(expected = "empty")]\n    fn top_of_empty_panics() {\n        top("", 0);'),
     [("cargo test", "cargo test --offline")],
     [(r"^---- tests::top_of_empty_panics stdout ----", 1)], tests=["tests::top_of_empty_panics"])

def gt_split():
    f = gt(throw='ASSERT_TRUE(split_ok("a,,b")) << "empty field between separators";')
    f["tests/geom_test.cpp"] = f["tests/geom_test.cpp"].replace(
        '#include "geom.hpp"', '#include "geom.hpp"\nstatic bool split_ok(const char* s) { return s[0] != \'a\'; }')
    return f


case("gtest_assert_true", "gtest", "c++", "googletest", "test_failure",
     gt_split(),
     [CFG_NINJA, BUILD, GT_RUN],
     [(r"geom_test\.cpp:\d+: Failure", r"^(Value of|  Actual|Expected|empty field)")], tests=["ParserTest.RejectsEmpty"])

case("hunit_error", "haskell", "haskell", "hunit", "test_failure",
     hs(test="hunit", lib=HS_LIB.replace("longest s = case words s of", "longest s = case words s of\n  (w:_) | length w > 1 -> error (\"longest: single word \" ++ w)")),
     [CABAL_BUILD, CABAL_TEST],
     [(r"### Error in: +2:longest", r"^(longest:|CallStack|  error)")], tests=["2:longest"])

# ----------------------------------------- fourth batch (tune): volume
# Real projects print much more than the failure: many files compiled with
# warnings, many tests passing (some logging words like "error" on the
# way), verbose build commands. Generated sources, real tool output.


def many_c(n=30, bad=19):
    f = {"include/mods.h": "#pragma once\n" + "".join("int mod%02d_run(int x, int unused);\n" % i for i in range(n))}
    for i in range(n):
        body = "int mod%02d_run(int x, int unused) {\n    int scaled = x * %d;\n    return scaled + %d;\n}\n" % (i, i + 1, i)
        if i == bad:
            body = "int mod%02d_run(int x, int unused) {\n    int scaled = x * %d;\n    return scaled + offset_table[%d];\n}\n" % (i, i + 1, i)
        f["src/mod%02d.c" % i] = '#include "mods.h"\n\n' + body
    f["src/main.c"] = '#include <stdio.h>\n#include "mods.h"\n\nint main(void) {\n    int t = 0;\n' + "".join("    t += mod%02d_run(%d, 0);\n" % (i, i) for i in range(n)) + '    printf("%d\\n", t);\n    return 0;\n}\n'
    srcs = " ".join("src/mod%02d.c" % i for i in range(n))
    f["Makefile"] = "CC = gcc\nCFLAGS = -O2 -Wall -Wextra -Iinclude\nSRCS = src/main.c %s\nOBJS = $(SRCS:.c=.o)\n\nmodkit: $(OBJS)\n\t$(CC) $(CFLAGS) -o $@ $(OBJS)\n\n%%.o: %%.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n" % srcs
    return f


case("c_many_files_warnings", "c", "c", "gcc", "compilation", many_c(),
     [("make", "make -j1")],
     [(r"mod19\.c:\d+:\d+: error: .offset_table. undeclared", SNIP)])


def many_cpp_cmake(n=24, bad=17):
    f = {"CMakeLists.txt": "cmake_minimum_required(VERSION 3.16)\nproject(shapes CXX)\nset(CMAKE_CXX_STANDARD 17)\nadd_compile_options(-Wall -Wextra)\nfile(GLOB SRCS src/*.cpp)\nadd_executable(shapes ${SRCS})\n"}
    for i in range(n):
        extra = "    double area_%02d = w * h;\n" % i if i % 3 == 0 else ""
        ret = "w * h + %d" % i
        if i == bad:
            ret = "w * h + std::hypot(w)"
        f["src/shape%02d.cpp" % i] = "#include <cmath>\n\ndouble shape%02d(double w, double h, int unused) {\n%s    return %s;\n}\n" % (i, extra, ret)
    f["src/main.cpp"] = "#include <cstdio>\n" + "".join("double shape%02d(double, double, int);\n" % i for i in range(n)) + "int main() {\n    double t = 0;\n" + "".join("    t += shape%02d(1, 2, 0);\n" % i for i in range(n)) + '    std::printf("%f\\n", t);\n}\n'
    return f


case("ninja_verbose_many", "cmake", "c++", "ninja", "compilation", many_cpp_cmake(),
     [CFG_NINJA, ("cmake build", "cmake --build build -j1 -- -v")],
     [(r"shape17\.cpp:\d+:\d+: error: no matching function for call to .hypot", SNIP)])


def many_gtest(n=60, bad=37):
    body = ['#include <gtest/gtest.h>\n#include <cstdio>\n#include "geom.hpp"\n']
    for i in range(n):
        noise = '  std::printf("[cache] error: miss for key %d, recomputing\\n", %d);\n' % (i, i) if i % 7 == 0 else ""
        want = "%d.0" % (i * i) if i != bad else "%d.0" % (i * i + 1)
        body.append("TEST(DotTable, Row%02d) {\n%s  EXPECT_DOUBLE_EQ(dot({%d, 0}, {%d, 0}), %s);\n}\n" % (i, noise, i, i, want))
    f = dict(CM_FILES)
    f["CMakeLists.txt"] = GT_CMAKE
    f["tests/geom_test.cpp"] = "\n".join(body)
    return f


case("gtest_many_tests", "gtest", "c++", "googletest", "test_failure", many_gtest(),
     [CFG_NINJA, BUILD, GT_RUN],
     [(r"geom_test\.cpp:\d+: Failure", r"^(Expected|  |Which is|Value of|Actual)")], tests=["DotTable.Row37"])


def many_rust(n=60, bad=41):
    tests = []
    for i in range(n):
        noise = '        println!("warning: fixture {} missing, using defaults", %d);\n' % i if i % 9 == 0 else ""
        want = i + 1 if i != bad else i + 2
        tests.append("    #[test]\n    fn count_row_%02d() {\n%s        let text = \"w \".repeat(%d);\n        assert_eq!(tally(&text).get(\"w\").copied().unwrap_or(0) + 1, %d);\n    }\n" % (i, noise, i, want))
    lib = RS_LIB.split("#[cfg(test)]")[0] + "#[cfg(test)]\nmod tests {\n    use super::*;\n\n" + "\n".join(tests) + "}\n"
    return rs(lib=lib)


case("rust_many_tests_nocapture", "rust", "rust", "cargo", "test_failure", many_rust(),
     [("cargo build", "cargo build --offline"), ("cargo test", "cargo test --offline -- --nocapture --test-threads=1")],
     [(r"^test tests::count_row_41 \.\.\. $", 4)], tests=["tests::count_row_41"])


def many_hspec(n=40, bad=29):
    specs = ["import Test.Hspec\nimport TextStats\n\nmain :: IO ()\nmain = hspec $ do\n  describe \"wordCount\" $ do"]
    for i in range(n):
        want = i if i != bad else i + 1
        specs.append("    it \"counts %d words\" $\n      wordCount (unwords (replicate %d \"w\")) `shouldBe` %d" % (i, i, want))
    f = hs()
    f["test/Spec.hs"] = "\n".join(specs) + "\n"
    return f


case("hspec_many_specs", "haskell", "haskell", "hspec", "test_failure", many_hspec(),
     [CABAL_BUILD, CABAL_TEST],
     [(r"^\s*1\) wordCount counts 29 words", r"^\s+\S")], tests=["wordCount counts 29 words"])


def many_bats(n=30, bad=22):
    t = ["#!/usr/bin/env bats\n\nsetup() {\n  source \"$BATS_TEST_DIRNAME/../lib/semver.sh\"\n}\n"]
    for i in range(n):
        want = "1.%d.1" % i if i != bad else "1.%d.2" % i
        t.append("@test \"bump patch of 1.%d.0\" {\n  run semver_bump 1.%d.0 patch\n  echo \"got: $output\"\n  [ \"$status\" -eq 0 ]\n  [ \"$output\" = \"%s\" ]\n}\n" % (i, i, want))
    return {"lib/semver.sh": BATS_LIB, "test/semver.bats": "\n".join(t)}


case("bats_many_tests", "shell", "shell", "bats", "test_failure", many_bats(),
     [("bats", "bats test/")],
     [(r"^not ok 23 bump patch of 1\.22\.0", r"^# ")], tests=["bump patch of 1.22.0"])


def many_rec(dirs=8, bad=6):
    f = {"Makefile": "SUBDIRS = %s\n\nall:\n\tfor d in $(SUBDIRS); do $(MAKE) -C $$d || exit 1; done\n" % " ".join("m%d" % i for i in range(dirs))}
    for d in range(dirs):
        f["m%d/Makefile" % d] = "CFLAGS = -O2 -Wall -Wextra\nlib%d.a: a.o b.o c.o\n\tar rcs $@ $^\n%%.o: %%.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n" % d
        for n in "abc":
            code = "int %s%d(int x, int y) { return x * %d; }\n" % (n, d, d + 1)
            if d == bad and n == "b":
                code = "int %s%d(int x, int y) { return x * %d }\n" % (n, d, d + 1)
            f["m%d/%s.c" % (d, n)] = code
    return f


case("make_recursive_many", "make", "c", "make", "compilation", many_rec(),
     [("make", "make")],
     [(r"m6/b\.c:\d+:\d+: error: expected|b\.c:\d+:\d+: error: expected", SNIP)])

# --------------------------------------- fifth batch (sealed): volume
# Added after the engine changes and measured only with the base and the
# final engine (never looked at to change it).


def many_go(n=60, bad=44):
    t = ['package ratelimit\n\nimport (\n\t"testing"\n\t"time"\n)\n']
    for i in range(n):
        noise = '\tt.Logf("error budget: %%d tokens left", %d)\n' % i if i % 8 == 0 else ""
        want = min(i, 50) if i != bad else min(i, 50) + 1
        t.append("func TestRefillAfter%02ds(t *testing.T) {\n%s\tt0 := time.Unix(0, 0)\n\tb := &Bucket{cap: 50, tokens: 0, every: time.Second, last: t0}\n\tb.refill(t0.Add(%d * time.Second))\n\tif b.tokens != %d {\n\t\tt.Errorf(\"tokens = %%d, want %d\", b.tokens)\n\t}\n}\n" % (i, noise, i, want, want))
    return {"go.mod": GO_MOD, "bucket.go": GO_SRC, "bucket_test.go": "\n".join(t)}


case("go_many_tests", "go", "go", "go test", "test_failure", many_go(),
     [("go test", "go test -count=1 -v ./...")],
     [(r"bucket_test\.go:\d+: tokens = 44, want 45", 1)], tests=["TestRefillAfter44s"], env=GOENV)


def many_fortran(n=16, bad=11):
    f = {}
    for i in range(n):
        body = "module m%02d\n  implicit none\ncontains\n  function f%02d(x) result(y)\n    real, intent(in) :: x\n    real :: y\n    integer :: unused_%02d\n    y = x * %d.0\n  end function f%02d\nend module m%02d\n" % (i, i, i, i + 1, i, i)
        if i == bad:
            body = body.replace("y = x * %d.0" % (i + 1), "y = x * %d.0 + undefined_scale" % (i + 1))
        f["src/m%02d.f90" % i] = body
    uses = "".join("  use m%02d\n" % i for i in range(n))
    f["src/main.f90"] = "program main\n%s  implicit none\n  print *, %s\nend program main\n" % (uses, " + ".join("f%02d(1.0)" % i for i in range(n)))
    objs = " ".join("src/m%02d.o" % i for i in range(n))
    f["Makefile"] = "FC = gfortran\nFFLAGS = -O2 -Wall -Jsrc\nOBJS = %s src/main.o\nsim: $(OBJS)\n\t$(FC) $(FFLAGS) -o $@ $^\nsrc/main.o: %s\n%%.o: %%.f90\n\t$(FC) $(FFLAGS) -c $< -o $@\n" % (objs, objs)
    return f


case("fortran_many_modules", "fortran", "fortran", "gfortran", "compilation", many_fortran(),
     [("make", "make -j1")],
     [(r"m11\.f90:\d+:\d+:", r"^\s*$|^\s+\d+ \||^\s+\||^Error:")])


def many_catch2(n=40, bad=27):
    t = ['#define CATCH_CONFIG_MAIN\n#include <catch2/catch.hpp>\n#include <string>\n']
    for i in range(n):
        want = i * 2 if i != bad else i * 2 + 1
        t.append('TEST_CASE("double of %d", "[math]") {\n  INFO("checking " << %d);\n  REQUIRE(%d + %d == %d);\n}\n' % (i, i, i, i, want))
    return {"tests/test_main.cpp": "\n".join(t),
            "Makefile": "test_main: tests/test_main.cpp\n\tg++ -std=c++17 -O1 -o $@ $<\n"}


case("catch2_many_cases", "catch2", "c++", "catch2", "test_failure", many_catch2(),
     [C2B, ("tests", "./test_main --success --reporter compact")],
     [(r"test_main\.cpp:\d+: failed: ", 0)], tests=["double of 27"])


def many_check(n=12, bad=8):
    f = ac()
    names = ["tests/t%02d" % i for i in range(n)]
    f["Makefile.am"] = "bin_PROGRAMS = ringcat\nringcat_SOURCES = src/ringcat.c src/ring.c src/ring.h\ncheck_PROGRAMS = %s\n%sTESTS = $(check_PROGRAMS)\n" % (
        " ".join(names), "".join("tests_t%02d_SOURCES = tests/t%02d.c src/ring.c src/ring.h\n" % (i, i) for i in range(n)))
    for i in range(n):
        want = i if i != bad else i + 1
        f["tests/t%02d.c" % i] = '#include <stdio.h>\n#include "../src/ring.h"\nint main(void) {\n    ring r; int v = -1;\n    ring_init(&r, 4);\n    ring_push(&r, %d);\n    ring_pop(&r, &v);\n    printf("t%02d: pushed %d popped %%d\\n", v);\n    if (v != %d) { fprintf(stderr, "t%02d: expected %d, got %%d\\n", v); return 1; }\n    return 0;\n}\n' % (i, i, i, want, i, want)
    return f


case("make_check_many", "autotools", "c", "automake", "test_failure", many_check(),
     [AUTORECONF, CONFIGURE, ("make", "make"), ("make check", "make check"),
      ("test-suite.log", "cat test-suite.log", "always")],
     [(r"t08: expected 9, got 8", 0)], tests=["tests/t08"])

# ------------------------------------------------------------- envelope
NEED = {"gcc": "gcc", "cpp": "clang++", "make": "make", "cmake": "cmake", "ctest": "ninja",
        "gtest": "ninja", "haskell": "cabal", "shell": "bats", "rust": "cargo",
        "fortran": "gfortran", "ocaml": "dune", "scala": "scalac", "latex": "pdflatex",
        "catch2": "g++", "autotools": "automake", "shellcheck": "shellcheck", "go": "go", "c": "gcc"}

NOISE = {}
# One project name per ecosystem: a name made from the case id would put
# words like `oom-killed` in every path of the log.
REPO = {"c": "libparse", "cpp": "stats", "make": "wcutil", "cmake": "geom", "ctest": "geom",
        "gtest": "geom", "haskell": "textstats", "shell": "semver-tools", "rust": "tally",
        "fortran": "fstats", "ocaml": "shapes", "scala": "inventory", "latex": "design-notes",
        "catch2": "splitter", "autotools": "ringbuf", "shellcheck": "ops-scripts", "go": "ratelimit"}


def noise(cmd, cwd="/tmp"):
    if cmd not in NOISE:
        try:
            NOISE[cmd] = run(cmd, cwd, timeout=120)[0]
        except Exception as e:  # noqa: BLE001 - noise only
            NOISE[cmd] = ""
    return NOISE[cmd]


VERSION_CMD = {
    "c": "gcc --version", "cpp": "clang++ --version", "make": "make --version | head -n 3",
    "cmake": "cmake --version && ninja --version", "ctest": "cmake --version && ninja --version",
    "gtest": "cmake --version && dpkg -s libgtest-dev | sed -n '1,3p;/^Version/p'",
    "haskell": "ghc --version && cabal --version", "shell": "bats --version && bash --version | head -n 1",
    "rust": "rustc --version && cargo --version", "fortran": "gfortran --version",
    "ocaml": "ocaml -version && dune --version", "scala": "scalac -version; java -version",
    "latex": "pdflatex --version | head -n 3", "catch2": "g++ --version",
    "autotools": "autoconf --version | head -n 1 && automake --version | head -n 1",
    "shellcheck": "shellcheck --version", "go": "go version && go env GOOS GOARCH",
}
APT = {
    "c": "build-essential", "cpp": "clang", "make": "build-essential", "cmake": "cmake ninja-build",
    "ctest": "cmake ninja-build", "gtest": "libgtest-dev cmake ninja-build", "haskell": "ghc cabal-install",
    "shell": "bats", "rust": "pkg-config libssl-dev", "fortran": "gfortran", "ocaml": "ocaml-nox dune",
    "scala": "scala", "latex": "texlive-latex-base", "catch2": "catch2", "autotools": "autoconf automake",
    "shellcheck": "shellcheck", "go": "golang-go",
}


class Log:
    """Lines of the job log, each tagged with the step that printed it."""

    def __init__(self):
        self.lines = []   # (text, step index or None)

    def add(self, text, step=None):
        for l in text.split("\n"):
            self.lines.append((l, step))


def ts(i):
    us = (10 * 3600 + 12 * 60) * 10**7 + i * 1234567
    s = us // 10**7
    return "2026-11-30T%02d:%02d:%02d.%07dZ " % (s // 3600, s // 60 % 60, s % 60, us % 10**7)


def envelope(ci, repo, setup, steps):
    """setup/steps: list of (name, cmd, output, rc). Only steps carry a step index."""
    L = Log()
    clone = noise("rm -rf /tmp/real7-gen/_clone && git clone --depth=50 --branch=main file:///tmp/real7-gen/_origin.git /tmp/real7-gen/_clone 2>&1")
    clone = clone.replace("file:///tmp/real7-gen/_origin.git", "https://github.com/acme/%s.git" % repo).replace(
        "/tmp/real7-gen/_clone", "acme/%s" % repo)
    fail_rc = next((s[3] for s in steps if s[3] != 0), 1)
    if ci == "travis":
        L.add("travis_fold:start:worker_info\r\x1b[0K\x1b[33;1mWorker information\x1b[0m\nhostname: 4f1c9a2e-6b7d-4c1e-9f7a-21c3d4e5f6a7@1.worker-org-7d9c8b-2.gce-production-3\nversion: v6.2.22 https://github.com/travis-ci/worker/tree/v6.2.22\ninstance: travis-job-9a8b7c6d gcr.io/travis-ci-prod-oss-4/build-jammy:packer-1700000000 (via amqp)\nstartup: 6.441232117s\ntravis_fold:end:worker_info\r\x1b[0K")
        L.add("travis_time:start:0b1c2d3e\r\x1b[0K$ git clone --depth=50 --branch=main https://github.com/acme/%s.git acme/%s" % (repo, repo))
        L.add(clone.rstrip("\n"))
        L.add("travis_time:end:0b1c2d3e:start=1764497520123456789,finish=1764497521234567890,duration=1111111101,event=checkout\r\x1b[0K$ cd acme/%s" % repo)
        for n, (name, cmd, out, rc) in enumerate(setup):
            L.add("travis_fold:start:install.%d\r\x1b[0Ktravis_time:start:1a2b3c%02d\r\x1b[0K$ %s" % (n + 1, n, cmd))
            L.add(out.rstrip("\n"))
            L.add("travis_time:end:1a2b3c%02d:start=1764497530000000000,finish=1764497540000000000,duration=10000000000,event=install\r\x1b[0Ktravis_fold:end:install.%d\r\x1b[0K" % (n, n + 1))
        for i, (name, cmd, out, rc) in enumerate(steps):
            L.add("travis_time:start:2c3d4e%02d\r\x1b[0K$ %s" % (i, cmd))
            L.add(out.rstrip("\n"), i)
            L.add("travis_time:end:2c3d4e%02d:start=1764497550000000000,finish=1764497560000000000,duration=10000000000,event=script\r\x1b[0K" % i)
            if rc != 0:
                L.add('\x1b[31;1mThe command "%s" exited with %d.\x1b[0m' % (cmd, rc))
            else:
                L.add('\x1b[32;1mThe command "%s" exited with 0.\x1b[0m' % cmd)
        L.add("\n\nDone. Your build exited with 1.")
    elif ci == "gha":
        G = Log()
        G.add("Current runner version: '2.321.0'\n##[group]Operating System\nUbuntu\n24.04.1\nLTS\n##[endgroup]\n##[group]Runner Image\nImage: ubuntu-24.04\nVersion: 20241124.1.0\n##[endgroup]\n##[group]GITHUB_TOKEN Permissions\nContents: read\nMetadata: read\n##[endgroup]\nSecret source: Actions\nPrepare workflow directory\nPrepare all required actions\nGetting action download info\nDownload action repository 'actions/checkout@v4' (SHA:11bd71901bbe5b1630ceea73d27597364c9af683)\nComplete job name: build")
        G.add("##[group]Run actions/checkout@v4\nwith:\n  repository: acme/%s\n  fetch-depth: 1\n##[endgroup]\nSyncing repository: acme/%s" % (repo, repo))
        G.add(clone.rstrip("\n"))
        for name, cmd, out, rc in setup:
            G.add("##[group]Run %s\n%s\nshell: /usr/bin/bash -e {0}\n##[endgroup]" % (cmd, cmd))
            G.add(out.rstrip("\n"))
        for i, (name, cmd, out, rc) in enumerate(steps):
            G.add("##[group]Run %s\n%s\nshell: /usr/bin/bash -e {0}\n##[endgroup]" % (cmd, cmd))
            G.add(out.rstrip("\n"), i)
            if rc != 0:
                G.add("##[error]Process completed with exit code %d." % rc)
        G.add("Post job cleanup.\nCleaning up orphan processes")
        L.lines = [(ts(k) + t, s) for k, (t, s) in enumerate(G.lines)]
    elif ci == "gitlab":
        L.add("\x1b[0KRunning with gitlab-runner 17.5.3 (12030cf4)\x1b[0;m\n\x1b[0K  on docker-shared-3 t3_Xz9kQ, system ID: s_0e4a1b2c3d4e\x1b[0;m")
        L.add("section_start:1764497501:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m\x1b[0;m\n\x1b[0KUsing Docker executor with image debian:bookworm ...\x1b[0;m\n\x1b[0KPulling docker image debian:bookworm ...\x1b[0;m\nsection_end:1764497509:prepare_executor\r\x1b[0K")
        L.add("section_start:1764497509:get_sources\r\x1b[0K\x1b[0K\x1b[36;1mGetting source from Git repository\x1b[0;m\x1b[0;m\n\x1b[32;1mFetching changes with git depth set to 20...\x1b[0;m")
        L.add(clone.rstrip("\n"))
        L.add("\x1b[32;1mChecking out 5f2d9c1a as detached HEAD (ref is main)...\x1b[0;m\nsection_end:1764497512:get_sources\r\x1b[0K")
        L.add("section_start:1764497512:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m\x1b[0;m")
        for name, cmd, out, rc in setup:
            L.add("\x1b[32;1m$ %s\x1b[0;m" % cmd)
            L.add(out.rstrip("\n"))
        for i, (name, cmd, out, rc) in enumerate(steps):
            L.add("\x1b[32;1m$ %s\x1b[0;m" % cmd)
            L.add(out.rstrip("\n"), i)
        L.add("section_end:1764497600:step_script\r\x1b[0K")
        L.add("section_start:1764497600:cleanup_file_variables\r\x1b[0K\x1b[0K\x1b[36;1mCleaning up project directory and file based variables\x1b[0;m\x1b[0;m\nsection_end:1764497601:cleanup_file_variables\r\x1b[0K")
        L.add("\x1b[31;1mERROR: Job failed: exit code %d\n\x1b[0;m" % fail_rc)
    elif ci == "jenkins":
        L.add("Started by an SCM change\nObtained Jenkinsfile from git https://github.com/acme/%s.git\n[Pipeline] Start of Pipeline\n[Pipeline] node\nRunning on agent-linux-2 in /var/lib/jenkins/workspace/%s\n[Pipeline] {\n[Pipeline] stage\n[Pipeline] { (Checkout)\n[Pipeline] sh\n+ git clone --depth=50 --branch=main https://github.com/acme/%s.git ." % (repo, repo, repo))
        L.add(clone.rstrip("\n"))
        L.add("[Pipeline] }\n[Pipeline] // stage")
        for name, cmd, out, rc in setup:
            L.add("[Pipeline] stage\n[Pipeline] { (Setup)\n[Pipeline] sh\n+ %s" % cmd)
            L.add(out.rstrip("\n"))
            L.add("[Pipeline] }\n[Pipeline] // stage")
        failed = False
        for i, (name, cmd, out, rc) in enumerate(steps):
            L.add("[Pipeline] stage\n[Pipeline] { (%s)" % name.title())
            if failed:
                L.add("Stage \"%s\" skipped due to earlier failure(s)\n[Pipeline] }\n[Pipeline] // stage" % name.title())
                continue
            L.add("[Pipeline] sh\n+ %s" % cmd)
            L.add(out.rstrip("\n"), i)
            L.add("[Pipeline] }\n[Pipeline] // stage")
            failed = failed or rc != 0
        L.add("[Pipeline] }\n[Pipeline] // node\n[Pipeline] End of Pipeline\nERROR: script returned exit code %d\nFinished: FAILURE" % fail_rc)
    elif ci == "buildkite":
        L.add("~~~ Running agent environment hook\n~~~ Preparing working directory\n$ cd /var/lib/buildkite-agent/builds/bk-agent-3/acme/%s\n$ git clone -v -- https://github.com/acme/%s.git ." % (repo, repo))
        L.add(clone.rstrip("\n"))
        for name, cmd, out, rc in setup:
            L.add("--- :package: %s\n$ %s" % (name, cmd))
            L.add(out.rstrip("\n"))
        for i, (name, cmd, out, rc) in enumerate(steps):
            L.add("--- :hammer: %s\n$ %s" % (name, cmd))
            L.add(out.rstrip("\n"), i)
            if rc != 0:
                L.add("🚨 Error: The command exited with status %d\n^^^ +++" % rc)
        L.add("~~~ Running global pre-exit hook")
    elif ci == "circleci":
        L.add("Build-agent version 1.0.251234-abcdef12 (2026-11-28T10:00:00+0000)\nSystem information:\n Server Version: 24.0.9\n Storage Driver: overlay2\n Kernel Version: 5.15.0-1071-aws\n Operating System: Ubuntu 22.04.4 LTS\n OSType: linux\n Architecture: x86_64\n\nStarting container cimg/base:2024.11\nusing image cimg/base@sha256:0a7e5d\n\nSpinning up environment\nChecking out code")
        L.add(clone.rstrip("\n"))
        for name, cmd, out, rc in setup + [(n, c, o, r) for (n, c, o, r) in []]:
            L.add("#!/bin/bash -eo pipefail\n%s" % cmd)
            L.add(out.rstrip("\n"))
        for i, (name, cmd, out, rc) in enumerate(steps):
            L.add("#!/bin/bash -eo pipefail\n%s" % cmd)
            L.add(out.rstrip("\n"), i)
            if rc != 0:
                L.add("\nExited with code exit status %d\n" % rc)
        L.add("CircleCI received exit code %d" % fail_rc)
    elif ci == "azure":
        A = Log()
        A.add("##[section]Starting: Job\nAgent name: 'Azure Pipelines 5'\nAgent machine name: 'fv-az512-314'\nCurrent agent version: '4.248.0'\n##[group]Operating System\nUbuntu\n22.04.5\nLTS\n##[endgroup]\n##[section]Starting: Checkout acme/%s@main to s\n==============================================================================\nTask         : Get sources\n==============================================================================" % repo)
        A.add(clone.rstrip("\n"))
        A.add("##[section]Finishing: Checkout acme/%s@main to s" % repo)
        for name, cmd, out, rc in setup + [(s[0], s[1], s[2], s[3]) for s in []]:
            A.add("##[section]Starting: %s\n==============================================================================\nTask         : Command line\nDescription  : Run a command line script using Bash on Linux and macOS and cmd.exe on Windows\nVersion      : 2.246.1\n==============================================================================\nGenerating script.\nScript contents:\n%s\n========================== Starting Command Output ===========================\n/usr/bin/bash --noprofile --norc /home/vsts/work/_temp/3f4e5d6c.sh" % (name, cmd))
            A.add(out.rstrip("\n"))
            A.add("##[section]Finishing: %s" % name)
        for i, (name, cmd, out, rc) in enumerate(steps):
            A.add("##[section]Starting: %s\n==============================================================================\nTask         : Command line\nDescription  : Run a command line script using Bash on Linux and macOS and cmd.exe on Windows\nVersion      : 2.246.1\n==============================================================================\nGenerating script.\nScript contents:\n%s\n========================== Starting Command Output ===========================\n/usr/bin/bash --noprofile --norc /home/vsts/work/_temp/7a8b9c0d.sh" % (name, cmd))
            A.add(out.rstrip("\n"), i)
            if rc != 0:
                A.add("##[error]Bash exited with code '%d'." % rc)
            A.add("##[section]Finishing: %s" % name)
            if rc != 0:
                break
        A.add("##[section]Finishing: Job")
        L.lines = [(ts(k) + t, s) for k, (t, s) in enumerate(A.lines)]
    return L


def locate(L, steps, keys):
    """Spans (1-based, inclusive) for each key, searched from the first failing step on."""
    first_fail = next((i for i, s in enumerate(steps) if s[3] != 0), 0)
    lines = L.lines
    plain = [re.sub(r"^\d{4}-\d\d-\d\dT[\d:.]+Z ", "", re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", t)) for t, _ in lines]
    spans, pos = [], 0
    for rx, extra in keys:
        r = re.compile(rx)
        hit = None
        for k in range(pos, len(lines)):
            st = lines[k][1]
            if st is not None and st >= first_fail and r.search(plain[k]):
                hit = k
                break
        if hit is None:
            return None, "key not found: %s" % rx
        end = hit
        if isinstance(extra, int):
            end = min(hit + extra, len(lines) - 1)
        elif extra:
            c = re.compile(extra)
            while end + 1 < len(lines) and lines[end + 1][1] is not None and c.search(plain[end + 1]) and end - hit < 40:
                end += 1
            while end > hit and not plain[end].strip():
                end -= 1
        spans.append({"start": hit + 1, "end": end + 1, "kind": "error"})
        pos = end + 1
    return spans, None


def prepare_origin():
    o = os.path.join(WORK, "_origin")
    if os.path.isdir(o + ".git"):
        return
    os.makedirs(o, exist_ok=True)
    run("git init -q -b main . && git -c user.email=ci@example.org -c user.name=ci commit -q --allow-empty -m init "
        "&& git clone -q --bare . ../_origin.git", o)


def main():
    only = None
    if "--only" in sys.argv:
        only = sys.argv[sys.argv.index("--only") + 1]
    os.makedirs(WORK, exist_ok=True)
    os.makedirs("/tmp/real7-nojq", exist_ok=True)
    prepare_origin()
    outdir = os.path.join(HERE, "cases")
    os.makedirs(outdir, exist_ok=True)
    labels_path = os.path.join(HERE, "labels.jsonl")
    old = {}
    if os.path.exists(labels_path):
        for l in open(labels_path):
            d = json.loads(l)
            old[d["id"]] = d
    rows = dict(old) if only else {}
    missing = set()
    for n, c in enumerate(CASES):
        if only and only not in c["id"]:
            continue
        tool = NEED.get(c["eco"], c["tool"])
        if shutil.which(tool) is None:
            missing.add(tool)
            continue
        ci = CI_ROT[n % len(CI_ROT)]
        repo = REPO[c["eco"]]
        wd = os.path.join(WORK, c["id"])
        shutil.rmtree(wd, ignore_errors=True)
        os.makedirs(wd)
        write(wd, c["files"])
        run("git init -q -b main . && git add -A && git -c user.email=ci@example.org -c user.name=ci commit -q -m wip", wd)
        setup = []
        eco = c["eco"]
        apt = noise("apt-get -s install -y --no-install-recommends %s 2>&1 | head -n 12" % APT.get(eco, "build-essential"))
        setup.append(("install", "sudo apt-get install -y --no-install-recommends %s" % APT.get(eco, "build-essential"), apt, 0))
        setup.append(("versions", VERSION_CMD[eco].replace(" | head -n 3", "").replace(" | head -n 1", ""),
                      noise(VERSION_CMD[eco] + " 2>&1"), 0))
        steps = []
        failed = False
        for st in c["steps"]:
            name, cmd = st[0], st[1]
            always = len(st) > 2 and st[2] == "always"
            if failed and not always and ci != "jenkins":
                continue
            if failed and not always:
                steps.append((name, cmd, "", 0))
                continue
            cenv = c["env"]
            if eco == "haskell":
                # cabal without a package index: what an offline CI cache sees
                os.makedirs(os.path.join(WORK, "_cabal"), exist_ok=True)
                open(os.path.join(WORK, "_cabal", "config"), "w").close()
                cenv = {"CABAL_DIR": os.path.join(WORK, "_cabal")}
            out, rc = run(cmd, wd, env=cenv)
            steps.append((name, cmd, out, rc))
            failed = failed or rc != 0
        if not failed:
            print("%-28s NO FAILURE (check the injection)" % c["id"])
            continue
        root = CI_ROOT[ci].format(repo=repo)
        L = envelope(ci, repo, setup, steps)
        home = CI_HOME[ci]

        def fix(t):
            t = t.replace(wd, root).replace("/tmp/real7-gen/_gopath", home + "/go").replace(
                "/tmp/real7-gen/_gocache", home + "/.cache/go-build").replace("/tmp/real7-gen/_cabal", home + "/.cabal").replace("/root/", home + "/")
            return t
        L.lines = [(fix(t), s) for t, s in L.lines]
        spans, err = locate(L, steps, c["keys"])
        if err:
            print("%-28s %s" % (c["id"], err))
            continue
        text = "\n".join(t for t, _ in L.lines) + "\n"
        rel = "%s/cases/%s.log" % (PART, c["id"])
        with open(os.path.join(HERE, "cases", c["id"] + ".log"), "w") as f:
            f.write(text)
        rows[c["id"]] = {"dataset": "realtools_native", "id": c["id"], "log": rel, "ci": ci,
                         "language": c["lang"], "tool": c["tool"], "ecosystem": eco,
                         "category": c["category"], "flaky": c["flaky"], "key_lines": spans,
                         "failed_tests": c["tests"],
                         "split": "sealed" if eco in SEALED else "tune",
                         "label_source": "generated: real %s output, injected failure" % c["tool"]}
        print("%-28s %-9s %-6s %s %s" % (c["id"], ci, rows[c["id"]]["split"], spans, len(text)))
        if "--keep" not in sys.argv:
            shutil.rmtree(wd, ignore_errors=True)
    order = [c["id"] for c in CASES]
    with open(labels_path, "w") as f:
        for i in sorted(rows, key=lambda k: order.index(k) if k in order else 1e9):
            f.write(json.dumps(rows[i]) + "\n")
    for split in ("tune", "sealed"):
        with open(os.path.join(HERE, "labels.%s.jsonl" % split), "w") as f:
            for i in sorted(rows, key=lambda k: order.index(k) if k in order else 1e9):
                if rows[i]["split"] == split:
                    f.write(json.dumps(rows[i]) + "\n")
    if missing:
        print("missing tools, cases skipped:", ", ".join(sorted(missing)))
    print("%d cases" % len(rows))


if __name__ == "__main__":
    main()
