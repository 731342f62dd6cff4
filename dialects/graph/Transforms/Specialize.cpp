//===- Specialize.cpp - Static variants behind a run-time shape guard -----===//
//
// Part of Loom. For each variant (`x:2x8`, several inputs joined by '+'),
// a public function's body is copied under a guard that checks, at run
// time, the dims the variant fixes; inside, the inputs are cast to their
// static types, so shape inference, the split and codegen see a static
// program. The original body stays as the fallback, shape-polymorphic:
//
//   %ok = <dims of the inputs equal the variant's>
//   %r = graph.if %ok captures(args) then { static copy } else { original }
//
// A variant also fixes every input dim that shares a symbolic name
// (`graph.dim_names`) with a dim it fixes.
//
//===----------------------------------------------------------------------===//

#include "Captures.h"
#include "dialects/graph/IR/GraphOps.h"
#include "dialects/graph/Transforms/Passes.h"
#include "loom/Support/Refusal.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringMap.h"

namespace loom::graph {
#define GEN_PASS_DEF_GRAPHSPECIALIZEPASS
#include "dialects/graph/Transforms/Passes.h.inc"
} // namespace loom::graph

using namespace mlir;
using namespace loom::graph;

namespace {

/// One variant: the spec as written, and each argument's static type (null
/// where the variant leaves the argument alone).
struct Variant {
  std::string spec;
  SmallVector<RankedTensorType> types;
};

/// The name of argument `index` of `func`, or "".
StringRef getArgName(func::FuncOp func, unsigned index) {
  auto name = func.getArgAttrOfType<StringAttr>(index, "graph.name");
  return name ? name.getValue() : StringRef();
}

/// The symbolic name of dim `dim` of argument `index`, or "".
StringRef getDimName(func::FuncOp func, unsigned index, unsigned dim) {
  auto names = func.getArgAttrOfType<ArrayAttr>(index, "graph.dim_names");
  if (!names || dim >= names.size())
    return {};
  auto name = dyn_cast<StringAttr>(names[dim]);
  return name ? name.getValue() : StringRef();
}

/// Parses and resolves `spec` against `func`'s arguments.
FailureOr<Variant> resolve(func::FuncOp func, StringRef spec) {
  auto fail = [&](const Twine &message) {
    loom::emitRefusal(func.getLoc())
        << "specialization '" << spec << "': " << message;
    return failure();
  };
  unsigned numArgs = func.getNumArguments();
  SmallVector<SmallVector<int64_t>> dims(numArgs);
  llvm::StringMap<int64_t> symbols;
  SmallVector<StringRef> parts;
  spec.split(parts, '+');
  for (StringRef part : parts) {
    size_t colon = part.rfind(':');
    if (colon == StringRef::npos || colon == 0)
      return fail("expected NAME:DIMS such as x:1x3x224x224, inputs joined "
                  "by '+'");
    StringRef name = part.take_front(colon);
    unsigned index = 0;
    while (index < numArgs && getArgName(func, index) != name)
      ++index;
    if (index == numArgs) {
      std::string names;
      for (unsigned i = 0; i < numArgs; ++i)
        names += (i ? " '" : "'") + getArgName(func, i).str() + "'";
      return fail("'" + name + "' is not an input of @" + func.getSymName() +
                  " (inputs: " + names + ")");
    }
    auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[index]);
    if (!type)
      return fail("input '" + name + "' is not a ranked tensor");
    if (!dims[index].empty())
      return fail("names input '" + name + "' twice");
    SmallVector<StringRef> texts;
    StringRef dimsText = part.drop_front(colon + 1);
    if (!dimsText.empty())
      dimsText.split(texts, 'x');
    if (static_cast<int64_t>(texts.size()) != type.getRank())
      return fail("gives input '" + name + "' " + Twine(texts.size()) +
                  " dims but it has " + Twine(type.getRank()));
    for (auto [d, text] : llvm::enumerate(texts)) {
      int64_t size = ShapedType::kDynamic;
      if (text != "?" && (text.getAsInteger(10, size) || size < 0))
        return fail("expected NAME:DIMS such as x:1x3x224x224, inputs "
                    "joined by '+'");
      int64_t declared = type.getDimSize(d);
      if (!ShapedType::isDynamic(size) && !ShapedType::isDynamic(declared) &&
          size != declared)
        return fail("gives dim " + Twine(d) + " of input '" + name + "' as " +
                    Twine(size) + " but it is " + Twine(declared));
      StringRef symbol = getDimName(func, index, d);
      if (!symbol.empty() && !ShapedType::isDynamic(size)) {
        auto [it, inserted] = symbols.try_emplace(symbol, size);
        if (!inserted && it->second != size)
          return fail("gives symbolic dim '" + symbol + "' two sizes: " +
                      Twine(it->second) + " and " + Twine(size));
      }
      dims[index].push_back(size);
    }
  }
  // Every argument: its dims fixed directly, or through a symbolic name.
  Variant variant{spec.str(), {}};
  bool fixesAny = false;
  for (unsigned index = 0; index < numArgs; ++index) {
    auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[index]);
    if (!type) {
      variant.types.push_back({});
      continue;
    }
    SmallVector<int64_t> shape(type.getShape());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!ShapedType::isDynamic(shape[d]))
        continue;
      if (!dims[index].empty() && !ShapedType::isDynamic(dims[index][d]))
        shape[d] = dims[index][d];
      else if (auto it = symbols.find(getDimName(func, index, d));
               it != symbols.end())
        shape[d] = it->second;
    }
    bool fixes = shape != type.getShape();
    fixesAny |= fixes;
    variant.types.push_back(fixes ? type.clone(shape) : RankedTensorType());
  }
  if (!fixesAny)
    return fail("fixes no dynamic dim of @" + func.getSymName());
  return variant;
}

/// A `tensor<1xi1>` that holds when every dim `variant` fixes in `args`
/// has its size.
Value buildGuard(OpBuilder &builder, Location loc, ValueRange args,
                 const Variant &variant) {
  auto i64 = builder.getI64Type();
  auto dimType = RankedTensorType::get({1}, i64);
  auto boolType = RankedTensorType::get({1}, builder.getI1Type());
  Value guard;
  for (auto [arg, type] : llvm::zip_equal(args, variant.types)) {
    if (!type)
      continue;
    auto from = cast<RankedTensorType>(arg.getType());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!from.isDynamicDim(d) || type.isDynamicDim(d))
        continue;
      Value size = ShapeOp::create(builder, loc, dimType, arg,
                                   builder.getI64IntegerAttr(d),
                                   builder.getI64IntegerAttr(d + 1));
      Value expected = ConstantOp::create(
          builder, loc,
          DenseElementsAttr::get(
              dimType, builder.getI64IntegerAttr(type.getDimSize(d))));
      Value same = EqualOp::create(builder, loc, boolType, size, expected);
      guard = guard ? AndOp::create(builder, loc, boolType, guard, same) : same;
    }
  }
  return guard;
}

/// Replaces the body of `func` with a dispatch over `variants`; the
/// original body runs when no guard holds.
void specialize(func::FuncOp func, ArrayRef<Variant> variants) {
  Block &entry = func.getBody().front();
  auto ret = cast<func::ReturnOp>(entry.getTerminator());
  TypeRange resultTypes = func.getResultTypes();
  TypeRange argTypes = func.getArgumentTypes();
  SmallVector<Location> argLocs(argTypes.size(), func.getLoc());
  // The original body, to move into the innermost else branch.
  auto original = std::make_unique<Region>();
  original->takeBody(func.getBody());
  Block *body = &original->front();
  OpBuilder builder(func.getContext());
  Block *outer = builder.createBlock(&func.getBody(), {}, argTypes, argLocs);

  ValueRange args = outer->getArguments();
  Block *fallback = nullptr; // where the original body goes
  SmallVector<Value> results;
  for (const Variant &variant : variants) {
    Location loc = NameLoc::get(
        builder.getStringAttr("specialize " + variant.spec), func.getLoc());
    Value guard = buildGuard(builder, loc, args, variant);
    auto dispatch = IfOp::create(builder, loc, resultTypes, guard, args);
    dispatch->setAttr("loom.specialize", builder.getStringAttr(variant.spec));
    if (results.empty())
      results.assign(dispatch->result_begin(), dispatch->result_end());
    else
      YieldOp::create(builder, loc, dispatch->getResults());
    // Then: the body on arguments cast to the variant's static types.
    Block *then =
        builder.createBlock(&dispatch.getThenBranch(), {}, argTypes, argLocs);
    IRMapping mapping;
    for (auto [from, arg, type] : llvm::zip_equal(
             body->getArguments(), then->getArguments(), variant.types))
      mapping.map(
          from,
          type ? tensor::CastOp::create(builder, loc, type, arg).getResult()
               : Value(arg));
    for (Operation &op : body->without_terminator())
      builder.clone(op, mapping);
    // Nested control flow now captures static values.
    then->walk<WalkOrder::PreOrder>(syncCaptureArgs);
    SmallVector<Value> values;
    for (Value value : ret.getOperands())
      values.push_back(mapping.lookupOrDefault(value));
    YieldOp::create(builder, loc, values);
    // Else: the next variant, or the original body.
    fallback =
        builder.createBlock(&dispatch.getElseBranch(), {}, argTypes, argLocs);
    args = fallback->getArguments();
  }
  // The original body, on the innermost else branch's arguments.
  builder.setInsertionPointToEnd(fallback);
  Location loc = ret.getLoc();
  SmallVector<Value> values(ret.getOperands());
  fallback->getOperations().splice(fallback->end(), body->getOperations(),
                                   body->begin(), std::prev(body->end()));
  for (auto [from, to] : llvm::zip_equal(body->getArguments(), args))
    from.replaceAllUsesWith(to);
  for (Value &value : values)
    if (auto arg = dyn_cast<BlockArgument>(value);
        arg && arg.getOwner() == body)
      value = args[arg.getArgNumber()];
  YieldOp::create(builder, loc, values);
  builder.setInsertionPointToEnd(outer);
  func::ReturnOp::create(builder, loc, results);
}

struct GraphSpecializePass
    : public loom::graph::impl::GraphSpecializePassBase<GraphSpecializePass> {
  using GraphSpecializePassBase::GraphSpecializePassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (variants.empty() || func.isExternal() || !func.isPublic())
      return;
    SmallVector<Variant> resolved;
    for (const std::string &spec : variants) {
      FailureOr<Variant> variant = resolve(func, spec);
      if (failed(variant))
        return signalPassFailure();
      resolved.push_back(std::move(*variant));
    }
    specialize(func, resolved);
  }
};

} // namespace
