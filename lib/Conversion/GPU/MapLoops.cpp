//===- MapLoops.cpp - Parallel loops onto GPU blocks and threads ----------===//
//
// Part of Loom. See loom-gpu-map-loops in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "BlockReductions.h"
#include "Origin.h"
#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace loom {
#define GEN_PASS_DEF_GPUMAPLOOPSPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// Whether `op` runs on the device already.
bool isOnDevice(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<gpu::GPUModuleOp>();
}

/// The block size for `loop` (one dimension): `maximum`, or for a loop of
/// few static iterations, smaller blocks (down to a warp) so that at least
/// 64 blocks spread over the GPU's multiprocessors.
int64_t chooseBlockSize(scf::ParallelOp loop, int64_t maximum) {
  auto lower = getConstantIntValue(loop.getLowerBound()[0]);
  auto upper = getConstantIntValue(loop.getUpperBound()[0]);
  auto step = getConstantIntValue(loop.getStep()[0]);
  if (!lower || !upper || !step || *step <= 0)
    return maximum;
  int64_t iterations = (*upper - *lower + *step - 1) / *step;
  int64_t size =
      llvm::PowerOf2Ceil(std::max<int64_t>(1, (iterations + 63) / 64));
  return std::clamp<int64_t>(size, std::min<int64_t>(32, maximum), maximum);
}

/// Tiles `loop` (one dimension) by `blockSize` and maps the tiles to
/// blocks and the iterations of a tile to threads, along x.
void mapToBlocksAndThreads(scf::ParallelOp loop, int64_t blockSize,
                           bool boundsCheck) {
  auto [outer, inner] =
      scf::tileParallelLoop(loop, {blockSize}, /*noMinMaxBounds=*/true);
  if (!boundsCheck) {
    // A seeded bug: the last block's threads past the end run too.
    inner.getBody()->walk([&](scf::IfOp guard) {
      OpBuilder b(guard);
      guard.getConditionMutable().assign(
          arith::ConstantIntOp::create(b, guard.getLoc(), 1, 1));
      return WalkResult::interrupt();
    });
  }
  MLIRContext *context = loop.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
  auto mapping = [&](gpu::Processor processor) {
    return gpu::ParallelLoopDimMappingAttr::get(context, processor, identity,
                                                identity);
  };
  (void)gpu::setMappingAttr(outer, {mapping(gpu::Processor::BlockX)});
  (void)gpu::setMappingAttr(inner, {mapping(gpu::Processor::ThreadX)});
  // Loops nested inside a thread's iteration run in sequence.
  inner.getBody()->walk([&](scf::ParallelOp nested) {
    SmallVector<gpu::ParallelLoopDimMappingAttr> sequential(
        nested.getNumLoops(), mapping(gpu::Processor::Sequential));
    (void)gpu::setMappingAttr(nested, sequential);
  });
}

struct GpuMapLoopsPass
    : public loom::impl::GpuMapLoopsPassBase<GpuMapLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (!seedBug.empty() && seedBug != "missing-barrier" &&
        seedBug != "shuffle-offset" && seedBug != "no-bounds-check") {
      getOperation().emitError("unknown seed-bug '") << seedBug << "'";
      return signalPassFailure();
    }
    if (blockSize <= 0 || blockSize > 1024) {
      getOperation().emitError("block-size must be 1 to 1024, got ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    // Copies first: a strided copy is a loop nest like any other.
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      if (!isOnDevice(copy))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
    // Every linalg op of host code as parallel loops.
    SmallVector<linalg::LinalgOp> linalgOps;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!isOnDevice(op))
        linalgOps.push_back(op);
    });
    for (linalg::LinalgOp op : linalgOps) {
      rewriter.setInsertionPoint(op);
      // A long reduction: a block per result.
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
        if (blockReductions && (succeeded(loom::lowerToBlockReduction(
                                    rewriter, generic, blockSize, seedBug)) ||
                                succeeded(loom::lowerToBlockArgReduction(
                                    rewriter, generic, blockSize))))
          continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::linalgOpToParallelLoops(rewriter, op))) {
        op.emitOpError("cannot be lowered to parallel loops for the GPU");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
    }
    // The outermost parallel loops of host code, in order.
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!isOnDevice(loop) && !loop->getParentOfType<scf::ParallelOp>())
        loops.push_back(loop);
    });
    SmallVector<Attribute> serial;
    for (scf::ParallelOp loop : loops) {
      if (!loop.getInitVals().empty()) {
        loop.emitOpError("with reductions cannot be mapped to the GPU yet");
        return signalPassFailure();
      }
      if (loop.getNumLoops() > 1) {
        std::vector<unsigned> all(loop.getNumLoops());
        for (unsigned i = 0; i < all.size(); ++i)
          all[i] = i;
        rewriter.setInsertionPoint(loop);
        // collapseParallelLoops replaces the loop; find the new one by
        // position.
        Block *block = loop->getBlock();
        Operation *next = loop->getNextNode();
        collapseParallelLoops(rewriter, loop, {all});
        Operation *candidate = next ? next->getPrevNode() : &block->back();
        loop = dyn_cast_or_null<scf::ParallelOp>(candidate);
        if (!loop) {
          getOperation().emitError("collapsing a parallel loop lost it");
          return signalPassFailure();
        }
      }
      int64_t size = chooseBlockSize(loop, blockSize);
      // One block whose threads loop over more than a warp's work in all:
      // recorded for loomc -v (block-level reductions are the fix).
      auto upper = getConstantIntValue(loop.getUpperBound()[0]);
      int64_t inner = loom::getStaticLoopWork(loop);
      if (upper && *upper <= size && (inner < 0 || *upper * inner > 32) &&
          inner != 1)
        serial.push_back(rewriter.getStringAttr(
            loom::describeOrigin(loop.getLoc()) + " [one block]"));
      mapToBlocksAndThreads(loop, size, seedBug != "no-bounds-check");
    }
    getOperation()->setAttr("loom.gpu_serial", rewriter.getArrayAttr(serial));
  }
};

} // namespace
