//===- SbpDialect.cpp - The sbp dialect -----------------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/sbp/IR/SbpDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace loom::sbp;

#include "dialects/sbp/IR/SbpDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/sbp/IR/SbpAttrs.cpp.inc"

#include "dialects/sbp/IR/SbpInterfaces.cpp.inc"

void SbpDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/sbp/IR/SbpAttrs.cpp.inc"
      >();
}

LogicalResult MeshAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> shape, ArrayAttr axes) {
  if (shape.empty() || shape.size() > 2)
    return emitError() << "a mesh has 1 or 2 axes, got " << shape.size();
  if (llvm::any_of(shape, [](int64_t size) { return size < 1; }))
    return emitError() << "mesh axes must have at least one device";
  if (axes) {
    if (axes.size() != shape.size())
      return emitError() << "names " << axes.size() << " axes of a "
                         << shape.size() << "-D mesh";
    if (!llvm::all_of(axes, [](Attribute a) { return isa<StringAttr>(a); }))
      return emitError() << "axis names must be strings";
  }
  return success();
}

int64_t MeshAttr::getSize() const {
  int64_t size = 1;
  for (int64_t axis : getShape())
    size *= axis;
  return size;
}

Attribute NdSbpAttr::parse(AsmParser &parser, Type) {
  SmallVector<Sbp> entries;
  auto parseEntry = [&]() -> ParseResult {
    StringRef kind;
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseKeyword(&kind))
      return failure();
    if (kind == "B") {
      entries.push_back(Sbp::broadcast());
      return success();
    }
    if (kind == "S") {
      int32_t axis;
      if (parser.parseLParen() || parser.parseInteger(axis) ||
          parser.parseRParen())
        return failure();
      if (axis < 0)
        return parser.emitError(loc, "a split dim must be non-negative");
      entries.push_back(Sbp::split(axis));
      return success();
    }
    if (kind == "P") {
      StringRef reduction;
      if (parser.parseLParen() || parser.parseKeyword(&reduction) ||
          parser.parseRParen())
        return failure();
      std::optional<Sbp> sbp = parseSbp(("P(" + reduction + ")").str());
      if (!sbp)
        return parser.emitError(loc, "expected P(sum), P(max) or P(min)");
      entries.push_back(*sbp);
      return success();
    }
    return parser.emitError(loc, "expected S(dim), B or P(sum|max|min)");
  };
  if (parser.parseLess() ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     parseEntry) ||
      parser.parseGreater())
    return {};
  if (entries.empty()) {
    parser.emitError(parser.getNameLoc(),
                     "an nd-SBP needs an entry per mesh axis");
    return {};
  }
  return NdSbpAttr::get(parser.getContext(), entries);
}

void NdSbpAttr::print(AsmPrinter &printer) const {
  printer << "<[";
  llvm::interleaveComma(getEntries(), printer,
                        [&](const Sbp &sbp) { printer << toString(sbp); });
  printer << "]>";
}
