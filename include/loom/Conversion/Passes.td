//===- Passes.td - Loom's conversion passes ----------------*- tablegen -*-===//
//
// Part of Loom. Passes that leave the graph dialect for upstream MLIR and,
// at the end, give a compiled model its C ABI.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_PASSES_TD
#define LOOM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExportSignaturePass : Pass<"loom-export-signature", "::mlir::ModuleOp"> {
  let summary = "Record the model's interface before lowering";
  let description = [{
    Reads the entry function (`entry`; the module's only public function
    when empty) while it still has graph types: each input's and output's
    ONNX name (`graph.name`), dtype, shape and dim names (`graph.dim_names`).
    It stores them as the module's `loom.signature` string, the text the
    runtime parses (docs/runtime-abi.md), and renames the function
    `loom_kernel`, whose arguments it marks `bufferization.writable = false`
    (the caller's inputs are read-only). Sequence, optional, string or
    unranked inputs and outputs
    are reported: compiled models take and give ranked numeric tensors.
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "The function to export (default: the only public one)">,
  ];
}

def ConvertGraphToLinalgPass : Pass<"loom-convert-graph-to-linalg",
                                    "::mlir::ModuleOp"> {
  let summary = "Lower graph ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every graph op on tensors into upstream ops: elementwise ops
    into `linalg.generic` with ONNX broadcasting, contractions and
    convolutions into linalg named or generic ops, shape ops into `tensor`
    ops. Unsigned element types become signless (the ops keep their
    signedness). An op without a lowering is reported on the op, naming it.

    With `kernel-library` (the default), f32 convolutions with 2 spatial
    dims and f32 Gemm and MatMul (a rank-2 right operand) become `kernel`
    ops, which the runtime computes with oneDNN (docs/kernel-library.md),
    or on a CUDA device with cuBLASLt and cuDNN (docs/cuda.md).

    With `runtime-checks` (the default), ops whose operands' values or
    run-time dims could make them read out of bounds or compute what ONNX
    defines as an error get `kernel.check`s before them: indices in range
    (Gather, GatherElements, GatherND, ScatterElements, ScatterND,
    Compress), run-time dims that agree (broadcasting, Reshape, Expand,
    Concat, MatMul and Gemm), sizes that are not negative and do not
    overflow, integer divisors that are not zero. Checks of data-dependent
    indices reduce the indices to their minimum and maximum first, once per
    op, outside its loops.
  }];
  let options = [
    Option<"kernelLibrary", "kernel-library", "bool", /*default=*/"true",
           "Hand convolutions and matrix products to the kernel library">,
    Option<"runtimeChecks", "runtime-checks", "bool", /*default=*/"true",
           "Check indices, run-time dims, sizes and divisors as the model "
           "runs">,
    Option<"symmetricConvPads", "symmetric-conv-pads", "bool",
           /*default=*/"false",
           "Make kernel.conv2d only of convolutions with symmetric pads "
           "(cuDNN's); the others keep the generic lowering">,
    Option<"batchedMatmul", "batched-matmul", "bool", /*default=*/"false",
           "Make a batched kernel.matmul of MatMuls whose operands have the "
           "same batch dims (cuBLASLt's strided batches); broadcast batches "
           "keep the generic lowering">,
  ];
  let dependentDialects = [
    "::loom::kernel::KernelDialect",
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::func::FuncDialect"
  ];
}

def EmitHostEntryPass : Pass<"loom-emit-host-entry", "::mlir::ModuleOp"> {
  let summary = "Give the lowered model its C entry point and signature";
  let description = [{
    Runs on the LLVM dialect. Adds ABI v2's entry point (loom/abi.h),
    `int32_t loom_model_entry(loom_run_context *, void **inputs, void
    **outputs)`, which runs `loom_model_body` through the runtime's
    `loom_rt_invoke` (so that a failed `kernel.check` ends the run with a
    status and every buffer of the run freed); the body loads each input's
    memref descriptor through `inputs[i]`, calls `loom_kernel` and stores
    each result's descriptor through `outputs[i]`. Adds the constant string
    `loom_model_signature` from the module's `loom.signature`, and turns
    calls of MLIR's generic allocation functions into `loom_rt_alloc`
    calls that name the ONNX node allocating.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def ExternalizeWeightsPass : Pass<"loom-externalize-weights",
                                  "::mlir::ModuleOp"> {
  let summary = "Move constant buffers into the model's weights file";
  let description = [{
    After bufferization: every constant `memref.global` of at least
    `min-bytes` bytes (zero splats excepted: they cost nothing in the
    object) becomes a tensor of the model's weights file, and each
    `memref.get_global` of it a `kernel.weight` naming the tensor and a use
    index. A global that `sbp-partition` cut out of a weight (recorded in
    the module's `loom.weight_parts`) becomes a use of a box of the whole
    weight instead, so that artefacts for every mesh share one file. The
    tensors are named after their resource (the ONNX initializer) or, for
    inline constants, after the global.

    The pass appends the file's name, each tensor's name, dtype, shape and
    checksum, and each use to `loom.signature` (docs/runtime-abi.md), erases
    the globals, and, when `file` is set, writes the file (safetensors,
    docs/weights.md): no weight reaches the LLVM dialect.
  }];
  let options = [
    Option<"file", "file", "std::string", /*default=*/"\"\"",
           "Write the weights here (default: do not write them)">,
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"256",
           "Constants smaller than this stay in the object">,
  ];
  let dependentDialects = ["::loom::kernel::KernelDialect"];
}

def PlanMemoryPass : Pass<"loom-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Place statically sized buffers in one arena per run";
  let description = [{
    After bufferization and deallocation: a `memref.alloc` of static shape
    that a `memref.dealloc` in its own block frees lives from one to the
    other. The buffers of each block are given offsets in an arena by their
    lifetimes (best fit, 64-byte aligned; `loom/Support/MemoryPlanner.h`,
    which knows nothing of the target), the blocks of a function and the
    functions of the module disjoint parts of one workspace. Each such
    buffer becomes a `memref.view` of `kernel.workspace`, its dealloc
    disappears, and the workspace's size is appended to `loom.signature`.
    Buffers of run-time size, buffers a function returns and buffers
    freed elsewhere keep their `memref.alloc` (the runtime's allocator);
    so do buffers in the bodies of parallel loops, whose iterations may run
    at once.
  }];
  let dependentDialects = ["::loom::kernel::KernelDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LowerKernelsToCallsPass : Pass<"loom-lower-kernels-to-calls",
                                   "::mlir::ModuleOp"> {
  let summary = "Turn kernel ops on buffers into calls to the runtime";
  let description = [{
    After bufferization: each `kernel.matmul` and `kernel.conv2d` becomes a
    `func.call` of `loom_kernel_matmul_f32` or `loom_kernel_conv2d_f32`,
    declared with `llvm.emit_c_interface`, so that the runtime's functions
    (`_mlir_ciface_...`, runtime/src/Kernels.cpp) receive memref descriptors
    by pointer. Operands are cast to dynamic shapes (one function per op);
    one with a non-identity layout is first copied into a row-major buffer
    (and, for the destination, copied back). A missing bias is passed as an
    empty buffer; attributes become integer arguments. A `kernel.check`
    becomes an `scf.if` on its negated condition that calls
    `loom_rt_check_failed(site, value, limit)`, the site a constant string
    naming the ONNX node, op, operand and message (`RuntimeSites.h`).

    With `gpu-libraries` (a CUDA model, before its loops become kernels),
    only `kernel.matmul` and `kernel.conv2d` are lowered, to
    `loom_gpu_matmul_f32` (cuBLASLt) and `loom_gpu_conv2d_f32` (cuDNN) of
    runtime/src/cuda/GpuLibraries.cpp, on device memory, with a last
    argument naming the ONNX node for the runtime's errors; a re-layout
    copy is a `memref.copy` that `loom-gpu-map-loops` makes a kernel. With
    `tf32`, the libraries may round the products' inputs to TF32; with
    `bf16`, cuBLASLt may round them to bfloat16 (COMPUTE_32F_FAST_16BF) and
    cuDNN to TF32 (it has no bf16 compute for fp32 tensors).
  }];
  let options = [
    Option<"gpuLibraries", "gpu-libraries", "bool", /*default=*/"false",
           "Lower only matrix products and convolutions, to the CUDA "
           "runtime's cuBLASLt and cuDNN calls">,
    Option<"tf32", "tf32", "bool", /*default=*/"false",
           "Let cuBLASLt and cuDNN round inputs to TF32 (--precision=tf32)">,
    Option<"bf16", "bf16", "bool", /*default=*/"false",
           "Let cuBLASLt round inputs to bfloat16 and cuDNN to TF32 "
           "(--precision=bf16)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::LLVM::LLVMDialect"
  ];
}

def LowerStridedCopiesPass : Pass<"loom-lower-strided-copies"> {
  let summary = "Turn memref.copy between strided buffers into linalg.copy";
  let description = [{
    MLIR lowers a `memref.copy` whose operands are not both contiguous to a
    call to `memrefCopy`, a function of MLIR's C runner library, which
    compiled models do not link. This pass rewrites those copies into
    `linalg.copy`, which becomes loops like every other linalg op; copies
    between contiguous buffers stay and become `memcpy`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def InterchangeReductionsPass : Pass<"loom-interchange-reductions"> {
  let summary = "Put a parallel loop innermost in linalg.generic reductions";
  let description = [{
    The loops `convert-linalg-to-loops` emits follow the iterator order, and
    the lowering puts reductions last (a matmul is m, n, k): the innermost
    loop then carries a floating-point dependence LLVM may not vectorise.
    This pass permutes each generic with a reduction so that the reductions
    come just before the last parallel loop (m, k, n), whose accesses are
    contiguous in the output, so that the innermost loop vectorises.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ApproximateMathPass : Pass<"loom-approximate-math"> {
  let summary = "Replace math functions by polynomial approximations";
  let description = [{
    Rewrites the math ops named in `ops` (by default `tanh`, `exp` and
    `erf`) into upstream's polynomial approximations: arithmetic only,
    accurate to a few ulp in f32, with the edge cases (overflow to
    infinity, underflow to zero, saturation) handled. Otherwise each becomes
    a call into libm per element, which also keeps LLVM from vectorising the
    loop around it. f16 and bf16 ops compute in f32. Only scalar ops are
    rewritten (loops reach this pass scalar and LLVM vectorises them
    afterwards; upstream 22.1 crashes on chains of vector `math.exp`).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "Math ops to approximate, without the dialect prefix",
               "llvm::cl::list_init<std::string>({\"tanh\", \"exp\", \"erf\"})">,
  ];
}

//===----------------------------------------------------------------------===//
// The CUDA target (docs/cuda.md)
//===----------------------------------------------------------------------===//

def GpuMapLoopsPass : Pass<"loom-gpu-map-loops", "::mlir::ModuleOp"> {
  let summary = "Map the outermost parallel loops to GPU blocks and threads";
  let description = [{
    On host functions (not inside `gpu.launch` or `gpu.module`): every
    `memref.copy` becomes `linalg.copy` (a strided copy is a kernel too);
    then each outermost `scf.parallel` is collapsed into one dimension, so
    that the innermost dimension, contiguous in memory, varies fastest
    across threads (coalesced accesses, no grid-size limit on any one
    dimension), tiled by `block-size` and mapped: tiles to blocks along x,
    the iterations of a tile to threads along x (a loop of few static
    iterations gets smaller blocks, down to a warp, to spread over the
    GPU). A reduction over one long dimension whose body combines with one
    arith op (softmax's max and sum, a mean, a global pool) becomes a
    `gpu.launch` of a block per result instead: its threads stride over the
    reduced dimension, then combine through warp shuffles and shared memory
    (`block-reductions`). So does ArgMax / ArgMin (a generic marked
    `loom.arg_reduce`), whose threads scan with the op's body and combine
    (value, index) pairs: a NaN wins, then the better value, then the first
    index (the last with `loom.arg_last`). Run
    `convert-linalg-to-parallel-loops` before it and
    `convert-parallel-loops-to-gpu` after it.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block of an elementwise kernel">,
    Option<"blockReductions", "block-reductions", "bool", /*default=*/"true",
           "Compute a long reduction with a block per result">,
    Option<"seedBug", "seed-bug", "std::string", /*default=*/"\"\"",
           "For the emulated device's tests only: generate a known bug "
           "(missing-barrier, shuffle-offset, no-bounds-check)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def GpuHostBuffersPass : Pass<"loom-gpu-host-buffers", "::mlir::ModuleOp"> {
  let summary = "Keep the buffers only host code touches in host memory";
  let description = [{
    Every `memref.alloc` of a CUDA model is device memory, except those this
    pass turns into `memref.alloca`s at the function's entry: statically
    shaped allocations whose only users (through `memref.cast`) are host
    loads and stores, the deallocation helper that ownership-based
    deallocation creates (`dealloc_helper`, which compares pointers), and
    their deallocation. Run before `loom-plan-memory`, which would otherwise
    place them in the device workspace.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def GpuOffloadHostPass : Pass<"loom-gpu-offload-host", "::mlir::ModuleOp"> {
  let summary = "Move what host code still does to device memory into kernels";
  let description = [{
    After `convert-parallel-loops-to-gpu`, every buffer a host function
    allocates is device memory, which host code must not dereference. The
    pass rewrites what the host still does with it:
    - a loop that loads or stores (a reduction to a scalar, a copy of run
      time size) becomes a kernel of one thread;
    - a `memref.store` becomes a kernel of one thread;
    - a `memref.load` (a branch decision, a run-time size) becomes a copy
      of that element to the host (`loom_gpu_read`), then a load of it;
    - a `kernel.check` inside a kernel writes the function's error word
      (the check's number, its two values) unless an earlier check did;
      the function hands the word and its checks' sites to the runtime
      (`loom_gpu_watch_errors` at its entry, `loom_gpu_unwatch_errors` at
      its returns), which reads the word at every synchronisation and ends
      the run with the same node, operand and values as on the CPU. The
      host does not wait after each kernel.
    Allocations, views and calls stay: the runtime gives device memory for
    every `memref.alloc` of a CUDA model.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::loom::kernel::KernelDialect"];
}

def GpuSerializePass : Pass<"loom-gpu-serialize", "::mlir::ModuleOp"> {
  let summary = "Compile the kernels for the GPU and for the emulated device";
  let description = [{
    Merges every `gpu.module` into one, `loom_kernels`, then compiles it
    twice from the same IR:
    - for NVIDIA GPUs, in process (LLVM's NVPTX back end): PTX for each
      architecture of `archs`; when the CUDA toolkit is found (`toolkit`,
      else `CUDA_ROOT`, else `/usr/local/cuda`), `ptxas` turns each into a
      cubin and `fatbinary` packs them with the PTX of the newest one, which
      the driver compiles for a GPU newer than all of them;
    - for the emulated device (`emulation`): the same kernels lowered for
      the host CPU (loom-gpu-lower-to-host's lowering), with the same
      parameters, linked into a shared object.
    The module becomes a `gpu.binary` whose one object is Loom's container
    of both (docs/cuda.md), which `gpu-to-llvm` embeds and loads through
    `mgpuModuleLoad`. Without the toolkit the container holds PTX only;
    `require-toolkit` makes that an error.
  }];
  let options = [
    ListOption<"archs", "archs", "std::string",
               "GPU architectures to compile for (sm_80, sm_90)">,
    Option<"toolkit", "toolkit", "std::string", /*default=*/"\"\"",
           "The CUDA toolkit's root (default: $CUDA_ROOT, /usr/local/cuda)">,
    Option<"requireToolkit", "require-toolkit", "bool", /*default=*/"false",
           "Fail without ptxas and fatbinary instead of embedding PTX only">,
    Option<"emulation", "emulation", "bool", /*default=*/"true",
           "Embed the kernels compiled for the emulated device">,
    Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
           "fp32, tf32 or bf16">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def GpuGraphRegionsPass : Pass<"loom-gpu-graph-regions", "::mlir::ModuleOp"> {
  let summary = "Mark the static regions of host code that CUDA graphs replay";
  let description = [{
    After `loom-gpu-offload-host`, a host function that launches device work
    and takes no decision on the host (no `loom_gpu_read`, no call of
    another function of the module) is a static region: a DyCL subgraph, or
    a whole model without control flow. Its body moves to a private
    function `NAME.graph_body`, and `NAME` becomes
    `loom_gpu_region_begin(site, key)`, the body, `loom_gpu_region_end(site)`,
    and the body once more if the runtime asks for it (a capture anew); the
    key holds the dynamic dims of its memref arguments and its scalar
    arguments. The runtime (runtime/src/cuda/GpuGraphs.cpp) captures each
    region once per stream and key into a CUDA graph and then replays it,
    updating the parameters that changed. The module's `loom.gpu_graphs`
    lists the regions and, for each host function left host-driven, why.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def GpuDeviceDecisionsPass
    : Pass<"loom-gpu-device-decisions", "::mlir::ModuleOp"> {
  let summary = "Let CUDA graphs take a DyCL host function's decisions";
  let description = [{
    On the graph dialect, after the DyCL split, for `--target=cuda` with
    CUDA graphs: a host function (`loom.host`) whose every `graph.if` fits
    is rewritten so that a CUDA graph takes its decisions on the device, as
    conditional nodes. Each `graph.if` becomes
    `loom_gpu_cond_then(flag)`, its then branch's ops,
    `loom_gpu_cond_else()`, its else branch's ops, `loom_gpu_cond_end()`,
    and a `graph.where` by the condition for each result the two branches
    yield differently. The runtime (runtime/src/cuda/GpuGraphs.cpp)
    captures the first part into an IF node's body and the second into its
    ELSE body, the flag setting the node's condition on the device (the
    kernel `loom_set_condition`, which `loom-gpu-serialize` adds), so that
    the function is one static region; without a graph it reads the flag
    and drops the device calls of the part not taken. A branch fits when
    its condition has one element, its results static shapes that both
    parts yield, and its parts hold only calls of the module's functions
    (subgraphs), ops without memory effects, and branches that fit. A
    function with a loop stays host-driven. The module's
    `loom.device_decisions` lists the functions rewritten and, for those
    left host-driven, why.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def GpuLowerToHostPass : Pass<"loom-gpu-lower-to-host", "::mlir::ModuleOp"> {
  let summary = "Lower a kernels module for the emulated device";
  let description = [{
    Rewrites the `gpu.module`s of the module into host functions, the
    emulated device's program (loom-gpu-serialize compiles it, and this pass
    shows and tests it alone): each kernel becomes
    `void NAME(void **params)`, whose parameters are the ones the GPU
    kernel takes (the same `gpu-to-llvm` packing); thread, block and grid
    ids are read from the emulator (`loom_emu_id`), `gpu.barrier` calls
    `loom_emu_barrier`, and every pointer parameter, a device address, is
    translated into the emulator's view of device memory
    (`loom_emu_translate`). Ops the emulator cannot run (shuffles, shared
    memory, NVVM intrinsics) are reported on the op: such a kernel is
    counted "not emulated".
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // LOOM_CONVERSION_PASSES_TD
