//===- ImportSignalText.cpp - ONNX audio and text preprocessing ops -------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "ImportUtils.h"

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::onnx {
namespace {

constexpr auto kAnyTensor = NodeImporter::InputKind::AnyTensor;

FailureOr<Value> getScalarInput(NodeImporter &node, unsigned index) {
  FailureOr<Value> value = node.getInput(index);
  if (failed(value))
    return failure();
  return toScalar(node, *value);
}

LogicalResult importSTFT(NodeImporter &node) {
  FailureOr<Value> signal = node.getInput(0);
  FailureOr<Value> step = getScalarInput(node, 1);
  FailureOr<Value> window = node.getOptionalInput(2);
  FailureOr<Value> length = node.getOptionalInput(3);
  FailureOr<int64_t> onesided = node.getInt("onesided", 1);
  if (failed(signal) || failed(step) || failed(window) || failed(length) ||
      failed(onesided))
    return failure();
  FailureOr<Value> scalarLength = toScalar(node, *length);
  if (failed(scalarLength))
    return failure();
  auto op = node.create<g::STFTOp>(*signal, *step, *window, *scalarLength,
                                   *onesided != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importMelWeightMatrix(NodeImporter &node) {
  SmallVector<Value, 5> operands;
  for (unsigned i = 0; i < 5; ++i) {
    FailureOr<Value> value = getScalarInput(node, i);
    if (failed(value))
      return failure();
    operands.push_back(*value);
  }
  Type type = node.getBuilder().getF32Type();
  if (node.hasAttr("output_datatype")) {
    FailureOr<Type> given = node.getElementType("output_datatype");
    if (failed(given))
      return failure();
    type = *given;
  }
  auto op = node.create<g::MelWeightMatrixOp>(
      operands[0], operands[1], operands[2], operands[3], operands[4], type);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

ArrayAttr getStringArray(NodeImporter &node, ArrayRef<std::string> strings) {
  SmallVector<StringRef> refs(strings.begin(), strings.end());
  return node.getBuilder().getStrArrayAttr(refs);
}

LogicalResult importStringNormalizer(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0, kAnyTensor);
  FailureOr<std::string> action = node.getString("case_change_action", "NONE");
  FailureOr<int64_t> sensitive = node.getInt("is_case_sensitive", 0);
  FailureOr<std::string> locale = node.getString("locale", "");
  FailureOr<SmallVector<std::string>> stopwords =
      node.getStrings("stopwords", ArrayRef<std::string>());
  if (failed(x) || failed(action) || failed(sensitive) || failed(locale) ||
      failed(stopwords))
    return failure();
  auto op = node.create<g::StringNormalizerOp>(
      *x, *action, *sensitive != 0, getStringArray(node, *stopwords), *locale);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importTfIdfVectorizer(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0, kAnyTensor);
  FailureOr<int64_t> minGram = node.getInt("min_gram_length");
  FailureOr<int64_t> maxGram = node.getInt("max_gram_length");
  FailureOr<int64_t> maxSkip = node.getInt("max_skip_count");
  FailureOr<std::string> mode = node.getString("mode");
  FailureOr<SmallVector<int64_t>> counts = node.getInts("ngram_counts");
  FailureOr<SmallVector<int64_t>> indexes = node.getInts("ngram_indexes");
  FailureOr<SmallVector<int64_t>> poolInts =
      node.getInts("pool_int64s", ArrayRef<int64_t>());
  FailureOr<SmallVector<std::string>> poolStrings =
      node.getStrings("pool_strings", ArrayRef<std::string>());
  FailureOr<SmallVector<float>> weights =
      node.getFloats("weights", ArrayRef<float>());
  if (failed(x) || failed(minGram) || failed(maxGram) || failed(maxSkip) ||
      failed(mode) || failed(counts) || failed(indexes) || failed(poolInts) ||
      failed(poolStrings) || failed(weights))
    return failure();
  auto op = node.create<g::TfIdfVectorizerOp>(
      *x, *minGram, *maxGram, *maxSkip, *mode, *counts, *indexes, *poolInts,
      getStringArray(node, *poolStrings), *weights);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

} // namespace

void addSignalTextImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      {"MelWeightMatrix", 17, kMax, importMelWeightMatrix},
      {"STFT", 17, kMax, importSTFT},
      {"StringNormalizer", 10, kMax, importStringNormalizer},
      {"TfIdfVectorizer", 9, kMax, importTfIdfVectorizer},
  });
}

} // namespace loom::onnx
