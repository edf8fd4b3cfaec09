//===- MemoryReport.h - What a compiled model needs in memory ---*- C++ -*-===//
//
// The memory report of `kilnc --memory-report`: the workspace plan that
// kiln-plan-memory recorded (kiln.memory_plan), its peak, and the sizes of
// the object's code and weights sections. It renders as text, as JSON and
// as a self-contained HTML picture of the plan.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DRIVER_MEMORYREPORT_H
#define KILN_DRIVER_MEMORYREPORT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

struct MemoryReport {
  struct Step {
    std::string node, op;
  };
  struct Buffer {
    std::string node, op;
    int64_t offset = 0, size = 0, bytes = 0;
    /// The steps it is live in, both included.
    int64_t first = 0, last = 0;
    /// The buffer it is placed over (it writes over that one's dying
    /// memory), or -1.
    int64_t over = -1;
  };
  struct Section {
    std::string name;
    uint64_t bytes = 0;
  };

  std::string model, name, triple;
  std::vector<Step> steps;
  std::vector<Buffer> buffers;
  int64_t workspaceBytes = 0, workspaceAlign = 0;
  /// Inputs and outputs, which the caller owns.
  int64_t inputBytes = 0, outputBytes = 0;
  /// The object's sections: code (text) and read-only data.
  std::vector<Section> codeSections, weightSections;
  bool hasObject = false;

  /// The step where the plan reaches its workspace size, with the most
  /// bytes live (-1 when nothing is planned), and the buffers live there.
  int64_t peakStep() const;
  std::vector<const Buffer *> liveAt(int64_t step) const;
  /// The bytes live in `step`, and their maximum over the steps: the
  /// lower bound of any plan that keeps these buffers.
  int64_t liveBytes(int64_t step) const;
  int64_t liveBytesBound() const;
  uint64_t codeBytes() const;
  uint64_t weightsBytes() const;
  /// "node 'conv1' (Conv)", or "step 3" for a step without a node.
  std::string describeStep(int64_t step) const;
};

/// The plan recorded on `func` (kiln.memory_plan), with the sizes of the
/// model's inputs and outputs.
llvm::Expected<MemoryReport> readMemoryPlan(mlir::func::FuncOp func);

/// Adds the sections of the emitted object (ELF, Mach-O or COFF):
/// executable sections as code, read-only data as weights.
llvm::Error addObjectSections(MemoryReport &report, llvm::StringRef object);

void printMemoryReportText(const MemoryReport &report, llvm::raw_ostream &os);
void printMemoryReportJSON(const MemoryReport &report, llvm::raw_ostream &os);
void printMemoryReportHTML(const MemoryReport &report, llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_DRIVER_MEMORYREPORT_H
