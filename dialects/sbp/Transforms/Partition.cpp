//===- Partition.cpp - One program per rank from an SBP plan --------------===//
//
// Part of Loom. After sbp-derive, rewrites each planned function into the
// program every rank runs (SPMD): values take their local types (a dim
// split over k devices holds dim / k), and where a value's layout differs
// from what its user needs, kernel.box ops convert it, one mesh axis at a
// time. Arguments and constants are whole on every rank (each rank reads
// the inputs; weights are compiled in), so their splits are local slices;
// results leave broadcast, so rank 0 can write them.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"
#include "dialects/kernel/IR/KernelDialect.h"
#include "dialects/sbp/Transforms/CostModel.h"
#include "dialects/sbp/Transforms/Derive.h"
#include "dialects/sbp/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

namespace loom::sbp {
#define GEN_PASS_DEF_SBPPARTITIONPASS
#include "dialects/sbp/Transforms/Passes.h.inc"
} // namespace loom::sbp

using namespace mlir;
using namespace loom::sbp;

namespace {

/// The nd-SBP `attrs[index]` holds, if it is one.
std::optional<NdSbp> getLayout(ArrayAttr attrs, unsigned index) {
  if (!attrs || index >= attrs.size())
    return std::nullopt;
  auto nd = dyn_cast<NdSbpAttr>(attrs[index]);
  if (!nd)
    return std::nullopt;
  return NdSbp(nd.getEntries());
}

/// The local type of a tensor of `type` laid out as `layout`; failure when
/// a split is uneven (not supported yet).
FailureOr<RankedTensorType> getLocalType(RankedTensorType type,
                                         ArrayRef<Sbp> layout,
                                         ArrayRef<int64_t> mesh) {
  SmallVector<int64_t> shape(type.getShape());
  for (auto [axis, sbp] : llvm::enumerate(layout)) {
    if (!sbp.isSplit())
      continue;
    int64_t &dim = shape[sbp.axis];
    if (ShapedType::isDynamic(dim) || dim % mesh[axis])
      return failure();
    dim /= mesh[axis];
  }
  return type.clone(shape);
}

/// [kind, dim, reduction], as kernel.box takes layouts.
SmallVector<int64_t> encode(const Sbp &sbp) {
  return {static_cast<int64_t>(sbp.kind), sbp.axis,
          static_cast<int64_t>(sbp.reduction)};
}

struct SbpPartitionPass
    : public loom::sbp::impl::SbpPartitionPassBase<SbpPartitionPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto mesh = module->getAttrOfType<MeshAttr>("sbp.mesh");
    if (!mesh)
      return; // nothing planned
    for (auto func : module.getOps<func::FuncOp>())
      if (isPlanned(func) && failed(partition(func, mesh.getShape())))
        return signalPassFailure();
  }

  /// `value` (logical `type`, laid out as `from`) converted to `to`.
  FailureOr<Value> box(OpBuilder &b, Location loc, Value value,
                       RankedTensorType type, NdSbp from, const NdSbp &to,
                       ArrayRef<int64_t> mesh, Operation *user) {
    for (const BoxingStep &step : planBoxing(from, to)) {
      unsigned axis = step.axis;
      NdSbp next = from;
      next[axis] = step.to;
      FailureOr<RankedTensorType> local = getLocalType(type, next, mesh);
      if (failed(local) || !type.getElementType().isF32())
        return user->emitError()
               << "sbp-partition: cannot convert a " << type << " from "
               << toString(from) << " to " << toString(to)
               << (failed(local) ? ": uneven splits are not supported yet"
                                 : ": boxing supports f32 only");
      Value init = tensor::EmptyOp::create(b, loc, local->getShape(),
                                           local->getElementType());
      value = loom::kernel::BoxOp::create(
                  b, loc, TypeRange{*local}, value, init,
                  b.getDenseI64ArrayAttr(mesh), b.getI64IntegerAttr(axis),
                  b.getDenseI64ArrayAttr(encode(step.from)),
                  b.getDenseI64ArrayAttr(encode(step.to)))
                  .getResult()[0];
      from = next;
    }
    return value;
  }

  LogicalResult partition(func::FuncOp func, ArrayRef<int64_t> mesh) {
    NdSbp replicated(mesh.size(), Sbp::broadcast());
    // The layout each value has as the program computes it.
    llvm::DenseMap<Value, NdSbp> layouts;
    for (BlockArgument arg : func.getArguments())
      layouts[arg] = replicated;
    OpBuilder b(func.getContext());
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
      if (isa<loom::graph::ConstantOp>(op)) {
        layouts[op.getResult(0)] = replicated;
        continue;
      }
      auto operands = op.getAttrOfType<ArrayAttr>("sbp.operands");
      auto results = op.getAttrOfType<ArrayAttr>("sbp.results");
      bool isReturn = isa<func::ReturnOp>(op);
      if (!isReturn && (!operands || !results))
        return op.emitError("sbp-partition: op has no SBP signature (run "
                            "sbp-derive first)");
      b.setInsertionPoint(&op);
      for (OpOperand &use : op.getOpOperands()) {
        Value value = use.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        auto it = layouts.find(value);
        std::optional<NdSbp> want =
            isReturn ? std::optional<NdSbp>(replicated)
                     : getLayout(operands, use.getOperandNumber());
        if (!type || it == layouts.end() || !want || it->second == *want)
          continue;
        // Logical type: what the value's type was before partitioning.
        auto logical = logicalTypes.lookup(value);
        FailureOr<Value> boxed =
            box(b, op.getLoc(), value, logical ? logical : type, it->second,
                *want, mesh, &op);
        if (failed(boxed))
          return failure();
        use.set(*boxed);
      }
      if (isReturn)
        continue;
      // Results take their local types.
      for (OpResult result : op.getResults()) {
        auto type = dyn_cast<RankedTensorType>(result.getType());
        std::optional<NdSbp> layout =
            getLayout(results, result.getResultNumber());
        if (!type || !layout)
          continue;
        FailureOr<RankedTensorType> local = getLocalType(type, *layout, mesh);
        if (failed(local))
          return op.emitError("sbp-partition: result ")
                 << result.getResultNumber() << " (" << type << ") cannot be "
                 << toString(*layout) << ": uneven splits are not supported "
                 << "yet";
        logicalTypes[result] = type;
        result.setType(*local);
        layouts[result] = *layout;
      }
      if (failed(localizeShapeOperands(op, b)))
        return failure();
    }
    return success();
  }

  /// A reshape's constant target shape names the logical dims: the dims
  /// its result splits become local.
  LogicalResult localizeShapeOperands(Operation &op, OpBuilder &b) {
    auto reshape = dyn_cast<loom::graph::ReshapeOp>(op);
    if (!reshape)
      return success();
    auto logical = logicalTypes.lookup(reshape.getResult());
    auto local = cast<RankedTensorType>(reshape.getResult().getType());
    if (!logical || logical == local)
      return success();
    DenseIntElementsAttr target;
    if (!matchPattern(reshape.getShape(), m_Constant(&target)))
      return op.emitError("sbp-partition: a split reshape needs a constant "
                          "target shape");
    SmallVector<int64_t> dims;
    for (auto [d, value] : llvm::enumerate(target.getValues<int64_t>()))
      dims.push_back(value > 0 && local.getDimSize(d) != value
                         ? local.getDimSize(d)
                         : value);
    b.setInsertionPoint(&op);
    auto type = RankedTensorType::get({static_cast<int64_t>(dims.size())},
                                      b.getI64Type());
    reshape.getShapeMutable().assign(loom::graph::ConstantOp::create(
        b, op.getLoc(), DenseIntElementsAttr::get(type, dims)));
    return success();
  }

  llvm::DenseMap<Value, RankedTensorType> logicalTypes;
};

} // namespace
