#!/usr/bin/env python3
"""Weights that travel as a seed: a model's safetensors file rewritten with
values any machine regenerates bit for bit, from NumPy alone.

The device tool carries 64 MiB; ResNet-50's weights alone are 100 MB. So
scripts/gpu-prepare.sh rewrites a large model's weights here with seeded
values that keep each tensor's mean and standard deviation (so activations
stay in range), computes the CPU build's outputs with them, and carries only
a manifest; scripts/gpu-check.sh regenerates the file there and refuses it
unless its SHA-256 is the manifest's.

    seeded_weights.py make IN.safetensors OUT.safetensors MANIFEST.json
    seeded_weights.py regen MANIFEST.json OUT.safetensors

The values come from numpy.random.RandomState (the legacy generator, whose
streams NumPy keeps stable across versions), one seed per tensor, in float64
then rounded to the tensor's dtype (F32 and F16; integer tensors are kept
as they are, in the manifest).
"""

import hashlib
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64,
          "I64": np.int64, "I32": np.int32, "I8": np.int8, "U8": np.uint8,
          "BOOL": np.bool_}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=DTYPES[info["dtype"]])
        tensors[name] = (info["dtype"], info["shape"], array)
    return tensors


def write(path, tensors):
    """Tensors in name order, each 8-byte aligned: the same bytes for the
    same tensors on every machine."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        dtype, shape, array = tensors[name]
        raw = np.ascontiguousarray(array).tobytes()
        pad = (-len(raw)) % 8
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * ((-len(text)) % 8)
    blob = struct.pack("<Q", len(text)) + text + b"".join(chunks)
    with open(path, "wb") as f:
        f.write(blob)
    return hashlib.sha256(blob).hexdigest()


def generate(entry, index):
    dtype, shape = entry["dtype"], entry["shape"]
    if "values" in entry:  # kept as it was (integers)
        return dtype, shape, np.array(entry["values"], dtype=DTYPES[dtype])
    count = int(np.prod(shape)) if shape else 1
    random = np.random.RandomState(entry["seed"])
    values = entry["mean"] + entry["std"] * random.standard_normal(count)
    return dtype, shape, values.astype(DTYPES[dtype]).reshape(shape)


def make(source, out, manifest):
    tensors = read(source)
    entries = {}
    for index, name in enumerate(sorted(tensors)):
        dtype, shape, array = tensors[name]
        entry = {"dtype": dtype, "shape": shape}
        if dtype in ("F32", "F16", "F64"):
            values = array.astype(np.float64)
            entry.update(seed=1000 + index,
                         mean=float(values.mean()) if values.size else 0.0,
                         std=float(values.std()) if values.size else 0.0)
        else:
            entry["values"] = array.tolist()
        entries[name] = entry
    seeded = {name: generate(entries[name], i)
              for i, name in enumerate(sorted(entries))}
    digest = write(out, seeded)
    with open(manifest, "w") as f:
        json.dump({"sha256": digest, "tensors": entries}, f)
    print(f"{out}: {len(entries)} tensors, sha256 {digest[:16]}...")
    return 0


def regen(manifest, out):
    with open(manifest) as f:
        spec = json.load(f)
    tensors = {name: generate(entry, i)
               for i, (name, entry) in enumerate(sorted(spec["tensors"].items()))}
    digest = write(out, tensors)
    if digest != spec["sha256"]:
        print(f"{out}: sha256 {digest} is not the manifest's {spec['sha256']}: "
              f"this NumPy does not regenerate the weights", file=sys.stderr)
        return 1
    print(f"{out}: regenerated, sha256 checked")
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "make":
        return make(argv[2], argv[3], argv[4])
    if len(argv) == 4 and argv[1] == "regen":
        return regen(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
