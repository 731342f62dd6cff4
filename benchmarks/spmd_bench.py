#!/usr/bin/python3
"""Step time of models planned for 2 ranks, against one process, side by
side in one run: over loopback, and (with --netns, as root) with the two
ranks in separate network namespaces joined by a veth pair shaped by tc to
a fixed bandwidth, so that communication costs what it would on a link.

    /usr/bin/python3 benchmarks/spmd_bench.py --build build
        [--models mlp transformer_encoder_layer resnet18] [--runs 20]
        [--netns --rate 1gbit]

Each rank runs one thread, and so does the single process. Medians of
--runs steps (rank 0's), in ms; ratio = 2 ranks / 1 process. The plans are
made with the cost model's constants measured first by loom-calibrate on
the same ranks (loopback, and with --netns the shaped link; each rank then
binds its Gloo device to its namespace's address, LOOM_HOSTNAME), and the
step time each plan predicts is printed beside the measured one, and on
loopback the mean time rank 0 spends in boxing calls per step (waits
included; LOOM_COMM_STATS).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = {  # name: (input shape, loomc --input-shape or None)
    "mlp": ((64, 256), "input:64x256"),
    "transformer_encoder_layer": ((16, 2, 64), "input:16x2x64"),
    "resnet18": ((1, 3, 224, 224), None),
}
RATES = ["1gbit", "10gbit", "100mbit"]  # tc rates


def median_ms(text):
    return float(re.search(r"median_ms=([0-9.]+)", text).group(1))


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def setup_netns(rate):
    """Namespaces loom0 and loom1, veth 10.77.0.1 <-> 10.77.0.2, shaped."""
    for r in (0, 1):
        subprocess.run(["ip", "netns", "del", f"loom{r}"], capture_output=True)
        sh("ip", "netns", "add", f"loom{r}")
    sh("ip", "link", "add", "loomv0", "type", "veth", "peer", "name", "loomv1")
    for r in (0, 1):
        sh("ip", "link", "set", f"loomv{r}", "netns", f"loom{r}")
        ns = ["ip", "netns", "exec", f"loom{r}"]
        sh(*ns, "ip", "addr", "add", f"10.77.0.{r + 1}/24", "dev", f"loomv{r}")
        sh(*ns, "ip", "link", "set", f"loomv{r}", "up")
        sh(*ns, "ip", "link", "set", "lo", "up")
        sh(*ns, "tc", "qdisc", "add", "dev", f"loomv{r}", "root", "tbf",
           "rate", rate, "burst", "256kb", "latency", "50ms")


def teardown_netns():
    for r in (0, 1):
        subprocess.run(["ip", "netns", "del", f"loom{r}"], capture_output=True)


def calibrate(output):
    """loomc's cost-model flags from loom-calibrate's output."""
    return re.search(r"loomc flags: (.*)", output).group(1).split()


def predicted_ms(loomc, onnx, extra, flags, work, name):
    plan = subprocess.run(
        [loomc, onnx, *extra, "--mesh=2", *flags,
         "--explain-sbp", os.path.join(work, f"{name}.dot")],
        check=True, capture_output=True, text=True).stdout
    return float(re.search(r"predicted ([0-9.e+-]+) s", plan).group(1)) * 1e3


def run_netns(exe, args):
    store = tempfile.mkdtemp(prefix="loom-netns-")
    procs = []
    for r in (0, 1):
        env = dict(os.environ, LOOM_RANK=str(r), LOOM_WORLD_SIZE="2",
                   LOOM_STORE_DIR=store, LOOM_HOSTNAME=f"10.77.0.{r + 1}",
                   LOOM_TIMEOUT="120")
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", f"loom{r}", exe, *args], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outs = [p.communicate() for p in procs]
    shutil.rmtree(store, ignore_errors=True)
    if any(p.returncode for p in procs):
        raise RuntimeError(f"netns run failed: {outs}")
    return outs[0][0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--netns", action="store_true")
    parser.add_argument("--rate", default="1gbit", choices=sorted(RATES))
    args = parser.parse_args()
    loomc = os.path.join(args.build, "bin", "loomc")
    loom_run = os.path.join(args.build, "bin", "loom-run")
    work = tempfile.mkdtemp(prefix="loom-spmd-bench-")
    subprocess.run([sys.executable, os.path.join(HERE, "models",
                                                 "export_torch_models.py"),
                    work, "--opset", "13", "--models", *args.models],
                   check=True, capture_output=True)
    calibrator = os.path.join(args.build, "bin", "loom-calibrate")
    loopback = calibrate(subprocess.run(
        [loom_run, "-n", "2", calibrator], check=True, capture_output=True,
        text=True).stdout)
    print("loopback: " + " ".join(loopback))
    if args.netns:
        setup_netns(args.rate)
        shaped_flags = calibrate(run_netns(calibrator, []))
        print(f"{args.rate}: " + " ".join(shaped_flags))
    header = ("| model | 1 process | 2 ranks, loopback | ratio | predicted "
              "| in boxing (mean) |")
    if args.netns:
        header += f" 2 ranks, {args.rate} | ratio | predicted |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    try:
        for name in args.models:
            shape, input_shape = MODELS[name]
            onnx = os.path.join(work, f"{name}-opset13.onnx")
            x = os.path.join(work, f"{name}.npy")
            np.save(x, np.random.RandomState(0).randn(*shape).astype("float32"))
            extra = ["--input-shape", input_shape] if input_shape else []
            single = os.path.join(work, f"{name}-1")
            subprocess.run([loomc, onnx, *extra, "-o", single], check=True)
            two = os.path.join(work, f"{name}-2")
            subprocess.run([loomc, onnx, *extra, "--mesh=2", *loopback,
                            "-o", two], check=True)
            p2 = predicted_ms(loomc, onnx, extra, loopback, work, name)
            bench = ["--input", x, "--bench", str(args.runs), "--threads", "1"]
            t1 = median_ms(subprocess.run([single, *bench], check=True,
                                          capture_output=True, text=True).stdout)
            run2 = subprocess.run([loom_run, "-n", "2", two, *bench],
                                  check=True, capture_output=True, text=True,
                                  env=dict(os.environ, LOOM_COMM_STATS="1"))
            t2 = median_ms(run2.stdout)
            # Rank 0's time in boxing calls (waits included) per step,
            # without the first call's connecting.
            stats = re.search(r"loom: rank 0 sent \d+ bytes in \d+ boxing "
                              r"call\(s\), ([0-9.]+) ms \(the first, which "
                              r"connects, ([0-9.]+) ms\)", run2.stderr)
            boxing = ((float(stats.group(1)) - float(stats.group(2))) / args.runs
                      if stats else 0.0)
            row = (f"| {name} | {t1:.3f} | {t2:.3f} | {t2 / t1:.2f} "
                   f"| {p2:.3f} | {boxing:.3f} |")
            if args.netns:
                shaped = os.path.join(work, f"{name}-2net")
                predicted = predicted_ms(loomc, onnx, extra, shaped_flags,
                                         work, name)
                subprocess.run([loomc, onnx, *extra, "--mesh=2",
                                *shaped_flags, "-o", shaped], check=True)
                tn = median_ms(run_netns(shaped, bench))
                row += f" {tn:.3f} | {tn / t1:.2f} | {predicted:.3f} |"
            print(row, flush=True)
    finally:
        if args.netns:
            teardown_netns()
    return 0


if __name__ == "__main__":
    sys.exit(main())
