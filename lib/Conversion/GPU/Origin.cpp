//===- Origin.cpp - Which ONNX node GPU code came from --------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Origin.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace loom {

NameLoc getNodeLoc(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      loc = fused.getLocations().front();
  return dyn_cast<NameLoc>(loc);
}

std::string describeOrigin(Location loc) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (NameLoc name = getNodeLoc(loc)) {
    os << name.getName().getValue();
    if (auto child = dyn_cast<NameLoc>(name.getChildLoc()))
      os << " (" << child.getName().getValue() << ")";
  } else {
    loc.print(os);
  }
  return text;
}

} // namespace loom
