//===- Sbp.cpp - SBP values and the signatures index rules give -----------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/sbp/IR/Sbp.h"

#include "llvm/ADT/StringExtras.h"

using namespace loom::sbp;
using llvm::ArrayRef;
using llvm::SmallVector;

llvm::StringRef loom::sbp::toString(Reduction reduction) {
  switch (reduction) {
  case Reduction::Sum:
    return "sum";
  case Reduction::Max:
    return "max";
  case Reduction::Min:
    return "min";
  }
  return "?";
}

std::string loom::sbp::toString(const Sbp &sbp) {
  switch (sbp.kind) {
  case Kind::Split:
    return "S(" + std::to_string(sbp.axis) + ")";
  case Kind::Broadcast:
    return "B";
  case Kind::Partial:
    return "P(" + toString(sbp.reduction).str() + ")";
  }
  return "?";
}

std::optional<Sbp> loom::sbp::parseSbp(llvm::StringRef text) {
  text = text.trim();
  if (text == "B")
    return Sbp::broadcast();
  if (!text.consume_back(")"))
    return std::nullopt;
  if (text.consume_front("S(")) {
    int32_t axis;
    if (text.getAsInteger(10, axis) || axis < 0)
      return std::nullopt;
    return Sbp::split(axis);
  }
  if (text.consume_front("P(")) {
    for (Reduction r : {Reduction::Sum, Reduction::Max, Reduction::Min})
      if (text == toString(r))
        return Sbp::partial(r);
  }
  return std::nullopt;
}

std::string loom::sbp::toString(ArrayRef<Sbp> nd) {
  SmallVector<std::string> parts;
  for (const Sbp &sbp : nd)
    parts.push_back(toString(sbp));
  if (parts.size() == 1)
    return parts.front();
  return "(" + llvm::join(parts, ", ") + ")";
}

double IndexRule::getFlops() const {
  double flops = flopsPerPoint;
  for (int64_t extent : extents)
    flops *= static_cast<double>(extent);
  return flops;
}

namespace {

/// One mesh axis's choice for an op: every operand's and result's SBP on
/// that axis, and the index it splits (-1: none).
struct AxisChoice {
  SmallVector<Sbp> operands, results;
  int splitIndex = -1;
};

/// The SBP of a tensor whose dims iterate `dims` when `index` is split.
Sbp splitting(ArrayRef<int> dims, int index) {
  for (auto [d, i] : llvm::enumerate(dims))
    if (i == index)
      return Sbp::split(static_cast<int32_t>(d));
  return Sbp::broadcast();
}

SmallVector<AxisChoice> getAxisChoices(const IndexRule &rule) {
  size_t numOperands = rule.operands.size(), numResults = rule.results.size();
  SmallVector<AxisChoice> choices;
  AxisChoice replicated;
  replicated.operands.assign(numOperands, Sbp::broadcast());
  replicated.results.assign(numResults, Sbp::broadcast());
  choices.push_back(replicated);
  for (int index = 0, e = rule.extents.size(); index < e; ++index) {
    // A tensor may iterate an index in one dim only to be split by it.
    auto once = [&](ArrayRef<int> dims) {
      return llvm::count(dims, index) <= 1;
    };
    if (!llvm::all_of(rule.operands, once) || !llvm::all_of(rule.results, once))
      continue;
    bool used = llvm::any_of(rule.operands, [&](ArrayRef<int> dims) {
      return llvm::is_contained(dims, index);
    });
    if (!used)
      continue;
    AxisChoice choice;
    choice.splitIndex = index;
    for (ArrayRef<int> dims : rule.operands)
      choice.operands.push_back(splitting(dims, index));
    for (ArrayRef<int> dims : rule.results)
      choice.results.push_back(rule.reductions[index]
                                   ? Sbp::partial(*rule.reductions[index])
                                   : splitting(dims, index));
    choices.push_back(choice);
  }
  if (rule.linearity == IndexRule::Linearity::Sum && numOperands) {
    AxisChoice choice;
    choice.operands.assign(numOperands, Sbp::partial());
    choice.results.assign(numResults, Sbp::partial());
    choices.push_back(choice);
  }
  if (rule.linearity == IndexRule::Linearity::Product) {
    for (size_t o = 0; o < numOperands; ++o) {
      if (o >= rule.partialOperands.size() || !rule.partialOperands[o])
        continue;
      AxisChoice choice = replicated;
      choice.operands[o] = Sbp::partial();
      choice.results.assign(numResults, Sbp::partial());
      choices.push_back(choice);
    }
  }
  return choices;
}

} // namespace

SmallVector<Signature> loom::sbp::getSignatures(const IndexRule &rule,
                                                ArrayRef<int64_t> meshShape) {
  SmallVector<AxisChoice> choices = getAxisChoices(rule);
  size_t numOperands = rule.operands.size(), numResults = rule.results.size();
  SmallVector<Signature> signatures;
  SmallVector<size_t> pick(meshShape.size(), 0);
  while (true) {
    // How many devices split each index under this combination.
    SmallVector<int64_t> devices(rule.extents.size(), 1);
    // The largest part of each index one device iterates (splits are
    // balanced: uneven ones leave some devices a row more).
    SmallVector<int64_t> largest(rule.extents);
    Signature signature;
    signature.operands.assign(numOperands, NdSbp());
    signature.results.assign(numResults, NdSbp());
    bool legal = true;
    for (auto [axis, choice] : llvm::enumerate(pick)) {
      const AxisChoice &c = choices[choice];
      if (c.splitIndex >= 0) {
        devices[c.splitIndex] *= meshShape[axis];
        int64_t &part = largest[c.splitIndex];
        signature.workFraction /= static_cast<double>(part);
        part = (part + meshShape[axis] - 1) / meshShape[axis];
        signature.workFraction *= static_cast<double>(part);
        if (devices[c.splitIndex] > rule.extents[c.splitIndex])
          legal = false;
      }
      for (size_t o = 0; o < numOperands; ++o)
        signature.operands[o].push_back(c.operands[o]);
      for (size_t r = 0; r < numResults; ++r)
        signature.results[r].push_back(c.results[r]);
    }
    if (legal)
      signatures.push_back(std::move(signature));
    // The next combination, first axis fastest.
    size_t axis = 0;
    while (axis < pick.size() && ++pick[axis] == choices.size())
      pick[axis++] = 0;
    if (axis == pick.size())
      break;
  }
  return signatures;
}

SmallVector<NdSbp> loom::sbp::getLayouts(ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> meshShape) {
  IndexRule rule;
  SmallVector<int> dims;
  for (int64_t extent : shape)
    dims.push_back(extent > 1 ? rule.addIndex(extent) : -1);
  rule.operands.push_back(dims);
  SmallVector<NdSbp> layouts;
  for (Signature &signature : getSignatures(rule, meshShape))
    layouts.push_back(std::move(signature.operands.front()));
  return layouts;
}
