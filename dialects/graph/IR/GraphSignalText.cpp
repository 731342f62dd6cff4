//===- GraphSignalText.cpp - Shapes and verifiers of signal and text ops --===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;

namespace loom::graph::detail {

FailureOr<Shape> inferSTFTShape(STFTOp::Adaptor op, EmitErrorFn emitError) {
  Shape signal = getShape(op.getSignal().getType());
  if (signal &&
      (signal->size() != 3 || (!ShapedType::isDynamic((*signal)[2]) &&
                               (*signal)[2] != 1 && (*signal)[2] != 2)))
    return emitError() << "signal " << formatShape(signal)
                       << " must be [batch, length, 1 or 2]";
  int64_t length = ShapedType::kDynamic;
  if (op.getWindow()) {
    Shape window = getShape(op.getWindow().getType());
    if (window && window->size() != 1)
      return emitError() << "window " << formatShape(window) << " must be 1-D";
    if (window)
      length = (*window)[0];
  }
  if (op.getFrameLength()) {
    if (auto given = getConstantInts(op.getFrameLength())) {
      if ((*given)[0] <= 0)
        return emitError() << "frame_length must be positive, got "
                           << (*given)[0];
      if (!ShapedType::isDynamic(length) && length != (*given)[0])
        return emitError() << "frame_length " << (*given)[0]
                           << " differs from the window's length " << length;
      length = (*given)[0];
    }
  } else if (!op.getWindow()) {
    return emitError() << "needs a window or a frame_length";
  }
  std::optional<SmallVector<int64_t>> step = getConstantInts(op.getFrameStep());
  if (step && (*step)[0] <= 0)
    return emitError() << "frame_step must be positive, got " << (*step)[0];
  int64_t frames = ShapedType::kDynamic;
  if (signal && !ShapedType::isDynamic((*signal)[1]) &&
      !ShapedType::isDynamic(length) && step) {
    if ((*signal)[1] < length)
      return emitError() << "signal length " << (*signal)[1]
                         << " is shorter than a frame (" << length << ")";
    frames = ((*signal)[1] - length) / (*step)[0] + 1;
  }
  int64_t bins = length;
  if (op.getOnesided() && !ShapedType::isDynamic(length))
    bins = length / 2 + 1;
  return Shape(SmallVector<int64_t>{
      signal ? (*signal)[0] : ShapedType::kDynamic, frames, bins, 2});
}

LogicalResult verifyTfIdfAttrs(TfIdfVectorizerOp op) {
  StringRef mode = op.getMode();
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return op.emitOpError("mode must be TF, IDF or TFIDF, got '")
           << mode << "'";
  // I64Attr getters return uint64_t: read the signed values.
  int64_t minGram = op.getMinGramLengthAttr().getInt();
  int64_t maxGram = op.getMaxGramLengthAttr().getInt();
  int64_t maxSkip = op.getMaxSkipCountAttr().getInt();
  if (minGram < 1 || maxGram < minGram)
    return op.emitOpError("needs 1 <= min_gram_length (")
           << minGram << ") <= max_gram_length (" << maxGram << ")";
  if (maxSkip < 0)
    return op.emitOpError("max_skip_count must be non-negative, got ")
           << maxSkip;
  bool strings = !op.getPoolStrings().empty();
  if (strings == !op.getPoolInt64s().empty())
    return op.emitOpError("needs exactly one of pool_int64s and pool_strings");
  bool stringInput = isa<StringType>(getElementTypeOrSelf(op.getInput()));
  if (strings != stringInput)
    return op.emitOpError("pool of ")
           << (strings ? "strings" : "integers") << " does not match input "
           << op.getInput().getType();
  int64_t poolSize = strings ? op.getPoolStrings().size()
                             : static_cast<int64_t>(op.getPoolInt64s().size());
  ArrayRef<int64_t> counts = op.getNgramCounts();
  if (counts.empty())
    return op.emitOpError("needs ngram_counts, where the pool's 1-grams, "
                          "2-grams... start");
  int64_t ngrams = 0;
  for (auto [i, start] : llvm::enumerate(counts)) {
    int64_t end = i + 1 < counts.size() ? counts[i + 1] : poolSize;
    if (start < 0 || end < start || end > poolSize)
      return op.emitOpError("ngram_counts must rise within the pool (")
             << poolSize << " entries)";
    if ((end - start) % static_cast<int64_t>(i + 1) != 0)
      return op.emitOpError("the pool's ")
             << i + 1 << "-grams take " << end - start
             << " entries, not a multiple of " << i + 1;
    ngrams += (end - start) / static_cast<int64_t>(i + 1);
  }
  if (static_cast<int64_t>(op.getNgramIndexes().size()) != ngrams)
    return op.emitOpError("needs one ngram_indexes entry per pool n-gram (")
           << ngrams << "), got " << op.getNgramIndexes().size();
  if (llvm::any_of(op.getNgramIndexes(), [](int64_t i) { return i < 0; }))
    return op.emitOpError("ngram_indexes must be non-negative");
  if (!op.getWeights().empty() &&
      op.getWeights().size() != op.getNgramIndexes().size())
    return op.emitOpError("needs one weight per n-gram (")
           << ngrams << "), got " << op.getWeights().size();
  return success();
}

} // namespace loom::graph::detail
