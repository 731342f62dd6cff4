//===- OpsReport.h - The ONNX op coverage report ----------------*- C++ -*-===//
//
// Part of Loom. Private to the driver.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_DRIVER_OPSREPORT_H
#define LOOM_LIB_DRIVER_OPSREPORT_H

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace loom {

/// Prints every imported ONNX op with its opset ranges: one op a line, or
/// the Markdown page docs/onnx-ops.md.
void printOpsReport(llvm::raw_ostream &os, bool markdown);

} // namespace loom

#endif // LOOM_LIB_DRIVER_OPSREPORT_H
