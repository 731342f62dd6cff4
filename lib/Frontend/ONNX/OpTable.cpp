//===- OpTable.cpp - The ONNX ops the importer reads ----------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"
#include "loom/Frontend/ONNX/ONNXImporter.h"

#include <tuple>

namespace loom::onnx {

llvm::ArrayRef<OpImporter> getOpImporters() {
  static const llvm::SmallVector<OpImporter> table = [] {
    llvm::SmallVector<OpImporter> rows;
    addElementwiseImporters(rows);
    addTensorImporters(rows);
    addNNImporters(rows);
    addDataImporters(rows);
    addControlFlowImporters(rows);
    addMiscImporters(rows);
    addSequenceImporters(rows);
    addSignalTextImporters(rows);
    llvm::sort(rows, [](const OpImporter &a, const OpImporter &b) {
      return std::make_tuple(a.opType, a.sinceOpset) <
             std::make_tuple(b.opType, b.sinceOpset);
    });
    return rows;
  }();
  return table;
}

llvm::ArrayRef<SupportedOp> getSupportedOps() {
  static const llvm::SmallVector<SupportedOp> ops = [] {
    llvm::SmallVector<SupportedOp> rows;
    for (const OpImporter &row : getOpImporters())
      rows.push_back({row.opType, row.sinceOpset, row.untilOpset});
    return rows;
  }();
  return ops;
}

} // namespace loom::onnx
