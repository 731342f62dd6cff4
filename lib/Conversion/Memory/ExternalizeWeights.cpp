//===- ExternalizeWeights.cpp - Constant buffers to the weights file ------===//
//
// Part of Loom. See loom-externalize-weights in Passes.td; the file format
// in docs/weights.md and the signature's lines in docs/runtime-abi.md:
//
//   weights <file>
//   tensor <name> <dtype> <rank> <dim>... <checksum>
//   use <index> <name> <offset>... <size>...
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Conversion/RuntimeSites.h"
#include "loom/Conversion/WeightsFile.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <map>

namespace loom {
#define GEN_PASS_DEF_EXTERNALIZEWEIGHTSPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

/// Bytes per element as the file stores them (bools: one byte each).
int64_t getElementBytes(Type type) {
  return std::max<int64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
}

bool isZeroSplat(ElementsAttr value) {
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense || !dense.isSplat())
    return false;
  if (auto f = dyn_cast<DenseFPElementsAttr>(dense))
    return f.getSplatValue<APFloat>().isPosZero();
  if (auto i = dyn_cast<DenseIntElementsAttr>(dense))
    return i.getSplatValue<APInt>().isZero();
  return false;
}

/// The bytes of `value`, row-major, one or more whole bytes per element:
/// a view of a resource blob, or a copy of inline data in `storage`.
std::optional<ArrayRef<char>> getBytes(ElementsAttr value,
                                       std::vector<char> &storage) {
  auto type = cast<ShapedType>(value.getType());
  int64_t bytes = getElementBytes(type.getElementType());
  size_t total = type.getNumElements() * bytes;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != total)
      return std::nullopt;
    return blob->getData();
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return std::nullopt;
  storage.resize(total);
  if (type.getElementType().isInteger(1)) {
    size_t i = 0;
    for (bool v : dense.getValues<bool>())
      storage[i++] = v;
    return ArrayRef<char>(storage);
  }
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    for (size_t i = 0; i < total; i += bytes)
      std::memcpy(storage.data() + i, raw.data(), bytes);
    return ArrayRef<char>(storage);
  }
  if (raw.size() != total)
    return std::nullopt;
  return raw;
}

struct ExternalizeWeightsPass
    : loom::impl::ExternalizeWeightsPassBase<ExternalizeWeightsPass> {
  using ExternalizeWeightsPassBase::ExternalizeWeightsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto parts = module->getAttrOfType<DictionaryAttr>("loom.weight_parts");
    auto &blobs =
        DenseResourceElementsHandle::getManagerInterface(ctx).getBlobManager();

    std::vector<WeightTensor> tensors;
    std::map<std::string, size_t> tensorIndex;
    // Inline data copied out of attributes, alive until the file is written.
    std::vector<std::unique_ptr<std::vector<char>>> storage;
    struct Use {
      std::string tensor;
      SmallVector<int64_t> offsets, sizes;
    };
    std::vector<Use> uses;
    std::map<std::string, int64_t> useOfGlobal;

    // Adds a tensor under `name`, or returns the name it already has; a
    // name taken by other data gets the data's hash appended.
    auto addTensor = [&](StringRef wanted, RankedTensorType type,
                         ArrayRef<char> data) -> std::string {
      std::string name = wanted.str();
      if (auto it = tensorIndex.find(name); it != tensorIndex.end()) {
        const WeightTensor &known = tensors[it->second];
        if (known.data.data() == data.data() &&
            known.data.size() == data.size() &&
            known.dtype == getDTypeCode(type.getElementType()) &&
            llvm::equal(known.shape, type.getShape()))
          return name;
        name += "." + llvm::utohexstr(
                          llvm::xxh3_64bits(ArrayRef<uint8_t>(
                              reinterpret_cast<const uint8_t *>(data.data()),
                              data.size())),
                          true, 16);
        if (tensorIndex.count(name))
          return name;
      }
      tensorIndex[name] = tensors.size();
      WeightTensor t;
      t.name = name;
      t.dtype = getDTypeCode(type.getElementType());
      t.shape.assign(type.getShape().begin(), type.getShape().end());
      t.elementBytes = getElementBytes(type.getElementType());
      t.data = data;
      tensors.push_back(std::move(t));
      return name;
    };

    SmallVector<memref::GlobalOp> externalized;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      if (!global.getConstant())
        continue;
      auto value = dyn_cast_or_null<ElementsAttr>(global.getInitialValueAttr());
      auto type = dyn_cast<MemRefType>(global.getType());
      if (!value || !type || !type.hasStaticShape() ||
          !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrFloat() ||
          !getDTypeCode(type.getElementType()) || isZeroSplat(value))
        continue;
      auto resource = dyn_cast<DenseResourceElementsAttr>(value);
      DictionaryAttr part =
          resource && parts
              ? parts.getAs<DictionaryAttr>(resource.getRawHandle().getKey())
              : DictionaryAttr();
      // A part goes by its whole's size, so that the file does not depend
      // on the mesh.
      auto whole = part ? part.getAs<TypeAttr>("type") : TypeAttr();
      auto sized =
          whole ? cast<ShapedType>(whole.getValue()) : cast<ShapedType>(type);
      int64_t bytes =
          sized.getNumElements() * getElementBytes(type.getElementType());
      if (bytes < minBytes)
        continue;
      auto tensorType =
          RankedTensorType::get(type.getShape(), type.getElementType());
      Use use;
      use.sizes.assign(type.getShape().begin(), type.getShape().end());
      use.offsets.assign(type.getRank(), 0);
      if (part) {
        // A rank's box of a whole weight: the file holds the whole.
        auto source = part.getAs<StringAttr>("source");
        auto offsets = part.getAs<DenseI64ArrayAttr>("offsets");
        auto *entry = source ? blobs.lookup(source.getValue()) : nullptr;
        auto wholeType =
            whole ? dyn_cast<RankedTensorType>(whole.getValue()) : nullptr;
        if (!entry || !entry->getBlob() || !wholeType || !offsets ||
            wholeType.getElementType() != type.getElementType()) {
          global.emitError("is recorded as part of weight '")
              << (source ? source.getValue() : StringRef())
              << "', which is gone or has another element type";
          return signalPassFailure();
        }
        use.tensor = addTensor(source.getValue(), wholeType,
                               entry->getBlob()->getData());
        use.offsets.assign(offsets.asArrayRef().begin(),
                           offsets.asArrayRef().end());
      } else {
        storage.push_back(std::make_unique<std::vector<char>>());
        std::optional<ArrayRef<char>> data = getBytes(value, *storage.back());
        if (!data)
          continue;
        // Inline constants keep the initializer's name where the global
        // carries it (its location), else are named by their contents:
        // neither depends on how the module was lowered.
        std::string name;
        if (resource) {
          name = resource.getRawHandle().getKey().str();
        } else if (auto loc = dyn_cast<NameLoc>(global.getLoc());
                   loc && !isa<NameLoc>(loc.getChildLoc()) &&
                   !tensorIndex.count(loc.getName().str())) {
          name = loc.getName().str();
        } else {
          name = "constant." +
                 llvm::utohexstr(
                     llvm::xxh3_64bits(ArrayRef<uint8_t>(
                         reinterpret_cast<const uint8_t *>(data->data()),
                         data->size())),
                     true, 16);
        }
        use.tensor = addTensor(name, tensorType, *data);
      }
      useOfGlobal[global.getSymName().str()] = uses.size();
      uses.push_back(std::move(use));
      externalized.push_back(global);
    }
    if (externalized.empty())
      return;

    // Every get_global of an externalized global becomes a kernel.weight.
    SmallVector<memref::GetGlobalOp> reads;
    module.walk([&](memref::GetGlobalOp read) {
      if (useOfGlobal.count(read.getName().str()))
        reads.push_back(read);
    });
    OpBuilder b(ctx);
    for (memref::GetGlobalOp read : reads) {
      int64_t index = useOfGlobal[read.getName().str()];
      auto create = [&](Operation *before) {
        b.setInsertionPoint(before);
        return kernel::WeightOp::create(b, read.getLoc(), read.getType(),
                                        uses[index].tensor, index,
                                        uses[index].offsets)
            .getResult();
      };
      // A user in a nested region (a rank's case of an index_switch over
      // its parts) gets its own, so that only the ranks that run it map
      // the part; users beside the read share one.
      Value here;
      for (OpOperand &use : llvm::make_early_inc_range(read->getUses())) {
        Operation *user = use.getOwner();
        if (user->getBlock() == read->getBlock()) {
          if (!here)
            here = create(read);
          use.set(here);
        } else {
          use.set(create(user));
        }
      }
      read.erase();
    }
    for (memref::GlobalOp global : externalized)
      global.erase();
    module->removeAttr("loom.weight_parts");

    // The signature names the file and every tensor and use.
    std::string fileName = file.empty() ? std::string("weights.safetensors")
                                        : llvm::sys::path::filename(file).str();
    std::string text = "weights " + escapeSignatureName(fileName) + "\n";
    for (const WeightTensor &t : tensors) {
      text += "tensor " + escapeSignatureName(t.name) + " " +
              std::to_string(t.dtype) + " " + std::to_string(t.shape.size());
      for (int64_t d : t.shape)
        text += " " + std::to_string(d);
      text += " " +
              llvm::utohexstr(getWeightChecksum(t.name, t.dtype, t.shape), true,
                              16) +
              "\n";
    }
    for (auto [index, use] : llvm::enumerate(uses)) {
      text += "use " + std::to_string(index) + " " +
              escapeSignatureName(use.tensor);
      for (int64_t v : use.offsets)
        text += " " + std::to_string(v);
      for (int64_t v : use.sizes)
        text += " " + std::to_string(v);
      text += "\n";
    }
    if (auto signature = module->getAttrOfType<StringAttr>("loom.signature"))
      module->setAttr("loom.signature",
                      StringAttr::get(ctx, signature.str() + text));
    if (!file.empty()) {
      std::string error;
      if (failed(writeWeightsFile(file, tensors, error))) {
        module.emitError("cannot write the weights file ")
            << file << ": " << error;
        return signalPassFailure();
      }
    }
  }
};

} // namespace
