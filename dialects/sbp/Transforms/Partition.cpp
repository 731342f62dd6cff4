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
#include "mlir/Dialect/Shard/IR/ShardOps.h"
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

/// The grid the partitioned module's shard collectives name.
constexpr StringLiteral kGridName = "loom_mesh";

/// shard's name for a reduction.
shard::ReductionKind toShard(Reduction r) {
  return r == Reduction::Max   ? shard::ReductionKind::Max
         : r == Reduction::Min ? shard::ReductionKind::Min
                               : shard::ReductionKind::Sum;
}

/// One boxing step as the upstream `shard` collective it is (all_gather,
/// all_reduce, reduce_scatter, all_to_all, all_slice), or null when shard
/// has none (B -> P, S -> P, P(x) -> P(y)).
Value createShardStep(OpBuilder &b, Location loc, Value input, Type result,
                      const BoxingStep &step) {
  const Sbp &from = step.from, &to = step.to;
  StringRef name;
  SmallVector<NamedAttribute> attrs;
  auto index = [&](StringRef key, int64_t v) {
    attrs.push_back(b.getNamedAttr(key, b.getIndexAttr(v)));
  };
  auto reduction = [&](Reduction r) {
    attrs.push_back(b.getNamedAttr(
        "reduction",
        shard::ReductionKindAttr::get(b.getContext(), toShard(r))));
  };
  if (from.isSplit() && to.isBroadcast()) {
    name = shard::AllGatherOp::getOperationName();
    index("gather_axis", from.axis);
  } else if (from.isPartial() && to.isBroadcast()) {
    name = shard::AllReduceOp::getOperationName();
    reduction(from.reduction);
  } else if (from.isPartial() && to.isSplit()) {
    name = shard::ReduceScatterOp::getOperationName();
    reduction(from.reduction);
    index("scatter_axis", to.axis);
  } else if (from.isSplit() && to.isSplit()) {
    name = shard::AllToAllOp::getOperationName();
    index("split_axis", to.axis);
    index("concat_axis", from.axis);
  } else if (from.isBroadcast() && to.isSplit()) {
    name = shard::AllSliceOp::getOperationName();
    index("slice_axis", to.axis);
  } else {
    return {};
  }
  attrs.push_back(b.getNamedAttr(
      "grid", FlatSymbolRefAttr::get(b.getContext(), kGridName)));
  attrs.push_back(b.getNamedAttr(
      "grid_axes", b.getDenseI16ArrayAttr({static_cast<int16_t>(step.axis)})));
  OperationState state(loc, name);
  state.addOperands(input);
  state.addTypes(result);
  state.addAttributes(attrs);
  return b.create(state)->getResult(0);
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
    // The grid the shard collectives name.
    if (!SymbolTable::lookupSymbolIn(module, kGridName)) {
      OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
      OperationState state(module.getLoc(), shard::GridOp::getOperationName());
      state.addAttribute(SymbolTable::getSymbolAttrName(),
                         b.getStringAttr(kGridName));
      state.addAttribute("shape", b.getDenseI64ArrayAttr(mesh.getShape()));
      b.create(state);
    }
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
      // Upstream's collective where one fits, Loom's kernel.box otherwise.
      if (Value shard = createShardStep(b, loc, value, *local, step)) {
        value = shard;
      } else {
        Value init = tensor::EmptyOp::create(b, loc, local->getShape(),
                                             local->getElementType());
        value = loom::kernel::BoxOp::create(
                    b, loc, TypeRange{*local}, value, init,
                    b.getDenseI64ArrayAttr(mesh), b.getI64IntegerAttr(axis),
                    b.getDenseI64ArrayAttr(encode(step.from)),
                    b.getDenseI64ArrayAttr(encode(step.to)))
                    .getResult()[0];
      }
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

//===----------------------------------------------------------------------===//
// sbp-lower-collectives
//===----------------------------------------------------------------------===//

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
      if (!grid || !axes || axes.size() != 1 || !type ||
          !type.getElementType().isF32() ||
          llvm::any_of(grid.getShape(), ShapedType::isDynamic)) {
        op->emitOpError("sbp-lower-collectives: needs one axis of a static "
                        "grid and f32 tensors");
        return signalPassFailure();
      }
      auto [from, to] = *getStep(op);
      OpBuilder b(op);
      Value init = tensor::EmptyOp::create(b, op->getLoc(), type.getShape(),
                                           type.getElementType());
      Value boxed = loom::kernel::BoxOp::create(
                        b, op->getLoc(), TypeRange{type}, op->getOperand(0),
                        init, b.getDenseI64ArrayAttr(grid.getShape()),
                        b.getI64IntegerAttr(axes[0]),
                        b.getDenseI64ArrayAttr(encode(from)),
                        b.getDenseI64ArrayAttr(encode(to)))
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
