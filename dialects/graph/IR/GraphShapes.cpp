//===- GraphShapes.cpp - Shape rules of graph ops -------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphShapes.h"
#include "dialects/graph/IR/GraphDialect.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace loom::graph {

static bool isDynamic(int64_t dim) { return ShapedType::isDynamic(dim); }

std::string formatShape(const Shape &shape) {
  if (!shape)
    return "*";
  if (shape->empty())
    return "scalar";
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      *shape, os,
      [&](int64_t dim) {
        if (isDynamic(dim))
          os << '?';
        else
          os << dim;
      },
      "x");
  return text;
}

Shape getShape(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked)
    return std::nullopt;
  return llvm::to_vector(ranked.getShape());
}

FailureOr<Shape> inferBroadcastShape(const Shape &lhs, const Shape &rhs,
                                     EmitErrorFn emitError) {
  if (!lhs || !rhs)
    return Shape();
  SmallVector<int64_t> result;
  if (!OpTrait::util::getBroadcastedShape(*lhs, *rhs, result)) {
    emitError() << "operand shapes " << formatShape(lhs) << " and "
                << formatShape(rhs) << " are not broadcast-compatible";
    return failure();
  }
  return Shape(std::move(result));
}

/// Whether two dims may be equal at run time.
static bool dimsMayMatch(int64_t a, int64_t b) {
  return isDynamic(a) || isDynamic(b) || a == b;
}

FailureOr<Shape> inferMatMulShape(const Shape &lhs, const Shape &rhs,
                                  EmitErrorFn emitError) {
  if ((lhs && lhs->empty()) || (rhs && rhs->empty())) {
    emitError() << "operands must have rank >= 1, got " << formatShape(lhs)
                << " and " << formatShape(rhs);
    return failure();
  }
  if (!lhs || !rhs)
    return Shape();
  // Promote vectors to matrices: [K] -> [1, K] on the left, [K, 1] on the
  // right.
  SmallVector<int64_t> l(*lhs), r(*rhs);
  if (l.size() == 1)
    l.insert(l.begin(), 1);
  if (r.size() == 1)
    r.push_back(1);
  int64_t lhsK = l.back(), rhsK = r[r.size() - 2];
  if (!dimsMayMatch(lhsK, rhsK)) {
    emitError() << "contracting dims differ: lhs " << formatShape(lhs)
                << " has " << lhsK << ", rhs " << formatShape(rhs) << " has "
                << rhsK;
    return failure();
  }
  ArrayRef<int64_t> lBatch = ArrayRef(l).drop_back(2);
  ArrayRef<int64_t> rBatch = ArrayRef(r).drop_back(2);
  SmallVector<int64_t> result;
  if (!OpTrait::util::getBroadcastedShape(lBatch, rBatch, result)) {
    emitError() << "batch dims of " << formatShape(lhs) << " and "
                << formatShape(rhs) << " are not broadcast-compatible";
    return failure();
  }
  if (lhs->size() > 1)
    result.push_back(l[l.size() - 2]);
  if (rhs->size() > 1)
    result.push_back(r.back());
  return Shape(std::move(result));
}

FailureOr<Shape> inferGemmShape(const Shape &a, const Shape &b, const Shape *c,
                                bool transA, bool transB,
                                EmitErrorFn emitError) {
  auto matrix = [&](const Shape &s, StringRef name) -> LogicalResult {
    if (s && s->size() != 2)
      return emitError() << "operand '" << name << "' must be a matrix, got "
                         << formatShape(s);
    return success();
  };
  if (failed(matrix(a, "a")) || failed(matrix(b, "b")))
    return failure();
  int64_t dyn = ShapedType::kDynamic;
  int64_t m = a ? (*a)[transA ? 1 : 0] : dyn;
  int64_t ka = a ? (*a)[transA ? 0 : 1] : dyn;
  int64_t kb = b ? (*b)[transB ? 1 : 0] : dyn;
  int64_t n = b ? (*b)[transB ? 0 : 1] : dyn;
  if (!dimsMayMatch(ka, kb)) {
    emitError() << "contracting dims differ: op(a) is " << formatShape(a)
                << (transA ? " transposed" : "") << ", op(b) is "
                << formatShape(b) << (transB ? " transposed" : "");
    return failure();
  }
  SmallVector<int64_t> result = {m, n};
  if (c && *c) {
    // Unidirectional broadcast: c's dims, right-aligned, are 1 or match.
    const SmallVector<int64_t> &cs = **c;
    bool ok = cs.size() <= 2;
    for (size_t i = 0; ok && i < cs.size(); ++i) {
      int64_t target = result[2 - cs.size() + i];
      ok = cs[i] == 1 || dimsMayMatch(cs[i], target);
    }
    if (!ok) {
      emitError() << "operand 'c' of shape " << formatShape(*c)
                  << " does not broadcast to the result shape "
                  << formatShape(Shape(result));
      return failure();
    }
  }
  return Shape(std::move(result));
}

FailureOr<Shape> inferReshapeShape(const Shape &input,
                                   const Shape &shapeOperand,
                                   std::optional<ArrayRef<int64_t>> values,
                                   bool allowZero, EmitErrorFn emitError) {
  if (!values) {
    // Only the rank is known, and only when the shape operand is static.
    if (!shapeOperand || isDynamic((*shapeOperand)[0]))
      return Shape();
    return Shape(
        SmallVector<int64_t>((*shapeOperand)[0], ShapedType::kDynamic));
  }
  SmallVector<int64_t> result;
  std::optional<size_t> inferredIndex;
  bool hasZero = false;
  for (auto [i, v] : llvm::enumerate(*values)) {
    if (v < -1) {
      emitError() << "shape value " << v << " at index " << i
                  << " is neither a dim, 0 nor -1";
      return failure();
    }
    if (v == -1) {
      if (inferredIndex) {
        emitError() << "shape has more than one -1 (at indices "
                    << *inferredIndex << " and " << i << ")";
        return failure();
      }
      inferredIndex = i;
      result.push_back(ShapedType::kDynamic);
      continue;
    }
    if (v == 0 && !allowZero) {
      // Copy the input's dim at the same index.
      if (input && i >= input->size()) {
        emitError() << "shape value 0 at index " << i
                    << " copies a dim the input " << formatShape(input)
                    << " does not have";
        return failure();
      }
      result.push_back(input ? (*input)[i] : ShapedType::kDynamic);
      continue;
    }
    hasZero |= v == 0;
    result.push_back(v);
  }
  if (allowZero && hasZero && inferredIndex) {
    emitError() << "shape has both 0 and -1, which 'allow_zero' forbids";
    return failure();
  }
  // Element counts, where they are known. Dims copied from the input (0)
  // appear on both sides and cancel, so a dynamic input dim that is copied
  // does not stop the -1 from being inferred.
  SmallVector<bool> copied(result.size(), false);
  for (auto [i, v] : llvm::enumerate(*values))
    copied[i] = v == 0 && !allowZero;
  std::optional<int64_t> inputCount;
  if (input) {
    int64_t count = 1;
    for (auto [i, dim] : llvm::enumerate(*input)) {
      if (i < copied.size() && copied[i])
        continue;
      if (isDynamic(dim)) {
        inputCount.reset();
        count = -1;
        break;
      }
      count *= dim;
    }
    if (count >= 0)
      inputCount = count;
  }
  int64_t knownCount = 1;
  bool othersStatic = true;
  for (auto [i, dim] : llvm::enumerate(result)) {
    if ((inferredIndex && i == *inferredIndex) || copied[i])
      continue;
    if (isDynamic(dim))
      othersStatic = false;
    else
      knownCount *= dim;
  }
  if (inputCount && othersStatic) {
    if (inferredIndex) {
      if (knownCount == 0 || *inputCount % knownCount != 0) {
        emitError() << "cannot infer the -1 dim: " << *inputCount
                    << " elements do not divide into the other dims' "
                    << knownCount;
        return failure();
      }
      result[*inferredIndex] = *inputCount / knownCount;
    } else if (knownCount != *inputCount) {
      emitError() << "shape " << formatShape(Shape(result)) << " has "
                  << knownCount << " elements but the input "
                  << formatShape(input) << " has " << *inputCount;
      return failure();
    }
  }
  return Shape(std::move(result));
}

/// Checks that `axes` are distinct, sorted and below `rank` (when known).
static LogicalResult checkAxes(ArrayRef<int64_t> axes,
                               std::optional<int64_t> rank,
                               EmitErrorFn emitError, StringRef what) {
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || (rank && axis >= *rank))
      return emitError() << what << " " << axis << " is out of range for rank "
                         << (rank ? std::to_string(*rank) : "?");
    if (i > 0 && axes[i - 1] >= axis)
      return emitError() << "axes must be sorted and distinct, got [" << axes
                         << "]";
  }
  return success();
}

static std::optional<int64_t> rankOf(const Shape &shape) {
  if (!shape)
    return std::nullopt;
  return static_cast<int64_t>(shape->size());
}

FailureOr<Shape> inferTransposeShape(const Shape &input, ArrayRef<int64_t> perm,
                                     EmitErrorFn emitError) {
  SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[p])
      return emitError() << "perm [" << perm << "] is not a permutation";
    seen[p] = true;
  }
  if (!input)
    return Shape(SmallVector<int64_t>(perm.size(), ShapedType::kDynamic));
  if (input->size() != perm.size())
    return emitError() << "perm has " << perm.size()
                       << " entries but the input " << formatShape(input)
                       << " has rank " << input->size();
  SmallVector<int64_t> result;
  for (int64_t p : perm)
    result.push_back((*input)[p]);
  return Shape(std::move(result));
}

FailureOr<Shape> inferSqueezeShape(const Shape &input, ArrayRef<int64_t> axes,
                                   EmitErrorFn emitError) {
  if (failed(checkAxes(axes, rankOf(input), emitError, "axis")))
    return failure();
  if (!input)
    return Shape();
  SmallVector<int64_t> result;
  for (auto [i, dim] : llvm::enumerate(*input)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i))) {
      result.push_back(dim);
      continue;
    }
    if (!isDynamic(dim) && dim != 1)
      return emitError() << "cannot squeeze dim " << i << " of size " << dim;
  }
  return Shape(std::move(result));
}

FailureOr<Shape> inferUnsqueezeShape(const Shape &input, ArrayRef<int64_t> axes,
                                     EmitErrorFn emitError) {
  std::optional<int64_t> rank;
  if (input)
    rank = static_cast<int64_t>(input->size() + axes.size());
  if (failed(checkAxes(axes, rank, emitError, "axis")))
    return failure();
  if (!input)
    return Shape();
  SmallVector<int64_t> result;
  auto next = input->begin();
  for (int64_t i = 0; i < *rank; ++i)
    result.push_back(llvm::is_contained(axes, i) ? 1 : *next++);
  return Shape(std::move(result));
}

/// The product of `dims`, or dynamic if any is.
static int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t dim : dims) {
    if (isDynamic(dim))
      return ShapedType::kDynamic;
    result *= dim;
  }
  return result;
}

FailureOr<Shape> inferFlattenShape(const Shape &input, int64_t axis,
                                   EmitErrorFn emitError) {
  if (!input)
    return Shape(
        SmallVector<int64_t>{ShapedType::kDynamic, ShapedType::kDynamic});
  if (axis > static_cast<int64_t>(input->size()))
    return emitError() << "axis " << axis << " is out of range for "
                       << formatShape(input);
  ArrayRef<int64_t> dims(*input);
  return Shape(SmallVector<int64_t>{product(dims.take_front(axis)),
                                    product(dims.drop_front(axis))});
}

FailureOr<Shape> inferConcatShape(ArrayRef<Shape> inputs, int64_t axis,
                                  EmitErrorFn emitError) {
  Shape result;
  int64_t total = 0;
  for (const Shape &input : inputs) {
    if (!input) {
      total = ShapedType::kDynamic;
      continue;
    }
    if (axis >= static_cast<int64_t>(input->size()))
      return emitError() << "axis " << axis << " is out of range for "
                         << formatShape(input);
    if (!result) {
      result = input;
    } else if (result->size() != input->size()) {
      return emitError() << "inputs " << formatShape(result) << " and "
                         << formatShape(input) << " differ in rank";
    } else {
      for (auto [i, dims] : llvm::enumerate(llvm::zip_equal(*result, *input))) {
        auto [r, d] = dims;
        if (static_cast<int64_t>(i) == axis)
          continue;
        if (!dimsMayMatch(r, d))
          return emitError() << "inputs " << formatShape(result) << " and "
                             << formatShape(input) << " differ in dim " << i;
        if (isDynamic(r))
          r = d;
      }
    }
    int64_t size = (*input)[axis];
    total = isDynamic(total) || isDynamic(size) ? ShapedType::kDynamic
                                                : total + size;
  }
  if (result)
    (*result)[axis] = total;
  return result;
}

FailureOr<Shape> inferReduceShape(const Shape &input, ArrayRef<int64_t> axes,
                                  bool keepDims, EmitErrorFn emitError) {
  SmallVector<int64_t> sorted(axes);
  llvm::sort(sorted);
  if (failed(checkAxes(sorted, rankOf(input), emitError, "axis")))
    return failure();
  if (!input)
    return Shape();
  SmallVector<int64_t> result;
  for (auto [i, dim] : llvm::enumerate(*input)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      result.push_back(dim);
    else if (keepDims)
      result.push_back(1);
  }
  return Shape(std::move(result));
}

/// Checks the window attributes against `spatial` dims.
static LogicalResult checkWindow(const Window &window, size_t spatial,
                                 EmitErrorFn emitError) {
  if (window.strides.size() != spatial || window.dilations.size() != spatial ||
      window.pads.size() != 2 * spatial)
    return emitError() << "expected " << spatial
                       << " strides and dilations and " << 2 * spatial
                       << " pads for " << spatial << " spatial dims, got "
                       << window.strides.size() << ", "
                       << window.dilations.size() << " and "
                       << window.pads.size();
  if (llvm::any_of(window.strides, [](int64_t v) { return v < 1; }) ||
      llvm::any_of(window.dilations, [](int64_t v) { return v < 1; }) ||
      llvm::any_of(window.pads, [](int64_t v) { return v < 0; }))
    return emitError() << "strides and dilations must be positive and pads "
                          "non-negative";
  return success();
}

/// The output size of one spatial dim of a sliding window.
static FailureOr<int64_t> slideDim(int64_t in, int64_t kernel, int64_t stride,
                                   int64_t dilation, int64_t padBegin,
                                   int64_t padEnd, bool ceilMode, size_t index,
                                   EmitErrorFn emitError) {
  if (isDynamic(in) || isDynamic(kernel))
    return ShapedType::kDynamic;
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return emitError() << "spatial dim " << index << " of size " << in
                       << " is smaller than the window " << kernel
                       << " (dilation " << dilation << ", pads " << padBegin
                       << "+" << padEnd << ")";
  return (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
}

/// The checks convolutions share: a positive group, input and weight of one
/// rank >= 3 (`weightLayout` names the weight's dims), and the window. Gives
/// the number of spatial dims, or std::nullopt when no rank is known.
static FailureOr<std::optional<size_t>>
checkConvOperands(const Shape &input, const Shape &weight, const Window &window,
                  int64_t group, StringRef weightLayout,
                  EmitErrorFn emitError) {
  if (group < 1)
    return emitError() << "group must be positive, got " << group;
  std::optional<size_t> rank = input    ? std::optional(input->size())
                               : weight ? std::optional(weight->size())
                                        : std::nullopt;
  if (!rank)
    return std::optional<size_t>();
  if (*rank < 3 || (input && weight && input->size() != weight->size()))
    return emitError() << "input " << formatShape(input) << " and weight "
                       << formatShape(weight) << " must be [N, C, D...] and "
                       << weightLayout << " of one rank >= 3";
  if (failed(checkWindow(window, *rank - 2, emitError)))
    return failure();
  return std::optional<size_t>(*rank - 2);
}

FailureOr<Shape> inferConvShape(const Shape &input, const Shape &weight,
                                const Shape *bias, const Window &window,
                                int64_t group, EmitErrorFn emitError) {
  auto checked = checkConvOperands(input, weight, window, group,
                                   "[M, C/group, K...]", emitError);
  if (failed(checked))
    return failure();
  if (!*checked)
    return Shape();
  size_t spatial = **checked;
  int64_t dyn = ShapedType::kDynamic;
  int64_t channels = input ? (*input)[1] : dyn;
  int64_t filters = weight ? (*weight)[0] : dyn;
  int64_t perGroup = weight ? (*weight)[1] : dyn;
  if (!isDynamic(channels) && !isDynamic(perGroup) &&
      channels != perGroup * group)
    return emitError() << "input has " << channels << " channels but weight "
                       << formatShape(weight) << " takes " << perGroup
                       << " per group over " << group << " groups";
  if (!isDynamic(filters) && filters % group != 0)
    return emitError() << filters << " filters do not divide into " << group
                       << " groups";
  if (bias && *bias &&
      ((*bias)->size() != 1 || !dimsMayMatch((**bias)[0], filters)))
    return emitError() << "bias " << formatShape(*bias)
                       << " must be 1-D with one value per filter (" << filters
                       << ")";
  SmallVector<int64_t> result = {input ? (*input)[0] : dyn, filters};
  for (size_t i = 0; i < spatial; ++i) {
    FailureOr<int64_t> out =
        slideDim(input ? (*input)[2 + i] : dyn, weight ? (*weight)[2 + i] : dyn,
                 window.strides[i], window.dilations[i], window.pads[i],
                 window.pads[spatial + i], false, i, emitError);
    if (failed(out))
      return failure();
    result.push_back(*out);
  }
  return Shape(std::move(result));
}

FailureOr<Shape> inferConvTransposeShape(const Shape &input,
                                         const Shape &weight, const Shape *bias,
                                         const Window &window,
                                         ArrayRef<int64_t> outputPadding,
                                         int64_t group, EmitErrorFn emitError) {
  auto checked = checkConvOperands(input, weight, window, group,
                                   "[C, M/group, K...]", emitError);
  if (failed(checked))
    return failure();
  if (!*checked)
    return Shape();
  size_t spatial = **checked;
  if (outputPadding.size() != spatial)
    return emitError() << "expected " << spatial << " output paddings, got "
                       << outputPadding.size();
  int64_t dyn = ShapedType::kDynamic;
  int64_t channels = input ? (*input)[1] : dyn;
  int64_t weightChannels = weight ? (*weight)[0] : dyn;
  if (!dimsMayMatch(channels, weightChannels))
    return emitError() << "input has " << channels << " channels but weight "
                       << formatShape(weight) << " takes " << weightChannels;
  int64_t filters =
      weight && !isDynamic((*weight)[1]) ? (*weight)[1] * group : dyn;
  if (bias && *bias &&
      ((*bias)->size() != 1 || !dimsMayMatch((**bias)[0], filters)))
    return emitError() << "bias " << formatShape(*bias)
                       << " must be 1-D with one value per filter (" << filters
                       << ")";
  SmallVector<int64_t> result = {input ? (*input)[0] : dyn, filters};
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input ? (*input)[2 + i] : dyn;
    int64_t kernel = weight ? (*weight)[2 + i] : dyn;
    if (isDynamic(in) || isDynamic(kernel)) {
      result.push_back(dyn);
      continue;
    }
    int64_t out = window.strides[i] * (in - 1) + outputPadding[i] +
                  (kernel - 1) * window.dilations[i] + 1 - window.pads[i] -
                  window.pads[spatial + i];
    if (out < 1)
      return emitError() << "spatial dim " << i << " comes out empty";
    result.push_back(out);
  }
  return Shape(std::move(result));
}

FailureOr<Shape> inferPoolShape(const Shape &input, ArrayRef<int64_t> kernel,
                                const Window &window, bool ceilMode,
                                EmitErrorFn emitError) {
  size_t spatial = kernel.size();
  if (spatial == 0)
    return emitError() << "needs a kernel shape";
  if (llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
    return emitError() << "kernel dims must be positive";
  if (failed(checkWindow(window, spatial, emitError)))
    return failure();
  if (!input)
    return Shape();
  if (input->size() != spatial + 2)
    return emitError() << "input " << formatShape(input) << " must be [N, C, "
                       << "D...] with " << spatial << " spatial dims";
  SmallVector<int64_t> result = {(*input)[0], (*input)[1]};
  for (size_t i = 0; i < spatial; ++i) {
    FailureOr<int64_t> out = slideDim(
        (*input)[2 + i], kernel[i], window.strides[i], window.dilations[i],
        window.pads[i], window.pads[spatial + i], ceilMode, i, emitError);
    if (failed(out))
      return failure();
    result.push_back(*out);
  }
  return Shape(std::move(result));
}

FailureOr<Shape> inferGatherShape(const Shape &data, const Shape &indices,
                                  int64_t axis, EmitErrorFn emitError) {
  if (data && (data->empty() || axis >= static_cast<int64_t>(data->size())))
    return emitError() << "axis " << axis << " is out of range for data "
                       << formatShape(data);
  if (!data || !indices)
    return Shape();
  SmallVector<int64_t> result(data->begin(), data->begin() + axis);
  result.append(indices->begin(), indices->end());
  result.append(data->begin() + axis + 1, data->end());
  return Shape(std::move(result));
}

FailureOr<Shape> inferGatherElementsShape(const Shape &data,
                                          const Shape &indices, int64_t axis,
                                          EmitErrorFn emitError) {
  std::optional<int64_t> rank = data ? rankOf(data) : rankOf(indices);
  if (rank && (*rank == 0 || axis >= *rank))
    return emitError() << "axis " << axis << " is out of range for rank "
                       << *rank;
  if (data && indices && data->size() != indices->size())
    return emitError() << "indices " << formatShape(indices)
                       << " must have the rank of data " << formatShape(data);
  return indices;
}

FailureOr<Shape> inferGatherNDShape(const Shape &data, const Shape &indices,
                                    int64_t batchDims, EmitErrorFn emitError) {
  if (!data || !indices)
    return Shape();
  if (indices->empty() || data->empty())
    return emitError() << "data " << formatShape(data) << " and indices "
                       << formatShape(indices) << " must have rank >= 1";
  int64_t depth = indices->back();
  if (batchDims < 0 || batchDims >= static_cast<int64_t>(std::min(
                                        data->size(), indices->size())))
    return emitError() << "batch_dims " << batchDims
                       << " must be below the ranks of data and indices";
  if (isDynamic(depth))
    return Shape();
  if (batchDims + depth > static_cast<int64_t>(data->size()))
    return emitError() << "indices index " << depth << " dims past "
                       << batchDims << " batch dims of data "
                       << formatShape(data);
  SmallVector<int64_t> result(indices->begin(), indices->end() - 1);
  result.append(data->begin() + batchDims + depth, data->end());
  return Shape(std::move(result));
}

FailureOr<Shape> inferSliceShape(const Shape &input, ArrayRef<int64_t> starts,
                                 ArrayRef<int64_t> ends,
                                 ArrayRef<int64_t> steps,
                                 EmitErrorFn emitError) {
  if (starts.size() != ends.size() || starts.size() != steps.size() ||
      (input && input->size() != starts.size()))
    return emitError() << "expected one start, end and step per dim of "
                       << formatShape(input) << ", got " << starts.size()
                       << ", " << ends.size() << " and " << steps.size();
  if (llvm::is_contained(steps, 0))
    return emitError() << "steps must not be 0";
  if (!input)
    return Shape();
  SmallVector<int64_t> result;
  for (auto [i, dim] : llvm::enumerate(*input)) {
    int64_t start = starts[i], end = ends[i], step = steps[i];
    bool whole = start == 0 && step == 1 && end >= INT32_MAX;
    if (isDynamic(dim)) {
      result.push_back(whole ? dim : ShapedType::kDynamic);
      continue;
    }
    // ONNX: negative indices count from the end, then clamp.
    int64_t size = dim;
    auto resolve = [size](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v += size;
      return std::clamp(v, lo, hi);
    };
    if (step > 0) {
      start = resolve(start, 0, dim);
      end = resolve(end, 0, dim);
      result.push_back(end > start ? (end - start + step - 1) / step : 0);
    } else {
      start = resolve(start, 0, dim - 1);
      end = resolve(end, -1, dim - 1);
      result.push_back(start > end ? (start - end - step - 1) / -step : 0);
    }
  }
  return Shape(std::move(result));
}

FailureOr<Shape> inferPadShape(const Shape &input, ArrayRef<int64_t> pads,
                               EmitErrorFn emitError) {
  if (!input)
    return Shape();
  size_t rank = input->size();
  if (pads.size() != 2 * rank)
    return emitError() << "expected " << 2 * rank << " pads for "
                       << formatShape(input) << ", got " << pads.size();
  SmallVector<int64_t> result;
  for (auto [i, dim] : llvm::enumerate(*input)) {
    if (isDynamic(dim)) {
      result.push_back(dim);
      continue;
    }
    int64_t size = dim + pads[i] + pads[rank + i];
    if (size < 0)
      return emitError() << "pads crop dim " << i << " of size " << dim
                         << " below zero";
    result.push_back(size);
  }
  return Shape(std::move(result));
}

FailureOr<Shape> inferDepthSpaceShape(const Shape &input, int64_t blocksize,
                                      bool toSpace, EmitErrorFn emitError) {
  if (blocksize < 1)
    return emitError() << "blocksize must be positive, got " << blocksize;
  if (!input)
    return Shape(SmallVector<int64_t>(4, ShapedType::kDynamic));
  if (input->size() != 4)
    return emitError() << "input " << formatShape(input)
                       << " must be [N, C, H, W]";
  SmallVector<int64_t> r(*input);
  int64_t square = blocksize * blocksize;
  auto scale = [](int64_t dim, int64_t by) {
    return isDynamic(dim) ? dim : dim * by;
  };
  if (toSpace) {
    if (!isDynamic(r[1]) && r[1] % square != 0)
      return emitError() << r[1] << " channels do not divide into blocks of "
                         << square;
    r[1] = isDynamic(r[1]) ? r[1] : r[1] / square;
    r[2] = scale(r[2], blocksize);
    r[3] = scale(r[3], blocksize);
  } else {
    for (int i : {2, 3})
      if (!isDynamic(r[i]) && r[i] % blocksize != 0)
        return emitError() << "dim " << i << " of size " << r[i]
                           << " does not divide into blocks of " << blocksize;
    r[1] = scale(r[1], square);
    r[2] = isDynamic(r[2]) ? r[2] : r[2] / blocksize;
    r[3] = isDynamic(r[3]) ? r[3] : r[3] / blocksize;
  }
  return Shape(std::move(r));
}

/// Applies `onTensors` to a pair of tensor types, recursing through
/// sequences and optionals of the same kind; null for any other pair.
static Type combineTypes(Type a, Type b,
                         function_ref<Type(TensorType, TensorType)> onTensors) {
  if (auto sa = dyn_cast<SequenceType>(a)) {
    auto sb = dyn_cast<SequenceType>(b);
    if (!sb)
      return nullptr;
    auto element = dyn_cast_or_null<TensorType>(
        combineTypes(sa.getElementType(), sb.getElementType(), onTensors));
    return element ? SequenceType::get(element) : Type();
  }
  if (auto oa = dyn_cast<OptionalType>(a)) {
    auto ob = dyn_cast<OptionalType>(b);
    if (!ob)
      return nullptr;
    Type value = combineTypes(oa.getValueType(), ob.getValueType(), onTensors);
    return value ? OptionalType::get(value) : Type();
  }
  auto ta = dyn_cast<TensorType>(a), tb = dyn_cast<TensorType>(b);
  if (!ta || !tb || ta.getElementType() != tb.getElementType())
    return nullptr;
  return onTensors(ta, tb);
}

Type meetTypes(Type a, Type b) {
  return combineTypes(a, b, [](TensorType ta, TensorType tb) -> Type {
    if (!ta.hasRank())
      return tb;
    if (!tb.hasRank())
      return ta;
    if (ta.getRank() != tb.getRank())
      return nullptr;
    SmallVector<int64_t> dims;
    for (auto [da, db] : llvm::zip_equal(ta.getShape(), tb.getShape())) {
      if (!isDynamic(da) && !isDynamic(db) && da != db)
        return nullptr;
      dims.push_back(isDynamic(da) ? db : da);
    }
    return RankedTensorType::get(dims, ta.getElementType());
  });
}

Type joinTypes(Type a, Type b) {
  return combineTypes(a, b, [](TensorType ta, TensorType tb) -> Type {
    if (!ta.hasRank() || !tb.hasRank() || ta.getRank() != tb.getRank())
      return UnrankedTensorType::get(ta.getElementType());
    SmallVector<int64_t> dims;
    for (auto [da, db] : llvm::zip_equal(ta.getShape(), tb.getShape()))
      dims.push_back(da == db ? da : ShapedType::kDynamic);
    return RankedTensorType::get(dims, ta.getElementType());
  });
}

FailureOr<Shape> inferEinsumShape(ArrayRef<Shape> inputs, StringRef equation,
                                  EmitErrorFn emitError) {
  std::string spec = equation.str();
  llvm::erase(spec, ' ');
  StringRef text(spec);
  auto [lhs, rhs] = text.split("->");
  bool explicitOutput = text.contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != inputs.size())
    return emitError() << "equation '" << equation << "' has " << terms.size()
                       << " inputs but the op " << inputs.size();
  llvm::StringMap<int64_t> sizes;
  llvm::StringMap<int> uses;
  Shape ellipsis = Shape(SmallVector<int64_t>());
  for (auto [term, input] : llvm::zip_equal(terms, inputs)) {
    bool hasEllipsis = term.contains("...");
    std::string letters = term.str();
    if (hasEllipsis)
      letters.erase(letters.find("..."), 3);
    for (char c : letters)
      if (!llvm::isAlpha(c))
        return emitError() << "equation '" << equation
                           << "' has a bad subscript '" << c << "'";
    if (!input)
      continue;
    int64_t rank = input->size(), named = letters.size();
    if (named > rank || (!hasEllipsis && named != rank))
      return emitError() << "term '" << term << "' does not fit input "
                         << formatShape(input);
    int64_t extra = rank - named;
    size_t at = hasEllipsis ? term.find("...") : letters.size();
    SmallVector<int64_t> broadcast(input->begin() + at,
                                   input->begin() + at + extra);
    if (hasEllipsis) {
      auto merged = inferBroadcastShape(ellipsis, Shape(broadcast), emitError);
      if (failed(merged))
        return failure();
      ellipsis = *merged;
    }
    for (auto [i, c] : llvm::enumerate(letters)) {
      int64_t dim = (*input)[i < at ? i : i + extra];
      std::string key(1, c);
      ++uses[key];
      auto [it, inserted] = sizes.try_emplace(key, dim);
      if (!inserted && !dimsMayMatch(it->second, dim))
        return emitError() << "subscript '" << c << "' has sizes " << it->second
                           << " and " << dim;
      if (isDynamic(it->second))
        it->second = dim;
    }
  }
  if (llvm::any_of(inputs, [](const Shape &s) { return !s; }))
    return Shape();
  std::string output;
  if (explicitOutput) {
    output = rhs.str();
  } else {
    output = "...";
    for (char c = 'A'; c <= 'z'; ++c)
      if (uses.lookup(std::string(1, c)) == 1)
        output += c;
  }
  SmallVector<int64_t> result;
  StringRef out(output);
  size_t at = out.find("...");
  for (size_t i = 0; i < out.size(); ++i) {
    if (i == at) {
      result.append(ellipsis->begin(), ellipsis->end());
      i += 2;
      continue;
    }
    auto it = sizes.find(std::string(1, out[i]));
    if (it == sizes.end())
      return emitError() << "output subscript '" << out[i]
                         << "' appears in no input";
    result.push_back(it->second);
  }
  return Shape(std::move(result));
}

bool areCompatibleRefinements(TypeRange inferred, TypeRange declared) {
  if (inferred.size() != declared.size())
    return false;
  // Two types are compatible exactly when they have a meet.
  for (auto [a, b] : llvm::zip_equal(inferred, declared))
    if (!meetTypes(a, b))
      return false;
  return true;
}

} // namespace loom::graph
