//===- ImportElementwise.cpp - ONNX elementwise ops -----------------------===//
//
// Part of Loom. Opset ranges start where an op's current semantics begin;
// legacy attributes that changed nothing (`consumed_inputs`) are ignored.
//
//===----------------------------------------------------------------------===//

#include "ImportUtils.h"

#include "dialects/graph/IR/GraphOps.h"

#include <limits>

using namespace mlir;
namespace g = loom::graph;

namespace loom::onnx {
namespace {

template <typename OpTy>
LogicalResult importUnary(NodeImporter &node) {
  return importSimple<OpTy, 1>(node);
}

template <typename OpTy>
LogicalResult importBinary(NodeImporter &node) {
  return importSimple<OpTy, 2>(node);
}

/// A unary op with one float attribute, `name`, defaulting to `dflt`.
template <typename OpTy, const char *Name, int DefaultMilli>
LogicalResult importUnaryWithFloat(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<float> value = node.getFloat(Name, DefaultMilli / 1000.0f);
  if (failed(x) || failed(value))
    return failure();
  auto op = node.create<OpTy>(*x, APFloat(*value));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

constexpr char kAlpha[] = "alpha";

LogicalResult importSelu(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<float> alpha = node.getFloat("alpha", 1.67326319217681884765625f);
  FailureOr<float> gamma = node.getFloat("gamma", 1.05070102214813232421875f);
  if (failed(x) || failed(alpha) || failed(gamma))
    return failure();
  auto op = node.create<g::SeluOp>(*x, APFloat(*alpha), APFloat(*gamma));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importHardSigmoid(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<float> alpha = node.getFloat("alpha", 0.2f);
  FailureOr<float> beta = node.getFloat("beta", 0.5f);
  if (failed(x) || failed(alpha) || failed(beta))
    return failure();
  auto op = node.create<g::HardSigmoidOp>(*x, APFloat(*alpha), APFloat(*beta));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importShrink(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<float> bias = node.getFloat("bias", 0.0f);
  FailureOr<float> lambd = node.getFloat("lambd", 0.5f);
  if (failed(x) || failed(bias) || failed(lambd))
    return failure();
  auto op = node.create<g::ShrinkOp>(*x, APFloat(*bias), APFloat(*lambd));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importIsInf(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> negative = node.getInt("detect_negative", 1);
  FailureOr<int64_t> positive = node.getInt("detect_positive", 1);
  if (failed(x) || failed(negative) || failed(positive))
    return failure();
  auto op = node.create<g::IsInfOp>(*x, *negative != 0, *positive != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult castTo(NodeImporter &node, Value x, Type to) {
  auto op = node.create<g::CastOp>(x, to);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importCast(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0, NodeImporter::InputKind::AnyTensor);
  FailureOr<Type> to = node.getElementType("to");
  if (failed(x) || failed(to))
    return failure();
  return castTo(node, *x, *to);
}

LogicalResult importCastLike(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0, NodeImporter::InputKind::AnyTensor),
                   like = node.getInput(1, NodeImporter::InputKind::AnyTensor);
  if (failed(x) || failed(like))
    return failure();
  return castTo(node, *x, getElementTypeOrSelf(like->getType()));
}

/// Clip-6 bounds are attributes; Clip-11 takes optional scalar inputs.
LogicalResult importClip(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  Value min, max;
  if (node.getOpset() < 11) {
    constexpr float inf = std::numeric_limits<float>::infinity();
    FailureOr<float> lo = node.getFloat("min", -inf);
    FailureOr<float> hi = node.getFloat("max", inf);
    if (failed(lo) || failed(hi))
      return failure();
    Type elementType = getElementTypeOrSelf(x->getType());
    if (*lo != -inf)
      min = createScalar(node, elementType, *lo);
    if (*hi != inf)
      max = createScalar(node, elementType, *hi);
  } else {
    FailureOr<Value> lo = node.getOptionalInput(1);
    FailureOr<Value> hi = node.getOptionalInput(2);
    if (failed(lo) || failed(hi))
      return failure();
    min = *lo;
    max = *hi;
  }
  auto op = node.create<g::ClipOp>(*x, min, max);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importMod(NodeImporter &node) {
  FailureOr<Value> lhs = node.getInput(0), rhs = node.getInput(1);
  FailureOr<int64_t> fmod = node.getInt("fmod", 0);
  if (failed(lhs) || failed(rhs) || failed(fmod))
    return failure();
  if (!*fmod && isa<FloatType>(getElementTypeOrSelf(lhs->getType())))
    return node.emitError() << "floating-point Mod needs fmod=1";
  auto op = node.create<g::ModOp>(*lhs, *rhs, *fmod != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importBitShift(NodeImporter &node) {
  FailureOr<std::string> direction = node.getString("direction");
  if (failed(direction))
    return failure();
  if (*direction == "LEFT")
    return importBinary<g::ShiftLeftOp>(node);
  if (*direction == "RIGHT")
    return importBinary<g::ShiftRightOp>(node);
  return node.emitError() << "direction must be LEFT or RIGHT, got '"
                          << *direction << "'";
}

/// Sum, Max, Min and Mean take any number of inputs: a chain of binary ops.
template <typename OpTy>
FailureOr<Value> foldVariadic(NodeImporter &node) {
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs(0);
  if (failed(inputs))
    return failure();
  Value result = inputs->front();
  for (Value input : llvm::drop_begin(*inputs)) {
    auto op = node.create<OpTy>(result, input);
    if (failed(op))
      return failure();
    result = *op;
  }
  return result;
}

template <typename OpTy>
LogicalResult importVariadic(NodeImporter &node) {
  FailureOr<Value> result = foldVariadic<OpTy>(node);
  return failed(result) ? failure() : node.setOutputs(*result);
}

LogicalResult importMean(NodeImporter &node) {
  FailureOr<Value> sum = foldVariadic<g::AddOp>(node);
  if (failed(sum))
    return failure();
  Value count = createScalar(node, getElementTypeOrSelf(sum->getType()),
                             node.getNumInputs());
  auto op = node.create<g::DivOp>(*sum, count);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

} // namespace

void addElementwiseImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      // Unary.
      {"Abs", 6, kMax, importUnary<g::AbsOp>},
      {"Acos", 7, kMax, importUnary<g::AcosOp>},
      {"Acosh", 9, kMax, importUnary<g::AcoshOp>},
      {"Asin", 7, kMax, importUnary<g::AsinOp>},
      {"Asinh", 9, kMax, importUnary<g::AsinhOp>},
      {"Atan", 7, kMax, importUnary<g::AtanOp>},
      {"Atanh", 9, kMax, importUnary<g::AtanhOp>},
      {"Ceil", 6, kMax, importUnary<g::CeilOp>},
      {"Cos", 7, kMax, importUnary<g::CosOp>},
      {"Cosh", 9, kMax, importUnary<g::CoshOp>},
      {"Erf", 9, kMax, importUnary<g::ErfOp>},
      {"Exp", 6, kMax, importUnary<g::ExpOp>},
      {"Floor", 6, kMax, importUnary<g::FloorOp>},
      {"HardSwish", 14, kMax, importUnary<g::HardSwishOp>},
      {"IsNaN", 9, kMax, importUnary<g::IsNaNOp>},
      {"Log", 6, kMax, importUnary<g::LogOp>},
      {"Neg", 6, kMax, importUnary<g::NegOp>},
      {"Not", 1, kMax, importUnary<g::NotOp>},
      {"Reciprocal", 6, kMax, importUnary<g::ReciprocalOp>},
      {"Relu", 6, kMax, importUnary<g::ReluOp>},
      {"Round", 11, kMax, importUnary<g::RoundOp>},
      {"Sigmoid", 6, kMax, importUnary<g::SigmoidOp>},
      {"Sign", 9, kMax, importUnary<g::SignOp>},
      {"Sin", 7, kMax, importUnary<g::SinOp>},
      {"Sinh", 9, kMax, importUnary<g::SinhOp>},
      {"Softplus", 1, kMax, importUnary<g::SoftplusOp>},
      {"Softsign", 1, kMax, importUnary<g::SoftsignOp>},
      {"Sqrt", 6, kMax, importUnary<g::SqrtOp>},
      {"Tan", 7, kMax, importUnary<g::TanOp>},
      {"Tanh", 6, kMax, importUnary<g::TanhOp>},
      // Unary with parameters.
      {"Celu", 12, kMax, importUnaryWithFloat<g::CeluOp, kAlpha, 1000>},
      {"Elu", 6, kMax, importUnaryWithFloat<g::EluOp, kAlpha, 1000>},
      {"HardSigmoid", 6, kMax, importHardSigmoid},
      {"IsInf", 10, kMax, importIsInf},
      {"LeakyRelu", 6, kMax, importUnaryWithFloat<g::LeakyReluOp, kAlpha, 10>},
      {"Selu", 6, kMax, importSelu},
      {"Shrink", 9, kMax, importShrink},
      {"ThresholdedRelu", 10, kMax,
       importUnaryWithFloat<g::ThresholdedReluOp, kAlpha, 1000>},
      {"Cast", 6, kMax, importCast},
      {"CastLike", 15, kMax, importCastLike},
      {"Clip", 6, kMax, importClip},
      // Binary, with numpy broadcasting from opset 7 on.
      {"Add", 7, kMax, importBinary<g::AddOp>},
      {"And", 7, kMax, importBinary<g::AndOp>},
      {"BitShift", 11, kMax, importBitShift},
      {"Div", 7, kMax, importBinary<g::DivOp>},
      {"Equal", 7, kMax, importBinary<g::EqualOp>},
      {"Greater", 7, kMax, importBinary<g::GreaterOp>},
      {"GreaterOrEqual", 12, kMax, importBinary<g::GreaterEqualOp>},
      {"Less", 7, kMax, importBinary<g::LessOp>},
      {"LessOrEqual", 12, kMax, importBinary<g::LessEqualOp>},
      {"Mod", 10, kMax, importMod},
      {"Mul", 7, kMax, importBinary<g::MulOp>},
      {"Or", 7, kMax, importBinary<g::OrOp>},
      {"Pow", 7, kMax, importBinary<g::PowOp>},
      {"PRelu", 7, kMax, importBinary<g::PReluOp>},
      {"Sub", 7, kMax, importBinary<g::SubOp>},
      {"Xor", 7, kMax, importBinary<g::XorOp>},
      {"Where", 9, kMax, importSimple<g::WhereOp, 3>},
      // Variadic, with broadcasting from opset 8 on.
      {"Max", 8, kMax, importVariadic<g::MaxOp>},
      {"Mean", 8, kMax, importMean},
      {"Min", 8, kMax, importVariadic<g::MinOp>},
      {"Sum", 8, kMax, importVariadic<g::AddOp>},
  });
}

} // namespace loom::onnx
