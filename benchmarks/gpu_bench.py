#!/usr/bin/env python3
"""Loom's CUDA artefacts against PyTorch on the same GPU, in one run.

Runs on the GPU machine (torch 2.x with CUDA), on what scripts/gpu-prepare.sh
compiled here and the device tool carried (docs/cuda.md):

    python3 benchmarks/gpu_bench.py [--artefacts gpu-artefacts] [--runs 50]
        [--modes eager,default,reduce-overhead] [--max-autotune resnet18]
        [--compile-budget 240]

For each model in DIR/models.txt: Loom's median (`NAME --bench N`: host
input to host output, as loom_model_run does; its static regions replayed
as CUDA graphs), Loom kernel by kernel where `NAME-calls` (--cuda-graphs=off)
was carried, with the time a graph saves per region launched (their
difference over the region launches of one run, LOOM_GPU_STATS), Loom with
its DyCL decisions on the host where `NAME-static` (--cuda-graphs=static)
was carried (NAME's own takes them on the device, in conditional nodes),
then PyTorch's at the same
precision (fp32, TF32 off), eager and torch.compile in each mode, timed the
same way (input copied to the GPU, output back, synchronised), medians of
`--runs` after warm-up, and each ratio peer / Loom (> 1: Loom is faster).
A `NAME-b32` artefact, when carried, is timed at batch 32 on a random input
of the shape in `NAME-b32.shape`. The models run in the order of DIR/bench.txt
when there is one (the ones the goals are set for first), else models.txt.
A mode that fails or exceeds the compile budget is reported, not fatal.

`--dry-run` times Loom's artefacts on the emulated device and PyTorch on the
CPU, to check the script itself; no figure from it is a GPU figure.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "models"))
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "models", "dynamic"))


def torch_model(name):
    """The PyTorch module an artefact was compiled from."""
    import torch
    torch.manual_seed(0)
    try:
        import export_torch_models
        if name in export_torch_models.MODELS:
            model, _, _ = export_torch_models.MODELS[name]()
            return model.eval()
    except ImportError:
        pass
    import models  # the dynamic suite
    return models.build(name).eval()


def time_loom(exe, inp, runs, env):
    out = subprocess.run([exe, "--input", inp, "--bench", str(runs)],
                         capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        raise RuntimeError((out.stderr or out.stdout).strip().splitlines()[-1])
    fields = dict(f.split("=") for f in out.stdout.strip().splitlines()[-1].split())
    return float(fields["median_ms"])


def region_launches(exe, inp, env):
    """The static regions one run launches (captured or replayed): of the
    two runs of `--bench 1` (a warm-up and one timed)."""
    out = subprocess.run([exe, "--input", inp, "--bench", "1"],
                         capture_output=True, text=True,
                         env=dict(env, LOOM_GPU_STATS="1"), timeout=600)
    for line in out.stderr.splitlines():
        if line.startswith("loom: CUDA graphs:"):
            words = line.replace(",", "").split()
            return (int(words[3]) + int(words[5]) + int(words[8])) // 2
    return 0


def time_torch(fn, x, runs, device):
    import torch

    def once():
        with torch.no_grad():
            y = fn(x.to(device))
            ys = y if isinstance(y, (tuple, list)) else (y,)
            for t in ys:
                t.cpu()
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(3):
        once()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artefacts", default=os.path.join(ROOT, "gpu-artefacts"))
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--modes", default="eager,default,reduce-overhead")
    parser.add_argument("--max-autotune", default="resnet18",
                        help="the one model also compiled with max-autotune")
    parser.add_argument("--compile-budget", type=float, default=240,
                        help="seconds a torch.compile mode may take to warm up")
    parser.add_argument("--batches", default="1,32",
                        help="the batch sizes to time (32: NAME-b32 artefacts)")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()

    import torch
    device = "cpu" if args.dry_run else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        print("gpu_bench: no CUDA device for PyTorch", file=sys.stderr)
        return 1
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    env = dict(os.environ, LOOM_DEVICE="emulated" if args.dry_run else "cuda")
    print(f"# gpu_bench: torch {torch.__version__}, device "
          f"{torch.cuda.get_device_name(0) if device == 'cuda' else 'cpu (dry run)'}, "
          f"medians of {args.runs} runs, ms; ratio = peer / Loom")
    carried = open(os.path.join(args.artefacts, "models.txt")).read().split()
    order = os.path.join(args.artefacts, "bench.txt")
    names = ([n for n in open(order).read().split() if n in carried]
             if os.path.exists(order) else carried)
    modes = args.modes.split(",")
    print("| model | batch | Loom | Loom kernel by kernel | "
          "Loom, decisions on the host | " + " | ".join(modes) +
          " | best peer / Loom |")
    print("|---|---|---|---|---|" + "---|" * len(modes) + "---|")
    for name in names:
        batches = [int(b) for b in args.batches.split(",")]
        for batch, exe in ((1, name), (32, f"{name}-b32")):
            path = os.path.join(args.artefacts, exe)
            if batch not in batches:
                continue
            if not os.path.exists(path):
                continue
            inp = os.path.join(args.artefacts, f"{name}-input.npy")
            x = np.load(inp)
            if batch != 1:
                with open(f"{path}.shape") as f:
                    shape = tuple(int(d) for d in f.read().split("x"))
                x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
                inp = os.path.join(args.artefacts, f"{exe}-input.npy")
                np.save(inp, x)
            row = [name, str(batch)]
            try:
                loom = time_loom(path, inp, args.runs, env)
                row.append(f"{loom:.3f}")
            except Exception as error:  # a failed artefact: say so, go on
                loom = None
                row.append(f"failed ({error})")
            calls = os.path.join(args.artefacts, f"{exe}-calls")
            if os.path.exists(calls):
                try:
                    ms = time_loom(calls, inp, args.runs, env)
                    cell = f"{ms:.3f}"
                    if loom:
                        cell += f" ({ms / loom:.2f}x)"
                        launches = region_launches(path, inp, env)
                        if launches:
                            print(f"# {name}: {launches} graph launch(es) a run, "
                                  f"{(ms - loom) * 1e3 / launches:.1f} us saved "
                                  "per launch against kernel by kernel")
                    row.append(cell)
                except Exception as error:
                    row.append(f"failed ({error})")
            else:
                row.append("—")
            static = os.path.join(args.artefacts, f"{exe}-static")
            if os.path.exists(static):
                try:
                    ms = time_loom(static, inp, args.runs, env)
                    row.append(f"{ms:.3f}" + (f" ({ms / loom:.2f}x)" if loom else ""))
                except Exception as error:
                    row.append(f"failed ({error})")
            else:
                row.append("—")
            peers = []
            model = torch_model(name).to(device)
            xt = torch.from_numpy(x)
            for mode in modes + (["max-autotune"] if name == args.max_autotune
                                 and batch == 1 else []):
                try:
                    fn = model
                    if mode != "eager":
                        if not hasattr(torch, "compile"):
                            raise RuntimeError("no torch.compile")
                        fn = torch.compile(model, mode=mode)
                    start = time.perf_counter()
                    time_torch(fn, xt, 1, device)  # compiles
                    if time.perf_counter() - start > args.compile_budget:
                        raise RuntimeError("over the compile budget")
                    ms = time_torch(fn, xt, args.runs, device)
                    peers.append(ms)
                    cell = f"{ms:.3f}"
                    if loom:
                        cell += f" ({ms / loom:.2f}x)"
                except Exception as error:
                    cell = f"— ({str(error).splitlines()[0][:40]})"
                if mode == "max-autotune":
                    print(f"# {name} max-autotune: {cell}")
                else:
                    row.append(cell)
            best = min(peers) if peers else None
            row.append(f"{best / loom:.2f}" if best and loom else "—")
            print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
