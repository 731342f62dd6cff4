//===- ONNXNodeTestImportTest.cpp - Import every ONNX backend node test ---===//
//
// Part of Loom. Imports the model of every ONNX backend node test (Debian's
// libonnx-testdata) and checks the outcome against
// test/Frontend/ONNX/node-import-xfail.txt, the models expected to fail. The
// list may only shrink: a listed model that imports fails the test too.
//
// LOOM_UPDATE_NODE_XFAIL=1 rewrites the list from this run's failures.
//
//===----------------------------------------------------------------------===//

#include "loom/Frontend/ONNX/ONNXImporter.h"
#include "loom/InitLoom.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

using namespace mlir;

namespace {

/// Model name -> the first error its import reported ("" if it imported).
std::map<std::string, std::string> importAll(llvm::StringRef dir) {
  DialectRegistry registry;
  loom::registerAllDialects(registry);
  loom::onnx::registerImportDialects(registry);
  std::map<std::string, std::string> outcomes;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    std::string name = llvm::sys::path::filename(it->path()).str();
    llvm::SmallString<256> model(it->path());
    llvm::sys::path::append(model, "model.onnx");
    if (!llvm::sys::fs::exists(model))
      continue;
    MLIRContext context(registry, MLIRContext::Threading::DISABLED);
    std::string error;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (error.empty())
        error = diag.str();
      return success();
    });
    auto module = loom::onnx::importONNXFile(model, &context, {});
    outcomes[name] = module ? "" : (error.empty() ? "failed" : error);
  }
  return outcomes;
}

TEST(ONNXNodeTests, ImportEveryModel) {
  auto outcomes = importAll(LOOM_ONNX_NODE_TEST_DIR);
  ASSERT_GT(outcomes.size(), 900u)
      << "node tests missing from " << LOOM_ONNX_NODE_TEST_DIR;

  llvm::StringSet<> expectedFailures;
  auto list = llvm::MemoryBuffer::getFile(LOOM_NODE_XFAIL_FILE);
  ASSERT_TRUE(bool(list)) << "cannot read " << LOOM_NODE_XFAIL_FILE;
  llvm::SmallVector<llvm::StringRef> lines;
  (*list)->getBuffer().split(lines, '\n');
  for (llvm::StringRef line : lines) {
    line = line.split('#').first.trim();
    if (!line.empty())
      expectedFailures.insert(line);
  }

  if (std::getenv("LOOM_UPDATE_NODE_XFAIL")) {
    std::error_code ec;
    llvm::raw_fd_ostream os(LOOM_NODE_XFAIL_FILE, ec);
    ASSERT_FALSE(ec) << ec.message();
    os << "# ONNX backend node tests whose models Loom does not import yet, "
          "with the\n# error each gives. This list may only shrink. See "
          "ONNXNodeTestImportTest.cpp.\n";
    for (auto &[name, error] : outcomes)
      if (!error.empty())
        os << name << "  # " << llvm::StringRef(error).split('\n').first
           << "\n";
    GTEST_SKIP() << "rewrote " << LOOM_NODE_XFAIL_FILE;
  }

  int imported = 0;
  for (auto &[name, error] : outcomes) {
    bool expectedToFail = expectedFailures.contains(name);
    if (error.empty())
      ++imported;
    if (error.empty() && expectedToFail)
      ADD_FAILURE() << name << " imports now: remove it from "
                    << LOOM_NODE_XFAIL_FILE;
    if (!error.empty() && !expectedToFail)
      ADD_FAILURE() << name << " no longer imports: " << error;
  }
  for (const auto &entry : expectedFailures)
    if (!outcomes.count(entry.getKey().str()))
      ADD_FAILURE() << entry.getKey().str()
                    << " is listed as failing but is not a node test";
  std::cout << "[ INFO ] imported " << imported << " of " << outcomes.size()
            << " ONNX node-test models\n";
}

} // namespace
