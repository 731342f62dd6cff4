//===- Resize.cpp - ONNX Resize to linalg ---------------------------------===//
//
// Part of Loom. Follows ONNX's reference semantics: per resized dim, the
// output coordinate maps back to an input coordinate (by
// coordinate_transformation_mode, with the float output length
// scale * input length), which picks taps and weights: one tap for nearest,
// two for linear and four for cubic (edges clamped, or excluded and the
// weights renormalised under exclude_outside). The taps of all resized
// dims combine as a tensor product. Coordinates are computed in f64.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

struct Tap {
  Value index;  // index into the input dim (clamped)
  Value weight; // f64
};

struct ResizePattern : OpConversionPattern<g::ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(g::ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (failed(type) || !inputType || !inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    StringRef mode = op.getMode();
    Type t = type->getElementType();
    if (mode != "nearest" && !isa<FloatType>(t))
      return rewriter.notifyMatchFailure(op, "interpolates floats only");
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t rank = type->getRank();
    Value scalesTensor = adaptor.getComputedScales(), roi = adaptor.getRoi();
    std::optional<ArrayRef<float>> scaleAttr = op.getScales();
    StringRef coords = op.getCoordinateTransformationMode();
    StringRef nearestMode = op.getNearestMode();
    double a = op.getCubicCoeffA().convertToDouble();
    bool exclude = op.getExcludeOutside();
    double extrapolation = op.getExtrapolationValue().convertToDouble();

    Value result = buildFromIndices(
        rewriter, loc, *type,
        getAsIndexOpFoldResult(getContext(), type->getShape()),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          Type f64 = b.getF64Type();
          auto f = [&](double v) { return scalarConstant(b, l, f64, v); };
          auto add = [&](Value p, Value q) -> Value {
            return arith::AddFOp::create(b, l, p, q);
          };
          auto sub = [&](Value p, Value q) -> Value {
            return arith::SubFOp::create(b, l, p, q);
          };
          auto mul = [&](Value p, Value q) -> Value {
            return arith::MulFOp::create(b, l, p, q);
          };
          auto div = [&](Value p, Value q) -> Value {
            return arith::DivFOp::create(b, l, p, q);
          };
          auto toIndex = [&](Value v) -> Value {
            Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), v);
            return arith::IndexCastOp::create(b, l, b.getIndexType(), i);
          };
          auto clampIndex = [&](Value i, int64_t size) -> Value {
            Value lo = arith::ConstantIndexOp::create(b, l, 0);
            Value hi = arith::ConstantIndexOp::create(b, l, size - 1);
            Value ii = arith::IndexCastOp::create(b, l, b.getI64Type(), i);
            Value clamped = arith::MaxSIOp::create(
                b, l, ii, arith::IndexCastOp::create(b, l, b.getI64Type(), lo));
            clamped = arith::MinSIOp::create(
                b, l, clamped,
                arith::IndexCastOp::create(b, l, b.getI64Type(), hi));
            return arith::IndexCastOp::create(b, l, b.getIndexType(), clamped);
          };
          Value outside = arith::ConstantIntOp::create(b, l, 0, 1);
          SmallVector<SmallVector<Tap>> taps;
          for (int64_t d = 0; d < rank; ++d) {
            int64_t in = inputType.getDimSize(d), out = type->getDimSize(d);
            Value scale;
            if (scaleAttr)
              scale = f((*scaleAttr)[d]);
            else if (scalesTensor)
              scale = arith::ExtFOp::create(
                  b, l, f64,
                  Value(tensor::ExtractOp::create(
                      b, l, scalesTensor,
                      ValueRange{arith::ConstantIndexOp::create(b, l, d)})));
            else
              scale = f(static_cast<double>(out) / in);
            Value pos = arith::SIToFPOp::create(
                b, l, f64,
                arith::IndexCastOp::create(b, l, b.getI64Type(), idx[d]));
            if (in == out && !scalesTensor &&
                (!scaleAttr || (*scaleAttr)[d] == 1.0f) &&
                coords != "tf_crop_and_resize") {
              taps.push_back({{idx[d], f(1)}});
              continue;
            }
            Value length = mul(scale, f(in)); // the float output length
            Value orig;
            if (coords == "align_corners") {
              Value ratio = div(f(in - 1), sub(length, f(1)));
              Value single = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OEQ, length, f(1));
              orig =
                  arith::SelectOp::create(b, l, single, f(0), mul(pos, ratio));
            } else if (coords == "asymmetric") {
              orig = div(pos, scale);
            } else if (coords == "tf_half_pixel_for_nn") {
              orig = div(add(pos, f(0.5)), scale);
            } else if (coords == "pytorch_half_pixel") {
              Value single = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OEQ, length, f(1));
              orig = arith::SelectOp::create(
                  b, l, single, f(-0.5),
                  sub(div(add(pos, f(0.5)), scale), f(0.5)));
            } else if (coords == "tf_crop_and_resize") {
              auto roiAt = [&](int64_t i) -> Value {
                Value v = tensor::ExtractOp::create(
                    b, l, roi,
                    ValueRange{arith::ConstantIndexOp::create(b, l, i)});
                return v.getType() == f64
                           ? v
                           : Value(arith::ExtFOp::create(b, l, f64, v));
              };
              Value start = roiAt(d), end = roiAt(rank + d);
              if (out > 1)
                orig = add(mul(start, f(in - 1)),
                           div(mul(mul(pos, sub(end, start)), f(in - 1)),
                               sub(length, f(1))));
              else
                orig = mul(mul(f(0.5), add(start, end)), f(in - 1));
              Value below = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OLT, orig, f(0));
              Value above = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OGT, orig, f(in - 1));
              outside = arith::OrIOp::create(
                  b, l, outside, arith::OrIOp::create(b, l, below, above));
            } else { // half_pixel
              orig = sub(div(add(pos, f(0.5)), scale), f(0.5));
            }
            // base = floor(orig), ratio in (0, 1] (1 when orig is whole).
            Value floor = math::FloorOp::create(b, l, orig);
            Value whole = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                                floor, orig);
            Value base =
                arith::SelectOp::create(b, l, whole, sub(orig, f(1)), floor);
            Value ratio = sub(orig, base);
            Value baseIndex =
                arith::FPToSIOp::create(b, l, b.getI64Type(), base);
            auto tapAt = [&](int64_t offset) -> Value {
              Value i = arith::AddIOp::create(
                  b, l, baseIndex,
                  arith::ConstantIntOp::create(b, l, offset, 64));
              return arith::IndexCastOp::create(b, l, b.getIndexType(), i);
            };
            SmallVector<Tap> dimTaps;
            if (mode == "nearest") {
              // The left tap (base) or the right one (base + 1).
              Value half = f(0.5);
              Value right;
              if (nearestMode == "ceil")
                right = arith::ConstantIntOp::create(b, l, 1, 1);
              else if (nearestMode == "floor")
                right = whole;
              else if (nearestMode == "round_prefer_ceil")
                right = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE,
                                              ratio, half);
              else
                right = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                              ratio, half);
              Value i =
                  arith::SelectOp::create(b, l, right, tapAt(1), tapAt(0));
              dimTaps.push_back({clampIndex(i, in), f(1)});
            } else if (mode == "linear") {
              dimTaps.push_back({clampIndex(tapAt(0), in), sub(f(1), ratio)});
              dimTaps.push_back({clampIndex(tapAt(1), in), ratio});
            } else {
              Value r1 = add(ratio, f(1)), s = sub(f(1), ratio),
                    s1 = add(s, f(1));
              auto far = [&](Value v) {
                // ((A v - 5A) v + 8A) v - 4A
                Value p = sub(mul(f(a), v), f(5 * a));
                p = add(mul(p, v), f(8 * a));
                return sub(mul(p, v), f(4 * a));
              };
              auto near = [&](Value v) {
                // ((A + 2) v - (A + 3)) v v + 1
                Value p = sub(mul(f(a + 2), v), f(a + 3));
                return add(mul(mul(p, v), v), f(1));
              };
              Value weights[4] = {far(r1), near(ratio), near(s), far(s1)};
              Value total = f(0);
              SmallVector<Value> kept;
              for (int64_t k = 0; k < 4; ++k) {
                Value w = weights[k];
                if (exclude) {
                  Value i = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                       tapAt(k - 1));
                  Value inside = arith::AndIOp::create(
                      b, l,
                      arith::CmpIOp::create(
                          b, l, arith::CmpIPredicate::sge, i,
                          arith::ConstantIntOp::create(b, l, 0, 64)),
                      arith::CmpIOp::create(
                          b, l, arith::CmpIPredicate::slt, i,
                          arith::ConstantIntOp::create(b, l, in, 64)));
                  w = arith::SelectOp::create(b, l, inside, w, f(0));
                }
                kept.push_back(w);
                total = add(total, w);
              }
              for (int64_t k = 0; k < 4; ++k)
                dimTaps.push_back({clampIndex(tapAt(k - 1), in),
                                   exclude ? div(kept[k], total) : kept[k]});
            }
            taps.push_back(std::move(dimTaps));
          }
          // The tensor product of the dims' taps.
          Value sum;
          SmallVector<size_t> choice(rank, 0);
          while (true) {
            SmallVector<Value> at;
            Value weight = f(1);
            for (int64_t d = 0; d < rank; ++d) {
              at.push_back(taps[d][choice[d]].index);
              if (taps[d].size() > 1)
                weight = mul(weight, taps[d][choice[d]].weight);
            }
            Value v = tensor::ExtractOp::create(b, l, x, at);
            if (mode == "nearest") {
              sum = v;
            } else {
              Value wide =
                  t.isF64() ? v : Value(arith::ExtFOp::create(b, l, f64, v));
              Value term = mul(wide, weight);
              sum = sum ? add(sum, term) : term;
            }
            int64_t d = rank - 1;
            for (; d >= 0; --d) {
              if (++choice[d] < taps[d].size())
                break;
              choice[d] = 0;
            }
            if (d < 0)
              break;
          }
          if (mode != "nearest" && !t.isF64())
            sum = arith::TruncFOp::create(b, l, t, sum);
          if (coords == "tf_crop_and_resize")
            sum = arith::SelectOp::create(
                b, l, outside, scalarConstant(b, l, t, extrapolation), sum);
          return sum;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateResizePatterns(GraphTypeConverter &converter,
                            RewritePatternSet &patterns) {
  patterns.add<ResizePattern>(converter, patterns.getContext());
}

} // namespace loom::lowering
