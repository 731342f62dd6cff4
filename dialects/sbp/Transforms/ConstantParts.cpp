//===- ConstantParts.cpp - A rank's part of a weight, at compile time -----===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/sbp/Transforms/ConstantParts.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace loom::sbp;

namespace {

/// The raw bytes of `value` (row-major, whole bytes per element), or
/// nothing for splats and bit-packed bools.
std::optional<ArrayRef<char>> getRawBytes(ElementsAttr value) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return blob->getData();
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense || dense.isSplat() || dense.getElementType().isInteger(1))
    return std::nullopt;
  return dense.getRawData();
}

/// Copies the box [offsets, offsets + sizes) of a row-major tensor of
/// `shape` with `element`-byte elements into `out` (row-major).
void copyBox(const char *in, ArrayRef<int64_t> shape, ArrayRef<int64_t> offsets,
             ArrayRef<int64_t> sizes, size_t element, char *out) {
  size_t rank = shape.size();
  if (rank == 0) {
    std::memcpy(out, in, element);
    return;
  }
  SmallVector<int64_t> strides(rank, 1);
  for (size_t d = rank - 1; d > 0; --d)
    strides[d - 1] = strides[d] * shape[d];
  // Rows of the innermost dim are contiguous: copy them, counting the
  // outer dims like an odometer.
  SmallVector<int64_t> index(rank - 1, 0);
  size_t row = sizes[rank - 1] * element;
  while (true) {
    int64_t at = offsets[rank - 1];
    for (size_t d = 0; d + 1 < rank; ++d)
      at += (offsets[d] + index[d]) * strides[d];
    std::memcpy(out, in + at * element, row);
    out += row;
    size_t d = rank - 1;
    while (d > 0 && ++index[d - 1] == sizes[d - 1])
      index[--d] = 0;
    if (d == 0)
      break;
  }
}

} // namespace

FailureOr<ElementsAttr>
loom::sbp::getConstantPart(ElementsAttr value, ArrayRef<Sbp> layout,
                           ArrayRef<int64_t> mesh, ArrayRef<int64_t> coords,
                           SmallVectorImpl<int64_t> *offsetsOut) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape());
  bool zero = false;
  for (auto [axis, sbp] : llvm::enumerate(layout)) {
    if (sbp.isSplit()) {
      int64_t offset;
      int64_t &size = sizes[sbp.axis];
      if (size < mesh[axis])
        return failure();
      size = getSplitPart(size, mesh[axis], coords[axis], &offset);
      offsets[sbp.axis] += offset;
    } else if (sbp.isPartial()) {
      if (sbp.reduction != Reduction::Sum)
        return failure(); // the identity of max and min: not worth it here
      zero |= coords[axis] != 0;
    }
  }
  if (offsetsOut)
    offsetsOut->assign(offsets.begin(), offsets.end());
  auto local = type.clone(sizes);
  Type element = type.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return failure();
  if (zero)
    return cast<ElementsAttr>(DenseElementsAttr::get(
        local, element.isInteger() ? Attribute(IntegerAttr::get(element, 0))
                                   : Attribute(FloatAttr::get(element, 0.0))));
  if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && dense.isSplat())
    return cast<ElementsAttr>(dense.resizeSplat(local));
  std::optional<ArrayRef<char>> raw = getRawBytes(value);
  size_t bytes = element.getIntOrFloatBitWidth() / 8;
  if (!raw || raw->size() != type.getNumElements() * bytes)
    return failure();
  std::vector<char> part(local.getNumElements() * bytes);
  copyBox(raw->data(), type.getShape(), offsets, sizes, bytes, part.data());
  if (isa<DenseElementsAttr>(value))
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(local, part));
  auto resource = cast<DenseResourceElementsAttr>(value);
  std::string name = (resource.getRawHandle().getKey() + ".part").str();
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      local, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(part, bytes)));
}

void loom::sbp::recordWeightPart(Operation *module, ElementsAttr part,
                                 ElementsAttr whole,
                                 ArrayRef<int64_t> offsets) {
  auto partResource = dyn_cast<DenseResourceElementsAttr>(part);
  auto wholeResource = dyn_cast<DenseResourceElementsAttr>(whole);
  if (!partResource || !wholeResource)
    return;
  Builder b(module->getContext());
  NamedAttrList parts;
  if (auto known = module->getAttrOfType<DictionaryAttr>("loom.weight_parts"))
    parts.append(known.getValue());
  parts.set(
      partResource.getRawHandle().getKey(),
      b.getDictionaryAttr(
          {b.getNamedAttr("source", b.getStringAttr(
                                        wholeResource.getRawHandle().getKey())),
           b.getNamedAttr("type", TypeAttr::get(whole.getType())),
           b.getNamedAttr("offsets", b.getDenseI64ArrayAttr(offsets))}));
  module->setAttr("loom.weight_parts",
                  parts.getDictionary(module->getContext()));
}
