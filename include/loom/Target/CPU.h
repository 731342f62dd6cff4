//===- CPU.h - Object files and artefacts for the host CPU ------*- C++ -*-===//
//
// Part of Loom. Turns a module in the LLVM dialect (the end of the `llvm`
// phase) into LLVM IR, an object file, and with the system linker an
// executable or a shared library linked against Loom's runtime. Everything
// up to the object file happens in process (llvm::TargetMachine).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_CPU_H
#define LOOM_TARGET_CPU_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class raw_pwrite_stream;
} // namespace llvm

namespace loom {

struct CPUTargetOptions {
  /// Empty: the host's triple.
  std::string triple;
  /// Empty: the host CPU (and its features); "generic" for portable code.
  std::string cpu;
  /// LLVM's optimisation level, 0 to 3.
  unsigned optLevel = 3;
  /// Instrument the generated code, after optimisation: AddressSanitizer
  /// (heap, stack and global accesses) and, for `undefined`, LLVM's bounds
  /// checks on accesses it can size (trapping). The artefact is then linked
  /// with -fsanitize of both.
  bool sanitizeAddress = false;
  bool sanitizeUndefined = false;
  /// The model runs on a GPU (or the emulated device): link the CUDA
  /// runtime (runtime/src/cuda/) rather than the kernel library.
  bool gpu = false;
};

/// Registers the dialect translations to LLVM IR with `registry`.
void registerCPUTranslations(mlir::DialectRegistry &registry);

/// The optimised LLVM IR of `module`; diagnostics go to the module's
/// context. Null on failure.
std::unique_ptr<llvm::Module>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  const CPUTargetOptions &options);

/// Writes `module` as an object file (position-independent, so that it can
/// go into an executable or a shared library).
mlir::LogicalResult emitObjectFile(llvm::Module &module,
                                   const CPUTargetOptions &options,
                                   llvm::raw_pwrite_stream &os,
                                   std::string &error);

enum class ArtefactKind { Executable, SharedLibrary };

/// Links `objectPath` into `outputPath` with the system's C++ compiler
/// driver (`c++`, or $LOOM_LINKER, with $LOOM_LINKER_FLAGS appended): an
/// executable gets Loom's runtime and its main(), a shared library only what
/// the model itself calls; a sanitized one the sanitizers' runtimes.
mlir::LogicalResult linkArtefact(llvm::StringRef objectPath,
                                 llvm::StringRef outputPath, ArtefactKind kind,
                                 const CPUTargetOptions &options,
                                 std::string &error);

/// Writes the C header declaring a shared library's entry points.
mlir::LogicalResult writeLibraryHeader(llvm::StringRef headerPath,
                                       llvm::StringRef libraryName,
                                       llvm::StringRef signature,
                                       std::string &error);

} // namespace loom

#endif // LOOM_TARGET_CPU_H
