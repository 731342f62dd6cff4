//===- LoomPlugin.cpp - Loom as an mlir-opt plugin ------------------------===//
//
// Part of Loom. Exports both plugin entry points:
//
//   mlir-opt --load-dialect-plugin=build/lib/LoomPlugin.so \
//            --load-pass-plugin=build/lib/LoomPlugin.so \
//            -p 'builtin.module(graph-cleanup)' in.mlir
//
// Plugin passes can only be named inside -p/--pass-pipeline: mlir-opt parses
// its flags before it loads plugins.
//
//===----------------------------------------------------------------------===//

#include "loom/InitLoom.h"
#include "loom/Version.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_VISIBILITY_DEFAULT DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {
      MLIR_PLUGIN_API_VERSION, "Loom", LOOM_VERSION_STRING,
      [](DialectRegistry *registry) { loom::registerAllDialects(*registry); }};
}

extern "C" LLVM_ATTRIBUTE_VISIBILITY_DEFAULT PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Loom", LOOM_VERSION_STRING, [] {
            // A tool that already links Loom (loom-opt) has registered the
            // passes in MLIR's shared registry, which rejects a second copy.
            if (PassInfo::lookup("graph-cleanup"))
              return;
            loom::registerAllPasses();
          }};
}
