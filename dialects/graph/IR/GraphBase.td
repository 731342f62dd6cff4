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
  let useDefaultTypePrinterParser = 0;
}

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

// Ranked (static or dynamic dims) or unranked tensors.
def Graph_Tensor : TensorOf<[Graph_Element]>;
def Graph_NumericTensor : TensorOf<[Graph_Numeric]>;
def Graph_SignedTensor : TensorOf<[Graph_Float, Graph_SignedInt]>;
def Graph_StaticTensor : StaticShapeTensorOf<[Graph_Element]>;
def Graph_ShapeTensor : 1DTensorOf<[I64]>;

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

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHBASE_TD
