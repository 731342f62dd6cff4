//===- Serialize.cpp - Kernels for the GPU and the emulated device --------===//
//
// Part of Loom. See loom-gpu-serialize in Passes.td and the container's
// layout in loom/Conversion/GpuSerialization.h.
//
//===----------------------------------------------------------------------===//

#include "Origin.h"
#include "loom/Conversion/GpuSerialization.h"
#include "loom/Conversion/Passes.h"
#include "loom/Support/Refusal.h"
#include "loom/Target/CPU.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <deque>

namespace loom {
#define GEN_PASS_DEF_GPUSERIALIZEPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace loom {

unsigned parseGpuArch(llvm::StringRef arch) {
  unsigned number = 0;
  if (!arch.consume_front("sm_") || arch.consumeInteger(10, number) ||
      (!arch.empty() && arch != "a" && arch != "f"))
    return 0;
  return number;
}

std::string writeGpuContainer(llvm::ArrayRef<GpuContainerEntry> entries) {
  std::string out = "LOOMGPU1";
  auto put32 = [&](uint32_t v) { out.append(reinterpret_cast<char *>(&v), 4); };
  auto put64 = [&](uint64_t v) { out.append(reinterpret_cast<char *>(&v), 8); };
  put32(entries.size());
  put32(0);
  uint64_t offset = 16 + 24 * entries.size();
  for (const GpuContainerEntry &entry : entries) {
    offset = (offset + 15) & ~uint64_t(15);
    put32(entry.kind);
    put32(entry.arch);
    put64(offset);
    put64(entry.bytes.size());
    offset += entry.bytes.size();
  }
  for (const GpuContainerEntry &entry : entries) {
    out.resize((out.size() + 15) & ~size_t(15), '\0');
    out += entry.bytes;
  }
  return out;
}

llvm::SmallVector<std::string> getKernelMathApproximations() {
  return {"tanh",  "exp",  "expm1", "erf",  "log",   "log2",  "log1p", "atan",
          "atan2", "sin",  "cos",   "asin", "acos",  "cbrt",  "powf",  "fpowi",
          "exp2",  "sinh", "cosh",  "tan",  "asinh", "acosh", "atanh", "rsqrt"};
}

} // namespace loom

namespace {

/// The PTX ISA version for `arch`: 8.0 up to sm_90, then what the
/// architecture first appeared in.
std::string getPtxFeature(unsigned arch) {
  unsigned version = arch >= 120 ? 87 : arch >= 100 ? 86 : 80;
  return "+ptx" + std::to_string(version);
}

/// A temporary file's path, removed when this goes.
struct TempFile {
  llvm::SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
  LogicalResult create(StringRef prefix, StringRef suffix) {
    int fd;
    if (llvm::sys::fs::createTemporaryFile(prefix, suffix, fd, path))
      return failure();
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    return success();
  }
  LogicalResult write(StringRef bytes) {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return failure();
    os << bytes;
    return success();
  }
  FailureOr<std::string> read() const {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
    if (!buffer)
      return failure();
    return (*buffer)->getBuffer().str();
  }
};

LogicalResult runTool(Operation *op, StringRef program,
                      ArrayRef<std::string> args) {
  std::vector<StringRef> refs = {program};
  for (const std::string &arg : args)
    refs.push_back(arg);
  std::string message;
  TempFile log;
  if (failed(log.create("loom-gpu-tool", "log")))
    return op->emitError("cannot create a temporary file");
  std::optional<StringRef> redirects[] = {std::nullopt, log.path.str(),
                                          log.path.str()};
  int rc = llvm::sys::ExecuteAndWait(program, refs, std::nullopt, redirects, 0,
                                     0, &message);
  if (rc != 0) {
    FailureOr<std::string> text = log.read();
    auto diag = op->emitError() << llvm::sys::path::filename(program)
                                << " failed (exit " << rc << ")";
    if (!message.empty())
      diag << ": " << message;
    if (succeeded(text) && !text->empty())
      diag << ":\n" << *text;
    return failure();
  }
  return success();
}

/// Calls of libdevice that the NVPTX back end implements itself, as LLVM
/// intrinsics: convert-gpu-to-nvvm calls libdevice for every math op, and
/// PTX that calls it does not load without libdevice linked.
void replaceLibdeviceCalls(Operation *root) {
  SmallVector<LLVM::CallOp> calls;
  root->walk([&](LLVM::CallOp call) {
    if (auto callee = call.getCallee())
      if (callee->starts_with("__nv_"))
        calls.push_back(call);
  });
  llvm::SmallPtrSet<Operation *, 8> declarations;
  for (LLVM::CallOp call : calls) {
    StringRef name = *call.getCallee();
    if (call.getNumResults() != 1)
      continue;
    Type type = call.getResult().getType();
    if (!type.isF32() && !type.isF64())
      continue;
    name = name.drop_front(5);
    if (type.isF32() && !name.consume_back("f"))
      continue;
    OpBuilder b(call);
    Location loc = call.getLoc();
    ValueRange in = call.getArgOperands();
    Value out;
    if (name == "floor")
      out = LLVM::FFloorOp::create(b, loc, type, in[0]);
    else if (name == "ceil")
      out = LLVM::FCeilOp::create(b, loc, type, in[0]);
    else if (name == "fma")
      out = LLVM::FMAOp::create(b, loc, type, in[0], in[1], in[2]);
    else if (name == "sqrt")
      out = LLVM::SqrtOp::create(b, loc, type, in[0]);
    else if (name == "fabs")
      out = LLVM::FAbsOp::create(b, loc, type, in[0]);
    else if (name == "copysign")
      out = LLVM::CopySignOp::create(b, loc, type, in[0], in[1]);
    else if (name == "trunc")
      out = LLVM::FTruncOp::create(b, loc, type, in[0]);
    else if (name == "rint" || name == "nearbyint")
      out = LLVM::RoundEvenOp::create(b, loc, type, in[0]);
    else if (name == "fmin")
      out = LLVM::MinNumOp::create(b, loc, type, in[0], in[1]);
    else if (name == "fmax")
      out = LLVM::MaxNumOp::create(b, loc, type, in[0], in[1]);
    else
      continue;
    if (auto decl =
            SymbolTable::lookupNearestSymbolFrom(call, call.getCalleeAttr()))
      declarations.insert(decl);
    call.getResult().replaceAllUsesWith(out);
    call.erase();
  }
  for (Operation *decl : declarations)
    if (SymbolTable::symbolKnownUseEmpty(decl, decl->getParentOp()))
      decl->erase();
}

/// loom-approximate-math with the ops kernels approximate.
std::unique_ptr<Pass> createKernelMathPass() {
  loom::ApproximateMathPassOptions options;
  options.ops = loom::getKernelMathApproximations();
  return loom::createApproximateMathPass(options);
}

struct GpuSerializePass
    : public loom::impl::GpuSerializePassBase<GpuSerializePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> gpuModules(module.getOps<gpu::GPUModuleOp>());
    if (precision != "fp32" && precision != "tf32" && precision != "bf16") {
      module.emitError("precision must be fp32, tf32 or bf16, got ")
          << precision;
      return signalPassFailure();
    }
    // tf32 and bf16 are what the libraries may round the inputs of matrix
    // products and convolutions to (loom-lower-kernels-to-calls passes it
    // on); generated kernels compute in fp32.
    SmallVector<unsigned> numbers;
    for (const std::string &arch : archs) {
      unsigned number = loom::parseGpuArch(arch);
      if (number < 70) {
        module.emitError("unknown or unsupported GPU architecture '")
            << arch << "' (expected sm_70 or newer, e.g. sm_80)";
        return signalPassFailure();
      }
      numbers.push_back(number);
    }
    if (numbers.empty()) {
      module.emitError("loom-gpu-serialize needs at least one architecture");
      return signalPassFailure();
    }
    // The runtime opens the device for a model whose signature says so,
    // kernels or none.
    std::string archList;
    for (unsigned number : numbers)
      archList += (archList.empty() ? "sm_" : ",sm_") + std::to_string(number);
    // And the libraries it calls, which the runtime loads when it opens
    // the model.
    bool products = false, convolutions = false, boxing = false;
    conditional = false;
    module.walk([&](func::CallOp call) {
      products |= call.getCallee() == "loom_gpu_matmul_f32" ||
                  call.getCallee() == "loom_gpu_batch_matmul_f32";
      convolutions |= call.getCallee() == "loom_gpu_conv2d_f32";
      boxing |= call.getCallee().starts_with("loom_gpu_box_");
      conditional |= call.getCallee() == "loom_gpu_cond_then";
    });
    std::string libraries;
    for (auto [used, name] :
         {std::pair(products, "cublaslt"), std::pair(convolutions, "cudnn"),
          std::pair(boxing, "nccl")})
      if (used)
        libraries += (libraries.empty() ? "" : ",") + std::string(name);
    if (auto signature = module->getAttrOfType<StringAttr>("loom.signature"))
      module->setAttr(
          "loom.signature",
          StringAttr::get(
              &getContext(),
              signature.getValue().str() + "target cuda " + archList + "\n" +
                  (libraries.empty() ? std::string()
                                     : "gpu-libraries " + libraries + "\n")));
    if (gpuModules.empty() && !conditional) {
      // Library calls alone (an MLP whose epilogues all fused): a census
      // of no kernel.
      recordCensus(0);
      return;
    }
    if (gpuModules.empty()) {
      OpBuilder b(module.getBodyRegion());
      b.setInsertionPointToEnd(module.getBody());
      gpuModules.push_back(
          gpu::GPUModuleOp::create(b, module.getLoc(), "loom_conditions"));
      module->setAttr("gpu.container_module", b.getUnitAttr());
    }
    gpu::GPUModuleOp merged = mergeModules(gpuModules);
    if (!merged)
      return signalPassFailure();
    if (conditional)
      addSetCondition(merged);
    int64_t count = 0;
    for (auto func : merged.getOps<gpu::GPUFuncOp>())
      count += func.isKernel();
    recordCensus(count);

    std::vector<loom::GpuContainerEntry> entries;
    FailureOr<SmallVector<std::string>> ptx = compileToPtx(merged, numbers);
    if (failed(ptx))
      return signalPassFailure();
    FailureOr<std::string> fatbin = buildFatbin(merged, numbers, *ptx);
    if (failed(fatbin))
      return signalPassFailure();
    if (!fatbin->empty())
      entries.push_back({loom::GpuContainerEntry::Fatbin, 0, *fatbin});
    for (auto [number, text] : llvm::zip(numbers, *ptx))
      entries.push_back({loom::GpuContainerEntry::PTX, number, text + '\0'});
    if (emulation) {
      FailureOr<std::string> object = compileForEmulator(merged);
      if (failed(object))
        return signalPassFailure();
      entries.push_back({loom::GpuContainerEntry::EmulatorObject, 0, *object});
    }
    std::string container = loom::writeGpuContainer(entries);

    OpBuilder b(merged);
    MLIRContext *context = &getContext();
    auto target = NVVM::NVVMTargetAttr::get(
        context, /*optLevel=*/3, "nvptx64-nvidia-cuda",
        "sm_" + std::to_string(numbers.front()),
        getPtxFeature(numbers.front()));
    auto object = gpu::ObjectAttr::get(
        context, target, gpu::CompilationTarget::Binary,
        StringAttr::get(context, container), DictionaryAttr(), nullptr);
    gpu::BinaryOp::create(b, merged.getLoc(), merged.getName(), nullptr,
                          b.getArrayAttr({object}));
    merged.erase();
  }

  /// Whether the host code has branches a CUDA graph decides
  /// (loom-gpu-device-decisions): its kernels then include
  /// loom_set_condition, which calls the CUDA device runtime's
  /// cudaGraphSetConditional (libcudadevrt, linked by nvlink).
  bool conditional = false;

  /// `loom_set_condition(handle, flag)`: the conditional handle's value is
  /// whether the byte at `flag` is nonzero.
  void addSetCondition(gpu::GPUModuleOp merged) {
    MLIRContext *context = &getContext();
    OpBuilder b = OpBuilder::atBlockEnd(merged.getBody());
    Location loc = merged.getLoc();
    Type i64 = b.getI64Type(), i32 = b.getI32Type(), i8 = b.getI8Type();
    auto ptr = LLVM::LLVMPointerType::get(context);
    auto set = LLVM::LLVMFuncOp::create(
        b, loc, "cudaGraphSetConditional",
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                    {i64, i32}));
    auto kernel = gpu::GPUFuncOp::create(b, loc, "loom_set_condition",
                                         b.getFunctionType({i64, ptr}, {}));
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    b.setInsertionPointToStart(&kernel.getBody().front());
    Value flag = LLVM::LoadOp::create(b, loc, i8, kernel.getArgument(1));
    Value zero = LLVM::ConstantOp::create(b, loc, i8, 0);
    Value nonzero =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, flag, zero);
    Value value = LLVM::ZExtOp::create(b, loc, i32, nonzero);
    LLVM::CallOp::create(b, loc, set, ValueRange{kernel.getArgument(0), value});
    gpu::ReturnOp::create(b, loc);
  }

  /// The module's `loom.gpu_kernels`: how many kernels, and where those
  /// that loop on one thread over more than a warp's work come from
  /// (loom-gpu-offload-host's `loom.gpu_serial`), which loomc -v reports and
  /// tests refuse in benchmark models.
  void recordCensus(int64_t count) {
    ModuleOp module = getOperation();
    auto serial = module->getAttrOfType<ArrayAttr>("loom.gpu_serial");
    Builder b(&getContext());
    module->removeAttr("loom.gpu_serial");
    // And the call sites of cuBLASLt and cuDNN (GpuLibraries.cpp).
    int64_t products = 0, convolutions = 0;
    module.walk([&](func::CallOp call) {
      products += call.getCallee() == "loom_gpu_matmul_f32" ||
                  call.getCallee() == "loom_gpu_batch_matmul_f32";
      convolutions += call.getCallee() == "loom_gpu_conv2d_f32";
    });
    module->setAttr(
        "loom.gpu_kernels",
        b.getDictionaryAttr(
            {b.getNamedAttr("count", b.getI64IntegerAttr(count)),
             b.getNamedAttr("serial", serial ? serial : b.getArrayAttr({})),
             b.getNamedAttr("cublaslt", b.getI64IntegerAttr(products)),
             b.getNamedAttr("cudnn", b.getI64IntegerAttr(convolutions))}));
  }

  /// All kernels in one gpu.module, `loom_kernels`; launches follow.
  gpu::GPUModuleOp mergeModules(MutableArrayRef<gpu::GPUModuleOp> modules) {
    ModuleOp module = getOperation();
    gpu::GPUModuleOp first = modules.front();
    OpBuilder b(first);
    auto merged = gpu::GPUModuleOp::create(b, first.getLoc(), "loom_kernels");
    SymbolTable mergedTable(merged);
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    // Each kernel named after the ONNX node its launch came from, so that
    // PTX, profiles and errors say which: "k_<node>".
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, std::string> origins;
    module.walk([&](gpu::LaunchFuncOp launch) {
      NameLoc name = loom::getNodeLoc(launch.getLoc());
      if (!name)
        return;
      std::string text = "k_";
      for (char c : name.getName().getValue())
        text += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      SymbolRefAttr kernel = launch.getKernel();
      origins.try_emplace(
          {kernel.getRootReference(), kernel.getLeafReference()}, text);
    });
    for (gpu::GPUModuleOp gpuModule : modules) {
      for (Operation &op :
           llvm::make_early_inc_range(gpuModule.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        op.remove();
        if (symbol) {
          StringAttr old = symbol.getNameAttr();
          auto origin = origins.find({gpuModule.getNameAttr(), old});
          if (origin != origins.end() && isa<gpu::GPUFuncOp>(op))
            symbol.setName(StringAttr::get(&getContext(), origin->second));
          StringAttr name = mergedTable.insert(&op);
          renamed[{gpuModule.getNameAttr(), old}] = name;
        } else {
          merged.getBody()->push_back(&op);
        }
      }
      gpuModule.erase();
    }
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      auto it =
          renamed.find({kernel.getRootReference(), kernel.getLeafReference()});
      if (it == renamed.end()) {
        launch.emitOpError("launches a kernel that is not in a gpu.module");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return {};
    return merged;
  }

  /// A module holding a clone of `merged` alone.
  OwningOpRef<ModuleOp> cloneAlone(gpu::GPUModuleOp merged) {
    OwningOpRef<ModuleOp> alone = ModuleOp::create(merged.getLoc());
    (*alone)->setAttr("gpu.container_module", UnitAttr::get(&getContext()));
    alone->getBody()->push_back(merged->clone());
    return alone;
  }

  /// PTX of `merged` for each architecture, by LLVM's NVPTX back end.
  FailureOr<SmallVector<std::string>> compileToPtx(gpu::GPUModuleOp merged,
                                                   ArrayRef<unsigned> numbers) {
    OwningOpRef<ModuleOp> alone = cloneAlone(merged);
    auto gpuModule = *alone->getOps<gpu::GPUModuleOp>().begin();
    // libdevice, when the toolkit has it, for the math the back end does not
    // implement (f64 exp, log, cos; fmod); f32 math is approximated.
    llvm::SmallString<128> libdevice(getToolkitRoot());
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    ArrayAttr link;
    if (llvm::sys::fs::exists(libdevice))
      link = ArrayAttr::get(&getContext(),
                            {StringAttr::get(&getContext(), libdevice)});
    SmallVector<Attribute> targets;
    for (unsigned number : numbers)
      targets.push_back(NVVM::NVVMTargetAttr::get(
          &getContext(), /*optLevel=*/3, "nvptx64-nvidia-cuda",
          "sm_" + std::to_string(number), getPtxFeature(number),
          DictionaryAttr(), link));
    gpuModule.setTargetsAttr(ArrayAttr::get(&getContext(), targets));
    PassManager pm(&getContext());
    OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
    kernels.addPass(memref::createExpandStridedMetadataPass());
    kernels.addPass(createLowerAffinePass());
    kernels.addPass(createSCFToControlFlowPass());
    kernels.addPass(createKernelMathPass());
    kernels.addPass(arith::createArithExpandOpsPass());
    kernels.addPass(createConvertGpuOpsToNVVMOps());
    kernels.addPass(createCanonicalizerPass());
    kernels.addPass(createCSEPass());
    kernels.addPass(createReconcileUnrealizedCastsPass());
    // Then libdevice calls the back end does itself, then PTX.
    PassManager toBinary(&getContext());
    GpuModuleToBinaryPassOptions binary;
    binary.compilationTarget = "isa";
    toBinary.addPass(createGpuModuleToBinaryPass(binary));
    if (failed(pm.run(*alone)))
      return merged.emitError("the kernels cannot be lowered to PTX");
    replaceLibdeviceCalls(*alone);
    if (failed(toBinary.run(*alone)))
      return merged.emitError("the kernels cannot be lowered to PTX");
    SmallVector<std::string> ptx;
    for (auto binaryOp : alone->getOps<gpu::BinaryOp>())
      for (Attribute attr : binaryOp.getObjects())
        ptx.push_back(cast<gpu::ObjectAttr>(attr).getObject().str());
    if (ptx.size() != numbers.size())
      return merged.emitError("the NVPTX back end gave ")
             << ptx.size() << " objects for " << numbers.size()
             << " architectures";
    // PTX that calls what it does not define (libdevice) cannot load.
    for (const std::string &text : ptx) {
      StringRef rest(text);
      SmallVector<StringRef> missing;
      while (true) {
        size_t at = rest.find(".extern .func");
        if (at == StringRef::npos)
          break;
        rest = rest.drop_front(at + 13);
        StringRef line = rest.take_until([](char c) { return c == '\n'; });
        size_t name = line.find("__nv_");
        if (name != StringRef::npos)
          missing.push_back(line.drop_front(name).take_while(
              [](char c) { return std::isalnum(c) || c == '_'; }));
      }
      // (Except the device runtime's, which nvlink links.)
      StringRef code(text);
      bool others = code.count(".extern .func") >
                    code.count(".extern .func cudaGraphSetConditional");
      if (!missing.empty() || others)
        return loom::emitRefusal(merged.getLoc())
               << "a kernel calls "
               << (missing.empty() ? StringRef("a function") : missing.front())
               << ", which it does not define: libdevice (the CUDA toolkit's "
                  "nvvm/libdevice/libdevice.10.bc, --cuda-toolkit) is needed "
                  "for f64 math and fmod";
    }
    return ptx;
  }

  /// The CUDA toolkit's root: the option, $CUDA_ROOT, /usr/local/cuda.
  std::string getToolkitRoot() {
    std::string root = toolkit;
    if (root.empty())
      if (const char *env = std::getenv("CUDA_ROOT"))
        root = env;
    if (root.empty())
      root = "/usr/local/cuda";
    return root;
  }

  /// ptxas for each architecture, then fatbinary with the newest PTX; ""
  /// when the toolkit is not there (and not required).
  FailureOr<std::string> buildFatbin(gpu::GPUModuleOp merged,
                                     ArrayRef<unsigned> numbers,
                                     ArrayRef<std::string> ptx) {
    std::string root = getToolkitRoot();
    llvm::SmallString<128> ptxas(root), fatbinary(root);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    llvm::sys::path::append(fatbinary, "bin", "fatbinary");
    if (!llvm::sys::fs::can_execute(ptxas) ||
        !llvm::sys::fs::can_execute(fatbinary)) {
      if (requireToolkit)
        return merged.emitError("the CUDA toolkit is not at ")
               << root << " (no bin/ptxas and bin/fatbinary)";
      return std::string();
    }
    std::vector<TempFile> files(2 * numbers.size() + 1);
    std::deque<TempFile> linkedCubins;
    std::vector<std::string> fatbinArgs = {"-64", "--compress-all"};
    for (size_t i = 0; i < numbers.size(); ++i) {
      TempFile &source = files[2 * i], &cubin = files[2 * i + 1];
      if (failed(source.create("loom-kernels", "ptx")) ||
          failed(source.write(ptx[i])) ||
          failed(cubin.create("loom-kernels", "cubin")))
        return merged.emitError("cannot write temporary files");
      std::string arch = "sm_" + std::to_string(numbers[i]);
      if (!conditional) {
        if (failed(runTool(merged, ptxas,
                           {"-arch=" + arch, "-O3", source.path.str().str(),
                            "-o", cubin.path.str().str()})))
          return failure();
        fatbinArgs.push_back(llvm::formatv("--image3=kind=elf,sm={0},file={1}",
                                           numbers[i], cubin.path));
        continue;
      }
      // Relocatable, then linked with the device runtime.
      llvm::SmallString<128> nvlink(root), devrt(root);
      llvm::sys::path::append(nvlink, "bin", "nvlink");
      llvm::sys::path::append(devrt, "lib64");
      TempFile &linked = linkedCubins.emplace_back();
      if (failed(linked.create("loom-kernels-linked", "cubin")))
        return merged.emitError("cannot write temporary files");
      if (failed(runTool(merged, ptxas,
                         {"-arch=" + arch, "-O3", "-c", source.path.str().str(),
                          "-o", cubin.path.str().str()})) ||
          failed(runTool(merged, nvlink,
                         {"-arch=" + arch, cubin.path.str().str(),
                          "-L" + devrt.str().str(), "-lcudadevrt", "-o",
                          linked.path.str().str()})))
        return failure();
      fatbinArgs.push_back(llvm::formatv("--image3=kind=elf,sm={0},file={1}",
                                         numbers[i], linked.path));
    }
    // The newest architecture's PTX, for the driver to compile for GPUs
    // newer than every cubin (not with the device runtime's calls, which
    // the driver's compiler cannot link).
    size_t newest =
        std::max_element(numbers.begin(), numbers.end()) - numbers.begin();
    if (!conditional)
      fatbinArgs.push_back(llvm::formatv("--image3=kind=ptx,sm={0},file={1}",
                                         numbers[newest],
                                         files[2 * newest].path));
    TempFile &out = files.back();
    if (failed(out.create("loom-kernels", "fatbin")))
      return merged.emitError("cannot write temporary files");
    fatbinArgs.push_back("--create=" + out.path.str().str());
    if (failed(runTool(merged, fatbinary, fatbinArgs)))
      return failure();
    FailureOr<std::string> bytes = out.read();
    if (failed(bytes))
      return merged.emitError("cannot read what fatbinary wrote");
    return bytes;
  }

  /// The kernels for the emulated device: a host shared object.
  FailureOr<std::string> compileForEmulator(gpu::GPUModuleOp merged) {
    OwningOpRef<ModuleOp> alone = cloneAlone(merged);
    PassManager pm(&getContext());
    loom::buildHostKernelPipeline(pm);
    if (failed(loom::moveKernelsToHost(*alone)) || failed(pm.run(*alone)) ||
        failed(loom::addKernelEntries(*alone)))
      return merged.emitError(
          "the kernels cannot be lowered for the emulated device (with "
          "emulation=false the artefact runs on GPUs only)");
    loom::CPUTargetOptions cpu;
    // The emulator runs on whatever host runs the tests.
    cpu.cpu = "generic";
    cpu.optLevel = 2;
    llvm::LLVMContext llvmContext;
    std::unique_ptr<llvm::Module> llvmModule =
        loom::translateToLLVMIR(*alone, llvmContext, cpu);
    if (!llvmModule)
      return merged.emitError("cannot translate the emulated kernels");
    TempFile object, shared;
    if (failed(object.create("loom-emu-kernels", "o")) ||
        failed(shared.create("loom-emu-kernels", "so")))
      return merged.emitError("cannot create temporary files");
    {
      std::error_code ec;
      llvm::raw_fd_ostream os(object.path, ec);
      std::string error;
      if (ec || failed(loom::emitObjectFile(*llvmModule, cpu, os, error)))
        return merged.emitError("cannot compile the emulated kernels: ")
               << (ec ? ec.message() : error);
    }
    const char *override = std::getenv("LOOM_LINKER");
    std::string linkerName = override && *override ? override : "c++";
    llvm::ErrorOr<std::string> linker =
        llvm::sys::findProgramByName(linkerName);
    if (!linker)
      return merged.emitError("cannot find the linker driver ") << linkerName;
    if (failed(runTool(merged, *linker,
                       {"-shared", "-nostdlib", "-o", shared.path.str().str(),
                        object.path.str().str(), "-lm"})))
      return failure();
    FailureOr<std::string> bytes = shared.read();
    if (failed(bytes))
      return merged.emitError("cannot read the emulated kernels");
    return bytes;
  }
};

} // namespace
