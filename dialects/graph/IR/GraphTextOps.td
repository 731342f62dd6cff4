//===- GraphTextOps.td - Ops on strings and tokens ---------*- tablegen -*-===//
//
// Part of Loom. ONNX's text preprocessing ops.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHTEXTOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHTEXTOPS_TD

include "dialects/graph/IR/GraphBase.td"

def Graph_StringNormalizerOp : Graph_ShapedOp<"string_normalizer"> {
  let summary = "Drop stop words and change case (ONNX `StringNormalizer`)";
  let description = [{
    `input` is [C] or [1, C]. Removes the strings in `stopwords` (ignoring
    case unless `case_sensitive`), then changes case as `case_change_action`
    says (`LOWER`, `UPPER` or `NONE`) under `locale`. The last dim shrinks by
    the number removed; when every string is removed the result holds one
    empty string.
  }];
  let arguments = (ins Graph_StringTensor:$input,
                       StrAttr:$case_change_action, UnitAttr:$case_sensitive,
                       StrArrayAttr:$stopwords, StrAttr:$locale);
  let results = (outs Graph_StringTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraVerify = [{
    if (!::llvm::is_contained({"LOWER", "UPPER", "NONE"}, getCaseChangeAction()))
      return emitOpError("case_change_action must be LOWER, UPPER or NONE, got '")
             << getCaseChangeAction() << "'";
  }];
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (!input)
      return input;
    if (input->size() != 1 &&
        !(input->size() == 2 && ((*input)[0] == 1 || ::mlir::ShapedType::isDynamic((*input)[0]))))
      return emitError() << "input " << formatShape(input) << " must be [C] or [1, C]";
    ::llvm::SmallVector<int64_t> result(*input);
    if (!op.getStopwords().empty())
      result.back() = ::mlir::ShapedType::kDynamic;
    return Shape(std::move(result));
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getInput().getType()); }];
}

def Graph_TfIdfVectorizerOp : Graph_ShapedOp<"tfidf_vectorizer"> {
  let summary = "Count n-grams of tokens (ONNX `TfIdfVectorizer`)";
  let description = [{
    For each row of `input` ([C] or [N, C] tokens: integers or strings),
    counts the n-grams of the pool (`pool_int64s` or `pool_strings`) with
    `min_gram_length` <= n <= `max_gram_length`, skipping up to
    `max_skip_count` tokens between an n-gram's tokens. `ngram_counts[i]` is
    where the (i+1)-grams start in the pool and `ngram_indexes[j]` the
    output column of the pool's j-th n-gram. `mode` is `TF` (counts), `IDF`
    (`weights` where the count is non-zero) or `TFIDF` (counts times
    `weights`); empty `weights` are all ones. The result is f32, [D] or
    [N, D] with D = max(ngram_indexes) + 1.
  }];
  let arguments = (ins TensorOf<[I32, I64, Graph_String]>:$input,
                       I64Attr:$min_gram_length, I64Attr:$max_gram_length,
                       I64Attr:$max_skip_count, StrAttr:$mode,
                       DenseI64ArrayAttr:$ngram_counts,
                       DenseI64ArrayAttr:$ngram_indexes,
                       DenseI64ArrayAttr:$pool_int64s,
                       StrArrayAttr:$pool_strings,
                       DenseF32ArrayAttr:$weights);
  let results = (outs TensorOf<[F32]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraVerify = [{
    if (failed(detail::verifyTfIdfAttrs(*this)))
      return ::mlir::failure();
  }];
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    int64_t width = 0;
    for (int64_t index : op.getNgramIndexes())
      width = std::max(width, index + 1);
    if (!input)
      return Shape();
    if (input->size() != 1 && input->size() != 2)
      return emitError() << "input " << formatShape(input) << " must be [C] or [N, C]";
    if (input->size() == 1)
      return Shape(::llvm::SmallVector<int64_t>{width});
    return Shape(::llvm::SmallVector<int64_t>{(*input)[0], width});
  }];
  let elementTypeFn = [{ return ::mlir::Float32Type::get(op.getInput().getContext()); }];
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHTEXTOPS_TD
