#!/usr/bin/env python3
"""Writes an ONNX model whose graph nests DEPTH If nodes (each then_branch
holding the next), in protobuf's wire format directly (protoc's text parser
has a nesting limit of its own).

  deep_model.py DEPTH OUT.onnx
"""
import sys


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, payload):
    """A length-delimited field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def main():
    depth, path = int(sys.argv[1]), sys.argv[2]
    graph = b""
    for _ in range(depth):
        # AttributeProto: name (1), type GRAPH = 5 (20), g (6).
        attribute = field(1, b"then_branch") + varint(20 << 3) + varint(5) + \
            field(6, graph)
        # NodeProto: op_type (4), attribute (5); GraphProto: node (1).
        graph = field(1, field(4, b"If") + field(5, attribute))
    # ModelProto: ir_version (1) = 8, graph (7), opset_import (8).
    model = varint(1 << 3) + varint(8) + field(7, graph) + \
        field(8, varint(2 << 3) + varint(13))
    with open(path, "wb") as out:
        out.write(model)


if __name__ == "__main__":
    main()
