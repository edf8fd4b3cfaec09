//===- Compiler.cpp - The kilnc library entry point -------------*- C++ -*-===//
//
// Drives a compilation: imports the model, runs the phases, lowers to LLVM
// IR, adds the entry points and descriptor, generates machine code and
// writes the outputs. Every output is first written to a temporary file
// beside its destination and renamed only when all of them are complete,
// so a failure never leaves a partial artifact.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Compiler.h"

#include "kiln/Config.h"
#include "kiln/Driver/Limits.h"
#include "kiln/Driver/Manifest.h"
#include "kiln/Transforms/Microkernels.h"
#include "kiln/Import/ONNXImporter.h"
#include "kiln/Import/TorchScriptImporter.h"
#include "kiln/Target/Artifact.h"
#include "kiln/Target/CPU.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

namespace kiln {
namespace {

/// Prints each diagnostic as one line: `file: error: node 'n' (Op): msg`.
class OneLineDiagnostics {
public:
  explicit OneLineDiagnostics(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &diag) { return report(diag); }) {}
  bool hadError() const { return errors > 0; }

private:
  LogicalResult report(Diagnostic &diag) {
    std::string file, node, opType, torchOp;
    diag.getLocation()->walk([&](Location loc) {
      if (auto fused = dyn_cast<FusedLoc>(loc)) {
        if (auto meta = dyn_cast_or_null<StringAttr>(fused.getMetadata())) {
          if (meta.getValue().starts_with("onnx.") && opType.empty())
            opType = meta.getValue().drop_front(5).str();
          if (meta.getValue().starts_with("torch.") && torchOp.empty())
            torchOp = meta.getValue().drop_front(6).str();
        }
      } else if (auto name = dyn_cast<NameLoc>(loc)) {
        if (node.empty())
          node = name.getName().str();
      } else if (auto fileLoc = dyn_cast<FileLineColLoc>(loc)) {
        if (file.empty()) {
          file = fileLoc.getFilename().str();
          // TorchScript ops point at the user's Python line.
          if (fileLoc.getLine() > 0)
            file += ":" + std::to_string(fileLoc.getLine());
        }
      }
      return WalkResult::advance();
    });
    const char *severity = "error";
    if (diag.getSeverity() == DiagnosticSeverity::Warning)
      severity = "warning";
    else if (diag.getSeverity() == DiagnosticSeverity::Note)
      severity = "note";
    else if (diag.getSeverity() == DiagnosticSeverity::Remark)
      severity = "remark";
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    std::string message = diag.str();
    for (char &c : message)
      if (c == '\n')
        c = ' ';
    auto &os = llvm::errs();
    os << (file.empty() ? "kilnc" : file) << ": " << severity << ": ";
    if (!node.empty() && !opType.empty())
      os << "node '" << node << "' (" << opType << "): ";
    else if (!node.empty())
      os << "'" << node << "': ";
    else if (!torchOp.empty())
      os << torchOp << ": ";
    os << message << "\n";
    for (Diagnostic &note : diag.getNotes())
      os << (file.empty() ? "kilnc" : file) << ": note: " << note.str() << "\n";
    return success();
  }

  ScopedDiagnosticHandler handler;
  int errors = 0;
};

/// Outputs are written whole or not at all.
class OutputSet {
public:
  ~OutputSet() { discard(); }

  void add(std::string path, std::string contents) {
    pending.push_back({std::move(path), std::move(contents)});
  }

  /// Writes every output to a temporary beside it, then renames them all.
  bool commit() {
    std::vector<std::pair<std::string, std::string>> temps;
    for (auto &[path, contents] : pending) {
      if (path == "-") {
        llvm::outs() << contents;
        llvm::outs().flush();
        continue;
      }
      llvm::SmallString<256> model(path);
      model += ".tmp%%%%%%";
      int fd;
      llvm::SmallString<256> temp;
      if (auto ec = llvm::sys::fs::createUniqueFile(model, fd, temp)) {
        llvm::errs() << "kilnc: error: cannot write '" << path << "': " << ec.message()
                     << "\n";
        return false;
      }
      tempFiles.push_back(temp.str().str());
      {
        llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
        os << contents;
        os.flush();
        if (os.has_error()) {
          llvm::errs() << "kilnc: error: cannot write '" << path
                       << "': " << os.error().message() << "\n";
          os.clear_error();
          return false;
        }
      }
      temps.push_back({temp.str().str(), path});
    }
    for (auto &[temp, path] : temps) {
      if (auto ec = llvm::sys::fs::rename(temp, path)) {
        llvm::errs() << "kilnc: error: cannot write '" << path << "': " << ec.message()
                     << "\n";
        return false;
      }
      llvm::erase(tempFiles, temp);
    }
    pending.clear();
    return true;
  }

  const std::vector<std::pair<std::string, std::string>> &getPending() const {
    return pending;
  }

  void discard() {
    for (const std::string &temp : tempFiles)
      llvm::sys::fs::remove(temp);
    tempFiles.clear();
  }

private:
  std::vector<std::pair<std::string, std::string>> pending;
  std::vector<std::string> tempFiles;
};

class PhaseTimer {
public:
  explicit PhaseTimer(bool enabled) : enabled(enabled) {}
  void mark(llvm::StringRef what) {
    auto now = std::chrono::steady_clock::now();
    if (enabled)
      llvm::errs() << llvm::format("kilnc: time: %-12s %9.1f ms\n", what.str().c_str(),
                                   std::chrono::duration<double, std::milli>(now - last).count());
    last = now;
  }
  void total() {
    if (enabled)
      llvm::errs() << llvm::format(
          "kilnc: time: %-12s %9.1f ms\n", "total",
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
  }

private:
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
  }
  llvm_unreachable("unknown emit kind");
}

/// Links an object into a shared object with ld.lld.
bool linkShared(llvm::StringRef object, std::string &result) {
  std::string lld = KILN_LLVM_TOOLS_DIR "/ld.lld";
  if (!llvm::sys::fs::can_execute(lld)) {
    auto found = llvm::sys::findProgramByName("ld.lld");
    if (!found) {
      llvm::errs() << "kilnc: error: --emit=shared needs ld.lld, which was not found\n";
      return false;
    }
    lld = *found;
  }
  llvm::SmallString<128> objPath, soPath;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("kiln", "o", fd, objPath) ||
      llvm::sys::fs::createTemporaryFile("kiln", "so", soPath)) {
    llvm::errs() << "kilnc: error: cannot create temporary files\n";
    return false;
  }
  {
    llvm::raw_fd_ostream os(fd, true);
    os << object;
  }
  std::string message;
  llvm::StringRef args[] = {lld, "-shared", "--build-id=none", "-o", soPath, objPath};
  int rc = llvm::sys::ExecuteAndWait(lld, args, std::nullopt, {}, 0, 0, &message);
  bool ok = rc == 0;
  if (ok) {
    auto buffer = llvm::MemoryBuffer::getFile(soPath);
    ok = (bool)buffer;
    if (ok)
      result = (*buffer)->getBuffer().str();
  } else {
    llvm::errs() << "kilnc: error: linking the shared object failed" << (message.empty() ? "" : ": ")
                 << message << "\n";
  }
  llvm::sys::fs::remove(objPath);
  llvm::sys::fs::remove(soPath);
  return ok;
}

int compile(const CompileOptions &options, MLIRContext &ctx, OneLineDiagnostics &diags) {
  PhaseTimer timer(options.printTiming);
  std::string displayName = llvm::sys::path::filename(options.inputPath).str();
  std::string modelStem = llvm::sys::path::stem(options.inputPath).str();

  std::string outputPath = options.outputPath;
  bool irOutputIsStdout = options.outputPath.empty() || options.outputPath == "-";
  if (outputPath.empty() && !options.compileTo)
    outputPath = modelStem + extensionFor(options.emit).str();
  std::string name = options.name;
  if (name.empty())
    name = sanitizeCIdentifier(outputPath.empty() || outputPath == "-"
                                   ? modelStem
                                   : llvm::sys::path::stem(outputPath).str());
  else if (sanitizeCIdentifier(name) != name) {
    llvm::errs() << "kilnc: error: --name '" << name
                 << "' is not a C identifier (letters, digits and '_', not starting with a digit)\n";
    return 1;
  }

  if (!options.manifestPath.empty() &&
      (options.manifestPath == "-" || (options.compileTo ? irOutputIsStdout : outputPath == "-"))) {
    llvm::errs() << "kilnc: error: --manifest needs file outputs: give -o <file> and a "
                    "manifest file name\n";
    return 1;
  }

  // Target first: its pointer width shapes the IR.
  CPUTargetOptions targetOptions{options.targetTriple, options.cpu, options.features,
                                 options.optLevel};
  auto machine = createCPUTargetMachine(targetOptions);
  if (!machine) {
    llvm::errs() << "kilnc: error: " << llvm::toString(machine.takeError()) << "\n";
    return 1;
  }

  OwningOpRef<ModuleOp> module;
  if (isTorchScriptPath(options.inputPath)) {
    if (!options.constantInputs.empty()) {
      llvm::errs() << displayName << ": error: --const-input applies to ONNX models\n";
      return 1;
    }
    TorchScriptImportOptions importOptions;
    importOptions.inputShapes = options.inputShapes;
    importOptions.displayName = displayName;
    module = importTorchScriptModel(ctx, options.inputPath, importOptions);
  } else {
    ONNXImportOptions importOptions;
    importOptions.inputShapes = options.inputShapes;
    importOptions.constantInputs = options.constantInputs;
    importOptions.displayName = displayName;
    importOptions.maxWeightBytes = options.maxWeightBytes;
    module = importONNXModel(ctx, options.inputPath, importOptions);
  }
  if (!module)
    return 1;
  if (failed(verify(*module)) || failed(checkTensorSizes(*module, options.maxWorkspaceBytes)))
    return 1;
  timer.mark("import");

  OutputSet outputs;
  std::string irOutput = options.outputPath.empty() ? "-" : options.outputPath;
  // Commits every output, with the manifest describing them when asked.
  auto finish = [&]() -> int {
    if (!options.manifestPath.empty()) {
      auto model = llvm::MemoryBuffer::getFile(options.inputPath, /*IsText=*/false,
                                               /*RequiresNullTerminator=*/false);
      if (!model) {
        llvm::errs() << displayName << ": error: cannot read model: "
                     << model.getError().message() << "\n";
        return 1;
      }
      ManifestData data;
      data.modelFile = displayName;
      data.modelBytes = (*model)->getBuffer();
      data.name = name;
      data.emit = options.compileTo ? ("ir-" + getPhaseName(*options.compileTo)).str()
                                    : emitName(options.emit).str();
      data.triple = (*machine)->getTargetTriple().str();
      data.cpu = (*machine)->getTargetCPU().str();
      data.features = (*machine)->getTargetFeatureString().str();
      data.optLevel = options.optLevel;
      data.inputShapes = options.inputShapes;
      for (const auto &[input, spec] : options.constantInputs) {
        StringRef file = spec;
        if (!file.consume_front("@")) {
          data.constantInputs[input] = spec;
          continue;
        }
        auto bytes = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                                 /*RequiresNullTerminator=*/false);
        if (!bytes) {
          llvm::errs() << displayName << ": error: cannot read '" << file
                       << "': " << bytes.getError().message() << "\n";
          return 1;
        }
        data.constantInputs[input] = "@" + llvm::sys::path::filename(file).str() +
                                     " sha256:" + sha256Hex((*bytes)->getBuffer());
      }
      for (const auto &[path, contents] : outputs.getPending())
        data.outputs.push_back({llvm::sys::path::filename(path).str(), contents});
      outputs.add(options.manifestPath, renderManifest(data));
    }
    return outputs.commit() ? 0 : 1;
  };
  PhaseOptions phaseOptions;
  phaseOptions.indexBitwidth = (*machine)->createDataLayout().getPointerSizeInBits();
  phaseOptions.printAfterAll = options.printIRAfterAll;
  phaseOptions.approximateMath = options.optLevel > 0;
  // Bare-metal targets have no threads: their loops stay inline.
  phaseOptions.parallelLoops =
      options.optLevel > 0 && !(*machine)->getTargetTriple().isOSUnknown();
  if (options.microkernels == "auto")
    phaseOptions.microkernels = options.optLevel == 0 ? "" : selectMicrokernelVariant(**machine);
  else if (options.microkernels != "none") {
    if (!lookupMicrokernelVariant(options.microkernels) ||
        !microkernelVariantFits(**machine, options.microkernels)) {
      llvm::errs() << "kilnc: error: --microkernels=" << options.microkernels
                   << " does not run on " << (*machine)->getTargetTriple().str()
                   << "; use auto, none, or one of avx512, avx2, sse (x86-64), neon (AArch64)\n";
      return 1;
    }
    phaseOptions.microkernels = options.microkernels;
  }
  if (options.compileTo == Phase::Import) {
    outputs.add(irOutput, printOp(*module, options.printDebugInfo));
    return finish();
  }

  if (failed(runPhases(*module, Phase::Import, Phase::Kiln, phaseOptions)))
    return 1;
  timer.mark("kiln");
  auto func = module->lookupSymbol<func::FuncOp>("main");
  auto signature = getModelSignature(func, name);
  if (failed(signature))
    return 1;

  Phase last = options.compileTo ? *options.compileTo : Phase::LLVM;
  for (Phase p : {Phase::Linalg, Phase::Bufferized, Phase::LLVM}) {
    if ((int)p > (int)last)
      break;
    if (failed(runPhases(*module, (Phase)((int)p - 1), p, phaseOptions)))
      return 1;
    timer.mark(getPhaseName(p));
    if (p == Phase::Bufferized) {
      auto size = func->getAttrOfType<IntegerAttr>(kWorkspaceSizeAttr);
      signature->workspaceSize = size ? size.getInt() : 0;
      signature->workspaceAlign = phaseOptions.workspaceAlignment;
      if (signature->workspaceSize > options.maxWorkspaceBytes) {
        llvm::errs() << displayName << ": error: the model needs a workspace of "
                     << formatByteSize(signature->workspaceSize)
                     << ", over the --max-workspace limit of "
                     << formatByteSize(options.maxWorkspaceBytes)
                     << "; raise the limit with --max-workspace=BYTES\n";
        return 1;
      }
    }
  }
  if (options.compileTo) {
    outputs.add(irOutput, printOp(*module, options.printDebugInfo));
    return finish();
  }

  std::string headerPath;
  if (options.emit == EmitKind::Object) {
    llvm::SmallString<256> h(outputPath);
    llvm::sys::path::replace_extension(h, ".h");
    headerPath = h.str().str();
  }
  // The fingerprint: a digest of what decides the compiled model (the
  // model file, the compile-time inputs, the target and the interface),
  // so that a program built against one version's header can tell when
  // another version's object is linked in.
  {
    std::string identity;
    llvm::raw_string_ostream os(identity);
    if (auto model = llvm::MemoryBuffer::getFile(options.inputPath, /*IsText=*/false,
                                                 /*RequiresNullTerminator=*/false))
      os << sha256Hex((*model)->getBuffer());
    for (const auto &[input, spec] : options.constantInputs)
      os << "\n" << input << "=" << spec;
    os << "\n" << (*machine)->getTargetTriple().str() << "\n" << options.optLevel
       << (options.sanitizeAddress ? " asan" : "") << "\n";
    emitHeader(*signature, os); // with fingerprint 0
    uint64_t fingerprint = 0;
    llvm::StringRef(sha256Hex(identity)).substr(0, 16).getAsInteger(16, fingerprint);
    signature->fingerprint = fingerprint;
  }
  std::string headerText;
  {
    llvm::raw_string_ostream os(headerText);
    emitHeader(*signature, os);
  }
  if (options.emit == EmitKind::Header) {
    outputs.add(outputPath, headerText);
    return finish();
  }
  if (options.emit == EmitKind::MLIR) {
    outputs.add(outputPath, printOp(*module, options.printDebugInfo));
    return finish();
  }

  // Kiln's argument annotations have served their purpose.
  module->walk([](Operation *op) {
    for (NamedAttribute attr : llvm::to_vector(op->getAttrs()))
      if (attr.getName().getValue().starts_with("arg_attrs") ||
          attr.getName().getValue().starts_with("res_attrs"))
        op->removeAttr(attr.getName());
  });
  registerBuiltinDialectTranslation(ctx);
  registerLLVMDialectTranslation(ctx);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, name);
  if (!llvmModule) {
    llvm::errs() << "kilnc: error: translation to LLVM IR failed\n";
    return 1;
  }
  // No source file name or path may leak into the object.
  llvmModule->setSourceFileName(name);
  llvmModule->setModuleIdentifier(name);
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  llvmModule->setDataLayout((*machine)->createDataLayout());
  std::string implName = name + "_invoke";
  if (llvm::Function *f = llvmModule->getFunction("main"))
    f->setName(implName);
  if (auto err = emitEntryPoints(*signature, implName, *llvmModule)) {
    llvm::errs() << "kilnc: error: " << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  // Weights: read-only, 64-byte aligned, in a section a linker script can place.
  bool isELF = (*machine)->getTargetTriple().isOSBinFormatELF();
  for (llvm::GlobalVariable &gv : llvmModule->globals())
    if (gv.isConstant() && gv.getName().starts_with("__constant_")) {
      gv.setAlignment(llvm::MaybeAlign(std::max<uint64_t>(64, gv.getAlign().valueOrOne().value())));
      if (isELF)
        gv.setSection(".rodata.kiln.weights");
    }
  if (auto err = linkMicrokernels(*llvmModule, **machine)) {
    llvm::errs() << "kilnc: error: " << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  if (llvm::verifyModule(*llvmModule, &llvm::errs())) {
    llvm::errs() << "kilnc: error: internal error: invalid LLVM IR\n";
    return 1;
  }
  optimizeModule(*llvmModule, **machine, options.optLevel, options.sanitizeAddress);
  timer.mark("optimize");

  if (options.emit == EmitKind::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    llvmModule->print(os, nullptr);
    outputs.add(outputPath, text);
    return finish();
  }
  llvm::SmallString<0> code;
  llvm::raw_svector_ostream codeStream(code);
  if (auto err = emitMachineCode(*llvmModule, **machine,
                                 options.emit == EmitKind::Assembly, codeStream)) {
    llvm::errs() << "kilnc: error: " << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  timer.mark("codegen");
  if (options.emit == EmitKind::Shared) {
    std::string shared;
    if (!linkShared(code.str(), shared))
      return 1;
    outputs.add(outputPath, shared);
  } else {
    outputs.add(outputPath, code.str().str());
  }
  if (!headerPath.empty())
    outputs.add(headerPath, headerText);
  if (finish() != 0)
    return 1;
  timer.total();
  return diags.hadError() ? 1 : 0;
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
  int rc = compile(options, ctx, diags);
  return rc != 0 || diags.hadError() ? 1 : 0;
}

} // namespace kiln
