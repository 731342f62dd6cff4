//===- Kernels.cpp - Convolutions and matrix products to kernel ops -------===//
//
// Part of Loom. f32 Conv with two spatial dims, Gemm, and MatMul whose right
// operand is a matrix become kernel.conv2d and kernel.matmul, computed by
// the runtime's kernel library (docs/kernel-library.md says why). Everything
// else keeps the generic linalg lowering.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "dialects/kernel/IR/KernelDialect.h"

using namespace mlir;
namespace g = loom::graph;
namespace k = loom::kernel;

namespace loom::lowering {
namespace {

bool isF32Tensor(Value v, int64_t rank = -1) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getElementType().isF32() &&
         (rank < 0 || type.getRank() == rank);
}

struct ConvToKernel : OpConversionPattern<g::ConvOp> {
  ConvToKernel(GraphTypeConverter &converter, MLIRContext *context,
               PatternBenefit benefit, bool symmetricPads)
      : OpConversionPattern(converter, context, benefit),
        symmetricPads(symmetricPads) {}
  /// Only pads cuDNN takes: begin and end alike on each dim.
  bool symmetricPads;
  LogicalResult
  matchAndRewrite(g::ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    Value x = adaptor.getInput(), w = adaptor.getWeight(),
          bias = adaptor.getBias();
    if (failed(type) || !isF32Tensor(x, 4) || !isF32Tensor(w, 4) ||
        (bias && !isF32Tensor(bias, 1)) || type->getRank() != 4 ||
        !cast<RankedTensorType>(w.getType()).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 convolution");
    Location loc = op.getLoc();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      pads = op.getPads();
    if (symmetricPads && (pads[0] != pads[2] || pads[1] != pads[3]))
      return rewriter.notifyMatchFailure(op, "asymmetric pads");
    auto wt = cast<RankedTensorType>(w.getType());
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
      Value in = tensor::DimOp::create(rewriter, loc, x, i);
      if (i < 2)
        return in;
      unsigned s = i - 2;
      return convOutputSize(rewriter, loc, in, pads[s] + pads[2 + s],
                            wt.getDimSize(i), strides[s], dilations[s]);
    });
    Value init = createEmpty(rewriter, loc, *type, sizes);
    auto conv = k::Conv2DOp::create(rewriter, loc, TypeRange{*type}, x, w, bias,
                                    init, strides, pads, dilations,
                                    op.getGroup(), /*accumulate=*/false,
                                    /*relu=*/false);
    rewriter.replaceOp(op, conv->getResult(0));
    return success();
  }
};

struct GemmToKernel : OpConversionPattern<g::GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    Value a = adaptor.getA(), b = adaptor.getB(), c = adaptor.getC();
    if (failed(type) || !isF32Tensor(a, 2) || !isF32Tensor(b, 2) ||
        (c && !isF32Tensor(c)))
      return rewriter.notifyMatchFailure(op, "not an f32 Gemm");
    Location loc = op.getLoc();
    emitInnerDimCheck(rewriter, loc, a, op.getTransA() ? 0 : 1, b,
                      op.getTransB() ? 1 : 0);
    auto sizes = getGemmSizes(rewriter, loc, *type, a, b, op.getTransA(),
                              op.getTransB());
    // A C of one row ([N] or [1, N]) with beta 1 is the product's bias;
    // any other accumulates into beta * C, broadcast to the result.
    Value bias;
    if (c && op.getBeta().convertToDouble() == 1.0) {
      auto ct = cast<RankedTensorType>(c.getType());
      int64_t n = type->getDimSize(1);
      auto at = cast<RankedTensorType>(a.getType());
      int64_t k = at.getDimSize(op.getTransA() ? 0 : 1);
      bool row =
          !ShapedType::isDynamic(k) && k > 0 &&
          (ct.getRank() == 1 || (ct.getRank() == 2 && ct.getDimSize(0) == 1)) &&
          !ct.isDynamicDim(ct.getRank() - 1) &&
          ct.getDimSize(ct.getRank() - 1) == n && n != 1 &&
          !ShapedType::isDynamic(n);
      if (row) {
        bias = c;
        if (ct.getRank() == 2)
          bias = tensor::CollapseShapeOp::create(
              rewriter, loc, c, SmallVector<ReassociationIndices>{{0, 1}});
        c = Value();
      }
    }
    // The product accumulates into beta * C, broadcast to the result, or
    // overwrites an empty destination.
    Value init;
    if (c) {
      double beta = op.getBeta().convertToDouble();
      FailureOr<Value> scaled = buildElementwise(
          rewriter, loc, *type, c,
          [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
            if (beta == 1)
              return args[0];
            return arith::MulFOp::create(
                nb, nl, args[0],
                scalarConstant(nb, nl, args[0].getType(), beta));
          },
          sizes);
      if (failed(scaled))
        return failure();
      init = *scaled;
    } else {
      init = createEmpty(rewriter, loc, *type, sizes);
    }
    auto mm = k::MatmulOp::create(
        rewriter, loc, TypeRange{*type}, a, b, bias, init, op.getTransA(),
        op.getTransB(), /*accumulate=*/static_cast<bool>(c), /*relu=*/false,
        llvm::APFloat(static_cast<float>(op.getAlpha().convertToDouble())));
    rewriter.replaceOp(op, mm->getResult(0));
    return success();
  }
};

/// [..., M, K] x [K, N]: the leading dims fold into M (a free reshape of a
/// row-major tensor), and the [M', N] product unfolds into the result.
struct MatMulToKernel : OpConversionPattern<g::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    if (failed(type) || !isF32Tensor(lhs) || !isF32Tensor(rhs, 2))
      return rewriter.notifyMatchFailure(op, "not an f32 [..., M, K] x [K, N]");
    auto lt = cast<RankedTensorType>(lhs.getType());
    int64_t rank = lt.getRank();
    if (rank < 2 || type->getRank() != rank)
      return rewriter.notifyMatchFailure(op, "left operand is a vector");
    Location loc = op.getLoc();
    emitInnerDimCheck(rewriter, loc, lhs, rank - 1, rhs, 0);
    Value flat = lhs;
    if (rank > 2) {
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t i = 0; i < rank - 1; ++i)
        groups[0].push_back(i);
      groups.push_back({rank - 1});
      flat = tensor::CollapseShapeOp::create(rewriter, loc, lhs, groups);
    }
    auto ft = cast<RankedTensorType>(flat.getType());
    int64_t n = type->getDimSize(rank - 1);
    auto flatType =
        RankedTensorType::get({ft.getDimSize(0), n}, type->getElementType());
    auto sizes =
        getMixedSizes(rewriter, loc, flatType, [&](unsigned i) -> Value {
          return i == 0 ? tensor::DimOp::create(rewriter, loc, flat, 0)
                        : tensor::DimOp::create(rewriter, loc, rhs, 1);
        });
    Value init = createEmpty(rewriter, loc, flatType, sizes);
    Value product =
        k::MatmulOp::create(rewriter, loc, TypeRange{flatType}, flat, rhs,
                            /*bias=*/Value(), init, false, false, false,
                            /*relu=*/false, llvm::APFloat(1.0f))
            ->getResult(0);
    if (rank > 2) {
      auto outSizes =
          getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
            return i + 1 == static_cast<unsigned>(rank)
                       ? tensor::DimOp::create(rewriter, loc, rhs, 1)
                       : tensor::DimOp::create(rewriter, loc, lhs, i);
          });
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t i = 0; i < rank - 1; ++i)
        groups[0].push_back(i);
      groups.push_back({rank - 1});
      product = tensor::ExpandShapeOp::create(rewriter, loc, *type, product,
                                              groups, outSizes);
    }
    rewriter.replaceOp(op, product);
    return success();
  }
};

/// [B..., M, K] x [B..., K, N] with the same batch dims (attention's
/// products): the batch dims fold into one, and a batch of [M, N] products
/// unfolds into the result. Broadcast batch dims keep the generic lowering.
struct BatchMatMulToKernel : OpConversionPattern<g::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    if (failed(type) || !isF32Tensor(lhs) || !isF32Tensor(rhs))
      return rewriter.notifyMatchFailure(op, "not an f32 MatMul");
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    int64_t rank = lt.getRank();
    if (rank < 3 || rt.getRank() != rank || type->getRank() != rank)
      return rewriter.notifyMatchFailure(op, "not a batch of equal rank");
    for (int64_t i = 0; i + 2 < rank; ++i)
      if (lt.isDynamicDim(i) != rt.isDynamicDim(i) ||
          (!lt.isDynamicDim(i) && lt.getDimSize(i) != rt.getDimSize(i)))
        return rewriter.notifyMatchFailure(op, "broadcast batch dims");
    Location loc = op.getLoc();
    emitInnerDimCheck(rewriter, loc, lhs, rank - 1, rhs, rank - 2);
    for (int64_t i = 0; i + 2 < rank; ++i)
      if (lt.isDynamicDim(i))
        emitDimsEqualCheck(rewriter, loc,
                           tensor::DimOp::create(rewriter, loc, rhs, i),
                           tensor::DimOp::create(rewriter, loc, lhs, i),
                           "batch dim " + std::to_string(i) +
                               " is {0} at run time, but input 0's is {1}",
                           1);
    // [B..., X, Y] -> [B, X, Y].
    SmallVector<ReassociationIndices> groups(1);
    for (int64_t i = 0; i + 2 < rank; ++i)
      groups[0].push_back(i);
    groups.push_back({rank - 2});
    groups.push_back({rank - 1});
    Value a = lhs, b = rhs;
    if (rank > 3) {
      a = tensor::CollapseShapeOp::create(rewriter, loc, lhs, groups);
      b = tensor::CollapseShapeOp::create(rewriter, loc, rhs, groups);
    }
    auto at = cast<RankedTensorType>(a.getType());
    auto bt = cast<RankedTensorType>(b.getType());
    auto flatType = RankedTensorType::get(
        {at.getDimSize(0), at.getDimSize(1), bt.getDimSize(2)},
        type->getElementType());
    auto sizes =
        getMixedSizes(rewriter, loc, flatType, [&](unsigned i) -> Value {
          return i < 2 ? tensor::DimOp::create(rewriter, loc, a, i)
                       : tensor::DimOp::create(rewriter, loc, b, 2);
        });
    Value init = createEmpty(rewriter, loc, flatType, sizes);
    Value product =
        k::MatmulOp::create(rewriter, loc, TypeRange{flatType}, a, b,
                            /*bias=*/Value(), init, false, false, false,
                            /*relu=*/false, llvm::APFloat(1.0f))
            ->getResult(0);
    if (rank > 3) {
      auto outSizes =
          getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
            return i + 1 == static_cast<unsigned>(rank)
                       ? tensor::DimOp::create(rewriter, loc, rhs, i)
                       : tensor::DimOp::create(rewriter, loc, lhs, i);
          });
      product = tensor::ExpandShapeOp::create(rewriter, loc, *type, product,
                                              groups, outSizes);
    }
    rewriter.replaceOp(op, product);
    return success();
  }
};

} // namespace

void populateKernelPatterns(GraphTypeConverter &converter,
                            RewritePatternSet &patterns, bool symmetricConvPads,
                            bool batchedMatmul) {
  patterns.add<GemmToKernel, MatMulToKernel>(converter, patterns.getContext(),
                                             /*benefit=*/2);
  if (batchedMatmul)
    patterns.add<BatchMatMulToKernel>(converter, patterns.getContext(),
                                      /*benefit=*/2);
  patterns.add<ConvToKernel>(converter, patterns.getContext(), /*benefit=*/2,
                             symmetricConvPads);
}

} // namespace loom::lowering
