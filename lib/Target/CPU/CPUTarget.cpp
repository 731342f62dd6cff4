//===- CPUTarget.cpp - LLVM IR, object files and linking ------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/CPU.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"
#include "llvm/Transforms/Instrumentation/BoundsChecking.h"

#include <cstdlib>

using namespace mlir;

/// The model ABI loom-emit-host-entry implements (LOOM_ABI_VERSION in the
/// runtime's loom/abi.h; the signature's first line says it too).
static constexpr int LOOM_MODEL_ABI_VERSION = 2;

namespace loom {

void registerCPUTranslations(DialectRegistry &registry) {
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  // The CUDA target's host module embeds its kernels (gpu.binary) and
  // launches them (gpu.launch_func).
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
}

/// A target machine for `options`, or null with `error` set.
static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CPUTargetOptions &options, std::string &error) {
  static const bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;
  std::string tripleName = options.triple.empty()
                               ? llvm::sys::getDefaultTargetTriple()
                               : options.triple;
  llvm::Triple triple(tripleName);
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu, features;
  if (cpu.empty() && options.triple.empty()) {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures subtarget;
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      subtarget.AddFeature(name, enabled);
    features = subtarget.getString();
  }
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu.empty() ? "generic" : cpu, features, targetOptions,
      llvm::Reloc::PIC_, std::nullopt,
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                              : llvm::CodeGenOptLevel::Default));
  if (!machine)
    error = "cannot create a target machine for " + tripleName;
  return machine;
}

/// Instruments the optimised `module` as clang does at the end of its
/// pipeline for -fsanitize=address (and, for `undefined`, the bounds checks
/// of -fsanitize=local-bounds, trapping: no UBSan handler is needed).
static void instrument(llvm::Module &module, const CPUTargetOptions &options,
                       llvm::TargetMachine *machine) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  if (options.sanitizeUndefined) {
    llvm::FunctionPassManager fpm;
    fpm.addPass(llvm::BoundsCheckingPass(llvm::BoundsCheckingPass::Options()));
    mpm.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(fpm)));
  }
  if (options.sanitizeAddress) {
    // ASan instruments only the functions that ask for it.
    for (llvm::Function &function : module)
      if (!function.isDeclaration())
        function.addFnAttr(llvm::Attribute::SanitizeAddress);
    mpm.addPass(llvm::AddressSanitizerPass(llvm::AddressSanitizerOptions()));
  }
  mpm.run(module, mam);
}

std::unique_ptr<llvm::Module>
translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                  const CPUTargetOptions &options) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "loom_model");
  if (!llvmModule)
    return nullptr;
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine) {
    module.emitError(error);
    return nullptr;
  }
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple());
  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                            machine.get());
  if (llvm::Error err = optimize(llvmModule.get())) {
    module.emitError("LLVM optimisation failed: ")
        << llvm::toString(std::move(err));
    return nullptr;
  }
  if (options.sanitizeAddress || options.sanitizeUndefined)
    instrument(*llvmModule, options, machine.get());
  return llvmModule;
}

LogicalResult emitObjectFile(llvm::Module &module,
                             const CPUTargetOptions &options,
                             llvm::raw_pwrite_stream &os, std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(options, error);
  if (!machine)
    return failure();
  llvm::legacy::PassManager pm;
  if (machine->addPassesToEmitFile(pm, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  pm.run(module);
  return success();
}

/// The directory holding Loom's runtime libraries: beside the running
/// loomc's bin/ directory, in lib/.
static std::string getRuntimeLibraryDir() {
  std::string self = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&getRuntimeLibraryDir));
  llvm::SmallString<256> dir(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(self)));
  llvm::sys::path::append(dir, "lib");
  return std::string(dir);
}

LogicalResult linkArtefact(llvm::StringRef objectPath,
                           llvm::StringRef outputPath, ArtefactKind kind,
                           const CPUTargetOptions &options,
                           std::string &error) {
  const char *override = std::getenv("LOOM_LINKER");
  std::string linkerName = override && *override ? override : "c++";
  llvm::ErrorOr<std::string> linker = llvm::sys::findProgramByName(linkerName);
  if (!linker) {
    error = "cannot find the system linker driver '" + linkerName +
            "' (set LOOM_LINKER)";
    return failure();
  }
  std::string runtimeDir = getRuntimeLibraryDir();
  std::vector<std::string> args = {*linker, "-o", outputPath.str(),
                                   objectPath.str()};
  args.push_back("-L" + runtimeDir);
  // Collectives (kernel.box) only when the model was partitioned over a
  // mesh; Gloo is then needed too.
  args.push_back("-lLoomCollectives");
  if (kind == ArtefactKind::SharedLibrary) {
    args.push_back("-shared");
  } else {
    args.push_back("-lLoomRuntimeMain");
    args.push_back("-lLoomRuntime");
  }
  // The kernel functions (and oneDNN, OpenMP) only when the model calls
  // them: the archive contributes nothing otherwise, and --as-needed drops
  // the shared libraries.
  // A GPU model's runtime dlopens the driver and its libraries: it needs
  // nothing beyond libc, libdl, libpthread and libstdc++ to start.
  // Its device API too when no kernel refers to the runtime (a model that
  // only copies): the host side opens the device through it.
  if (options.gpu) {
    args.push_back("-Wl,--undefined=loom_model_device_api");
    args.push_back("-lLoomCuda");
    // Its boxing (NCCL) joins the job through the collectives' rendezvous.
    args.push_back("-lLoomCollectives");
  }
  for (const char *arg :
       {"-lLoomKernels", "-Wl,--push-state,--as-needed", "-ldnnl", "-lgomp",
        "-lgloo", "-Wl,--pop-state", "-ldl"})
    args.push_back(arg);
  args.push_back("-lm");
  if (options.sanitizeAddress || options.sanitizeUndefined) {
    std::string flag = "-fsanitize=";
    if (options.sanitizeAddress)
      flag += "address";
    if (options.sanitizeUndefined)
      flag += options.sanitizeAddress ? ",undefined" : "undefined";
    args.push_back(flag);
  }
  // Extra flags, e.g. -fsanitize=address when the runtime is instrumented.
  if (const char *extra = std::getenv("LOOM_LINKER_FLAGS")) {
    llvm::SmallVector<llvm::StringRef> flags;
    llvm::StringRef(extra).split(flags, ' ', -1, false);
    for (llvm::StringRef flag : flags)
      args.push_back(flag.str());
  }
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*linker, argRefs, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0) {
    error = "linking failed (" + linkerName + " exited with " +
            std::to_string(rc) + (message.empty() ? "" : ": " + message) +
            "); command:";
    for (const std::string &arg : args)
      error += " " + arg;
    return failure();
  }
  return success();
}

LogicalResult writeLibraryHeader(llvm::StringRef headerPath,
                                 llvm::StringRef libraryName,
                                 llvm::StringRef signature,
                                 std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(headerPath, ec);
  if (ec) {
    error = "cannot write " + headerPath.str() + ": " + ec.message();
    return failure();
  }
  os << "/* " << libraryName << ": a model compiled by loomc.\n"
     << " *\n"
     << " * Load it with loom_model_open() from <loom/runtime.h> and run it\n"
     << " * with loom_model_run(); see docs/runtime-abi.md. Its interface:\n"
     << " *\n";
  llvm::SmallVector<llvm::StringRef> lines;
  signature.split(lines, '\n', -1, false);
  for (llvm::StringRef line : lines)
    os << " *   " << line << "\n";
  os << " */\n\n"
     << "#ifndef LOOM_MODEL_ENTRY_POINTS\n#define LOOM_MODEL_ENTRY_POINTS\n\n"
     << "#include <loom/abi.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* The interface above, as text (parsed by the runtime). */\n"
     << "extern const char loom_model_signature[];\n"
     << "/* Model ABI " << LOOM_MODEL_ABI_VERSION
     << " (loom/abi.h): inputs[i] and outputs[i] point to MLIR ranked\n"
     << " * memref descriptors; on success outputs are filled with buffers\n"
     << " * the caller must free(); on failure a loom_status is returned and\n"
     << " * context->error says why. */\n"
     << "int32_t loom_model_entry(loom_run_context *context, void **inputs,\n"
     << "                         void **outputs);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return success();
}

} // namespace loom
