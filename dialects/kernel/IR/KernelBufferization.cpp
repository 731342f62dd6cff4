//===- KernelBufferization.cpp - Bufferizing kernel ops -------------------===//
//
// Part of Loom. A kernel op on tensors becomes the same op on the operands'
// buffers; its result is the init's buffer, written in place.
//
//===----------------------------------------------------------------------===//

#include "dialects/kernel/IR/KernelDialect.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace loom::kernel {
namespace {

template <typename OpTy>
struct KernelOpInterface
    : DstBufferizableOpInterfaceExternalModel<KernelOpInterface<OpTy>, OpTy> {
  /// The init is only read when the op accumulates into it.
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    auto kernelOp = cast<OpTy>(op);
    return &operand != &kernelOp.getInitMutable() || kernelOp.getAccumulate();
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (Value operand : op->getOperands()) {
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(op);
    OperationState bufferized(op->getLoc(), op->getName(), buffers, TypeRange{},
                              op->getAttrs());
    rewriter.create(bufferized);
    Value init = buffers[cast<OpTy>(op).getInitMutable().getOperandNumber()];
    replaceOpWithBufferizedValues(rewriter, op, init);
    return success();
  }
};

} // namespace

void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, KernelDialect *) {
    MatmulOp::attachInterface<KernelOpInterface<MatmulOp>>(*ctx);
    Conv2DOp::attachInterface<KernelOpInterface<Conv2DOp>>(*ctx);
    BoxOp::attachInterface<KernelOpInterface<BoxOp>>(*ctx);
  });
}

} // namespace loom::kernel
