//===- Compiler.cpp - The kilnc library entry point -------------*- C++ -*-===//
//
// Drives a compilation as a short sequence of named steps: check the
// options, choose the target, import, run the phases (with the memory
// plan's check), emit the header, translate and finish the module,
// generate code, and write the artifacts and manifest. What differs by
// target comes from the TargetBackend; every output goes through an
// OutputSet, so a failure never leaves a partial artifact.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Compiler.h"

#include "Diagnostics.h"
#include "OutputSet.h"

#include "kiln/Driver/Limits.h"
#include "kiln/Driver/MemoryReport.h"
#include "kiln/Import/ONNXImporter.h"
#include "kiln/Import/TorchScriptImporter.h"
#include "kiln/InitAll.h"
#include "kiln/Support/ByteSize.h"
#include "kiln/Target/Artifact.h"
#include "kiln/Target/Manifest.h"
#include "kiln/Target/TargetBackend.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

namespace kiln {
namespace {

/// `kilnc --time`: the time since the previous mark, per step.
class PhaseTimer {
public:
  explicit PhaseTimer(bool enabled) : enabled(enabled) {}
  void mark(llvm::StringRef what) {
    auto now = std::chrono::steady_clock::now();
    print(what, now - last);
    last = now;
  }
  void total() { print("total", std::chrono::steady_clock::now() - start); }

private:
  void print(llvm::StringRef what, std::chrono::steady_clock::duration elapsed) {
    if (enabled)
      llvm::errs() << llvm::format("kilnc: time: %-12s %9.1f ms\n", what.str().c_str(),
                                   std::chrono::duration<double, std::milli>(elapsed).count());
  }

  bool enabled;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last = start;
};

std::string printOp(Operation *op, bool debugInfo) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  op->print(os, flags);
  os << "\n";
  return text;
}

/// TorchScript archives: `.pt`, `.pth` and `.torchscript`; everything else
/// is read as ONNX.
bool isTorchScriptPath(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext == ".pt" || ext == ".pth" || ext == ".torchscript";
}

llvm::StringRef extensionFor(EmitKind kind) {
  switch (kind) {
  case EmitKind::Object:
    return ".o";
  case EmitKind::Assembly:
    return ".s";
  case EmitKind::LLVMIR:
    return ".ll";
  case EmitKind::MLIR:
    return ".mlir";
  case EmitKind::Header:
    return ".h";
  case EmitKind::Shared:
    return ".so";
  case EmitKind::PTX:
    return ".ptx";
  }
  llvm_unreachable("unknown emit kind");
}

llvm::StringRef emitName(EmitKind kind) {
  switch (kind) {
  case EmitKind::Object:
    return "obj";
  case EmitKind::Assembly:
    return "asm";
  case EmitKind::LLVMIR:
    return "llvm";
  case EmitKind::MLIR:
    return "mlir";
  case EmitKind::Header:
    return "header";
  case EmitKind::Shared:
    return "shared";
  case EmitKind::PTX:
    return "ptx";
  }
  llvm_unreachable("unknown emit kind");
}

/// Reports `message` as a kilnc error; returns failure().
LogicalResult fail(const llvm::Twine &message) {
  llvm::errs() << "kilnc: error: " << message << "\n";
  return failure();
}

/// One compilation: the resolved settings, the model as it goes through
/// the phases, and the outputs collected on the way.
class Compilation {
public:
  Compilation(const CompileOptions &options, MLIRContext &ctx)
      : options(options), ctx(ctx), timer(options.printTiming) {}

  /// Runs every step; returns kilnc's exit status.
  int run();

private:
  LogicalResult checkOptions();
  LogicalResult selectTarget();
  int printPipeline();
  LogicalResult importModel();
  LogicalResult runPhasesTo(Phase last);
  LogicalResult checkWorkspace();
  LogicalResult checkRAMBudget();
  LogicalResult addMemoryReport(llvm::StringRef code);
  void emitArtifactHeader();
  std::unique_ptr<llvm::Module> translateModule(llvm::LLVMContext &llvmContext);
  LogicalResult emitCode(llvm::Module &llvmModule);
  LogicalResult addManifest();
  int writeArtifacts();

  const CompileOptions &options;
  MLIRContext &ctx;
  PhaseTimer timer;
  /// The model's file name, for messages; its stem, for default names.
  std::string displayName, modelStem;
  /// The main output, where --compile-to's IR goes, and the header.
  std::string outputPath, irOutput, headerPath;
  /// The C prefix.
  std::string name;
  std::unique_ptr<TargetBackend> target;
  PhaseOptions phaseOptions;
  OwningOpRef<ModuleOp> module;
  std::optional<ModelSignature> signature;
  std::string headerText;
  /// The memory plan, read once bufferization has made it.
  std::optional<MemoryReport> memory;
  /// `--memory-report` without a file: printed once the outputs are written.
  std::string memoryReportText;
  OutputSet outputs;
};

int Compilation::run() {
  if (failed(checkOptions()) || failed(selectTarget()))
    return 1;
  if (options.printPipeline)
    return printPipeline();
  if (failed(importModel()))
    return 1;
  if (failed(runPhasesTo(options.compileTo.value_or(Phase::LLVM))))
    return 1;
  if (options.compileTo) {
    outputs.add(irOutput, printOp(*module, options.printDebugInfo));
    return writeArtifacts();
  }
  emitArtifactHeader();
  if (options.emit == EmitKind::Header || options.emit == EmitKind::MLIR) {
    outputs.add(outputPath, options.emit == EmitKind::Header
                                ? headerText
                                : printOp(*module, options.printDebugInfo));
    return writeArtifacts();
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateModule(llvmContext);
  if (!llvmModule || failed(emitCode(*llvmModule)))
    return 1;
  if (writeArtifacts() != 0)
    return 1;
  llvm::outs() << memoryReportText;
  timer.total();
  return 0;
}

/// Resolves the output paths and the C prefix, and refuses contradictory
/// flags before any work is done.
LogicalResult Compilation::checkOptions() {
  displayName = llvm::sys::path::filename(options.inputPath).str();
  modelStem = llvm::sys::path::stem(options.inputPath).str();
  outputPath = options.outputPath;
  bool irOutputIsStdout = options.outputPath.empty() || options.outputPath == "-";
  if (outputPath.empty() && !options.compileTo)
    outputPath = modelStem + extensionFor(options.emit).str();
  irOutput = options.outputPath.empty() ? "-" : options.outputPath;
  if (options.emit == EmitKind::Object) {
    llvm::SmallString<256> h(outputPath);
    llvm::sys::path::replace_extension(h, ".h");
    headerPath = h.str().str();
  }
  name = options.name;
  if (name.empty())
    name = sanitizeCIdentifier(outputPath.empty() || outputPath == "-"
                                   ? modelStem
                                   : llvm::sys::path::stem(outputPath).str());
  else if (sanitizeCIdentifier(name) != name)
    return fail("--name '" + name +
                "' is not a C identifier (letters, digits and '_', not starting with a digit)");
  if (!options.memoryReport.empty()) {
    llvm::StringRef report = options.memoryReport;
    if (report != "-" && !report.ends_with(".json") && !report.ends_with(".html"))
      return fail("--memory-report=" + report +
                  ": the report is written as FILE.json or FILE.html, or as text "
                  "on stdout with a plain --memory-report");
    if (options.compileTo || (options.emit != EmitKind::Object && options.emit != EmitKind::Shared))
      return fail("--memory-report needs an object: use --emit=obj (the default) or "
                  "--emit=shared");
    if (report == "-" && outputPath == "-")
      return fail("--memory-report prints to stdout; write the output to a file with -o");
  }
  if (!options.weightsSection.empty() &&
      (options.weightsSection.find_first_of(" \t\n\"\\") != std::string::npos))
    return fail("--weights-section='" + options.weightsSection + "' is not a section name");
  if (options.inPlace != "auto" && options.inPlace != "on" && options.inPlace != "off")
    return fail("--in-place='" + options.inPlace + "' is not one of auto, on, off");
  if (options.rowBands != "auto" && options.rowBands != "on" && options.rowBands != "off")
    return fail("--row-bands='" + options.rowBands + "' is not one of auto, on, off");
  if (!options.manifestPath.empty() &&
      (options.manifestPath == "-" || (options.compileTo ? irOutputIsStdout : outputPath == "-")))
    return fail("--manifest needs file outputs: give -o <file> and a manifest file name");
  return success();
}

/// The target comes first: its pointer width shapes the IR.
LogicalResult Compilation::selectTarget() {
  TargetOptions targetOptions;
  targetOptions.device = options.device;
  targetOptions.gpuArchs = options.gpuArchs;
  targetOptions.cudaPath = options.cudaPath;
  targetOptions.triple = options.targetTriple;
  targetOptions.cpu = options.cpu;
  targetOptions.features = options.features;
  targetOptions.optLevel = options.optLevel;
  targetOptions.microkernels = options.microkernels;
  targetOptions.sanitizeAddress = options.sanitizeAddress;
  targetOptions.weightsSection = options.weightsSection;
  targetOptions.inPlace = options.inPlace;
  targetOptions.rowBands = options.rowBands;
  targetOptions.profile = options.profile;
  auto backend = createTargetBackend(targetOptions, [](const llvm::Twine &message) {
    llvm::errs() << "kilnc: warning: " << message << "\n";
  });
  if (!backend)
    return fail(llvm::toString(backend.takeError()));
  target = std::move(*backend);
  auto resolved = target->getPhaseOptions();
  if (!resolved)
    return fail(llvm::toString(resolved.takeError()));
  phaseOptions = *resolved;
  return success();
}

/// `--print-pipeline`: the pipeline kilnc runs for these flags and target.
int Compilation::printPipeline() {
  Phase last = options.compileTo.value_or(Phase::LLVM);
  llvm::outs() << getPipelineText(ctx, Phase::Import, last, phaseOptions, *target) << "\n";
  return 0;
}

LogicalResult Compilation::importModel() {
  if (isTorchScriptPath(options.inputPath)) {
    if (!options.constantInputs.empty()) {
      llvm::errs() << displayName << ": error: --const-input applies to ONNX models\n";
      return failure();
    }
    TorchScriptImportOptions importOptions;
    importOptions.inputShapes = options.inputShapes;
    importOptions.inputTypes = options.inputTypes;
    importOptions.displayName = displayName;
    module = importTorchScriptModel(ctx, options.inputPath, importOptions);
  } else {
    ONNXImportOptions importOptions;
    importOptions.inputShapes = options.inputShapes;
    importOptions.inputTypes = options.inputTypes;
    importOptions.constantInputs = options.constantInputs;
    importOptions.displayName = displayName;
    importOptions.maxWeightBytes = options.maxWeightBytes;
    module = importONNXModel(ctx, options.inputPath, importOptions);
  }
  if (!module || failed(verify(*module)) ||
      failed(checkTensorSizes(*module, options.maxWorkspaceBytes)))
    return failure();
  timer.mark("import");
  return success();
}

/// Runs the phases after import up to `last`. The model's signature is
/// read once the kiln phase has folded it; the memory plan is checked
/// against --max-workspace once bufferization has made it.
LogicalResult Compilation::runPhasesTo(Phase last) {
  for (int p = (int)Phase::Kiln; p <= (int)last; ++p) {
    Phase phase = (Phase)p;
    if (failed(runPhases(*module, (Phase)(p - 1), phase, phaseOptions, *target,
                         options.printIRAfterAll)))
      return failure();
    timer.mark(getPhaseName(phase));
    if (phase == Phase::Kiln) {
      auto func = module->lookupSymbol<func::FuncOp>("main");
      FailureOr<ModelSignature> read = getModelSignature(func, name);
      if (failed(read))
        return failure();
      signature = std::move(*read);
    }
    if (phase == Phase::Bufferized && failed(checkWorkspace()))
      return failure();
  }
  return success();
}

/// Reads the memory plan off the model function and checks it against
/// --max-workspace and --ram-budget.
LogicalResult Compilation::checkWorkspace() {
  auto func = module->lookupSymbol<func::FuncOp>("main");
  auto size = func->getAttrOfType<IntegerAttr>(kWorkspaceSizeAttr);
  signature->workspaceSize = size ? size.getInt() : 0;
  signature->workspaceAlign = phaseOptions.workspaceAlignment;
  auto plan = readMemoryPlan(func);
  if (!plan)
    return fail(llvm::toString(plan.takeError()));
  memory = std::move(*plan);
  memory->model = displayName;
  memory->name = name;
  memory->triple = target->describe().triple;
  memory->workspaceAlign = signature->workspaceAlign;
  for (const TensorSignature &t : signature->inputs)
    memory->inputBytes += t.byteSize;
  for (const TensorSignature &t : signature->outputs)
    memory->outputBytes += t.byteSize;
  if (signature->workspaceSize > options.maxWorkspaceBytes) {
    llvm::errs() << displayName << ": error: the model needs a workspace of "
                 << formatByteSize(signature->workspaceSize)
                 << ", over the --max-workspace limit of "
                 << formatByteSize(options.maxWorkspaceBytes)
                 << "; raise the limit with --max-workspace=BYTES\n";
    return failure();
  }
  return checkRAMBudget();
}

/// `--ram-budget`: the plan must fit; the message names the peak and what
/// is live there, largest first.
LogicalResult Compilation::checkRAMBudget() {
  if (!options.ramBudget || signature->workspaceSize <= *options.ramBudget)
    return success();
  int64_t peak = memory->peakStep();
  std::vector<const MemoryReport::Buffer *> live = memory->liveAt(peak);
  llvm::stable_sort(live, [](const MemoryReport::Buffer *a, const MemoryReport::Buffer *b) {
    return a->size > b->size;
  });
  llvm::errs() << displayName << ": error: the workspace needs " << signature->workspaceSize
               << " bytes, " << signature->workspaceSize - *options.ramBudget
               << " bytes over the --ram-budget of " << *options.ramBudget
               << " bytes; the peak is at " << memory->describeStep(peak) << ", where "
               << live.size() << (live.size() == 1 ? " tensor is" : " tensors are") << " live:";
  for (size_t i = 0; i < live.size() && i < 6; ++i)
    llvm::errs() << (i ? ", " : " ") << (live[i]->node.empty() ? "?" : live[i]->node) << " ("
                 << live[i]->size << " bytes)";
  if (live.size() > 6)
    llvm::errs() << " and " << live.size() - 6 << " more";
  llvm::errs() << "\n";
  return failure();
}

/// `--memory-report`: the plan with the emitted object's sections, as text
/// on stdout or as a JSON or HTML file beside the other outputs.
LogicalResult Compilation::addMemoryReport(llvm::StringRef code) {
  if (options.memoryReport.empty() || !memory)
    return success();
  if (auto err = addObjectSections(*memory, code))
    return fail("cannot read the emitted object for the memory report: " +
                llvm::toString(std::move(err)));
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::StringRef report = options.memoryReport;
  if (report == "-") {
    printMemoryReportText(*memory, os);
    memoryReportText = std::move(text);
    return success();
  }
  if (report.ends_with(".json"))
    printMemoryReportJSON(*memory, os);
  else
    printMemoryReportHTML(*memory, os);
  outputs.add(options.memoryReport, text);
  return success();
}

/// The header, with the fingerprint of what decides the compiled model:
/// the model file, the compile-time inputs, the target and the interface.
void Compilation::emitArtifactHeader() {
  std::string identity;
  llvm::raw_string_ostream os(identity);
  if (auto model = llvm::MemoryBuffer::getFile(options.inputPath, /*IsText=*/false,
                                               /*RequiresNullTerminator=*/false))
    os << sha256Hex((*model)->getBuffer());
  for (const auto &[input, spec] : options.constantInputs)
    os << "\n" << input << "=" << spec;
  os << "\n"
     << target->getName() << " " << target->describe().triple << "\n"
     << options.optLevel << (options.sanitizeAddress ? " asan" : "") << "\n";
  signature->fingerprint = computeFingerprint(identity, *signature);
  llvm::raw_string_ostream header(headerText);
  target->emitHeader(*signature, header);
}

/// The LLVM IR of the model, finished by the target: entry points,
/// descriptor, weights, linked kernels; then optimized.
std::unique_ptr<llvm::Module> Compilation::translateModule(llvm::LLVMContext &llvmContext) {
  // Kiln's argument annotations have served their purpose.
  module->walk([](Operation *op) {
    for (NamedAttribute attr : llvm::to_vector(op->getAttrs()))
      if (attr.getName().getValue().starts_with("arg_attrs") ||
          attr.getName().getValue().starts_with("res_attrs"))
        op->removeAttr(attr.getName());
  });
  registerBuiltinDialectTranslation(ctx);
  registerLLVMDialectTranslation(ctx);
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(*module, llvmContext, name);
  if (!llvmModule) {
    (void)fail("translation to LLVM IR failed");
    return nullptr;
  }
  // No source file name or path may leak into the object.
  llvmModule->setSourceFileName(name);
  llvmModule->setModuleIdentifier(name);
  if (auto err = target->finishModule(*llvmModule, *signature)) {
    (void)fail(llvm::toString(std::move(err)));
    return nullptr;
  }
  if (llvm::verifyModule(*llvmModule, &llvm::errs())) {
    (void)fail("internal error: invalid LLVM IR");
    return nullptr;
  }
  target->optimizeModule(*llvmModule);
  timer.mark("optimize");
  return llvmModule;
}

/// LLVM IR text, or the target's machine code, and the header beside an
/// object.
LogicalResult Compilation::emitCode(llvm::Module &llvmModule) {
  if (options.emit == EmitKind::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule.print(os, nullptr);
    outputs.add(outputPath, text);
    return success();
  }
  MachineCodeKind kind = options.emit == EmitKind::Assembly ? MachineCodeKind::Assembly
                         : options.emit == EmitKind::Shared ? MachineCodeKind::SharedObject
                         : options.emit == EmitKind::PTX    ? MachineCodeKind::DeviceAssembly
                                                            : MachineCodeKind::Object;
  llvm::SmallVector<char, 0> code;
  if (auto err = target->emit(llvmModule, kind, code))
    return fail(llvm::toString(std::move(err)));
  timer.mark("codegen");
  if (failed(addMemoryReport(llvm::StringRef(code.data(), code.size()))))
    return failure();
  outputs.add(outputPath, std::string(code.begin(), code.end()));
  if (!headerPath.empty())
    outputs.add(headerPath, headerText);
  return success();
}

/// The manifest describing the outputs collected so far.
LogicalResult Compilation::addManifest() {
  auto model = llvm::MemoryBuffer::getFile(options.inputPath, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!model) {
    llvm::errs() << displayName << ": error: cannot read model: " << model.getError().message()
                 << "\n";
    return failure();
  }
  ManifestData data;
  data.modelFile = displayName;
  data.modelBytes = (*model)->getBuffer();
  data.name = name;
  data.emit = options.compileTo ? ("ir-" + getPhaseName(*options.compileTo)).str()
                                : emitName(options.emit).str();
  TargetDescription description = target->describe();
  data.triple = description.triple;
  data.cpu = description.cpu;
  data.features = description.features;
  data.optLevel = options.optLevel;
  data.inputShapes = options.inputShapes;
  data.inputTypes = options.inputTypes;
  for (const auto &[input, spec] : options.constantInputs) {
    llvm::StringRef file = spec;
    if (!file.consume_front("@")) {
      data.constantInputs[input] = spec;
      continue;
    }
    auto bytes = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
    if (!bytes) {
      llvm::errs() << displayName << ": error: cannot read '" << file
                   << "': " << bytes.getError().message() << "\n";
      return failure();
    }
    data.constantInputs[input] =
        "@" + llvm::sys::path::filename(file).str() + " sha256:" + sha256Hex((*bytes)->getBuffer());
  }
  for (const auto &[path, contents] : outputs.getPending())
    data.outputs.push_back({llvm::sys::path::filename(path).str(), contents});
  outputs.add(options.manifestPath, renderManifest(data));
  return success();
}

/// Commits every output, with the manifest describing them when asked.
int Compilation::writeArtifacts() {
  if (!options.manifestPath.empty() && failed(addManifest()))
    return 1;
  return outputs.commit() ? 0 : 1;
}

} // namespace

std::optional<std::vector<int64_t>> parseShape(llvm::StringRef text) {
  std::vector<int64_t> dims;
  if (text.empty() || text == "scalar")
    return dims;
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t d;
    if (part.getAsInteger(10, d) || d <= 0 || d > (int64_t(1) << 40))
      return std::nullopt;
    dims.push_back(d);
  }
  return dims;
}

std::optional<std::vector<int64_t>> parseShapeSpec(llvm::StringRef text, std::string &elementType) {
  static const char *const kTypes[] = {
      "f16", "bf16", "f32", "f64", "i1",       "i8",     "i16",        "i32",       "i64",
      "u8",  "u16",  "u32", "u64", "f8E4M3FN", "f8E5M2", "f8E4M3FNUZ", "f8E5M2FNUZ"};
  elementType.clear();
  llvm::StringRef dims = text, type = text;
  size_t x = text.rfind('x');
  if (x != llvm::StringRef::npos) {
    dims = text.take_front(x);
    type = text.drop_front(x + 1);
  } else {
    dims = "";
  }
  if (llvm::is_contained(kTypes, type)) {
    elementType = type.str();
    return parseShape(dims);
  }
  return parseShape(text);
}

int compileModel(const CompileOptions &options) {
  static bool passesRegistered = (registerKilnPasses(), true);
  (void)passesRegistered;
  DialectRegistry registry;
  registerKilnDialects(registry);
  MLIRContext ctx(registry);
  ctx.printOpOnDiagnostic(false);
  ctx.printStackTraceOnDiagnostic(false);
  ctx.loadAllAvailableDialects();
  OneLineDiagnostics diags(ctx);
  int rc = Compilation(options, ctx).run();
  return rc != 0 || diags.hadError() ? 1 : 0;
}

} // namespace kiln
