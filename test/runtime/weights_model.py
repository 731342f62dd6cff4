#!/usr/bin/env python3
"""Models with weights, their NumPy reference, and weights files to swap in.

  weights_model.py model DIR --layers L --width W --batch B [--external]
      DIR/model.pbtxt: an MLP of L MatMul + Add (+ Relu between) layers of
      W x W weights named layer<i>.weight / layer<i>.bias, input x [B, W],
      output y; with --external its weights are ONNX external data in
      DIR/weights.bin. With --conv, the layers are 3x3 convolutions
      (pads 1) of W channels on x [B, W, 16, 16]. DIR/x.npy the input,
      DIR/y.npy NumPy's output.
  weights_model.py swap IN.safetensors OUT.safetensors X.npy Y.npy [--layers L]
      Rewrites the weights file with other weights (each tensor times -0.5
      plus 0.01), and writes into Y.npy what the MLP computes on X.npy
      with them.
  weights_model.py break IN.safetensors OUT.safetensors HOW
      A file the model must refuse: HOW is drop (a tensor missing), extra
      (one more), shape (one with a leading dim of 1), dtype (one as F64), truncated (the
      data cut short) or header (not safetensors at all).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np


def weights(layers, width, seed=0, conv=False):
    r = np.random.RandomState(seed)
    out = {}
    for i in range(layers):
        shape = (width, width, 3, 3) if conv else (width, width)
        fan_in = width * 9 if conv else width
        out[f"layer{i}.weight"] = (r.randn(*shape) /
                                   np.sqrt(fan_in)).astype(np.float32)
        out[f"layer{i}.bias"] = (0.1 * r.randn(width)).astype(np.float32)
    return out


def conv3x3(x, w, b):
    """NCHW, OIHW, pads 1, stride 1."""
    n, c, hh, ww = x.shape
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, w.shape[0], hh, ww))
    for i in range(3):
        for j in range(3):
            out += np.einsum("nchw,oc->nohw", p[:, :, i:i + hh, j:j + ww],
                             w[:, :, i, j])
    return out + b.reshape(1, -1, 1, 1)


def forward(x, w, layers):
    h = x.astype(np.float64)
    if x.ndim == 4:
        for i in range(layers):
            h = conv3x3(h, w[f"layer{i}.weight"].astype(np.float64),
                        w[f"layer{i}.bias"].astype(np.float64))
            if i + 1 < layers:
                h = np.maximum(h, 0)
        return h.astype(np.float32)
    for i in range(layers):
        h = h @ w[f"layer{i}.weight"].astype(np.float64) + \
            w[f"layer{i}.bias"].astype(np.float64)
        if i + 1 < layers:
            h = np.maximum(h, 0)
    return h.astype(np.float32)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    return header, data


def write_safetensors(path, tensors, header_override=None):
    header, blobs, offset = {"__metadata__": {"producer": "test"}}, [], 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((-(8 + len(text))) % 64)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load(path):
    header, data = read_safetensors(path)
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        out[name] = (info["dtype"], info["shape"], data[begin:end])
    return out


def model(args):
    os.makedirs(args.dir, exist_ok=True)
    w = weights(args.layers, args.width, conv=args.conv)
    shape = (args.batch, args.width, 16, 16) if args.conv else (args.batch,
                                                                args.width)
    x = np.random.RandomState(1).randn(*shape).astype(np.float32)
    np.save(os.path.join(args.dir, "x.npy"), x)
    np.save(os.path.join(args.dir, "y.npy"), forward(x, w, args.layers))
    inits, nodes, offset = [], [], 0
    if args.external:
        blob = open(os.path.join(args.dir, "weights.bin"), "wb")
    for name, value in w.items():
        dims = " ".join(f"dims: {d}" for d in value.shape)
        if args.external:
            raw = value.tobytes()
            blob.write(raw)
            data = (f'data_location: EXTERNAL external_data {{ key: "location"'
                    f' value: "weights.bin" }} external_data {{ key: "offset"'
                    f' value: "{offset}" }} external_data {{ key: "length" '
                    f'value: "{len(raw)}" }}')
            offset += len(raw)
        else:
            data = "raw_data: \"" + "".join(
                f"\\{b:03o}" for b in value.tobytes()) + "\""
        inits.append(f'initializer {{ name: "{name}" data_type: 1 {dims} '
                     f'{data} }}')
    if args.external:
        blob.close()
    h = "x"
    for i in range(args.layers):
        last = i + 1 == args.layers
        out = "y" if last else f"add{i}"
        if args.conv:
            nodes.append(
                f'node {{ name: "conv{i}" op_type: "Conv" input: "{h}" '
                f'input: "layer{i}.weight" input: "layer{i}.bias" output: '
                f'"{out}" attribute {{ name: "pads" ints: 1 ints: 1 ints: 1 '
                f'ints: 1 type: INTS }} }}')
        else:
            nodes.append(
                f'node {{ name: "mm{i}" op_type: "MatMul" input: "{h}" '
                f'input: "layer{i}.weight" output: "mm{i}" }}')
            nodes.append(
                f'node {{ name: "add{i}" op_type: "Add" input: "mm{i}" '
                f'input: "layer{i}.bias" output: "{out}" }}')
        if not last:
            nodes.append(f'node {{ name: "relu{i}" op_type: "Relu" input: '
                         f'"{out}" output: "h{i}" }}')
            h = f"h{i}"

    def info(name):
        dims = " ".join(f"dim {{ dim_value: {d} }}" for d in shape)
        return (f'{{ name: "{name}" type {{ tensor_type {{ elem_type: 1 shape '
                f'{{ {dims} }} }} }} }}')
    text = ("ir_version: 8 opset_import { domain: \"\" version: 13 }\n"
            "graph { name: \"mlp\"\n" + "\n".join(nodes + inits) +
            f"\ninput {info('x')}\noutput {info('y')}\n}}\n")
    with open(os.path.join(args.dir, "model.pbtxt"), "w") as f:
        f.write(text)


def swap(args):
    tensors = load(args.input)
    new, arrays = {}, {}
    for name, (dtype, shape, raw) in tensors.items():
        value = np.frombuffer(raw, np.float32).reshape(shape) * -0.5 + 0.01
        arrays[name] = value.astype(np.float32)
        new[name] = (dtype, shape, arrays[name].tobytes())
    write_safetensors(args.output, new)
    np.save(args.y, forward(np.load(args.x), arrays, args.layers))


def breaks(args):
    tensors = load(args.input)
    names = sorted(tensors)
    if args.how == "drop":
        del tensors[names[0]]
    elif args.how == "extra":
        tensors["stray.weight"] = ("F32", [2], b"\0" * 8)
    elif args.how == "shape":
        dtype, shape, raw = tensors[names[0]]
        tensors[names[0]] = (dtype, [1] + list(shape), raw)
    elif args.how == "dtype":
        dtype, shape, raw = tensors[names[0]]
        tensors[names[0]] = ("F64", shape, raw + raw)
    elif args.how in ("truncated", "header"):
        data = open(args.input, "rb").read()
        with open(args.output, "wb") as f:
            f.write(data[:len(data) - 64] if args.how == "truncated"
                    else b"\xff" * 64)
        return
    write_safetensors(args.output, tensors)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("model")
    p.add_argument("dir")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--external", action="store_true")
    p.add_argument("--conv", action="store_true")
    p = sub.add_parser("swap")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("x")
    p.add_argument("y")
    p.add_argument("--layers", type=int, default=2)
    p = sub.add_parser("break")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("how")
    args = parser.parse_args()
    {"model": model, "swap": swap, "break": breaks}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
