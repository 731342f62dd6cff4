//===- GraphTypeInferenceTest.cpp - Result-type inference of graph ops ----===//
//
// Part of Loom. Builds graph ops without result types, as frontends do, and
// checks the types the ops infer for static, dynamic and unranked operands.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"
#include "loom/InitLoom.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace loom::graph;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

class GraphTypeInferenceTest : public ::testing::Test {
protected:
  GraphTypeInferenceTest() : builder(&context) {
    DialectRegistry registry;
    loom::registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    func = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                builder.getFunctionType({}, {}));
    block = func.addEntryBlock();
    builder.setInsertionPointToStart(block);
  }

  /// A new function argument of type `type`, standing for a graph input.
  Value input(Type type) {
    return block->addArgument(type, builder.getUnknownLoc());
  }
  Type tensor(ArrayRef<int64_t> shape, Type elementType = nullptr) {
    return RankedTensorType::get(shape, elementType ? elementType
                                                    : builder.getF32Type());
  }
  Value shapeConstant(ArrayRef<int64_t> values) {
    auto type =
        RankedTensorType::get({(int64_t)values.size()}, builder.getI64Type());
    return ConstantOp::create(builder, builder.getUnknownLoc(), type,
                              DenseIntElementsAttr::get(type, values));
  }
  /// Closes the function and verifies the module: ops built from inferred
  /// types must verify.
  bool verifies() {
    func.setFunctionType(
        builder.getFunctionType(block->getArgumentTypes(), {}));
    func::ReturnOp::create(builder, builder.getUnknownLoc());
    return succeeded(verify(*module));
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
  Block *block = nullptr;
};

TEST_F(GraphTypeInferenceTest, BroadcastStaticAndDynamic) {
  Location loc = builder.getUnknownLoc();
  auto add = AddOp::create(builder, loc, input(tensor({kDyn, 1, 4})),
                           input(tensor({3, 1})));
  EXPECT_EQ(add.getType(), tensor({kDyn, 3, 4}));
  // A dynamic dim against 1 stays dynamic; against 5 it becomes 5.
  auto mul = MulOp::create(builder, loc, input(tensor({kDyn, kDyn})),
                           input(tensor({1, 5})));
  EXPECT_EQ(mul.getType(), tensor({kDyn, 5}));
  EXPECT_TRUE(verifies());
}

TEST_F(GraphTypeInferenceTest, UnrankedOperandGivesUnrankedResult) {
  Location loc = builder.getUnknownLoc();
  Type unranked = UnrankedTensorType::get(builder.getF32Type());
  auto add = AddOp::create(builder, loc, input(unranked), input(tensor({4})));
  EXPECT_EQ(add.getType(), unranked);
  auto relu = ReluOp::create(builder, loc, add);
  EXPECT_EQ(relu.getType(), unranked);
  EXPECT_TRUE(verifies());
}

TEST_F(GraphTypeInferenceTest, MatMulPromotesVectorsAndBroadcastsBatch) {
  Location loc = builder.getUnknownLoc();
  auto batched = MatMulOp::create(builder, loc, input(tensor({8, 1, kDyn, 64})),
                                  input(tensor({3, 64, 32})));
  EXPECT_EQ(batched.getType(), tensor({8, 3, kDyn, 32}));
  auto vecMat = MatMulOp::create(builder, loc, input(tensor({64})),
                                 input(tensor({2, 64, 7})));
  EXPECT_EQ(vecMat.getType(), tensor({2, 7}));
  auto dot =
      MatMulOp::create(builder, loc, input(tensor({kDyn})), input(tensor({5})));
  EXPECT_EQ(dot.getType(), tensor({}));
  EXPECT_TRUE(verifies());
}

TEST_F(GraphTypeInferenceTest, GemmTransposesAndBias) {
  Location loc = builder.getUnknownLoc();
  auto gemm = GemmOp::create(builder, loc, input(tensor({64, kDyn})),
                             input(tensor({10, 64})), input(tensor({10})),
                             /*trans_a=*/true, /*trans_b=*/true,
                             llvm::APFloat(0.5f), llvm::APFloat(1.0f));
  EXPECT_EQ(gemm.getType(), tensor({kDyn, 10}));
  EXPECT_TRUE(verifies());
}

TEST_F(GraphTypeInferenceTest, ReshapeFromConstantShape) {
  Location loc = builder.getUnknownLoc();
  // 0 copies the dynamic batch dim, which cancels out of the element count:
  // the -1 is the rest, 32.
  auto dynamic = ReshapeOp::create(builder, loc, input(tensor({kDyn, 4, 8})),
                                   shapeConstant({0, -1}));
  EXPECT_EQ(dynamic.getType(), tensor({kDyn, 32}));
  // A dynamic dim that is not copied leaves the -1 unknown.
  auto unknown = ReshapeOp::create(builder, loc, input(tensor({4, kDyn})),
                                   shapeConstant({4, -1}));
  EXPECT_EQ(unknown.getType(), tensor({4, kDyn}));
  auto resolved = ReshapeOp::create(builder, loc, input(tensor({2, 4, 8})),
                                    shapeConstant({0, -1, 4}));
  EXPECT_EQ(resolved.getType(), tensor({2, 8, 4}));
  // With allow_zero, 0 is a zero-sized dim.
  auto empty = ReshapeOp::create(builder, loc, input(tensor({0, 3})),
                                 shapeConstant({3, 0}), /*allow_zero=*/true);
  EXPECT_EQ(empty.getType(), tensor({3, 0}));
  EXPECT_TRUE(verifies());
}

TEST_F(GraphTypeInferenceTest, ReshapeFromComputedShapeKnowsOnlyTheRank) {
  Location loc = builder.getUnknownLoc();
  Value shape = input(RankedTensorType::get({3}, builder.getI64Type()));
  auto reshape =
      ReshapeOp::create(builder, loc, input(tensor({2, 4, 8})), shape);
  EXPECT_EQ(reshape.getType(), tensor({kDyn, kDyn, kDyn}));
  EXPECT_TRUE(verifies());
}

TEST_F(GraphTypeInferenceTest, InvalidOperandsFailInferenceWithoutCrashing) {
  // Without a location nothing is reported, but inference still fails.
  SmallVector<Type> types;
  Value lhs = input(tensor({2, 3})), rhs = input(tensor({4, 5}));
  EXPECT_TRUE(failed(MatMulOp::inferReturnTypes(&context, std::nullopt,
                                                ValueRange{lhs, rhs}, nullptr,
                                                nullptr, {}, types)));
  EXPECT_TRUE(failed(AddOp::inferReturnTypes(&context, std::nullopt,
                                             ValueRange{lhs, rhs}, nullptr,
                                             nullptr, {}, types)));
  // Ops with properties read them through the adaptor.
  ConcatOp::Properties concat;
  concat.axis = builder.getI64IntegerAttr(0);
  EXPECT_TRUE(failed(ConcatOp::inferReturnTypes(
      &context, std::nullopt, ValueRange{}, nullptr, &concat, {}, types)));
  // With a location the reason is reported on it.
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(MatMulOp::inferReturnTypes(
      &context, builder.getUnknownLoc(), ValueRange{lhs, rhs}, nullptr, nullptr,
      {}, types)));
  EXPECT_EQ(message, "'graph.matmul' op contracting dims differ: lhs 2x3 has "
                     "3, rhs 4x5 has 4");
}

TEST_F(GraphTypeInferenceTest, DeclaredTypesMayRefineButNotContradict) {
  Type f32 = builder.getF32Type();
  EXPECT_TRUE(areCompatibleRefinements(tensor({kDyn, 4}), tensor({2, 4})));
  EXPECT_TRUE(areCompatibleRefinements(tensor({2, 4}), tensor({kDyn, 4})));
  EXPECT_TRUE(
      areCompatibleRefinements(UnrankedTensorType::get(f32), tensor({2, 4})));
  EXPECT_FALSE(areCompatibleRefinements(tensor({2, 4}), tensor({3, 4})));
  EXPECT_FALSE(areCompatibleRefinements(tensor({2, 4}), tensor({2, 4, 1})));
  EXPECT_FALSE(areCompatibleRefinements(tensor({2, 4}),
                                        tensor({2, 4}, builder.getF16Type())));
}

TEST_F(GraphTypeInferenceTest, SequencesAndOptionalsMeetAndJoinElementwise) {
  auto seq = [&](Type t) { return SequenceType::get(cast<TensorType>(t)); };
  auto opt = [&](Type t) { return OptionalType::get(t); };
  Type f32 = builder.getF32Type();
  EXPECT_EQ(meetTypes(seq(tensor({kDyn, 3})), seq(tensor({2, kDyn}))),
            seq(tensor({2, 3})));
  EXPECT_EQ(joinTypes(seq(tensor({2, 3})), seq(tensor({4, 3}))),
            seq(tensor({kDyn, 3})));
  EXPECT_EQ(joinTypes(seq(tensor({2})), seq(tensor({2, 3}))),
            seq(UnrankedTensorType::get(f32)));
  EXPECT_EQ(
      meetTypes(opt(seq(UnrankedTensorType::get(f32))), opt(seq(tensor({5})))),
      opt(seq(tensor({5}))));
  // A sequence is not an optional, nor a tensor; element types must agree.
  EXPECT_FALSE(meetTypes(seq(tensor({2})), opt(seq(tensor({2})))));
  EXPECT_FALSE(meetTypes(seq(tensor({2})), tensor({2})));
  EXPECT_FALSE(
      joinTypes(seq(tensor({2})), seq(tensor({2}, builder.getF16Type()))));
  EXPECT_TRUE(areCompatibleRefinements(seq(tensor({kDyn})), seq(tensor({4}))));
  EXPECT_FALSE(areCompatibleRefinements(opt(tensor({3})), opt(tensor({4}))));
}

TEST_F(GraphTypeInferenceTest, SequenceOpsInferTheirResults) {
  Value a = input(tensor({2, 3})), b = input(tensor({4, 3}));
  auto construct = SequenceConstructOp::create(builder, builder.getUnknownLoc(),
                                               ValueRange{a, b});
  EXPECT_EQ(construct.getType(),
            SequenceType::get(cast<TensorType>(tensor({kDyn, 3}))));
  Value position = input(tensor({}, builder.getI64Type()));
  auto at = SequenceAtOp::create(builder, builder.getUnknownLoc(), construct,
                                 position);
  EXPECT_EQ(at.getType(), tensor({kDyn, 3}));
  auto wrapped = OptionalOp::create(builder, builder.getUnknownLoc(), at);
  auto has =
      OptionalHasElementOp::create(builder, builder.getUnknownLoc(), wrapped);
  EXPECT_EQ(has.getType(), tensor({}, builder.getI1Type()));
  EXPECT_TRUE(verifies());
}

} // namespace
