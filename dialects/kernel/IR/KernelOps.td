//===- KernelOps.td - The kernel dialect -------------------*- tablegen -*-===//
//
// Part of Loom. Operations that a kernel library computes: what the
// graph-to-linalg lowering hands to oneDNN instead of generating loops.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_KERNEL_IR_KERNELOPS_TD
#define LOOM_DIALECTS_KERNEL_IR_KERNELOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kernel_Dialect : Dialect {
  let name = "kernel";
  let cppNamespace = "::loom::kernel";
  let summary = "Operations computed by a kernel library";
  let description = [{
    The CPU backend lowers most graph ops to `linalg` and generates their
    code. Convolutions and matrix products are where generated loop nests
    lose most to tuned libraries (docs/kernel-library.md measures it), so
    the lowering turns the eligible ones into `kernel` ops instead. Like
    `linalg` ops they are in destination-passing style and exist in two
    forms: on tensors, with one result tied to the `outs` operand, and on
    buffers, with no result. One-shot bufferization turns the first into the
    second, and `loom-lower-kernels-to-calls` turns the second into calls to
    the Loom runtime's kernel functions (`runtime/src/Kernels.cpp`).

    Only `f32` is supported; operands are row-major, which bufferization
    with identity layouts guarantees.
  }];
}

def Kernel_Operand : AnyTypeOf<[RankedTensorOf<[F32]>, MemRefOf<[F32]>],
                               "f32 ranked tensor or memref">;

// What collectives move: floats and signless integers (bool included).
defvar Kernel_BoxElements = [F16, BF16, F32, F64, I1, I8, I16, I32, I64];
def Kernel_BoxOperand
    : AnyTypeOf<[RankedTensorOf<Kernel_BoxElements>,
                 MemRefOf<Kernel_BoxElements>],
                "ranked tensor or memref of f16, bf16, f32, f64, i1, i8, "
                "i16, i32 or i64">;

class Kernel_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kernel_Dialect, mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
        DestinationStyleOpInterface])> {
  let hasVerifier = 1;
  code kernelDecls = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
  }];
  let extraClassDeclaration = kernelDecls;
}

def Kernel_MatmulOp : Kernel_Op<"matmul"> {
  let summary = "C = relu?(alpha * op(A) * op(B) + bias (+ C)), a 2-D f32 "
                "matrix product or a batch of them";
  let description = [{
    `op(X)` is `X` transposed when `transpose_a` (`transpose_b`) is set.
    `init` is the destination; with `accumulate` the product is added to
    its contents, otherwise they are overwritten. An optional `bias` (1-D,
    one element per column of the result) is added to every row (ONNX
    Gemm's `C` of shape [N] or [1, N]): the libraries' bias epilogue. With
    `relu`, ONNX's Relu follows (`x < 0 ? 0 : x`, unordered as below zero),
    as the libraries' ReLU epilogue.
    Operands of rank 3 are a batch: dim 0 counts the products (the same in
    all three), each one of the two dims after it; the bias is every
    product's.

    ```mlir
    %r = kernel.matmul ins(%a, %b : tensor<8x256xf32>, tensor<512x256xf32>)
           outs(%c : tensor<8x512xf32>) {transpose_b, accumulate}
           -> tensor<8x512xf32>
    %s = kernel.matmul ins(%q, %k : tensor<12x128x64xf32>,
                                    tensor<12x64x128xf32>)
           outs(%e : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
    ```
  }];
  let arguments = (ins Kernel_Operand:$lhs, Kernel_Operand:$rhs,
                   Optional<Kernel_Operand>:$bias,
                   Kernel_Operand:$init, UnitAttr:$transpose_a,
                   UnitAttr:$transpose_b, UnitAttr:$accumulate,
                   UnitAttr:$relu, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    `ins` `(` $lhs `,` $rhs (`,` $bias^)? `:` type($lhs) `,` type($rhs)
    (`,` type($bias)^)? `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
}

def Kernel_Conv2DOp : Kernel_Op<"conv2d"> {
  let summary = "2-D convolution (NCHW input, OIHW weights) with epilogue";
  let description = [{
    `init = act(conv(input, weight) + bias (+ init))`: the ONNX `Conv` of a
    rank-4 input with `groups`, `strides`, `dilations` and `pads` (begin
    then end: top, left, bottom, right), an optional per-channel `bias`,
    then, with `accumulate`, the old contents of `init` (a residual
    connection), then `relu` when set.

    ```mlir
    %y = kernel.conv2d ins(%x, %w, %b : tensor<1x64x56x56xf32>,
           tensor<64x64x3x3xf32>, tensor<64xf32>)
           outs(%init : tensor<1x64x56x56xf32>)
           {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
            dilations = array<i64: 1, 1>, groups = 1 : i64, relu}
           -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Kernel_Operand:$input, Kernel_Operand:$weight,
                   Optional<Kernel_Operand>:$bias, Kernel_Operand:$init,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations, I64Attr:$groups,
                   UnitAttr:$accumulate, UnitAttr:$relu);
  let results = (outs Variadic<RankedTensorOf<[F32]>>:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $weight (`,` $bias^)? `:` type($input) `,`
    type($weight) (`,` type($bias)^)? `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
}

def Kernel_BoxOp : Kernel_Op<"box"> {
  let summary = "Convert a rank's part of a tensor between SBP layouts";
  let description = [{
    SBP boxing on one axis of the device mesh: `input` is this rank's part
    of a tensor laid out as `from` on mesh axis `mesh_axis`, `init` receives
    its part under `to`. Layouts are `[kind, dim, reduction]` with kind 0
    split (along `dim`), 1 broadcast, 2 partial (reduction 0 sum, 1 max,
    2 min). Splits may be uneven: a dim of D rows split over n ranks gives
    rank k D / n rows plus one when k < D % n, so the split side's dim is
    D / n or D / n + 1 of the other side's (which is whole). Elements are
    floats or signless integers (bool included); partial layouts need one
    that reduces (not f16, bf16 or i1). The runtime's `loom_comm_box` does the work (ring
    collectives over Gloo between the ranks of that axis); the executable
    joins the job that `loom-run -n N` describes.

    ```mlir
    %b = kernel.box ins(%p : tensor<8x16xf32>) outs(%i : tensor<8x16xf32>)
           {mesh = array<i64: 2>, mesh_axis = 0 : i64,
            from = array<i64: 2, 0, 0>, to = array<i64: 1, 0, 0>}
           -> tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Kernel_BoxOperand:$input, Kernel_BoxOperand:$init,
                   DenseI64ArrayAttr:$mesh, I64Attr:$mesh_axis,
                   DenseI64ArrayAttr:$from, DenseI64ArrayAttr:$to);
  let results = (outs Variadic<RankedTensorOf<Kernel_BoxElements>>:$result);
  let assemblyFormat = [{
    `ins` `(` $input `:` type($input) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
  let extraClassDeclaration = kernelDecls # [{
    /// Boxing overwrites its destination.
    bool getAccumulate() { return false; }
  }];
}

def Kernel_MeshRankOp : Op<Kernel_Dialect, "mesh_rank", [Pure]> {
  let summary = "This process's rank in the job that runs a mesh's program";
  let description = [{
    The rank (0 to the mesh's size - 1, row-major over the mesh) of the
    process, which joins the job `loom-run -n N` (or `mpirun`) describes on
    first use; a process started otherwise, or in a job of another size,
    ends with a clear error. Partitioned functions whose ranks hold parts of
    different shapes (uneven splits) dispatch on it.

    ```mlir
    %rank = kernel.mesh_rank {mesh = array<i64: 3>} : i64
    ```
  }];
  let arguments = (ins DenseI64ArrayAttr:$mesh);
  let results = (outs I64:$rank);
  let assemblyFormat = "attr-dict `:` type($rank)";
  let hasVerifier = 1;
}

def Kernel_CheckOp : Op<Kernel_Dialect, "check", [
    MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "Ends the run with an error unless a condition holds";
  let description = [{
    A run-time check that the graph-to-linalg lowering places before an op
    whose operands' values or run-time dims could make it read or write out
    of bounds, or compute what ONNX defines as an error: an index out of
    range, dims that do not broadcast, a negative size, an integer division
    by zero. When `condition` is false, the run ends: the runtime writes the
    caller's error record (loom/abi.h) with the ONNX node and op named by the
    op's location, `operand` (the node's input at fault, -1 for none) and
    `message`, in which `{0}` and `{1}` stand for `values` (the offending
    value and what it was checked against); it frees the run's buffers and
    the entry point returns LOOM_ERROR_INVALID_ARGUMENT.

    It reads and writes memory so that it stays in its place: before the op
    it guards, never removed. A condition that folds to true removes it.

    ```mlir
    kernel.check %ok, "index {0} is out of range for a dim of size {1}"
        (%index, %size) {kind = "index", operand = 1} : i64, i64
    ```

    `kind` is the record's loom_check_kind: `index`, `shape`, `size` or
    `value`.
  }];
  let extraClassDeclaration = [{
    /// The loom_check_kind of `kind` (loom/abi.h), or 0.
    int getKindCode();
  }];
  let arguments = (ins I1:$condition, Variadic<I64>:$values,
                   StrAttr:$message, StrAttr:$kind,
                   DefaultValuedAttr<I64Attr, "-1">:$operand);
  let assemblyFormat = [{
    $condition `,` $message (`(` $values^ `)`)? attr-dict
    (`:` type($values)^)?
  }];
  let hasVerifier = 1;
  let hasCanonicalizeMethod = 1;
}

def Kernel_WeightOp : Op<Kernel_Dialect, "weight", [Pure]> {
  let summary = "A weight that the runtime maps from the model's weights file";
  let description = [{
    The buffer of use `index` of a weight: the whole tensor `name` of the
    model's weights file (safetensors, docs/weights.md), or, for a rank of a
    partitioned model, the box `offsets` + the result's shape of it. The
    runtime maps the file when the model is loaded and resolves each use on
    its first run: a box that is contiguous in the file is a pointer into
    the mapping (zero-copy); another is copied once into a buffer of its
    own. The buffer is read-only and holds the same values at the same
    address for as long as the model is loaded, so kernels may cache what
    they derive from it. `loom-externalize-weights` creates these ops from
    constant `memref.global`s and records every use in the model's
    signature.

    ```mlir
    %w = kernel.weight "fc1.weight" [0] offsets [0, 0] : memref<512x256xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, I64Attr:$index,
                   DenseI64ArrayAttr:$offsets);
  let results = (outs AnyStaticShapeMemRef:$result);
  let assemblyFormat = [{
    $name `[` $index `]` `offsets` $offsets attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Kernel_DeviceGlobalOp : Op<Kernel_Dialect, "device_global", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "The device's copy of a constant global of a CUDA model";
  let description = [{
    The constant `memref.global` `global` in device memory: the runtime
    uploads it on the first run that asks for it and keeps it while the
    model is loaded, so every run gets the same address. A CUDA model's
    host code uses it where a constant reaches a kernel through host
    control flow or a call (`loom-gpu-offload-host`); the host itself reads
    the global where it is.

    ```mlir
    %d = kernel.device_global @__constant_4xf32 : memref<4xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$global);
  let results = (outs AnyStaticShapeMemRef:$result);
  let assemblyFormat = "$global attr-dict `:` type($result)";
}

def Kernel_WorkspaceOp : Op<Kernel_Dialect, "workspace", [Pure]> {
  let summary = "The run's workspace, where the memory plan puts buffers";
  let description = [{
    The arena of the run in progress: at least `bytes` bytes, 64-byte
    aligned, shared by every function of the model (`kernel-plan-memory`
    gives each its own offsets). The runtime takes it from the caller
    (`loom_run_context.workspace`) or from a pool of arenas that it
    allocates once and reuses on every run, one arena per concurrent run.

    ```mlir
    %ws = kernel.workspace : memref<65536xi8>
    ```
  }];
  let results = (outs MemRefRankOf<[I8], [1]>:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

#endif // LOOM_DIALECTS_KERNEL_IR_KERNELOPS_TD
