//===- KernelOps.cpp - The kernel dialect's ops ---------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/kernel/IR/KernelDialect.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace loom::kernel;

#include "dialects/kernel/IR/KernelDialect.cpp.inc"

void KernelDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kernel/IR/KernelOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/kernel/IR/KernelOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

/// Tensors and buffers do not mix; a tensor op has the type of `init` as its
/// one result, a buffer op has none.
static LogicalResult verifyForm(Operation *op, Value init) {
  bool tensors = isa<RankedTensorType>(init.getType());
  for (Value operand : op->getOperands())
    if (isa<RankedTensorType>(operand.getType()) != tensors)
      return op->emitOpError("operands must all be tensors or all be memrefs");
  if (!tensors)
    return op->getNumResults() == 0
               ? success()
               : op->emitOpError("on memrefs has no results");
  if (op->getNumResults() != 1 || op->getResult(0).getType() != init.getType())
    return op->emitOpError("on tensors has one result of the init's type ")
           << init.getType();
  return success();
}

static LogicalResult verifyRank(Operation *op, StringRef name, Value value,
                                int64_t rank) {
  int64_t actual = cast<ShapedType>(value.getType()).getRank();
  if (actual != rank)
    return op->emitOpError()
           << name << " must have rank " << rank << ", got " << actual;
  return success();
}

/// Two dims that must agree, when both are static.
static bool agree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static int64_t dim(Value value, unsigned i) {
  return cast<ShapedType>(value.getType()).getDimSize(i);
}

/// Reads of every buffer operand, a write (and with `accumulate` a read) of
/// the init buffer; nothing on tensors.
static void getKernelEffects(
    Operation *op, OpOperand &init, bool accumulate,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  if (isa<RankedTensorType>(init.get().getType()))
    return;
  for (OpOperand &operand : op->getOpOperands()) {
    if (&operand == &init)
      continue;
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
  }
  if (accumulate)
    effects.emplace_back(MemoryEffects::Read::get(), &init,
                         SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Write::get(), &init,
                       SideEffects::DefaultResource::get());
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  int64_t rank = cast<ShapedType>(getInit().getType()).getRank();
  if (rank != 2 && rank != 3)
    return emitOpError("init must have rank 2 (a product) or 3 (a batch of "
                       "them), got ")
           << rank;
  if (failed(verifyForm(*this, getInit())) ||
      failed(verifyRank(*this, "lhs", getLhs(), rank)) ||
      failed(verifyRank(*this, "rhs", getRhs(), rank)))
    return failure();
  // The matrices' dims, after the batch dim (if any).
  int64_t at = rank - 2;
  if (rank == 3 && (!agree(dim(getLhs(), 0), dim(getInit(), 0)) ||
                    !agree(dim(getRhs(), 0), dim(getInit(), 0))))
    return emitOpError("batches of lhs, rhs and init differ: ")
           << getLhs().getType() << ", " << getRhs().getType() << ", "
           << getInit().getType();
  int64_t m = dim(getLhs(), at + (getTransposeA() ? 1 : 0));
  int64_t k = dim(getLhs(), at + (getTransposeA() ? 0 : 1));
  int64_t k2 = dim(getRhs(), at + (getTransposeB() ? 1 : 0));
  int64_t n = dim(getRhs(), at + (getTransposeB() ? 0 : 1));
  if (!agree(k, k2))
    return emitOpError("contracts lhs dim of size ")
           << k << " with rhs dim of size " << k2;
  if (!agree(m, dim(getInit(), at)) || !agree(n, dim(getInit(), at + 1)))
    return emitOpError("init must be ")
           << m << "x" << n << " (rows of lhs by columns of rhs), got "
           << getInit().getType();
  if (getBias() && failed(verifyRank(*this, "bias", getBias(), 1)))
    return failure();
  if (getBias() && !agree(dim(getBias(), 0), n))
    return emitOpError("bias must have one element per column (")
           << n << "), got " << getBias().getType();
  return success();
}

void MatmulOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getKernelEffects(*this, getInitMutable(), getAccumulate(), effects);
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  if (failed(verifyForm(*this, getInit())) ||
      failed(verifyRank(*this, "input", getInput(), 4)) ||
      failed(verifyRank(*this, "weight", getWeight(), 4)) ||
      failed(verifyRank(*this, "init", getInit(), 4)) ||
      (getBias() && failed(verifyRank(*this, "bias", getBias(), 1))))
    return failure();
  ArrayRef<int64_t> strides = getStrides(), dilations = getDilations(),
                    pads = getPads();
  if (strides.size() != 2 ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }))
    return emitOpError("strides must be 2 positive values");
  if (dilations.size() != 2 ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return emitOpError("dilations must be 2 positive values");
  if (pads.size() != 4 || llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOpError("pads must be 4 non-negative values");
  int64_t groups = getGroups();
  int64_t o = dim(getWeight(), 0);
  if (groups < 1)
    return emitOpError("groups must be positive, got ") << groups;
  if (!ShapedType::isDynamic(o) && o % groups != 0)
    return emitOpError("weight's ")
           << o << " output channels do not divide into " << groups
           << " groups";
  int64_t c = dim(getInput(), 1), cg = dim(getWeight(), 1);
  if (!ShapedType::isDynamic(cg) && !agree(c, cg * groups))
    return emitOpError("input has ")
           << c << " channels, the weight expects " << cg * groups;
  if (getBias() && !agree(dim(getBias(), 0), o))
    return emitOpError("bias must have one value per output channel (")
           << o << "), got " << dim(getBias(), 0);
  if (!agree(dim(getInit(), 0), dim(getInput(), 0)) ||
      !agree(dim(getInit(), 1), o))
    return emitOpError("init's batch and channels must be ")
           << dim(getInput(), 0) << "x" << o;
  for (unsigned i = 0; i < 2; ++i) {
    int64_t in = dim(getInput(), 2 + i), k = dim(getWeight(), 2 + i);
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(k))
      continue;
    int64_t span = in + pads[i] + pads[2 + i] - dilations[i] * (k - 1) - 1;
    if (span < 0)
      return emitOpError("the kernel does not fit spatial dim ")
             << i << " of the padded input";
    int64_t out = span / strides[i] + 1;
    if (!agree(dim(getInit(), 2 + i), out))
      return emitOpError("init's spatial dim ")
             << i << " must be " << out << ", got " << dim(getInit(), 2 + i);
  }
  return success();
}

void Conv2DOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getKernelEffects(*this, getInitMutable(), getAccumulate(), effects);
}

//===----------------------------------------------------------------------===//
// BoxOp
//===----------------------------------------------------------------------===//

LogicalResult BoxOp::verify() {
  if (failed(verifyForm(*this, getInit())))
    return failure();
  ArrayRef<int64_t> mesh = getMesh();
  int64_t axis = getMeshAxis();
  if (mesh.empty() || mesh.size() > 2 ||
      llvm::any_of(mesh, [](int64_t n) { return n < 1; }))
    return emitOpError("needs a 1-D or 2-D mesh of positive sizes");
  if (axis < 0 || axis >= static_cast<int64_t>(mesh.size()))
    return emitOpError("mesh_axis ") << axis << " is not an axis of the mesh";
  auto in = cast<ShapedType>(getInput().getType());
  auto out = cast<ShapedType>(getInit().getType());
  if (in.getRank() != out.getRank())
    return emitOpError("converts between parts of one tensor: ranks ")
           << in.getRank() << " and " << out.getRank() << " differ";
  for (ArrayRef<int64_t> layout : {getFrom(), getTo()}) {
    if (layout.size() != 3 || layout[0] < 0 || layout[0] > 2 || layout[2] < 0 ||
        layout[2] > 2)
      return emitOpError("layouts are [kind (0 split, 1 broadcast, 2 "
                         "partial), dim, reduction (0 sum, 1 max, 2 min)]");
    if (layout[0] == 0 && (layout[1] < 0 || layout[1] >= in.getRank()))
      return emitOpError("splits dim ")
             << layout[1] << " of a rank-" << in.getRank() << " tensor";
  }
  if (in.getElementType() != out.getElementType())
    return emitOpError("input and init must have one element type, got ")
           << in.getElementType() << " and " << out.getElementType();
  Type element = in.getElementType();
  if ((getFrom()[0] == 2 || getTo()[0] == 2) &&
      (element.isF16() || element.isBF16() || element.isInteger(1)))
    return emitOpError("cannot reduce ")
           << element << " elements (partial layouts need f32, f64 or an "
           << "integer of 8 to 64 bits)";
  // The logical dims each side implies must agree: a dim one side splits
  // (and the other does not) holds a balanced part of the other side's.
  int64_t devices = mesh[axis];
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t a = in.getDimSize(d), b = out.getDimSize(d);
    if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
      continue;
    bool splitIn = getFrom()[0] == 0 && getFrom()[1] == d;
    bool splitOut = getTo()[0] == 0 && getTo()[1] == d;
    if (splitIn != splitOut) {
      int64_t part = splitIn ? a : b, whole = splitIn ? b : a;
      if (whole < devices || part < whole / devices ||
          part > (whole + devices - 1) / devices)
        return emitOpError("input and init are parts of different tensors: "
                           "dim ")
               << d << " of size " << part << " is not a part of " << whole
               << " split over " << devices << " devices";
    } else if (a != b) {
      return emitOpError("input and init are parts of different tensors: "
                         "dim ")
             << d << " is " << a << " and " << b;
    }
  }
  return success();
}

void BoxOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getKernelEffects(*this, getInitMutable(), false, effects);
}

//===----------------------------------------------------------------------===//
// MeshRankOp
//===----------------------------------------------------------------------===//

LogicalResult MeshRankOp::verify() {
  ArrayRef<int64_t> mesh = getMesh();
  if (mesh.empty() || mesh.size() > 2 ||
      llvm::any_of(mesh, [](int64_t n) { return n < 1; }))
    return emitOpError("needs a 1-D or 2-D mesh of positive sizes");
  return success();
}

//===----------------------------------------------------------------------===//
// WeightOp, WorkspaceOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  auto type = cast<MemRefType>(getResult().getType());
  if (!type.getLayout().isIdentity())
    return emitOpError("needs a row-major (identity layout) memref");
  if (getName().empty())
    return emitOpError("needs the name of a tensor of the weights file");
  auto index = static_cast<int64_t>(getIndex());
  if (index < 0)
    return emitOpError("needs a non-negative use index, got ") << index;
  if (static_cast<int64_t>(getOffsets().size()) != type.getRank())
    return emitOpError("has ") << getOffsets().size() << " offsets for a rank-"
                               << type.getRank() << " result";
  if (llvm::any_of(getOffsets(), [](int64_t v) { return v < 0; }))
    return emitOpError("needs non-negative offsets");
  return success();
}

LogicalResult
DeviceGlobalOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto global = symbolTable.lookupNearestSymbolFrom<memref::GlobalOp>(
      *this, getGlobalAttr());
  if (!global)
    return emitOpError("names ")
           << getGlobalAttr() << ", which is not a memref.global";
  if (!global.getConstant())
    return emitOpError("needs a constant global, and ")
           << getGlobalAttr() << " is not";
  if (global.getType() != getResult().getType())
    return emitOpError("has type ")
           << getResult().getType() << ", but " << getGlobalAttr() << " is "
           << global.getType();
  return success();
}

LogicalResult WorkspaceOp::verify() {
  auto type = cast<MemRefType>(getResult().getType());
  if (!type.hasStaticShape() || !type.getLayout().isIdentity())
    return emitOpError("needs a static, row-major memref of bytes");
  return success();
}

//===----------------------------------------------------------------------===//
// CheckOp
//===----------------------------------------------------------------------===//

int CheckOp::getKindCode() {
  return llvm::StringSwitch<int>(getKind())
      .Case("index", 1)
      .Case("shape", 2)
      .Case("size", 3)
      .Case("value", 4)
      .Default(0);
}

LogicalResult CheckOp::verify() {
  if (!getKindCode())
    return emitOpError("kind must be index, shape, size or value, not '")
           << getKind() << "'";
  if (getValues().size() > 2)
    return emitOpError("names at most two values ({0} and {1}), got ")
           << getValues().size();
  StringRef message = getMessage();
  if (message.empty())
    return emitOpError("needs a message");
  for (size_t i = message.find('{'); i != StringRef::npos;
       i = message.find('{', i + 1)) {
    unsigned index = message.size() > i + 2 && message[i + 2] == '}'
                         ? static_cast<unsigned>(message[i + 1] - '0')
                         : ~0u;
    if (index >= getValues().size())
      return emitOpError("message refers to a value it is not given: '")
             << message.substr(i, 3) << "'";
  }
  return success();
}

LogicalResult CheckOp::canonicalize(CheckOp op, PatternRewriter &rewriter) {
  if (!matchPattern(op.getCondition(), m_One()))
    return failure();
  rewriter.eraseOp(op);
  return success();
}
