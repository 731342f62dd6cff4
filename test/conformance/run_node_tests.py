#!/usr/bin/env python3
"""Runs the ONNX backend node tests through Loom's CPU backend, end to end.

For every test under the node-test directory (Debian's libonnx-testdata), it
compiles model.onnx with `loomc --emit=lib` (in parallel, one process per
core; the runtime is linked once, into loom-run) and runs every
test_data_set_* with `loom-run`, which compares the outputs (rtol 1e-3 and
atol 1e-7 for floats, exact otherwise).

It prints the pass count and a per-op table, and fails when a test that is
not in the expected-failures file fails, or when one that is in it passes
(the list may only shrink: run with --update to rewrite it).

Uses only the standard library (CI's python3 has nothing else).
"""

import argparse
import collections
import concurrent.futures
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time


def read_varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def fields(data):
    """Yields (field number, wire type, value) of a protobuf message."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError("bad wire type")
        yield number, wire, value


def model_ops(path):
    """The op types of the main graph's nodes (ModelProto.graph.node)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        ops = set()
        for number, wire, graph in fields(data):
            if number == 7 and wire == 2:
                for n, w, node in fields(graph):
                    if n == 1 and w == 2:
                        for nn, ww, value in fields(node):
                            if nn == 4 and ww == 2:
                                ops.add(value.decode())
        return sorted(ops)
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return ["?"]


def numbered(directory, prefix):
    files = [f for f in os.listdir(directory)
             if f.startswith(prefix) and f.endswith(".pb")]
    return [os.path.join(directory, f) for f in
            sorted(files, key=lambda f: int(re.findall(r"\d+", f)[0]))]


def run_test(args, name):
    """Returns (name, status, detail): status is pass, compile, run."""
    test_dir = os.path.join(args.node_dir, name)
    with tempfile.TemporaryDirectory(prefix="loom-node-") as tmp:
        library = os.path.join(tmp, "model.so")
        try:
            compiled = subprocess.run(
                [args.loomc, os.path.join(test_dir, "model.onnx"),
                 "--emit=lib", "-o", library] + args.loomc_flag,
                capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return name, "compile", "loomc timed out"
        if compiled.returncode != 0:
            lines = [l for l in compiled.stderr.splitlines()
                     if "error" in l] or compiled.stderr.splitlines() or [""]
            return name, "compile", lines[0].strip()
        sets = sorted(d for d in os.listdir(test_dir)
                      if d.startswith("test_data_set_"))
        for data_set in sets:
            data_dir = os.path.join(test_dir, data_set)
            command = shlex.split(args.loom_run) + [library]
            for f in numbered(data_dir, "input_"):
                command += ["--input", f]
            for f in numbered(data_dir, "output_"):
                command += ["--expect", f]
            try:
                ran = subprocess.run(command, capture_output=True, text=True,
                                     timeout=args.timeout)
            except subprocess.TimeoutExpired:
                return name, "run", data_set + ": timed out"
            if ran.returncode != 0:
                text = (ran.stdout + ran.stderr).strip().splitlines()
                detail = text[0] if text else (
                    "exit code %d" % ran.returncode)
                return name, "run", data_set + ": " + detail
    return name, "pass", ""


def read_xfail(path):
    expected = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    name, _, reason = line.partition("#")
                    expected[name.strip()] = reason.strip()
    return expected


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loomc", required=True)
    parser.add_argument("--loom-run", required=True)
    parser.add_argument("--node-dir",
                        default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("--xfail", required=True)
    parser.add_argument("--update", action="store_true",
                        help="rewrite the expected-failures file and the "
                             "per-op results beside it")
    parser.add_argument("--filter", default="",
                        help="only tests whose name contains this")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--loomc-flag", action="append", default=[],
                        help="an extra loomc flag (repeatable)")
    parser.add_argument("--every", type=int, default=1,
                        help="run every Nth test only (a sample)")
    parser.add_argument("--timeout", type=int, default=120)
    args = parser.parse_args()

    if not os.path.isdir(args.node_dir):
        print("node tests not found at %s (install libonnx-testdata)"
              % args.node_dir)
        return 1
    names = sorted(d for d in os.listdir(args.node_dir)
                   if d.startswith("test_") and args.filter in d)
    names = names[::max(args.every, 1)]
    start = time.time()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for name, status, detail in pool.map(lambda n: run_test(args, n),
                                             names):
            results[name] = (status, detail)
    elapsed = time.time() - start

    per_op = collections.defaultdict(lambda: [0, 0])
    for name, (status, _) in results.items():
        for op in model_ops(os.path.join(args.node_dir, name, "model.onnx")):
            per_op[op][1] += 1
            per_op[op][0] += status == "pass"
    print("per-op results (tests passing / tests using the op):")
    for op in sorted(per_op):
        passed, total = per_op[op]
        print("  %-28s %3d / %3d" % (op, passed, total))

    passed = sum(1 for s, _ in results.values() if s == "pass")
    counts = collections.Counter(s for s, _ in results.values())
    print("passed %d of %d node tests (%d fail to compile, %d fail to run "
          "or mismatch) in %.0f s with %d jobs"
          % (passed, len(results), counts["compile"], counts["run"], elapsed,
             args.jobs))

    expected = read_xfail(args.xfail)
    if args.update and not args.filter and args.every == 1:
        with open(args.xfail, "w") as f:
            f.write("# ONNX node tests that Loom's CPU backend does not pass "
                    "yet, with the reason.\n# This list may only shrink; "
                    "see test/conformance/run_node_tests.py.\n")
            for name in sorted(results):
                status, detail = results[name]
                if status != "pass":
                    f.write("%s  # %s: %s\n" % (name, status, detail))
        results_path = os.path.join(os.path.dirname(args.xfail),
                                    "node-results.txt")
        with open(results_path, "w") as f:
            f.write("# op, node tests using it that pass on the CPU, node "
                    "tests using it.\n# Written by run_node_tests.py "
                    "--update; docs/onnx-ops.md shows it.\n")
            for op in sorted(per_op):
                f.write("%s %d %d\n" % (op, *per_op[op]))
        print("updated %s and %s" % (args.xfail, results_path))
        return 0
    # On the emulated device, a kernel it cannot run (NVVM intrinsics,
    # inline PTX) is reported "not emulated": counted, not a failure.
    not_emulated = [n for n in sorted(results) if results[n][0] != "pass"
                    and "not emulated" in results[n][1]]
    print("%d not emulated" % len(not_emulated))
    for name in not_emulated:
        print("NOT EMULATED %s: %s" % (name, results[name][1]))
    new_failures = [n for n in sorted(results)
                    if results[n][0] != "pass" and n not in expected
                    and n not in not_emulated]
    new_passes = [n for n in sorted(results)
                  if results[n][0] == "pass" and n in expected]
    for name in new_failures:
        print("UNEXPECTED FAILURE %s: %s: %s" % (name, *results[name]))
    for name in new_passes:
        print("UNEXPECTED PASS %s: remove it from %s" % (name, args.xfail))
    return 1 if new_failures or new_passes else 0


if __name__ == "__main__":
    sys.exit(main())
