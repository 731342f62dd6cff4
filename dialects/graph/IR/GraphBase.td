//===- GraphBase.td - The graph dialect and its type constraints -*- tablegen -*-===//
//
// Part of Loom. The `graph` dialect is Loom's tensor-level model graph: the
// dialect that frontends (ONNX, PyTorch) target and every later phase reads.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHBASE_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::loom::graph";
  let summary = "Loom's tensor-level model graph";
  let description = [{
    The `graph` dialect holds a neural network as a dataflow graph of tensor
    operations with ONNX semantics in a normalised form:

    * every attribute is resolved (no opset-dependent defaults: an op carries
      the same meaning whatever opset it was imported from);
    * inputs that ONNX allows to be either attributes or constant inputs are
      attributes when constant;
    * every op infers its result type from its operands (static and dynamic
      `?` dims, and unranked tensors), and the declared result type may
      refine the inferred one, never contradict it;
    * weights are `graph.constant` ops holding `dense_resource` blobs, so
      large tensors are never uniqued in the context or printed as text.

    Element types follow ONNX: signless integers (`i8`..`i64`) are ONNX's
    signed integers, `ui8`..`ui64` its unsigned ones and `i1` its `bool`.
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 1;
}

include "dialects/graph/IR/GraphTypes.td"

//===----------------------------------------------------------------------===//
// Element types and tensor constraints
//===----------------------------------------------------------------------===//

def Graph_Float : AnyTypeOf<[F16, BF16, F32, F64], "floating-point">;
def Graph_SignedInt : AnyTypeOf<[I8, I16, I32, I64], "signed integer">;
def Graph_UnsignedInt : AnyTypeOf<[UI8, UI16, UI32, UI64], "unsigned integer">;
def Graph_Bool : TypeAlias<I1, "bool">;
def Graph_Numeric : AnyTypeOf<[Graph_Float, Graph_SignedInt, Graph_UnsignedInt],
                              "numeric">;
def Graph_Element : AnyTypeOf<[Graph_Numeric, Graph_Bool], "graph element">;
def Graph_String : Type<CPred<"::llvm::isa<::loom::graph::StringType>($_self)">,
                        "string", "::loom::graph::StringType">;

// Ranked (static or dynamic dims) or unranked tensors.
def Graph_Tensor : TensorOf<[Graph_Element]>;
def Graph_NumericTensor : TensorOf<[Graph_Numeric]>;
def Graph_SignedTensor : TensorOf<[Graph_Float, Graph_SignedInt]>;
def Graph_StaticTensor : StaticShapeTensorOf<[Graph_Element]>;
def Graph_ShapeTensor : 1DTensorOf<[I64]>;
def Graph_FloatTensor : TensorOf<[Graph_Float]>;
def Graph_BoolTensor : TensorOf<[I1]>;
def Graph_UnsignedTensor : TensorOf<[Graph_UnsignedInt]>;
// Tensors of any element type, strings included.
def Graph_AnyTensor : TensorOf<[Graph_Element, Graph_String]>;
def Graph_StringTensor : TensorOf<[Graph_String]>;

def Graph_Sequence : Type<CPred<"::llvm::isa<::loom::graph::SequenceType>($_self)">,
                          "sequence of tensors", "::loom::graph::SequenceType">;
def Graph_Optional : Type<CPred<"::llvm::isa<::loom::graph::OptionalType>($_self)">,
                          "optional value", "::loom::graph::OptionalType">;
// Any value a model passes around: control flow carries these.
def Graph_Value : AnyTypeOf<[Graph_AnyTensor, Graph_Sequence, Graph_Optional],
                            "tensor, sequence or optional">;

//===----------------------------------------------------------------------===//
// Result-type inference
//===----------------------------------------------------------------------===//

// Every graph op infers its result types from its operands through
// `inferReturnTypeComponents` (which sees only operand types and constant
// operands). The declared result type may be more or less precise than the
// inferred one (ONNX models annotate values with their own shapes, and shape
// inference refines types in place), but never incompatible with it: same
// element type, and where both are ranked, the same rank and equal static
// dims. `isCompatibleReturnTypes` implements exactly that check.
def Graph_InferTensorType : TraitList<[
  DeclareOpInterfaceMethods<InferTypeOpInterface>,
  InferShapedTypeOpAdaptorBase<["inferReturnTypeComponents"]>,
  NativeOpTrait<"InferTensorType", [], [{
    static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                        ::mlir::TypeRange declared);
  }], [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferredReturnTypes) {
      ::llvm::SmallVector<::mlir::ShapedTypeComponents, 2> components;
      if (::mlir::failed($cppClass::inferReturnTypeComponents(
              context, location, operands, attributes, properties, regions,
              components)))
        return ::mlir::failure();
      return ::mlir::detail::inferReturnTensorTypes(components,
                                                    inferredReturnTypes);
    }
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                            ::mlir::TypeRange declared) {
      return ::loom::graph::areCompatibleRefinements(inferred, declared);
    }
  }]>
]>;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

// Interfaces that later phases give every graph op (SBP signatures, cost
// estimates) attach as external models from their own dialects, so this
// dialect never depends on them.
class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

// A one-result op whose result type comes from a shape function. Subclasses
// give two C++ bodies, which see the op's adaptor as `op`:
//   shapeFn:       returns FailureOr<Shape>, reporting through `emitError`;
//   elementTypeFn: returns the result's element type.
// The class generates result-type inference and the verifier from them, so
// both always agree. `extraVerify` runs first in the verifier.
class Graph_ShapedOp<string mnemonic, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [Pure, Graph_InferTensorType])> {
  code shapeFn = ?;
  code elementTypeFn = ?;
  code extraVerify = "";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static ::mlir::FailureOr<::loom::graph::Shape>
    inferShape(Adaptor op, ::loom::graph::EmitErrorFn emitError);
    static ::mlir::Type inferElementType(Adaptor op);
  }];
  let extraClassDefinition = [{
    ::mlir::FailureOr<::loom::graph::Shape>
    $cppClass::inferShape(Adaptor op, ::loom::graph::EmitErrorFn emitError) {
      using namespace ::loom::graph;
      (void)emitError;
  }] # shapeFn # [{
    }
    ::mlir::Type $cppClass::inferElementType(Adaptor op) {
  }] # elementTypeFn # [{
    }
    ::llvm::LogicalResult $cppClass::inferReturnTypeComponents(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::ShapedTypeComponents> &components) {
      return ::loom::graph::detail::toComponents(
          inferShape(adaptor, [&] {
            return ::loom::graph::detail::inferenceError(loc,
                                                         getOperationName());
          }),
          inferElementType(adaptor), components);
    }
    ::llvm::LogicalResult $cppClass::verify() {
  }] # extraVerify # [{
      return ::loom::graph::detail::verifyResult(
          getOperation(), inferShape(Adaptor(*this), [&] {
            return emitOpError();
          }), inferElementType(Adaptor(*this)));
    }
  }];
}

// Element-type bodies for Graph_ShapedOp.
defvar Graph_SameElementAs = [{ return ::mlir::getElementTypeOrSelf(op.getInput().getType()); }];
defvar Graph_SameElementAsLhs = [{ return ::mlir::getElementTypeOrSelf(op.getLhs().getType()); }];
defvar Graph_BoolElement = [{ return ::mlir::IntegerType::get(op.getOperands()[0].getContext(), 1); }];
defvar Graph_I64Element = [{ return ::mlir::IntegerType::get(op.getOperands()[0].getContext(), 64); }];

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHBASE_TD
