"""ONNX Runtime 1.30 from Python, through onnxruntime-node (ort_dynamic.js):
Debian has no onnxruntime Python package and nothing is pip-installable.

    import ort_runner
    node_dir = ort_runner.ensure()            # npm-installs it if absent
    results = ort_runner.run(model, ["in0.npy", ...], threads=1, runs=20)
    results[k]["outputs"]   # list of numpy arrays, output order
    results[k]["median_ms"] # None when runs == 0
"""
import os
import shutil
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_DIR = os.path.join(HERE, ".node")
VERSION = "1.30.0"
DTYPES = {"float32": np.float32, "int64": np.int64, "bool": np.bool_,
          "int32": np.int32, "float64": np.float64}


def available():
    return (shutil.which("node") is not None and os.path.isdir(
        os.path.join(NODE_DIR, "node_modules", "onnxruntime-node")))


def ensure():
    """Installs onnxruntime-node into benchmarks/.node (its install script
    downloads, so --ignore-scripts; the npm package carries the binaries)."""
    if not available():
        os.makedirs(NODE_DIR, exist_ok=True)
        subprocess.run(["npm", "install", "--ignore-scripts", "--prefix",
                        NODE_DIR, f"onnxruntime-node@{VERSION}"], check=True,
                       stdout=subprocess.DEVNULL)
    return NODE_DIR


def run(model, inputs, threads=1, runs=0):
    """Runs `model` on each .npy input (float32); see the module docstring."""
    work = tempfile.mkdtemp(prefix="loom-ort-")
    try:
        specs = []
        for k, path in enumerate(inputs):
            x = np.load(path).astype(np.float32)
            raw = os.path.join(work, f"in{k}.bin")
            x.tofile(raw)
            specs.append(f"{raw}:{'x'.join(str(d) for d in x.shape)}")
        out = subprocess.run(
            ["node", os.path.join(HERE, "ort_dynamic.js"), model,
             str(threads), str(runs), work, *specs],
            check=True, capture_output=True, text=True,
            env=dict(os.environ,
                     NODE_PATH=os.path.join(NODE_DIR, "node_modules"))).stdout
        results = []
        for line in out.splitlines():
            fields = dict(f.split("=", 1) for f in line.split())
            k = int(fields["input"])
            outputs = []
            for i, desc in enumerate(fields["outputs"].split(",")):
                dtype, dims = desc.split(":")
                shape = [int(d) for d in dims.split("x") if d]
                data = np.fromfile(os.path.join(work, f"ort{k}_{i}.bin"),
                                   dtype=DTYPES[dtype])
                outputs.append(data.reshape(shape))
            median = fields.get("median_ms")
            results.append({"outputs": outputs,
                            "median_ms": float(median) if median else None})
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def agrees(got, ref, tolerance=1e-4):
    """Whether output lists agree: same shapes, integers exactly, floats
    within `tolerance` relative to the reference's largest magnitude."""
    for g, r in zip(got, ref):
        if g.shape != r.shape:
            return False
        if np.issubdtype(r.dtype, np.integer) or r.dtype == np.bool_:
            if not np.array_equal(g, r):
                return False
        else:
            scale = max(1.0, float(np.max(np.abs(r)))) if r.size else 1.0
            if r.size and float(np.max(np.abs(g - r))) > tolerance * scale:
                return False
    return True
