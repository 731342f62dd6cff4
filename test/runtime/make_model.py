#!/usr/bin/env python3
"""Writes a one-node ONNX model as a text proto (for %onnx-encode).

  make_model.py OP [--name NODE] [--opset N]
                [--in NAME:TYPE:DIMS]... [--out NAME:TYPE:DIMS]...
                [--init NAME:TYPE:DIMS:VALUES]... [--attr KEY=VALUE]...

TYPE is f32, f64, i32, i64, i8 or bool; DIMS a comma-separated list of
sizes, symbolic names (dim_param) or '?' (unknown), empty for a scalar.
Inputs are the node's inputs in order, initializers included (an --init
is a node input too, placed where it appears among the --in flags; '-'
as a --in name leaves an optional input out). VALUES are comma-separated.
An --attr VALUE is an int, a float (with a '.'), ints (i:1,2), or a
string (s:text).
"""
import argparse
import sys

TYPES = {"f32": 1, "i8": 3, "i32": 6, "i64": 7, "bool": 9, "f64": 11}
FIELDS = {1: "float_data", 3: "int32_data", 6: "int32_data", 7: "int64_data",
          9: "int32_data", 11: "double_data"}


def shape(dims):
    out = []
    for d in dims.split(",") if dims else []:
        if d == "?":
            out.append("dim { }")
        elif d.lstrip("-").isdigit():
            out.append(f"dim {{ dim_value: {d} }}")
        else:
            out.append(f'dim {{ dim_param: "{d}" }}')
    return " ".join(out)


def value_info(spec):
    name, dtype, dims = (spec.split(":") + [""])[:3]
    return (f'{{ name: "{name}" type {{ tensor_type {{ elem_type: '
            f'{TYPES[dtype]} shape {{ {shape(dims)} }} }} }} }}')


def attribute(spec):
    key, value = spec.split("=", 1)
    if value.startswith("i:"):
        ints = " ".join(f"ints: {v}" for v in value[2:].split(","))
        return f'attribute {{ name: "{key}" type: INTS {ints} }}'
    if value.startswith("s:"):
        return f'attribute {{ name: "{key}" type: STRING s: "{value[2:]}" }}'
    if "." in value or "e" in value.lower():
        return f'attribute {{ name: "{key}" type: FLOAT f: {value} }}'
    return f'attribute {{ name: "{key}" type: INT i: {value} }}'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("op")
    parser.add_argument("--name", default="node")
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--in", dest="inputs", action="append", default=[])
    parser.add_argument("--init", action="append", default=[])
    parser.add_argument("--out", dest="outputs", action="append", default=[])
    parser.add_argument("--attr", action="append", default=[])
    # --in and --init interleave as node inputs, in command-line order.
    order = [a for a in sys.argv[1:]]
    args = parser.parse_args()
    node_inputs = []
    i = 0
    while i < len(order):
        if order[i] in ("--in", "--init"):
            node_inputs.append(order[i + 1].split(":")[0])
            i += 2
        else:
            i += 1
    lines = ["ir_version: 8",
             f'opset_import {{ domain: "" version: {args.opset} }}', "graph {"]
    ins = " ".join(f'input: "{n if n != "-" else ""}"' for n in node_inputs)
    outs = " ".join(f'output: "{o.split(":")[0]}"' for o in args.outputs)
    attrs = " ".join(attribute(a) for a in args.attr)
    lines.append(f'  node {{ name: "{args.name}" op_type: "{args.op}" '
                 f"{ins} {outs} {attrs} }}")
    for spec in args.init:
        name, dtype, dims, values = spec.split(":")
        code = TYPES[dtype]
        dim_text = " ".join(f"dims: {d}" for d in dims.split(",") if d)
        data = " ".join(f"{FIELDS[code]}: {v}" for v in values.split(","))
        lines.append(f'  initializer {{ name: "{name}" data_type: {code} '
                     f"{dim_text} {data} }}")
    for spec in args.inputs:
        if spec.split(":")[0] != "-":
            lines.append(f"  input {value_info(spec)}")
    for spec in args.outputs:
        lines.append(f"  output {value_info(spec)}")
    lines.append("}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
