//===- Origin.cpp - Which ONNX node GPU code came from --------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Origin.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
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

int64_t getStaticLoopWork(Operation *root) {
  int64_t work = 1;
  WalkResult result = root->walk([&](Operation *op) {
    if (isa<scf::WhileOp>(op))
      return WalkResult::interrupt();
    auto forOp = dyn_cast<scf::ForOp>(op);
    if (!forOp)
      return WalkResult::advance();
    std::optional<APInt> trips = forOp.getStaticTripCount();
    if (!trips)
      return WalkResult::interrupt();
    work *= std::max<int64_t>(1, trips->getSExtValue());
    return WalkResult::advance();
  });
  return result.wasInterrupted() ? -1 : work;
}

} // namespace loom
