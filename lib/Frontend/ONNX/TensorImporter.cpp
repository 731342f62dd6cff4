//===- TensorImporter.cpp - ONNX tensors, element types and input shapes --===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "dialects/graph/IR/GraphDialect.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <cstring>
#include <memory>

using namespace mlir;

namespace loom::onnx {

using ::onnx::TensorProto;
using ::onnx::TensorProto_DataType;

Type getElementTypeForCode(MLIRContext *context, int32_t code) {
  Builder b(context);
  switch (code) {
  case TensorProto::FLOAT:
    return b.getF32Type();
  case TensorProto::DOUBLE:
    return b.getF64Type();
  case TensorProto::FLOAT16:
    return b.getF16Type();
  case TensorProto::BFLOAT16:
    return b.getBF16Type();
  case TensorProto::INT8:
    return b.getIntegerType(8);
  case TensorProto::INT16:
    return b.getIntegerType(16);
  case TensorProto::INT32:
    return b.getIntegerType(32);
  case TensorProto::INT64:
    return b.getIntegerType(64);
  case TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  case TensorProto::BOOL:
    return b.getI1Type();
  case TensorProto::STRING:
    return graph::StringType::get(context);
  default:
    return nullptr;
  }
}

bool isImportableType(MLIRContext *context, const ::onnx::TypeProto &type) {
  if (type.has_tensor_type())
    return getElementTypeForCode(context, type.tensor_type().elem_type()) !=
           nullptr;
  if (type.has_sequence_type())
    return type.sequence_type().elem_type().has_tensor_type() &&
           isImportableType(context, type.sequence_type().elem_type());
  if (type.has_optional_type())
    return isImportableType(context, type.optional_type().elem_type());
  return false;
}

/// Bytes per element in ONNX's raw data (and in Loom's blobs): one per bool.
static int64_t getElementBytes(Type type) {
  return std::max<int64_t>(1, type.getIntOrFloatBitWidth() / 8);
}

/// Wraps `size` bytes at `data` as a constant of `type`: a `dense` attribute
/// when small, else a resource blob that takes ownership through `keepAlive`
/// without copying, unless `data` is misaligned for the element type.
static ElementsAttr makeElements(RankedTensorType type, StringRef name,
                                 const char *data, size_t size,
                                 std::shared_ptr<void> keepAlive) {
  Type elementType = type.getElementType();
  if (type.getNumElements() <= kInlineElements) {
    if (elementType.isInteger(1)) {
      SmallVector<bool> bools;
      for (size_t i = 0; i < size; ++i)
        bools.push_back(data[i] != 0);
      return DenseElementsAttr::get(type, bools);
    }
    return DenseElementsAttr::getFromRawBuffer(type,
                                               ArrayRef<char>(data, size));
  }
  size_t align = getElementBytes(elementType);
  AsmResourceBlob blob =
      reinterpret_cast<uintptr_t>(data) % align == 0
          ? UnmanagedAsmResourceBlob::allocateWithAlign(
                ArrayRef<char>(data, size), align,
                [keepAlive = std::move(keepAlive)](
                    void *, size_t, size_t) mutable { keepAlive.reset(); })
          : HeapAsmResourceBlob::allocateAndCopyWithAlign(
                ArrayRef<char>(data, size), align);
  return DenseResourceElementsAttr::get(type, name.empty() ? "tensor" : name,
                                        std::move(blob));
}

/// Appends the little-endian bytes of `count` values of `T` to `out`.
template <typename T, typename Range>
static void appendAs(std::string &out, const Range &values) {
  for (auto value : values) {
    T narrowed = static_cast<T>(value);
    out.append(reinterpret_cast<const char *>(&narrowed), sizeof(T));
  }
}

/// The typed-field payload of `tensor` as raw little-endian bytes, and the
/// number of values it held, or std::nullopt for an unsupported type.
static std::optional<std::pair<std::string, int64_t>>
getTypedBytes(const TensorProto &tensor) {
  std::string bytes;
  switch (tensor.data_type()) {
  case TensorProto::FLOAT:
    appendAs<float>(bytes, tensor.float_data());
    return std::make_pair(bytes, (int64_t)tensor.float_data_size());
  case TensorProto::DOUBLE:
    appendAs<double>(bytes, tensor.double_data());
    return std::make_pair(bytes, (int64_t)tensor.double_data_size());
  case TensorProto::INT64:
    appendAs<int64_t>(bytes, tensor.int64_data());
    return std::make_pair(bytes, (int64_t)tensor.int64_data_size());
  case TensorProto::UINT32:
    appendAs<uint32_t>(bytes, tensor.uint64_data());
    return std::make_pair(bytes, (int64_t)tensor.uint64_data_size());
  case TensorProto::UINT64:
    appendAs<uint64_t>(bytes, tensor.uint64_data());
    return std::make_pair(bytes, (int64_t)tensor.uint64_data_size());
  case TensorProto::INT32:
    appendAs<int32_t>(bytes, tensor.int32_data());
    break;
  case TensorProto::INT16:
    appendAs<int16_t>(bytes, tensor.int32_data());
    break;
  case TensorProto::UINT16:
  case TensorProto::FLOAT16:
  case TensorProto::BFLOAT16:
    // 16-bit floats travel as their bit patterns in the low half.
    appendAs<uint16_t>(bytes, tensor.int32_data());
    break;
  case TensorProto::INT8:
    appendAs<int8_t>(bytes, tensor.int32_data());
    break;
  case TensorProto::UINT8:
  case TensorProto::BOOL:
    appendAs<uint8_t>(bytes, tensor.int32_data());
    break;
  default:
    return std::nullopt;
  }
  return std::make_pair(bytes, (int64_t)tensor.int32_data_size());
}

/// String tensors hold their values in `string_data` only; they become
/// `dense` string attributes (never resource blobs).
static FailureOr<ElementsAttr>
importStringTensor(ModelImporter &model, const TensorProto &tensor,
                   RankedTensorType type, int64_t count, StringRef what) {
  if (tensor.data_location() == TensorProto::EXTERNAL ||
      tensor.has_raw_data()) {
    model.emitError() << what
                      << " is a string tensor with raw or external data; "
                         "ONNX keeps strings in string_data";
    return failure();
  }
  if (tensor.string_data_size() != count) {
    model.emitError() << what << " holds " << tensor.string_data_size()
                      << " strings but " << type << " has " << count
                      << " elements";
    return failure();
  }
  SmallVector<StringRef> values(tensor.string_data().begin(),
                                tensor.string_data().end());
  return ElementsAttr(DenseStringElementsAttr::get(type, values));
}

FailureOr<ElementsAttr> ModelImporter::importTensor(TensorProto &tensor,
                                                    StringRef what) {
  FailureOr<Type> elementType = importElementType(tensor.data_type(), what);
  if (failed(elementType))
    return failure();
  SmallVector<int64_t> dims;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0 || (dim > 0 && count > INT64_MAX / dim)) {
      emitError() << what << " has an invalid shape (dim " << dim << ")";
      return failure();
    }
    dims.push_back(dim);
    count *= dim;
  }
  auto type = RankedTensorType::get(dims, *elementType);
  if (isa<graph::StringType>(*elementType))
    return importStringTensor(*this, tensor, type, count, what);
  int64_t elementBytes = getElementBytes(*elementType);
  if (count > INT64_MAX / elementBytes) {
    emitError() << what << " is too large";
    return failure();
  }
  int64_t expected = count * elementBytes;

  if (tensor.has_segment()) {
    emitError() << what
                << " is a segment of a larger tensor, which Loom "
                   "does not import";
    return failure();
  }
  if (tensor.data_location() == TensorProto::EXTERNAL)
    return importExternalTensor(tensor, type, what);
  if (tensor.has_raw_data()) {
    if (static_cast<int64_t>(tensor.raw_data().size()) != expected) {
      emitError() << what << " has " << tensor.raw_data().size()
                  << " bytes of raw data but " << type << " needs " << expected;
      return failure();
    }
    // Move the bytes out of the protobuf: the blob owns them from now on.
    std::shared_ptr<std::string> raw(tensor.release_raw_data());
    return makeElements(type, tensor.name(), raw->data(), raw->size(), raw);
  }
  auto typed = getTypedBytes(tensor);
  if (!typed) {
    emitError() << what << " holds data of a type Loom does not import";
    return failure();
  }
  if (typed->second != count) {
    emitError() << what << " holds " << typed->second << " values but " << type
                << " has " << count << " elements";
    return failure();
  }
  auto bytes = std::make_shared<std::string>(std::move(typed->first));
  return makeElements(type, tensor.name(), bytes->data(), bytes->size(), bytes);
}

FailureOr<ElementsAttr> ModelImporter::importExternalTensor(TensorProto &tensor,
                                                            ShapedType type,
                                                            StringRef what) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const ::onnx::StringStringEntryProto &entry : tensor.external_data()) {
    StringRef key = entry.key(), value = entry.value();
    if (key == "location") {
      location = entry.value();
    } else if (key == "offset" || key == "length") {
      int64_t parsed;
      if (value.getAsInteger(10, parsed) || parsed < 0) {
        emitError() << what << " has an invalid external-data " << key << " '"
                    << value << "'";
        return failure();
      }
      (key == "offset" ? offset : length) = parsed;
    }
  }
  if (location.empty()) {
    emitError() << what << " is external but names no location";
    return failure();
  }
  // ONNX keeps external data beside the model; paths may not leave it.
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         "..")) {
    emitError() << what << ": external data path '" << location
                << "' leaves the model's directory";
    return failure();
  }
  int64_t expected =
      type.getNumElements() * getElementBytes(type.getElementType());
  if (length >= 0 && length != expected) {
    emitError() << what << " has " << length << " bytes of external data but "
                << type << " needs " << expected;
    return failure();
  }
  SmallString<256> path(baseDir);
  llvm::sys::path::append(path, location);
  // Mapping past the end of the file would fault on first touch.
  uint64_t fileSize = 0;
  if (std::error_code ec = llvm::sys::fs::file_size(path, fileSize)) {
    emitError() << what << ": cannot read external data file '" << path
                << "': " << ec.message();
    return failure();
  }
  if (static_cast<uint64_t>(offset) + expected > fileSize) {
    emitError() << what << ": external data file '" << path
                << "' ends before the tensor does (" << fileSize
                << " bytes, the tensor needs " << expected << " at offset "
                << offset << ")";
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, expected, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer) {
    emitError() << what << ": cannot read " << expected << " bytes at offset "
                << offset << " of external data file '" << path
                << "': " << buffer.getError().message();
    return failure();
  }
  std::shared_ptr<llvm::MemoryBuffer> mapped = std::move(*buffer);
  return makeElements(cast<RankedTensorType>(type), tensor.name(),
                      mapped->getBufferStart(), mapped->getBufferSize(),
                      mapped);
}

//===----------------------------------------------------------------------===//
// Input shapes (--input-shape)
//===----------------------------------------------------------------------===//

LogicalResult ModelImporter::bindSymbols(const ::onnx::GraphProto &graph) {
  for (const auto &entry : options.inputShapes) {
    StringRef name = entry.getKey();
    ArrayRef<int64_t> given = entry.getValue();
    const ::onnx::ValueInfoProto *input = nullptr;
    for (const ::onnx::ValueInfoProto &candidate : graph.input())
      if (candidate.name() == name)
        input = &candidate;
    if (!input) {
      InFlightDiagnostic diag = emitError();
      diag << "--input-shape names '" << name
           << "', which is not a graph input (inputs:";
      for (const ::onnx::ValueInfoProto &candidate : graph.input())
        diag << " '" << candidate.name() << "'";
      diag << ")";
      return failure();
    }
    if (!input->type().has_tensor_type() ||
        !input->type().tensor_type().has_shape())
      continue;
    const auto &dims = input->type().tensor_type().shape().dim();
    if (dims.size() != static_cast<int>(given.size())) {
      emitError() << "--input-shape gives input '" << name << "' "
                  << given.size() << " dims but the model declares "
                  << dims.size();
      return failure();
    }
    for (auto [index, dim] : llvm::enumerate(dims)) {
      int64_t size = given[index];
      if (ShapedType::isDynamic(size))
        continue;
      if (dim.has_dim_value() && dim.dim_value() != size) {
        emitError() << "--input-shape gives dim " << index << " of input '"
                    << name << "' as " << size << " but the model fixes it at "
                    << dim.dim_value();
        return failure();
      }
      if (!dim.has_dim_param() || dim.dim_param().empty())
        continue;
      auto [it, inserted] = symbolSizes.try_emplace(dim.dim_param(), size);
      if (!inserted && it->second != size) {
        emitError() << "--input-shape gives symbolic dim '" << dim.dim_param()
                    << "' two sizes: " << it->second << " and " << size;
        return failure();
      }
    }
  }
  return success();
}

FailureOr<Type> ModelImporter::applyInputShape(StringRef name, Type type) {
  auto it = options.inputShapes.find(name);
  if (it == options.inputShapes.end())
    return type;
  auto tensor = dyn_cast<TensorType>(type);
  if (!tensor) {
    emitError() << "--input-shape names input '" << name << "' of type " << type
                << ", which is not a tensor";
    return failure();
  }
  SmallVector<int64_t> dims(it->second);
  if (auto ranked = dyn_cast<RankedTensorType>(tensor))
    for (auto [dim, declared] : llvm::zip_equal(dims, ranked.getShape()))
      if (ShapedType::isDynamic(dim))
        dim = declared;
  return Type(RankedTensorType::get(dims, tensor.getElementType()));
}

DictionaryAttr ModelImporter::getNameAttrs(StringRef name,
                                           ArrayRef<std::string> dimNames) {
  Builder b(context);
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("graph.name", b.getStringAttr(name))};
  if (llvm::any_of(dimNames, [](const std::string &n) { return !n.empty(); })) {
    SmallVector<Attribute> names;
    for (const std::string &n : dimNames)
      names.push_back(b.getStringAttr(n));
    attrs.push_back(b.getNamedAttr("graph.dim_names", b.getArrayAttr(names)));
  }
  return b.getDictionaryAttr(attrs);
}

} // namespace loom::onnx
