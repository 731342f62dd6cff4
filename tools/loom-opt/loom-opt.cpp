//===- loom-opt.cpp - Loom's optimizer driver -----------------------------===//
//
// Part of Loom. mlir-opt with every Loom dialect, pass and pipeline next to
// all of upstream MLIR's.
//
//===----------------------------------------------------------------------===//

#include "loom/InitLoom.h"
#include "loom/Target/CPU.h"
#include "loom/Version.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/PrettyStackTrace.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  llvm::setBugReportMsg("PLEASE submit a bug report to the Loom project with "
                        "the input file and the command line above.\n");
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "Loom version " << LOOM_VERSION_STRING << " (LLVM/MLIR "
       << LOOM_LLVM_VERSION_STRING << ")\n";
  });

  mlir::registerAllPasses();
  loom::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  loom::registerAllDialects(registry);
  // loom-gpu-serialize compiles the emulated kernels through LLVM IR.
  loom::registerCPUTranslations(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Loom optimizer driver\n", registry));
}
