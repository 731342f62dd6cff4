//===- Partition.cpp - One program per rank from an SBP plan --------------===//
//
// Part of Loom. After sbp-derive, rewrites each planned function into the
// program every rank runs (SPMD): values take their local types (a dim
// split over k devices is split balanced: rank i holds dim / k rows, plus
// one when i < dim % k), and where a value's layout differs from what its
// user needs, collectives convert it, one mesh axis at a time. Arguments
// and constants are whole on every rank (each rank reads the inputs;
// weights are compiled in), so their splits are local slices; results
// leave broadcast, so rank 0 can write them.
//
// Uneven splits give ranks different local shapes. Every class of ranks
// with the same shapes gets its own static copy of the function
// (`<name>.rank<first rank>`), and the function itself dispatches on
// kernel.mesh_rank; with even splits there is one class and no copy.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"
#include "dialects/kernel/IR/KernelDialect.h"
#include "dialects/sbp/Transforms/Collectives.h"
#include "dialects/sbp/Transforms/ConstantParts.h"
#include "dialects/sbp/Transforms/CostModel.h"
#include "dialects/sbp/Transforms/Derive.h"
#include "dialects/sbp/Transforms/Passes.h"
#include "loom/Support/Refusal.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include <map>

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

/// The local type, on the rank at mesh coordinates `coords`, of a tensor
/// of `type` laid out as `layout` (axes split in mesh order: an inner
/// axis splits the outer axis's part); failure for a split dynamic dim.
FailureOr<RankedTensorType> getLocalType(RankedTensorType type,
                                         ArrayRef<Sbp> layout,
                                         ArrayRef<int64_t> mesh,
                                         ArrayRef<int64_t> coords) {
  SmallVector<int64_t> shape(type.getShape());
  for (auto [axis, sbp] : llvm::enumerate(layout)) {
    if (!sbp.isSplit())
      continue;
    int64_t &dim = shape[sbp.axis];
    if (ShapedType::isDynamic(dim) || dim < mesh[axis])
      return failure();
    dim = getSplitPart(dim, mesh[axis], coords[axis]);
  }
  return type.clone(shape);
}

/// Whether a boxing step on `axis` splits a dim of the tensor as that
/// axis's group sees it (`current` with the axis whole) unevenly.
bool isUneven(RankedTensorType type, NdSbp current, const BoxingStep &step,
              ArrayRef<int64_t> mesh, ArrayRef<int64_t> coords) {
  current[step.axis] = Sbp::broadcast();
  FailureOr<RankedTensorType> view = getLocalType(type, current, mesh, coords);
  for (const Sbp &sbp : {step.from, step.to})
    if (sbp.isSplit() &&
        (failed(view) || view->getDimSize(sbp.axis) % mesh[step.axis]))
      return true;
  return false;
}

/// The mesh coordinates of `rank` (row-major).
SmallVector<int64_t> getCoords(int64_t rank, ArrayRef<int64_t> mesh) {
  SmallVector<int64_t> coords(mesh.size());
  for (int64_t axis = mesh.size() - 1; axis >= 0; --axis) {
    coords[axis] = rank % mesh[axis];
    rank /= mesh[axis];
  }
  return coords;
}

/// An scf.index_switch on `rank` (an index) with a case per rank of
/// `cases` and a default; `body(b, k)` builds what case k yields (k ==
/// cases.size(): the default).
ValueRange createRankSwitch(
    OpBuilder &b, Location loc, Value rank, TypeRange types,
    ArrayRef<int64_t> cases,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, size_t)> body) {
  auto switchOp =
      scf::IndexSwitchOp::create(b, loc, types, rank, cases, cases.size());
  auto fill = [&](Region &region, size_t k) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&region.emplaceBlock());
    scf::YieldOp::create(b, loc, body(b, k));
  };
  for (auto [k, region] : llvm::enumerate(switchOp.getCaseRegions()))
    fill(region, k);
  fill(switchOp.getDefaultRegion(), cases.size());
  return switchOp.getResults();
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
    SmallVector<func::FuncOp> planned;
    for (auto func : module.getOps<func::FuncOp>())
      if (isPlanned(func))
        planned.push_back(func);
    for (func::FuncOp func : planned)
      if (failed(partitionForRanks(func, mesh.getShape())))
        return signalPassFailure();
  }

  /// Partitions `func` once per class of ranks with the same local shapes:
  /// in place when all ranks agree, else into copies that `func` then
  /// dispatches to on the rank.
  LogicalResult partitionForRanks(func::FuncOp func, ArrayRef<int64_t> mesh) {
    int64_t ranks = 1;
    for (int64_t size : mesh)
      ranks *= size;
    // Every (logical type, layout) the function's values and boxing steps
    // take; the local shapes of these on a rank are its class's key.
    SmallVector<std::pair<RankedTensorType, NdSbp>> layouts =
        collectLayouts(func, mesh.size());
    SmallVector<SmallVector<int64_t>> keys;
    SmallVector<SmallVector<int64_t>> classes; // ranks, per key
    for (int64_t rank = 0; rank < ranks; ++rank) {
      SmallVector<int64_t> coords = getCoords(rank, mesh), key;
      for (auto &[type, layout] : layouts)
        if (auto local = getLocalType(type, layout, mesh, coords);
            succeeded(local))
          llvm::append_range(key, local->getShape());
      auto *it = llvm::find(keys, key);
      if (it == keys.end()) {
        keys.push_back(key);
        classes.push_back({rank});
      } else {
        classes[it - keys.begin()].push_back(rank);
      }
    }
    if (classes.size() == 1)
      return partition(func, mesh, classes.front());
    // One static copy per class, then the dispatch.
    auto module = func->getParentOfType<ModuleOp>();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> variants;
    Block::iterator after = std::next(Block::iterator(func));
    for (ArrayRef<int64_t> members : classes) {
      func::FuncOp variant = func.clone();
      variant.setName(
          (func.getName() + ".rank" + Twine(members.front())).str());
      variant.setPrivate();
      // Argument names and such belong to the entry point, not its copies.
      variant.removeArgAttrsAttr();
      variant.removeResAttrsAttr();
      symbols.insert(variant, after);
      if (failed(partition(variant, mesh, members)))
        return failure();
      variants.push_back(variant);
    }
    Block &body = func.getBody().front();
    for (Operation &op : body)
      op.dropAllReferences();
    while (!body.empty())
      body.back().erase();
    auto b = OpBuilder::atBlockBegin(&body);
    Location loc = func.getLoc();
    Value rank = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        loom::kernel::MeshRankOp::create(b, loc, b.getI64Type(),
                                         b.getDenseI64ArrayAttr(mesh)));
    // A case per rank outside the last class, which is the default.
    SmallVector<int64_t> cases;
    SmallVector<func::FuncOp> callees;
    for (auto [members, variant] :
         llvm::zip(ArrayRef(classes).drop_back(), variants))
      for (int64_t member : members) {
        cases.push_back(member);
        callees.push_back(variant);
      }
    callees.push_back(variants.back());
    ValueRange results = createRankSwitch(
        b, loc, rank, func.getFunctionType().getResults(), cases,
        [&](OpBuilder &b, size_t k) -> SmallVector<Value> {
          return func::CallOp::create(b, loc, callees[k], body.getArguments())
              .getResults();
        });
    func::ReturnOp::create(b, loc, results);
    return success();
  }

  /// The (logical type, layout) pairs `func`'s planned values have, and
  /// those of the steps boxing them takes.
  static SmallVector<std::pair<RankedTensorType, NdSbp>>
  collectLayouts(func::FuncOp func, size_t meshRank) {
    NdSbp replicated(meshRank, Sbp::broadcast());
    SmallVector<std::pair<RankedTensorType, NdSbp>> pairs;
    auto producedAs = [&](Value value) {
      auto result = dyn_cast<OpResult>(value);
      std::optional<NdSbp> layout;
      if (result)
        layout = getLayout(
            result.getOwner()->getAttrOfType<ArrayAttr>("sbp.results"),
            result.getResultNumber());
      return layout ? *layout : replicated;
    };
    for (Operation &entry : func.getBody().front()) {
      Operation *op = &entry;
      auto operands = op->getAttrOfType<ArrayAttr>("sbp.operands");
      auto results = op->getAttrOfType<ArrayAttr>("sbp.results");
      bool isReturn = isa<func::ReturnOp>(op);
      for (OpResult result : op->getResults())
        if (auto type = dyn_cast<RankedTensorType>(result.getType()))
          if (auto layout = getLayout(results, result.getResultNumber()))
            pairs.emplace_back(type, *layout);
      for (OpOperand &use : op->getOpOperands()) {
        auto type = dyn_cast<RankedTensorType>(use.get().getType());
        std::optional<NdSbp> want =
            isReturn ? std::optional<NdSbp>(replicated)
                     : getLayout(operands, use.getOperandNumber());
        if (!type || !want)
          continue;
        NdSbp current = producedAs(use.get());
        for (const BoxingStep &step : planBoxing(current, *want)) {
          current[step.axis] = step.to;
          pairs.emplace_back(type, current);
        }
      }
    }
    return pairs;
  }

  /// `value` (logical `type`, laid out as `from`) converted to `to`.
  FailureOr<Value> box(OpBuilder &b, Location loc, Value value,
                       RankedTensorType type, NdSbp from, const NdSbp &to,
                       ArrayRef<int64_t> mesh, ArrayRef<int64_t> coords,
                       Operation *user) {
    Type element = type.getElementType();
    bool partial =
        llvm::any_of(from, [](const Sbp &s) { return s.isPartial(); }) ||
        llvm::any_of(to, [](const Sbp &s) { return s.isPartial(); });
    if (!isMovable(element) || (partial && !isReducible(element)))
      return loom::emitRefusal(user->getLoc())
             << "sbp-partition: cannot convert a " << type << " from "
             << toString(from) << " to " << toString(to) << ": collectives "
             << (partial ? "reduce f32, f64 and 8- to 64-bit integers"
                         : "move floats and signless integers");
    for (const BoxingStep &step : planBoxing(from, to)) {
      unsigned axis = step.axis;
      NdSbp next = from;
      next[axis] = step.to;
      // Integers have no infinity: the identity of P(max) or P(min) summed
      // over another axis's P(sum) would overflow.
      bool mixed = false;
      for (const Sbp &a : next)
        for (const Sbp &b : next)
          mixed |= a.isPartial() && b.isPartial() && a.reduction != b.reduction;
      if (mixed && isa<IntegerType>(element))
        return loom::emitRefusal(user->getLoc())
               << "sbp-partition: cannot convert a " << type << " from "
               << toString(from) << " to " << toString(to) << " through "
               << toString(next) << ": integer partial values cannot mix "
               << "reductions";
      FailureOr<RankedTensorType> local =
          getLocalType(type, next, mesh, coords);
      if (failed(local))
        return loom::emitRefusal(user->getLoc())
               << "sbp-partition: cannot convert a " << type << " from "
               << toString(from) << " to " << toString(to)
               << ": a split dim is dynamic or smaller than its devices";
      // Upstream's collective where one fits (its ops take even splits),
      // Loom's kernel.box otherwise.
      Value shard;
      if (!isUneven(type, from, step, mesh, coords))
        shard = createShardStep(b, loc, value, *local, step);
      if (shard) {
        value = shard;
      } else {
        Value init = tensor::EmptyOp::create(b, loc, local->getShape(),
                                             local->getElementType());
        value = loom::kernel::BoxOp::create(
                    b, loc, TypeRange{*local}, value, init,
                    b.getDenseI64ArrayAttr(mesh), b.getI64IntegerAttr(axis),
                    b.getDenseI64ArrayAttr(encodeLayout(step.from)),
                    b.getDenseI64ArrayAttr(encodeLayout(step.to)))
                    .getResult()[0];
      }
      from = next;
    }
    return value;
  }

  /// Partitions `func` for the ranks `members` (whose local shapes agree).
  LogicalResult partition(func::FuncOp func, ArrayRef<int64_t> mesh,
                          ArrayRef<int64_t> members) {
    SmallVector<int64_t> coords = getCoords(members.front(), mesh);
    logicalTypes.clear();
    constantParts.clear();
    rankIndex = Value();
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
        // A weight's parts are cut at compile time.
        if (auto constant = value.getDefiningOp<loom::graph::ConstantOp>();
            constant && it->second == replicated)
          if (Value part =
                  getConstantParts(b, func, constant, *want, mesh, members)) {
            use.set(part);
            continue;
          }
        // Logical type: what the value's type was before partitioning.
        auto logical = logicalTypes.lookup(value);
        FailureOr<Value> boxed =
            box(b, op.getLoc(), value, logical ? logical : type, it->second,
                *want, mesh, coords, &op);
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
        FailureOr<RankedTensorType> local =
            getLocalType(type, *layout, mesh, coords);
        if (failed(local))
          return loom::emitRefusal(op.getLoc())
                 << "sbp-partition: result " << result.getResultNumber() << " ("
                 << type << ") cannot be " << toString(*layout)
                 << ": a split dim is dynamic or "
                 << "smaller than its devices";
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
      return loom::emitRefusal(op.getLoc())
             << "sbp-partition: a split reshape needs a constant target "
                "shape";
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

  /// Each member's part of `constant` under `layout`, made at compile
  /// time: the part itself for one member (or when they all agree), else
  /// an scf.index_switch on the rank over the parts; null when a part
  /// cannot be made (the step then slices at run time).
  Value getConstantParts(OpBuilder &b, func::FuncOp func,
                         loom::graph::ConstantOp constant, const NdSbp &layout,
                         ArrayRef<int64_t> mesh, ArrayRef<int64_t> members) {
    auto key = std::make_pair(constant.getOperation(), toString(layout));
    if (auto known = constantParts.find(key); known != constantParts.end())
      return known->second;
    SmallVector<ElementsAttr> parts;
    for (int64_t member : members) {
      SmallVector<int64_t> offsets;
      FailureOr<ElementsAttr> part = getConstantPart(
          constant.getValue(), layout, mesh, getCoords(member, mesh), &offsets);
      if (failed(part))
        return {};
      // The weights file keeps the whole weight; each rank maps its box.
      recordWeightPart(func->getParentOp(), *part, constant.getValue(),
                       offsets);
      parts.push_back(*part);
    }
    Location loc = constant.getLoc();
    // Parts go right after the whole constant (which they replace for
    // this use), so that every user of the key sees them.
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfter(constant);
    Value result;
    if (llvm::all_equal(parts)) {
      result = loom::graph::ConstantOp::create(b, loc, parts.front());
    } else {
      if (!rankIndex) {
        OpBuilder::InsertionGuard entry(b);
        b.setInsertionPointToStart(&func.getBody().front());
        Value rank = loom::kernel::MeshRankOp::create(
            b, loc, b.getI64Type(), b.getDenseI64ArrayAttr(mesh));
        rankIndex = arith::IndexCastOp::create(b, loc, b.getIndexType(), rank);
      }
      SmallVector<int64_t> cases(members.begin(), members.end() - 1);
      result = createRankSwitch(
          b, loc, rankIndex, parts.front().getType(), cases,
          [&](OpBuilder &b, size_t k) -> SmallVector<Value> {
            return {loom::graph::ConstantOp::create(b, loc, parts[k])};
          })[0];
    }
    constantParts[key] = result;
    return result;
  }

  llvm::DenseMap<Value, RankedTensorType> logicalTypes;
  std::map<std::pair<Operation *, std::string>, Value> constantParts;
  /// This rank, as an index, once a function needs it.
  Value rankIndex;
};

} // namespace
