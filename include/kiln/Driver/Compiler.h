//===- Compiler.h - The kilnc library entry point ---------------*- C++ -*-===//
//
// compileModel() is all of kilnc but argument parsing: import, the phases,
// code generation and the atomic writing of every output.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DRIVER_COMPILER_H
#define KILN_DRIVER_COMPILER_H

#include "kiln/Pipelines/Pipelines.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiln {

enum class EmitKind { Object, Assembly, LLVMIR, MLIR, Header, Shared, PTX };

struct CompileOptions {
  std::string inputPath;
  /// Output file; empty means `<model stem>.<ext>` in the current directory,
  /// "-" means stdout (text outputs only).
  std::string outputPath;
  /// The C prefix; empty means the output file's stem.
  std::string name;
  EmitKind emit = EmitKind::Object;
  /// Stop after this phase and print its IR (to the output or stdout).
  std::optional<Phase> compileTo;
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Element types given with the shapes (`--shape ids=1x128xi64`), by
  /// input name: "f16", "bf16", "f8E4M3FN", "f8E5M2", "f8E4M3FNUZ",
  /// "f8E5M2FNUZ", "f32", "f64", "i1", "i8", "i16", "i32",
  /// "i64", "u8", "u16", "u32" or "u64" (see parseShapeSpec).
  std::map<std::string, std::string> inputTypes;
  /// `--const-input name=V,V,...|@FILE`: inputs bound at compile time.
  std::map<std::string, std::string> constantInputs;
  /// `--device`: "cpu" or "cuda"; `--gpu-arch` and `--cuda-path` (CUDA).
  std::string device = "cpu";
  std::string gpuArchs = "sm_80,sm_90";
  std::string cudaPath;
  std::string targetTriple, cpu, features;
  unsigned optLevel = 2;
  bool printTiming = false;
  bool printIRAfterAll = false;
  /// Print locations in textual IR.
  bool printDebugInfo = true;
  /// Also write a JSON manifest here (see Manifest.h); empty: none.
  std::string manifestPath;
  /// `--max-weights` and `--max-workspace`: kilnc refuses bigger models.
  uint64_t maxWeightBytes = uint64_t(4) << 30;
  uint64_t maxWorkspaceBytes = uint64_t(4) << 30;
  /// `--memory-report`: "" none, "-" as text on stdout, or a FILE.json or
  /// FILE.html written with the other outputs.
  std::string memoryReport;
  /// `--ram-budget=BYTES`: fail when the workspace plan needs more.
  std::optional<uint64_t> ramBudget;
  /// `--weights-section`: the ELF section of the weights (empty: the
  /// target's default, .rodata.kiln.weights).
  std::string weightsSection;
  /// `--in-place`: "auto" (on for bare-metal targets), "on" or "off".
  std::string inPlace = "auto";
  /// `--row-bands`: "auto" (on for bare-metal targets), "on" or "off".
  std::string rowBands = "auto";
  /// `--profile`: time every op by its model node (kiln-run --profile).
  bool profile = false;
  /// `--microkernels`: "auto" (the target's variant; none at -O0), "none",
  /// or a variant name (include/kiln/Target/CPU/MicrokernelABI.h).
  std::string microkernels = "auto";
  /// `--sanitize=address`: instrument the generated code for ASan.
  bool sanitizeAddress = false;
  /// `--print-pipeline`: print the pass pipeline these options and the
  /// target give (up to --compile-to's phase) and stop.
  bool printPipeline = false;
};

/// Runs the whole compilation. Diagnostics go to stderr, one line each,
/// naming the file and (when known) the ONNX node and op. Returns 0 on
/// success and 1 on failure, in which case no output file is left behind.
int compileModel(const CompileOptions &options);

/// Parses "1x3x224x224" ("" or "scalar" for rank 0).
std::optional<std::vector<int64_t>> parseShape(llvm::StringRef text);

/// Parses a shape with an optional element type after it, the way MLIR
/// spells tensor types: "1x128xi64", "i64" (rank 0), "1x3x224x224". The
/// type (empty when not given) goes to `elementType`.
std::optional<std::vector<int64_t>> parseShapeSpec(llvm::StringRef text, std::string &elementType);

} // namespace kiln

#endif // KILN_DRIVER_COMPILER_H
