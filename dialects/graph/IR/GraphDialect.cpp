//===- GraphDialect.cpp - The graph dialect -------------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphDialect.h"
#include "dialects/graph/IR/GraphOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace loom::graph;

#include "dialects/graph/IR/GraphDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/graph/IR/GraphTypes.cpp.inc"

LogicalResult OptionalType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   Type valueType) {
  if (!isa<TensorType, SequenceType>(valueType))
    return emitError() << "an optional holds a tensor or a sequence, not "
                       << valueType;
  return success();
}

void GraphDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/graph/IR/GraphTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/graph/IR/GraphOps.cpp.inc"
      >();
}

Operation *GraphDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type || !isa<RankedTensorType>(type))
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
