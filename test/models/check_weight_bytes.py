#!/usr/bin/env python3
"""Checks that each rank held the weight bytes its SBP plan gives it.

  check_weight_bytes.py PLAN_TABLE WEIGHTS.safetensors STATS MESH [MIN_BYTES]

PLAN_TABLE is loomc --explain-sbp's output (a row per weight: its name and
signature), WEIGHTS the model's weights file (the whole tensors' dtypes and
shapes), STATS the stderr of `loom-run -n N loom-run ... --stats` ("loom-run:
rank R weights FILE: B bytes held"), MESH the mesh ("4", "2x2"). A rank holds
its part of each weight: split dims cut as sbp-partition cuts them (balanced,
the first dim % parts members one row more), a partial sum whole on the first
member of the axis and nothing on the others, a broadcast whole. Weights under
MIN_BYTES (default 256) stay in the object and are not counted. A weight the
plan boxes before its consumer is cut at compile time into the layout it is
boxed to, so that layout counts.
"""
import json
import re
import struct
import sys

DTYPE_BYTES = {"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4,
               "I16": 2, "I8": 1, "U8": 1, "U16": 2, "U32": 4, "U64": 8,
               "BOOL": 1}


def split_part(dim, parts, index):
    return dim // parts + (1 if index < dim % parts else 0)


def coords(rank, mesh):
    out = []
    for n in reversed(mesh):
        out.append(rank % n)
        rank //= n
    return list(reversed(out))


def main():
    plan_path, weights_path, stats_path, mesh_text = sys.argv[1:5]
    min_bytes = int(sys.argv[5]) if len(sys.argv) > 5 else 256
    mesh = [int(n) for n in mesh_text.split("x")]
    with open(weights_path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
    header.pop("__metadata__", None)
    signatures = {}
    for name, sig in re.findall(r"^\| (\S+) \| graph\.constant \| (.+?) \|",
                                open(plan_path).read(), re.M):
        sig = sig.strip()
        if sig.startswith("("):
            sig = sig[1:-1]
        signatures[name] = [s.strip() for s in sig.split(",")]
    # sbp-partition cuts a weight that the plan boxes (to its consumer's
    # layout) straight into the layout it is boxed to.
    for src, dst, name in re.findall(
            r"^\| (.+?) -> (.+?) \| (\S+) -> \S+ \|", open(plan_path).read(),
            re.M):
        if name in signatures:
            dst = dst.strip()
            if dst.startswith("("):
                dst = dst[1:-1]
            signatures[name] = [s.strip() for s in dst.split(",")]
    held = {int(r): int(b) for r, b in re.findall(
        r"loom-run: rank (\d+) weights \S+: (\d+) bytes held",
        open(stats_path).read())}
    ranks = 1
    for n in mesh:
        ranks *= n
    if sorted(held) != list(range(ranks)):
        print(f"expected stats from {ranks} ranks, got ranks {sorted(held)}")
        return 1
    failed = False
    for rank in range(ranks):
        c = coords(rank, mesh)
        expected = 0
        for name, info in header.items():
            shape = list(info["shape"])
            element = DTYPE_BYTES[info["dtype"]]
            whole = element
            for d in shape:
                whole *= d
            if whole < min_bytes:
                continue
            sig = signatures.get(name, ["B"] * len(mesh))
            zero = False
            for axis, s in enumerate(sig):
                m = re.fullmatch(r"S\((\d+)\)", s)
                if m:
                    k = int(m.group(1))
                    shape[k] = split_part(shape[k], mesh[axis], c[axis])
                elif s.startswith("P"):
                    zero |= c[axis] != 0
            if not zero:
                part = element
                for d in shape:
                    part *= d
                expected += part
        ok = held[rank] == expected
        failed |= not ok
        print(f"rank {rank}: held {held[rank]} weight bytes, the plan gives "
              f"it {expected}" + ("" if ok else " MISMATCH"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
