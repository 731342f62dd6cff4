//===- LowerCollectives.cpp - Upstream shard collectives to kernel.box ----===//
//
// Part of Loom. sbp-partition writes the boxing steps upstream `shard` has
// ops for as those ops; at the start of code generation this pass turns
// each into the kernel.box that the runtime's loom_comm_box carries out.
//
//===----------------------------------------------------------------------===//

#include "dialects/kernel/IR/KernelDialect.h"
#include "dialects/sbp/Transforms/Collectives.h"
#include "dialects/sbp/Transforms/Passes.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace loom::sbp;

namespace loom::sbp {
#define GEN_PASS_DEF_SBPLOWERCOLLECTIVESPASS
#include "dialects/sbp/Transforms/Passes.h.inc"
} // namespace loom::sbp

namespace {

/// The layouts a shard collective converts between on its one grid axis.
std::optional<std::pair<Sbp, Sbp>> getStep(Operation *op) {
  auto idx = [&](StringRef name) {
    return static_cast<int32_t>(
        op->getAttrOfType<IntegerAttr>(name).getValue().getSExtValue());
  };
  auto reductionOf = [&]() {
    auto kind = op->getAttrOfType<shard::ReductionKindAttr>("reduction");
    shard::ReductionKind k = kind ? kind.getValue() : shard::ReductionKind::Sum;
    return k == shard::ReductionKind::Max   ? Reduction::Max
           : k == shard::ReductionKind::Min ? Reduction::Min
                                            : Reduction::Sum;
  };
  if (isa<shard::AllGatherOp>(op))
    return std::make_pair(Sbp::split(idx("gather_axis")), Sbp::broadcast());
  if (isa<shard::AllReduceOp>(op))
    return std::make_pair(Sbp::partial(reductionOf()), Sbp::broadcast());
  if (isa<shard::ReduceScatterOp>(op))
    return std::make_pair(Sbp::partial(reductionOf()),
                          Sbp::split(idx("scatter_axis")));
  if (isa<shard::AllToAllOp>(op))
    return std::make_pair(Sbp::split(idx("concat_axis")),
                          Sbp::split(idx("split_axis")));
  if (isa<shard::AllSliceOp>(op))
    return std::make_pair(Sbp::broadcast(), Sbp::split(idx("slice_axis")));
  return std::nullopt;
}

struct SbpLowerCollectivesPass
    : public loom::sbp::impl::SbpLowerCollectivesPassBase<
          SbpLowerCollectivesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> collectives;
    module.walk([&](Operation *op) {
      if (getStep(op))
        collectives.push_back(op);
    });
    for (Operation *op : collectives) {
      auto gridName = op->getAttrOfType<FlatSymbolRefAttr>("grid");
      auto grid = gridName
                      ? SymbolTable::lookupNearestSymbolFrom<shard::GridOp>(
                            op, gridName)
                      : shard::GridOp();
      auto axes = op->getAttrOfType<DenseI16ArrayAttr>("grid_axes");
      auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      auto [from, to] = *getStep(op);
      Type element = type ? type.getElementType() : Type();
      bool partial = from.isPartial() || to.isPartial();
      if (!grid || !axes || axes.size() != 1 || !type ||
          !(partial ? isReducible(element) : isMovable(element)) ||
          llvm::any_of(grid.getShape(), ShapedType::isDynamic)) {
        op->emitOpError("sbp-lower-collectives: needs one axis of a static "
                        "grid and tensors whose elements collectives ")
            << (partial ? "reduce (f32, f64, 8- to 64-bit integers)"
                        : "move (floats, signless integers)");
        return signalPassFailure();
      }
      OpBuilder b(op);
      Value init = tensor::EmptyOp::create(b, op->getLoc(), type.getShape(),
                                           type.getElementType());
      Value boxed = loom::kernel::BoxOp::create(
                        b, op->getLoc(), TypeRange{type}, op->getOperand(0),
                        init, b.getDenseI64ArrayAttr(grid.getShape()),
                        b.getI64IntegerAttr(axes[0]),
                        b.getDenseI64ArrayAttr(encodeLayout(from)),
                        b.getDenseI64ArrayAttr(encodeLayout(to)))
                        .getResult()[0];
      op->getResult(0).replaceAllUsesWith(boxed);
      op->erase();
    }
    // Grids nothing names any more have nothing to lower to.
    for (auto grid : llvm::make_early_inc_range(module.getOps<shard::GridOp>()))
      if (SymbolTable::symbolKnownUseEmpty(grid, module))
        grid.erase();
  }
};

} // namespace
