//===- ONNXImportFuzzer.cpp - libFuzzer target for the ONNX importer ------===//
//
// Part of Loom. Feeds arbitrary bytes to the importer as a serialized model:
// it must report an error or import, never crash, hang or leak. Build it with
// scripts/fuzz.sh (clang, ASan and UBSan) and seed it with test/fuzz/corpus.
//
//===----------------------------------------------------------------------===//

#include "loom/Frontend/ONNX/ONNXImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    // What the importer creates (and their dependent dialects): the
    // fuzzer then builds without the rest of the compiler.
    auto *r = new mlir::DialectRegistry();
    loom::onnx::registerImportDialects(*r);
    return r;
  }();
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  // External data would read files: the fuzzer's directory has none named
  // like the inputs it makes up, so those fail cleanly.
  (void)loom::onnx::importONNXBuffer(bytes, "fuzz.onnx", "/nonexistent",
                                     &context, {});
  return 0;
}
