//===- GraphRules.cpp - Index rules of graph ops --------------------------===//
//
// Part of Loom. Attaches SbpRuleOpInterface to the graph ops whose layouts
// follow from an einsum-like rule: elementwise ops (numpy broadcasting),
// matrix products, transposes, reductions, softmax, layer normalisation,
// convolutions and pooling. Rules need static shapes; ops without one (or
// with dynamic shapes) run replicated.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"
#include "dialects/sbp/IR/SbpDialect.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace loom::sbp;
namespace g = loom::graph;

namespace {

/// The static shape of `value`, if it has one.
std::optional<ArrayRef<int64_t>> getStaticShape(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  return type.getShape();
}

/// Dims of an operand of `shape` broadcast (numpy, right-aligned) to the
/// result whose dims iterate `resultDims` over `resultShape`: size-1 dims
/// that broadcast cannot split.
SmallVector<int> broadcastDims(ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> resultShape,
                               ArrayRef<int> resultDims) {
  SmallVector<int> dims;
  size_t offset = resultShape.size() - shape.size();
  for (auto [d, size] : llvm::enumerate(shape))
    dims.push_back(size == resultShape[offset + d] ? resultDims[offset + d]
                                                   : -1);
  return dims;
}

/// Elementwise over numpy-broadcast operands: one index per result dim.
FailureOr<IndexRule> elementwiseRule(Operation *op) {
  if (op->getNumResults() != 1)
    return failure();
  auto result = getStaticShape(op->getResult(0));
  if (!result)
    return failure();
  IndexRule rule;
  SmallVector<int> dims;
  for (int64_t size : *result)
    dims.push_back(size > 1 ? rule.addIndex(size) : -1);
  for (Value operand : op->getOperands()) {
    auto shape = getStaticShape(operand);
    if (!shape || shape->size() > result->size())
      return failure();
    rule.operands.push_back(broadcastDims(*shape, *result, dims));
  }
  rule.results.push_back(dims);
  return rule;
}

template <typename OpTy>
struct Elementwise
    : SbpRuleOpInterface::ExternalModel<Elementwise<OpTy>, OpTy> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    return elementwiseRule(op);
  }
};

/// Elementwise and linear: add and sub (sums of partial sums pass), neg
/// (partial in, partial out), mul and div (linear in one operand at a
/// time; div only in its numerator).
template <typename OpTy, IndexRule::Linearity linearity, bool lhs, bool rhs>
struct LinearElementwise
    : SbpRuleOpInterface::ExternalModel<
          LinearElementwise<OpTy, linearity, lhs, rhs>, OpTy> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    FailureOr<IndexRule> rule = elementwiseRule(op);
    if (failed(rule))
      return failure();
    rule->linearity = linearity;
    rule->partialOperands = {lhs, rhs};
    return rule;
  }
};

/// Batched matrix products (numpy matmul broadcasting of the batch dims).
FailureOr<IndexRule> matmulRule(Value a, Value b, Value result, bool transA,
                                bool transB) {
  auto sa = getStaticShape(a), sb = getStaticShape(b);
  auto sr = getStaticShape(result);
  if (!sa || !sb || !sr || sa->size() < 2 || sb->size() < 2 || sr->size() < 2)
    return failure();
  IndexRule rule;
  size_t rank = sr->size();
  SmallVector<int> out;
  for (size_t d = 0; d + 2 < rank; ++d)
    out.push_back((*sr)[d] > 1 ? rule.addIndex((*sr)[d]) : -1);
  int64_t k = (*sa)[transA ? sa->size() - 2 : sa->size() - 1];
  int m = rule.addIndex((*sr)[rank - 2]);
  int n = rule.addIndex((*sr)[rank - 1]);
  int kIndex = rule.addIndex(k, Reduction::Sum);
  SmallVector<int> batch(out);
  out.push_back(m);
  out.push_back(n);
  auto operandDims = [&](ArrayRef<int64_t> shape, int row, int col) {
    SmallVector<int> dims =
        broadcastDims(shape.drop_back(2), sr->drop_back(2), batch);
    dims.push_back(row);
    dims.push_back(col);
    return dims;
  };
  rule.operands.push_back(transA ? operandDims(*sa, kIndex, m)
                                 : operandDims(*sa, m, kIndex));
  rule.operands.push_back(transB ? operandDims(*sb, n, kIndex)
                                 : operandDims(*sb, kIndex, n));
  rule.results.push_back(out);
  rule.flopsPerPoint = 2;
  return rule;
}

struct MatMul : SbpRuleOpInterface::ExternalModel<MatMul, g::MatMulOp> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    auto matmul = cast<g::MatMulOp>(op);
    FailureOr<IndexRule> rule = matmulRule(matmul.getLhs(), matmul.getRhs(),
                                           matmul.getResult(), false, false);
    if (failed(rule))
      return failure();
    rule->linearity = IndexRule::Linearity::Product;
    rule->partialOperands = {true, true};
    return rule;
  }
};

struct Gemm : SbpRuleOpInterface::ExternalModel<Gemm, g::GemmOp> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    auto gemm = cast<g::GemmOp>(op);
    FailureOr<IndexRule> rule =
        matmulRule(gemm.getA(), gemm.getB(), gemm.getResult(), gemm.getTransA(),
                   gemm.getTransB());
    if (failed(rule))
      return failure();
    if (!gemm.getC()) {
      rule->linearity = IndexRule::Linearity::Product;
      rule->partialOperands = {true, true};
      return rule;
    }
    // The bias is added once: splitting k would add it on every device.
    auto c = getStaticShape(gemm.getC());
    if (!c)
      return failure();
    int kIndex = static_cast<int>(rule->extents.size()) - 1;
    for (SmallVector<int> &dims : rule->operands)
      for (int &index : dims)
        if (index == kIndex)
          index = -1;
    rule->operands.push_back(broadcastDims(
        *c, *getStaticShape(gemm.getResult()), rule->results.front()));
    return rule;
  }
};

struct Transpose
    : SbpRuleOpInterface::ExternalModel<Transpose, g::TransposeOp> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    auto transpose = cast<g::TransposeOp>(op);
    auto result = getStaticShape(transpose.getResult());
    if (!result)
      return failure();
    IndexRule rule;
    SmallVector<int> out, in(result->size(), -1);
    for (int64_t size : *result)
      out.push_back(size > 1 ? rule.addIndex(size) : -1);
    for (auto [i, p] : llvm::enumerate(transpose.getPerm()))
      in[p] = out[i];
    rule.operands.push_back(in);
    rule.results.push_back(out);
    rule.linearity = IndexRule::Linearity::Product;
    rule.partialOperands = {true};
    return rule;
  }
};

/// Reductions: kept dims split freely; reduced dims split into partial
/// results for sum, max and min. A mean over a split dim would divide by
/// the local count, so mean does not split what it reduces.
/// `kind` is a Reduction, or -1 for a mean.
template <typename OpTy, int kind>
struct Reduce : SbpRuleOpInterface::ExternalModel<Reduce<OpTy, kind>, OpTy> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    std::optional<Reduction> reduction;
    if (kind >= 0)
      reduction = static_cast<Reduction>(kind);
    auto reduce = cast<OpTy>(op);
    auto input = getStaticShape(reduce.getInput());
    if (!input || reduce.getComputedAxes() ||
        !getStaticShape(reduce.getResult()))
      return failure();
    IndexRule rule;
    SmallVector<int> in, out;
    ArrayRef<int64_t> axes = reduce.getAxes();
    for (auto [d, size] : llvm::enumerate(*input)) {
      bool reduced = llvm::is_contained(axes, static_cast<int64_t>(d));
      if (!reduced) {
        int index = size > 1 ? rule.addIndex(size) : -1;
        in.push_back(index);
        out.push_back(index);
        continue;
      }
      in.push_back(reduction && size > 1 ? rule.addIndex(size, reduction) : -1);
      if (reduce.getKeepDims())
        out.push_back(-1);
    }
    rule.operands.push_back(in);
    rule.results.push_back(out);
    if (reduction == Reduction::Sum) {
      rule.linearity = IndexRule::Linearity::Product;
      rule.partialOperands = {true};
    }
    return rule;
  }
};

/// Normalisations: the normalised dims stay whole on every device.
template <typename OpTy>
struct SoftmaxLike
    : SbpRuleOpInterface::ExternalModel<SoftmaxLike<OpTy>, OpTy> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    auto softmax = cast<OpTy>(op);
    auto shape = getStaticShape(softmax.getInput());
    if (!shape)
      return failure();
    IndexRule rule;
    SmallVector<int> dims;
    for (auto [d, size] : llvm::enumerate(*shape))
      dims.push_back(static_cast<int64_t>(d) == softmax.getAxis() || size < 2
                         ? -1
                         : rule.addIndex(size));
    rule.operands.push_back(dims);
    rule.results.push_back(dims);
    rule.flopsPerPoint = 4;
    return rule;
  }
};

struct LayerNorm
    : SbpRuleOpInterface::ExternalModel<LayerNorm, g::LayerNormOp> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    auto norm = cast<g::LayerNormOp>(op);
    auto shape = getStaticShape(norm.getInput());
    if (!shape)
      return failure();
    IndexRule rule;
    SmallVector<int> dims;
    for (auto [d, size] : llvm::enumerate(*shape))
      dims.push_back(static_cast<int64_t>(d) >= norm.getAxis() || size < 2
                         ? -1
                         : rule.addIndex(size));
    rule.operands.push_back(dims);
    for (Value param : op->getOperands().drop_front()) {
      auto type = dyn_cast<RankedTensorType>(param.getType());
      if (!type)
        return failure();
      rule.operands.push_back(SmallVector<int>(type.getRank(), -1));
    }
    // The result, then mean and inverse deviation (normalised dims as 1s).
    rule.results.push_back(dims);
    rule.results.push_back(dims);
    rule.results.push_back(dims);
    // Every dim is work, split or not.
    for (int64_t size : shape->drop_front(norm.getAxis()))
      rule.addIndex(size);
    rule.flopsPerPoint = 8;
    return rule;
  }
};

/// 2-D convolution with one group: the batch and the output channels
/// split; input channels split into partial sums (without a bias, which
/// would be added on every device). Spatial dims stay whole (no halos).
struct Conv : SbpRuleOpInterface::ExternalModel<Conv, g::ConvOp> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    auto conv = cast<g::ConvOp>(op);
    auto in = getStaticShape(conv.getInput());
    auto w = getStaticShape(conv.getWeight());
    auto out = getStaticShape(conv.getResult());
    if (!in || !w || !out || conv.getGroup() != 1 || in->size() < 3)
      return failure();
    IndexRule rule;
    int n = (*out)[0] > 1 ? rule.addIndex((*out)[0]) : -1;
    int m = rule.addIndex((*out)[1]);
    int c = conv.getBias() ? -1 : rule.addIndex((*in)[1], Reduction::Sum);
    SmallVector<int> input = {n, c}, weight = {m, c}, result = {n, m};
    for (size_t d = 2; d < out->size(); ++d) {
      rule.addIndex((*out)[d]); // output positions: work, never split
      rule.addIndex((*w)[d]);   // kernel taps: work, never split
      input.push_back(-1);
      weight.push_back(-1);
      result.push_back(-1);
    }
    if (conv.getBias())
      rule.addIndex((*in)[1]); // input channels: work, not split
    rule.operands.push_back(input);
    rule.operands.push_back(weight);
    if (conv.getBias())
      rule.operands.push_back({m});
    rule.results.push_back(result);
    rule.flopsPerPoint = 2;
    return rule;
  }
};

/// Pooling and per-channel normalisation: batch and channels split.
template <typename OpTy>
struct PerChannel : SbpRuleOpInterface::ExternalModel<PerChannel<OpTy>, OpTy> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    auto in = getStaticShape(op->getOperand(0));
    auto out = getStaticShape(op->getResult(0));
    if (!in || !out || in->size() < 2 || op->getNumResults() != 1)
      return failure();
    IndexRule rule;
    int n = (*in)[0] > 1 ? rule.addIndex((*in)[0]) : -1;
    int c = (*in)[1] > 1 ? rule.addIndex((*in)[1]) : -1;
    SmallVector<int> input = {n, c}, result = {n, c};
    for (int64_t size : in->drop_front(2)) {
      rule.addIndex(size);
      input.push_back(-1);
    }
    for (size_t d = 2; d < out->size(); ++d)
      result.push_back(-1);
    rule.operands.push_back(input);
    // Per-channel parameters (batch norm's scale, bias, mean, variance).
    for (Value param : op->getOperands().drop_front())
      rule.operands.push_back({c});
    rule.results.push_back(result);
    return rule;
  }
};

/// Reshapes keep the leading dims the input and result share (a batch dim
/// through a flatten); any shape operand is replicated.
template <typename OpTy>
struct LeadingDims
    : SbpRuleOpInterface::ExternalModel<LeadingDims<OpTy>, OpTy> {
  FailureOr<IndexRule> getSbpRule(Operation *op) const {
    auto in = getStaticShape(op->getOperand(0));
    auto out = getStaticShape(op->getResult(0));
    if (!in || !out || op->getNumResults() != 1)
      return failure();
    IndexRule rule;
    SmallVector<int> input(in->size(), -1), result(out->size(), -1);
    for (size_t d = 0;
         d < std::min(in->size(), out->size()) && (*in)[d] == (*out)[d]; ++d)
      if ((*in)[d] > 1)
        input[d] = result[d] = rule.addIndex((*in)[d]);
    rule.operands.push_back(input);
    for (Value operand : op->getOperands().drop_front()) {
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (!type)
        return failure();
      rule.operands.push_back(SmallVector<int>(type.getRank(), -1));
    }
    rule.results.push_back(result);
    rule.linearity = IndexRule::Linearity::Product;
    rule.partialOperands = {true};
    return rule;
  }
};

template <typename... OpTys>
void attachElementwise(MLIRContext *context) {
  (OpTys::template attachInterface<Elementwise<OpTys>>(*context), ...);
}

} // namespace

void loom::sbp::registerGraphRuleExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, g::GraphDialect *) {
    using L = IndexRule::Linearity;
    attachElementwise<g::ReluOp, g::TanhOp, g::SigmoidOp, g::ExpOp, g::ErfOp,
                      g::SqrtOp, g::AbsOp, g::LogOp, g::ReciprocalOp,
                      g::SoftplusOp, g::LeakyReluOp, g::EluOp, g::SeluOp,
                      g::HardSigmoidOp, g::HardSwishOp, g::ClipOp, g::MaxOp,
                      g::MinOp, g::PowOp, g::WhereOp, g::CastOp>(context);
    attachElementwise<g::SignOp, g::NotOp, g::AcosOp, g::AcoshOp, g::AsinOp,
                      g::AsinhOp, g::AtanOp, g::AtanhOp, g::CeilOp, g::CosOp,
                      g::CoshOp, g::FloorOp, g::RoundOp, g::SinOp, g::SinhOp,
                      g::SoftsignOp, g::TanOp, g::CeluOp, g::ThresholdedReluOp,
                      g::ShrinkOp, g::IsNaNOp, g::IsInfOp, g::ModOp,
                      g::ShiftLeftOp, g::ShiftRightOp, g::PReluOp, g::AndOp,
                      g::OrOp, g::XorOp, g::EqualOp, g::LessOp, g::LessEqualOp,
                      g::GreaterOp, g::GreaterEqualOp>(context);
    g::AddOp::attachInterface<LinearElementwise<g::AddOp, L::Sum, true, true>>(
        *context);
    g::SubOp::attachInterface<LinearElementwise<g::SubOp, L::Sum, true, true>>(
        *context);
    g::NegOp::attachInterface<
        LinearElementwise<g::NegOp, L::Product, true, false>>(*context);
    g::MulOp::attachInterface<
        LinearElementwise<g::MulOp, L::Product, true, true>>(*context);
    g::DivOp::attachInterface<
        LinearElementwise<g::DivOp, L::Product, true, false>>(*context);
    g::MatMulOp::attachInterface<MatMul>(*context);
    g::GemmOp::attachInterface<Gemm>(*context);
    g::TransposeOp::attachInterface<Transpose>(*context);
    constexpr int sum = static_cast<int>(Reduction::Sum);
    constexpr int max = static_cast<int>(Reduction::Max);
    constexpr int min = static_cast<int>(Reduction::Min);
    g::ReduceSumOp::attachInterface<Reduce<g::ReduceSumOp, sum>>(*context);
    g::ReduceMaxOp::attachInterface<Reduce<g::ReduceMaxOp, max>>(*context);
    g::ReduceMinOp::attachInterface<Reduce<g::ReduceMinOp, min>>(*context);
    g::ReduceMeanOp::attachInterface<Reduce<g::ReduceMeanOp, -1>>(*context);
    g::SoftmaxOp::attachInterface<SoftmaxLike<g::SoftmaxOp>>(*context);
    g::LogSoftmaxOp::attachInterface<SoftmaxLike<g::LogSoftmaxOp>>(*context);
    g::LayerNormOp::attachInterface<LayerNorm>(*context);
    g::ConvOp::attachInterface<Conv>(*context);
    g::MaxPoolOp::attachInterface<PerChannel<g::MaxPoolOp>>(*context);
    g::AveragePoolOp::attachInterface<PerChannel<g::AveragePoolOp>>(*context);
    g::GlobalAveragePoolOp::attachInterface<PerChannel<g::GlobalAveragePoolOp>>(
        *context);
    g::GlobalMaxPoolOp::attachInterface<PerChannel<g::GlobalMaxPoolOp>>(
        *context);
    g::BatchNormOp::attachInterface<PerChannel<g::BatchNormOp>>(*context);
    g::ReshapeOp::attachInterface<LeadingDims<g::ReshapeOp>>(*context);
    g::FlattenOp::attachInterface<LeadingDims<g::FlattenOp>>(*context);
    g::SqueezeOp::attachInterface<LeadingDims<g::SqueezeOp>>(*context);
    g::UnsqueezeOp::attachInterface<LeadingDims<g::UnsqueezeOp>>(*context);
  });
}
