//===- OpsReport.h - The ONNX op coverage report ----------------*- C++ -*-===//
//
// Part of Loom. Private to the driver.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_DRIVER_OPSREPORT_H
#define LOOM_LIB_DRIVER_OPSREPORT_H

#include "llvm/ADT/StringRef.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace loom {

/// Prints every imported ONNX op with its opset ranges: one op a line, or
/// the Markdown page docs/onnx-ops.md.
/// The importer's op table, as text or as the Markdown page; `cpuResults`
/// (the text of test/conformance/node-results.txt) adds the CPU column.
void printOpsReport(llvm::raw_ostream &os, bool markdown,
                    llvm::StringRef cpuResults = {});

} // namespace loom

#endif // LOOM_LIB_DRIVER_OPSREPORT_H
