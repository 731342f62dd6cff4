//===- BlockReductions.cpp - Reductions with a block per result -----------===//
//
// Part of Loom. loom-gpu-map-loops hands a linalg reduction over one long
// dimension (softmax's max and sum, a normalisation's mean, a global pool)
// to this lowering rather than to one thread per result: one block per
// result, whose threads stride over the reduced dimension, combine in
// registers, then across the warp with shuffles and across warps through
// shared memory, and whose first thread writes the result.
//
//===----------------------------------------------------------------------===//

#include "BlockReductions.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;

namespace {

/// The identity of `combiner` (an arith op on `type`), if it is one the
/// lowering knows.
std::optional<TypedAttr> getIdentity(Operation *combiner, Type type) {
  Builder b(combiner->getContext());
  if (auto floatType = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    if (isa<arith::AddFOp>(combiner))
      return b.getFloatAttr(type, 0.0);
    if (isa<arith::MulFOp>(combiner))
      return b.getFloatAttr(type, 1.0);
    if (isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner))
      return b.getFloatAttr(type, llvm::APFloat::getInf(sem, true));
    if (isa<arith::MinimumFOp, arith::MinNumFOp>(combiner))
      return b.getFloatAttr(type, llvm::APFloat::getInf(sem, false));
    return std::nullopt;
  }
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return std::nullopt;
  unsigned width = intType.getWidth();
  if (isa<arith::AddIOp, arith::OrIOp, arith::XOrIOp, arith::MaxUIOp>(combiner))
    return b.getIntegerAttr(type, 0);
  if (isa<arith::MulIOp>(combiner))
    return b.getIntegerAttr(type, 1);
  if (isa<arith::AndIOp, arith::MinUIOp>(combiner))
    return b.getIntegerAttr(type, llvm::APInt::getAllOnes(width));
  if (isa<arith::MaxSIOp>(combiner))
    return b.getIntegerAttr(type, llvm::APInt::getSignedMinValue(width));
  if (isa<arith::MinSIOp>(combiner))
    return b.getIntegerAttr(type, llvm::APInt::getSignedMaxValue(width));
  return std::nullopt;
}

/// Delinearises `linear` over `sizes` (row-major).
SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<Value> sizes) {
  SmallVector<Value> indices(sizes.size());
  for (size_t i = sizes.size(); i-- > 0;) {
    if (i == 0) {
      indices[i] = linear;
      break;
    }
    indices[i] = arith::RemUIOp::create(b, loc, linear, sizes[i]);
    linear = arith::DivUIOp::create(b, loc, linear, sizes[i]);
  }
  return indices;
}

/// `map` applied to `dims`, one index per result.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> dims) {
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      indices.push_back(dims[dim.getPosition()]);
      continue;
    }
    auto single = AffineMap::get(map.getNumDims(), 0, expr);
    indices.push_back(affine::AffineApplyOp::create(b, loc, single, dims));
  }
  return indices;
}

/// How a block per result computes `op`, reduced over dim `reduced`: its
/// loop ranges, the block size, the parallel dims' sizes and their product
/// (the blocks), the reduced dim's size; none when it does not pay.
struct BlockShape {
  SmallVector<Range, 4> ranges;
  int64_t block;
  SmallVector<Value> parallelSizes;
  Value rowCount, kSize;
};

std::optional<BlockShape> planBlocks(RewriterBase &rewriter,
                                     linalg::GenericOp op, unsigned reduced,
                                     int64_t maxBlock) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  BlockShape shape;
  shape.ranges =
      cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(rewriter, loc);
  for (Range &range : shape.ranges)
    if (!isConstantIntValue(range.offset, 0) ||
        !isConstantIntValue(range.stride, 1))
      return std::nullopt;
  // Worth a block: a long reduced dimension, few results.
  std::optional<int64_t> k = getConstantIntValue(shape.ranges[reduced].size);
  int64_t rows = 1;
  for (unsigned d = 0; d < shape.ranges.size(); ++d) {
    if (d == reduced)
      continue;
    std::optional<int64_t> n = getConstantIntValue(shape.ranges[d].size);
    if (!n)
      return std::nullopt;
    rows *= *n;
  }
  // A block per result pays for its combining (shuffles, shared memory, a
  // barrier) when the results alone do not fill the GPU: few of them, or a
  // reduced dimension much longer than a block. Otherwise (a matrix product
  // with many outputs) a thread per result does better.
  if (!k || *k < 64 || (rows > 512 && !(rows <= 8192 && *k >= 4096)))
    return std::nullopt;
  shape.block =
      std::min<int64_t>(std::clamp<int64_t>(llvm::PowerOf2Ceil(*k), 32,
                                            std::max<int64_t>(32, maxBlock)),
                        1024);
  shape.rowCount = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (unsigned d = 0; d < shape.ranges.size(); ++d)
    if (d != reduced) {
      shape.parallelSizes.push_back(
          getValueOrCreateConstantIndexOp(rewriter, loc, shape.ranges[d].size));
      shape.rowCount = arith::MulIOp::create(rewriter, loc, shape.rowCount,
                                             shape.parallelSizes.back());
    }
  shape.kSize = getValueOrCreateConstantIndexOp(rewriter, loc,
                                                shape.ranges[reduced].size);
  return shape;
}

} // namespace

namespace loom {

LogicalResult lowerToBlockReduction(RewriterBase &rewriter,
                                    linalg::GenericOp op, int64_t maxBlock,
                                    StringRef seedBug) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1)
    return failure();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto reductions = llvm::count(iterators, utils::IteratorType::reduction);
  if (reductions != 1)
    return failure();
  unsigned reduced =
      llvm::find(iterators, utils::IteratorType::reduction) - iterators.begin();
  OpOperand *init = op.getDpsInitOperand(0);
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (outMap.isFunctionOfDim(reduced) ||
      !outMap.isProjectedPermutation(/*allowZeroInResults=*/true))
    return failure();
  // The body: yield combiner(x, acc), acc used by the combiner alone.
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  BlockArgument acc = op.getMatchingBlockArgument(init);
  Operation *combiner = yield.getValues()[0].getDefiningOp();
  if (!combiner || combiner->getBlock() != body ||
      combiner->getNumOperands() != 2 || !acc.hasOneUse() ||
      acc.getUses().begin()->getOwner() != combiner)
    return failure();
  Type type = acc.getType();
  if (!type.isF32() && !type.isF64() && !type.isInteger(32) &&
      !type.isInteger(64))
    return failure(); // what gpu.shuffle moves
  std::optional<TypedAttr> identity = getIdentity(combiner, type);
  if (!identity)
    return failure();
  unsigned xIndex = combiner->getOperand(0) == acc ? 1 : 0;
  if (combiner->getOperand(xIndex) == acc)
    return failure();

  Location loc = op.getLoc();
  std::optional<BlockShape> shape = planBlocks(rewriter, op, reduced, maxBlock);
  if (!shape)
    return failure();
  SmallVector<Range, 4> &ranges = shape->ranges;
  int64_t block = shape->block;
  SmallVector<Value> &parallelSizes = shape->parallelSizes;
  Value rowCount = shape->rowCount, kSize = shape->kSize;
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value blockSize = arith::ConstantIndexOp::create(rewriter, loc, block);
  MLIRContext *context = op.getContext();
  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  auto partialsType =
      MemRefType::get({32}, type, MemRefLayoutAttrInterface(), workgroup);
  auto launch = gpu::LaunchOp::create(
      rewriter, loc, rowCount, one, one, blockSize, one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, TypeRange{partialsType});
  Block &launchBody = launch.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&launchBody);
  Value partials = launch.getWorkgroupAttributions()[0];
  Value row = launch.getBlockIds().x;
  Value thread = launch.getThreadIds().x;
  SmallVector<Value> parallel = delinearize(b, loc, row, parallelSizes);
  Value start = arith::ConstantOp::create(b, loc, *identity);
  auto combine = [&](OpBuilder &builder, Value lhs, Value rhs) {
    IRMapping mapping;
    mapping.map(combiner->getOperand(1 - xIndex), lhs);
    mapping.map(combiner->getOperand(xIndex), rhs);
    return builder.clone(*combiner, mapping)->getResult(0);
  };
  // 1. Each thread over its share of the reduced dimension.
  auto loop = scf::ForOp::create(
      b, loc, thread, kSize, blockSize, ValueRange{start},
      [&](OpBuilder &nb, Location l, Value kIndex, ValueRange iterArgs) {
        SmallVector<Value> dims;
        unsigned next = 0;
        for (unsigned d = 0; d < ranges.size(); ++d)
          dims.push_back(d == reduced ? kIndex : parallel[next++]);
        IRMapping mapping;
        for (OpOperand *input : op.getDpsInputOperands()) {
          BlockArgument arg = op.getMatchingBlockArgument(input);
          if (arg.use_empty())
            continue;
          Value value = input->get();
          if (isa<MemRefType>(value.getType()))
            value = memref::LoadOp::create(
                nb, l, value,
                applyMap(nb, l, op.getMatchingIndexingMap(input), dims));
          mapping.map(arg, value);
        }
        for (Operation &inner : body->without_terminator()) {
          if (&inner == combiner)
            continue;
          if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
            mapping.map(index.getResult(), dims[index.getDim()]);
            continue;
          }
          nb.clone(inner, mapping);
        }
        Value x = mapping.lookupOrDefault(combiner->getOperand(xIndex));
        scf::YieldOp::create(nb, l, combine(nb, iterArgs[0], x));
      });
  // 2. Across the warp, then across warps.
  auto warpReduce = [&](OpBuilder &builder, Value value) {
    for (int32_t offset : {16, 8, 4, 2, 1}) {
      // The seeded bug: half-warps never meet.
      if (seedBug == "shuffle-offset" && offset == 16)
        offset = 8;
      Value off = arith::ConstantIntOp::create(builder, loc, offset, 32);
      Value width = arith::ConstantIntOp::create(builder, loc, 32, 32);
      auto shuffle = gpu::ShuffleOp::create(builder, loc, value, off, width,
                                            gpu::ShuffleMode::XOR);
      value = combine(builder, value, shuffle.getShuffleResult());
    }
    return value;
  };
  Value partial = warpReduce(b, loop.getResult(0));
  Value c32 = arith::ConstantIndexOp::create(b, loc, 32);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value lane = arith::RemUIOp::create(b, loc, thread, c32);
  Value warp = arith::DivUIOp::create(b, loc, thread, c32);
  Value isLeader =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, zero);
  scf::IfOp::create(b, loc, isLeader, [&](OpBuilder &nb, Location l) {
    memref::StoreOp::create(nb, l, partial, partials, warp);
    scf::YieldOp::create(nb, l);
  });
  if (seedBug != "missing-barrier")
    gpu::BarrierOp::create(b, loc);
  Value firstWarp =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, warp, zero);
  scf::IfOp::create(b, loc, firstWarp, [&](OpBuilder &nb, Location l) {
    Value warps = arith::ConstantIndexOp::create(nb, l, block / 32);
    Value present =
        arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, lane, warps);
    auto read = scf::IfOp::create(
        nb, l, present,
        [&](OpBuilder &tb, Location tl) {
          scf::YieldOp::create(tb, tl,
                               ValueRange{memref::LoadOp::create(
                                   tb, tl, partials, ValueRange{lane})});
        },
        [&](OpBuilder &eb, Location el) {
          scf::YieldOp::create(
              eb, el, ValueRange{arith::ConstantOp::create(eb, el, *identity)});
        });
    Value total = warpReduce(nb, read.getResult(0));
    Value first =
        arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, lane, zero);
    scf::IfOp::create(nb, l, first, [&](OpBuilder &fb, Location fl) {
      SmallVector<Value> dims;
      unsigned next = 0;
      for (unsigned d = 0; d < ranges.size(); ++d)
        dims.push_back(d == reduced ? zero : parallel[next++]);
      SmallVector<Value> at = applyMap(fb, fl, outMap, dims);
      Value before = memref::LoadOp::create(fb, fl, init->get(), at);
      memref::StoreOp::create(fb, fl, combine(fb, before, total), init->get(),
                              at);
      scf::YieldOp::create(fb, fl);
    });
    scf::YieldOp::create(nb, l);
  });
  gpu::TerminatorOp::create(b, loc);
  rewriter.eraseOp(op);
  return success();
}

/// ArgMax / ArgMin (convert-graph-to-linalg marks their generic
/// `loom.arg_reduce`): the same block per result, each thread scanning its
/// share with the op's own body, then pairs (value, index) combined so that
/// the order of the scan does not matter: a NaN (only the first element's
/// can be kept by the scan) wins, then the better value, then, between
/// equal values, the first index (the last with `select_last_index`).
LogicalResult lowerToBlockArgReduction(RewriterBase &rewriter,
                                       linalg::GenericOp op, int64_t maxBlock) {
  auto kind = op->getAttrOfType<StringAttr>("loom.arg_reduce");
  if (!kind || !op.hasPureBufferSemantics() || op.getNumDpsInits() != 2 ||
      op.getNumDpsInputs() != 1)
    return failure();
  bool isMax = kind.getValue() == "max";
  bool last = op->hasAttr("loom.arg_last");
  bool isUnsigned = op->hasAttr("loom.arg_unsigned");
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (llvm::count(iterators, utils::IteratorType::reduction) != 1)
    return failure();
  unsigned reduced =
      llvm::find(iterators, utils::IteratorType::reduction) - iterators.begin();
  OpOperand *valueInit = op.getDpsInitOperand(0);
  OpOperand *indexInit = op.getDpsInitOperand(1);
  AffineMap outMap = op.getMatchingIndexingMap(valueInit);
  if (outMap != op.getMatchingIndexingMap(indexInit) ||
      outMap.isFunctionOfDim(reduced) ||
      !outMap.isProjectedPermutation(/*allowZeroInResults=*/true))
    return failure();
  Type type = op.getMatchingBlockArgument(valueInit).getType();
  if ((!type.isF32() && !type.isF64() && !type.isInteger(32) &&
       !type.isInteger(64)) ||
      !op.getMatchingBlockArgument(indexInit).getType().isInteger(64))
    return failure(); // what gpu.shuffle moves
  Location loc = op.getLoc();
  std::optional<BlockShape> shape = planBlocks(rewriter, op, reduced, maxBlock);
  if (!shape)
    return failure();
  SmallVector<Range, 4> &ranges = shape->ranges;
  int64_t block = shape->block;
  SmallVector<Value> &parallelSizes = shape->parallelSizes;
  Value rowCount = shape->rowCount, kSize = shape->kSize;
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value blockSize = arith::ConstantIndexOp::create(rewriter, loc, block);
  MLIRContext *context = op.getContext();
  auto workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  Type i64 = rewriter.getI64Type();
  auto launch = gpu::LaunchOp::create(
      rewriter, loc, rowCount, one, one, blockSize, one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{},
      TypeRange{
          MemRefType::get({32}, type, MemRefLayoutAttrInterface(), workgroup),
          MemRefType::get({32}, i64, MemRefLayoutAttrInterface(), workgroup)});
  OpBuilder b = OpBuilder::atBlockBegin(&launch.getBody().front());
  Value valuePartials = launch.getWorkgroupAttributions()[0];
  Value indexPartials = launch.getWorkgroupAttributions()[1];
  Value row = launch.getBlockIds().x;
  Value thread = launch.getThreadIds().x;
  SmallVector<Value> parallel = delinearize(b, loc, row, parallelSizes);

  // The scan's start: a value every element beats or ties, index 0.
  TypedAttr worst;
  if (auto floatType = dyn_cast<FloatType>(type))
    worst = b.getFloatAttr(
        type, llvm::APFloat::getInf(floatType.getFloatSemantics(), isMax));
  else if (isUnsigned)
    worst = b.getIntegerAttr(
        type, isMax ? llvm::APInt::getZero(type.getIntOrFloatBitWidth())
                    : llvm::APInt::getAllOnes(type.getIntOrFloatBitWidth()));
  else
    worst = b.getIntegerAttr(
        type,
        isMax ? llvm::APInt::getSignedMinValue(type.getIntOrFloatBitWidth())
              : llvm::APInt::getSignedMaxValue(type.getIntOrFloatBitWidth()));
  // (v2, i2) replaces (v1, i1) when it is better: see above.
  auto combine = [&](OpBuilder &cb, Value v1, Value i1, Value v2,
                     Value i2) -> std::pair<Value, Value> {
    Value better, equal;
    if (isa<FloatType>(type)) {
      better = arith::CmpFOp::create(cb, loc,
                                     isMax ? arith::CmpFPredicate::OGT
                                           : arith::CmpFPredicate::OLT,
                                     v2, v1);
      equal = arith::CmpFOp::create(cb, loc, arith::CmpFPredicate::OEQ, v2, v1);
    } else {
      arith::CmpIPredicate p = isMax ? (isUnsigned ? arith::CmpIPredicate::ugt
                                                   : arith::CmpIPredicate::sgt)
                                     : (isUnsigned ? arith::CmpIPredicate::ult
                                                   : arith::CmpIPredicate::slt);
      better = arith::CmpIOp::create(cb, loc, p, v2, v1);
      equal = arith::CmpIOp::create(cb, loc, arith::CmpIPredicate::eq, v2, v1);
    }
    Value order = arith::CmpIOp::create(
        cb, loc, last ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
        i2, i1);
    Value wins = arith::OrIOp::create(
        cb, loc, better, arith::AndIOp::create(cb, loc, equal, order));
    if (isa<FloatType>(type)) {
      Value nan1 =
          arith::CmpFOp::create(cb, loc, arith::CmpFPredicate::UNO, v1, v1);
      Value nan2 =
          arith::CmpFOp::create(cb, loc, arith::CmpFPredicate::UNO, v2, v2);
      Value notNan1 = arith::XOrIOp::create(
          cb, loc, nan1, arith::ConstantIntOp::create(cb, loc, 1, 1));
      // A NaN wins; nothing beats one.
      wins = arith::AndIOp::create(cb, loc, notNan1,
                                   arith::OrIOp::create(cb, loc, nan2, wins));
    }
    return {arith::SelectOp::create(cb, loc, wins, v2, v1),
            arith::SelectOp::create(cb, loc, wins, i2, i1)};
  };
  // 1. Each thread scans its share, in order, with the op's body.
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Value startValue = arith::ConstantOp::create(b, loc, worst);
  Value startIndex = arith::ConstantIntOp::create(b, loc, 0, 64);
  auto loop = scf::ForOp::create(
      b, loc, thread, kSize, blockSize, ValueRange{startValue, startIndex},
      [&](OpBuilder &nb, Location l, Value kIndex, ValueRange iterArgs) {
        SmallVector<Value> dims;
        unsigned next = 0;
        for (unsigned d = 0; d < ranges.size(); ++d)
          dims.push_back(d == reduced ? kIndex : parallel[next++]);
        IRMapping mapping;
        OpOperand *input = op.getDpsInputOperand(0);
        mapping.map(
            op.getMatchingBlockArgument(input),
            memref::LoadOp::create(
                nb, l, input->get(),
                applyMap(nb, l, op.getMatchingIndexingMap(input), dims)));
        mapping.map(op.getMatchingBlockArgument(valueInit), iterArgs[0]);
        mapping.map(op.getMatchingBlockArgument(indexInit), iterArgs[1]);
        for (Operation &inner : body->without_terminator()) {
          if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
            mapping.map(index.getResult(), dims[index.getDim()]);
            continue;
          }
          nb.clone(inner, mapping);
        }
        scf::YieldOp::create(
            nb, l,
            ValueRange{mapping.lookupOrDefault(yield.getValues()[0]),
                       mapping.lookupOrDefault(yield.getValues()[1])});
      });
  // 2. Across the warp, then across warps.
  auto warpReduce = [&](OpBuilder &wb, Value v, Value i) {
    for (int32_t offset : {16, 8, 4, 2, 1}) {
      Value off = arith::ConstantIntOp::create(wb, loc, offset, 32);
      Value width = arith::ConstantIntOp::create(wb, loc, 32, 32);
      Value v2 =
          gpu::ShuffleOp::create(wb, loc, v, off, width, gpu::ShuffleMode::XOR)
              .getShuffleResult();
      Value i2 =
          gpu::ShuffleOp::create(wb, loc, i, off, width, gpu::ShuffleMode::XOR)
              .getShuffleResult();
      std::tie(v, i) = combine(wb, v, i, v2, i2);
    }
    return std::make_pair(v, i);
  };
  auto [partialValue, partialIndex] =
      warpReduce(b, loop.getResult(0), loop.getResult(1));
  Value c32 = arith::ConstantIndexOp::create(b, loc, 32);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value lane = arith::RemUIOp::create(b, loc, thread, c32);
  Value warp = arith::DivUIOp::create(b, loc, thread, c32);
  Value isLeader =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, zero);
  scf::IfOp::create(b, loc, isLeader, [&](OpBuilder &nb, Location l) {
    memref::StoreOp::create(nb, l, partialValue, valuePartials, warp);
    memref::StoreOp::create(nb, l, partialIndex, indexPartials, warp);
    scf::YieldOp::create(nb, l);
  });
  gpu::BarrierOp::create(b, loc);
  Value firstWarp =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, warp, zero);
  scf::IfOp::create(b, loc, firstWarp, [&](OpBuilder &nb, Location l) {
    Value warps = arith::ConstantIndexOp::create(nb, l, block / 32);
    Value present =
        arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, lane, warps);
    auto read = scf::IfOp::create(
        nb, l, present,
        [&](OpBuilder &tb, Location tl) {
          scf::YieldOp::create(
              tb, tl,
              ValueRange{memref::LoadOp::create(tb, tl, valuePartials, lane),
                         memref::LoadOp::create(tb, tl, indexPartials, lane)});
        },
        [&](OpBuilder &eb, Location el) {
          scf::YieldOp::create(
              eb, el,
              ValueRange{arith::ConstantOp::create(eb, el, worst),
                         arith::ConstantIntOp::create(eb, el, 0, 64)});
        });
    auto [totalValue, totalIndex] =
        warpReduce(nb, read.getResult(0), read.getResult(1));
    Value first =
        arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, lane, zero);
    scf::IfOp::create(nb, l, first, [&](OpBuilder &fb, Location fl) {
      SmallVector<Value> dims;
      unsigned next = 0;
      for (unsigned d = 0; d < ranges.size(); ++d)
        dims.push_back(d == reduced ? zero : parallel[next++]);
      SmallVector<Value> at = applyMap(fb, fl, outMap, dims);
      Value beforeValue = memref::LoadOp::create(fb, fl, valueInit->get(), at);
      Value beforeIndex = memref::LoadOp::create(fb, fl, indexInit->get(), at);
      auto [v, i] =
          combine(fb, beforeValue, beforeIndex, totalValue, totalIndex);
      memref::StoreOp::create(fb, fl, v, valueInit->get(), at);
      memref::StoreOp::create(fb, fl, i, indexInit->get(), at);
      scf::YieldOp::create(fb, fl);
    });
    scf::YieldOp::create(nb, l);
  });
  gpu::TerminatorOp::create(b, loc);
  rewriter.eraseOp(op);
  return success();
}

} // namespace loom
