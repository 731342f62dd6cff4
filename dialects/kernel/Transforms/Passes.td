//===- Passes.td - Passes of the kernel dialect ------------*- tablegen -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_KERNEL_TRANSFORMS_PASSES_TD
#define LOOM_DIALECTS_KERNEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def KernelFuseEpiloguesPass : Pass<"kernel-fuse-epilogues"> {
  let summary = "Fold residual adds and ReLUs into kernel.conv2d, ReLUs into "
                "kernel.matmul";
  let description = [{
    On tensors, before elementwise fusion: a `linalg.generic` that adds a
    `kernel.conv2d` result to a tensor of the same type becomes that
    convolution accumulating into the tensor, and one that applies ONNX
    `Relu` (`x < 0 ? 0 : x`, NaN kept) to a convolution's or a matrix
    product's result sets its `relu`. The kernel op's result must have no
    other use. The kernel library then computes `relu(conv + bias +
    residual)` (`relu(product + bias)`) in one pass over the output instead
    of three.
  }];
  let dependentDialects = ["::loom::kernel::KernelDialect"];
}

#endif // LOOM_DIALECTS_KERNEL_TRANSFORMS_PASSES_TD
