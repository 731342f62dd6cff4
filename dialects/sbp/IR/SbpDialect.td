//===- SbpDialect.td - The sbp dialect ---------------------*- tablegen -*-===//
//
// Part of Loom. Split/broadcast/partial (OneFlow's SBP) on a device mesh:
// the attributes that describe how a tensor is laid out over the mesh, and
// the interface through which ops give their legal layouts.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_IR_SBPDIALECT_TD
#define LOOM_DIALECTS_SBP_IR_SBPDIALECT_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpBase.td"

def Sbp_Dialect : Dialect {
  let name = "sbp";
  let cppNamespace = "::loom::sbp";
  let summary = "Split, broadcast and partial layouts of tensors on a mesh";
  let description = [{
    A model runs on a mesh of devices (1-D or 2-D, with optional axis
    names). On each mesh axis a tensor is split along one of its dims
    (`S(d)`), broadcast (`B`) or partial (`P(sum)`, `P(max)`, `P(min)`:
    every device holds a full-shape tensor and the value is their
    elementwise reduction). An nd-SBP gives one entry per mesh axis.

    Ops describe themselves through `SbpRuleOpInterface`: an einsum-like
    index rule from which their legal signatures follow (the matmul
    `m k, k n -> m n` gives `S(0)·B -> S(0)`, `B·S(1) -> S(1)` and
    `S(1)·S(0) -> P(sum)`), and a work estimate. `sbp-derive` picks a
    signature for every op with a cost model and records it as
    `sbp.operands` and `sbp.results` arrays of `#sbp.nd` on the op.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Sbp_Attr<string name, string attrMnemonic>
    : AttrDef<Sbp_Dialect, name> {
  let mnemonic = attrMnemonic;
}

def Sbp_MeshAttr : Sbp_Attr<"Mesh", "mesh"> {
  let summary = "A mesh of devices: its shape, and optionally axis names";
  let description = [{
    ```mlir
    #sbp.mesh<[4]>
    #sbp.mesh<[2, 2], axes = ["data", "model"]>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        OptionalParameter<"::mlir::ArrayAttr">:$axes);
  let assemblyFormat = "`<` `[` $shape `]` (`,` `axes` `=` $axes^)? `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The number of devices.
    int64_t getSize() const;
  }];
}

def Sbp_NdSbpAttr : Sbp_Attr<"NdSbp", "nd"> {
  let summary = "A tensor's SBP on each mesh axis";
  let description = [{
    ```mlir
    #sbp.nd<[S(0)]>
    #sbp.nd<[B, P(sum)]>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"::loom::sbp::Sbp">:$entries);
  let hasCustomAssemblyFormat = 1;
}

def Sbp_RuleOpInterface : OpInterface<"SbpRuleOpInterface"> {
  let cppNamespace = "::loom::sbp";
  let description = [{
    An op's index rule (`IndexRule` in `dialects/sbp/IR/Sbp.h`), from its
    operand and result types: what each dim iterates, which indices reduce
    and how, how partial sums pass through, and the work per point.
    `getSignatures` turns it into the op's legal signatures on a mesh.
    Ops without it may only run replicated (every operand and result B).
  }];
  let methods = [
    InterfaceMethod<"The op's index rule; failure when its types do not "
                    "allow one (unranked, dynamic)",
                    "::mlir::FailureOr<::loom::sbp::IndexRule>", "getSbpRule">,
  ];
}

#endif // LOOM_DIALECTS_SBP_IR_SBPDIALECT_TD
