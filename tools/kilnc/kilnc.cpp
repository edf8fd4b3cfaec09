//===- kilnc.cpp - The Kiln compiler driver ---------------------*- C++ -*-===//
//
// Parses the command line and calls kiln::compileModel().
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Compiler.h"
#include "kiln/Driver/Limits.h"
#include "kiln/Import/ONNXImporter.h"
#include "kiln/Support/Version.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::OptionCategory kilncCategory("kilnc options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx | model.onnxtxt>"),
                                      cl::cat(kilncCategory));
static cl::opt<bool> listOnnxOps("list-onnx-ops",
                                 cl::desc("Print the ONNX op types Kiln imports, one per line"),
                                 cl::cat(kilncCategory));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Output file (default: <model>.<ext>; "
                                                "a header <output>.h comes with objects)"),
                                       cl::value_desc("file"), cl::cat(kilncCategory));
static cl::opt<std::string> modelName("name",
                                      cl::desc("C prefix of the generated symbols "
                                               "(default: the output file's stem)"),
                                      cl::cat(kilncCategory));
static cl::opt<kiln::EmitKind> emitKind(
    "emit", cl::desc("What to write"), cl::init(kiln::EmitKind::Object),
    cl::values(clEnumValN(kiln::EmitKind::Object, "obj", "object file + C header (default)"),
               clEnumValN(kiln::EmitKind::Assembly, "asm", "assembly"),
               clEnumValN(kiln::EmitKind::LLVMIR, "llvm", "LLVM IR, optimized"),
               clEnumValN(kiln::EmitKind::MLIR, "mlir", "MLIR at the end of the llvm phase"),
               clEnumValN(kiln::EmitKind::Header, "header", "the C header only"),
               clEnumValN(kiln::EmitKind::Shared, "shared", "a shared object, for kiln-run"),
               clEnumValN(kiln::EmitKind::PTX, "ptx",
                          "PTX of the newest --gpu-arch (--device=cuda)")),
    cl::cat(kilncCategory));
static cl::opt<std::string>
    compileTo("compile-to",
              cl::desc("Stop after a phase and print its IR: import, kiln, linalg, "
                       "bufferized or llvm"),
              cl::value_desc("phase"), cl::cat(kilncCategory));
static cl::list<std::string>
    shapes("shape",
           cl::desc("Bind an input's shape, e.g. --shape input=1x3x224x224, and optionally its "
                    "element type, --shape ids=1x128xi64 (repeatable)"),
           cl::value_desc("name=AxBxC"), cl::cat(kilncCategory));
static cl::list<std::string> constInputs(
    "const-input",
    cl::desc("Give an input its value at compile time, inline (--const-input axes=0,2) or "
             "from a serialized TensorProto (--const-input scales=@scales.pb); the input "
             "leaves the generated function (repeatable)"),
    cl::value_desc("name=V,V,...|name=@file.pb"), cl::cat(kilncCategory));
static cl::opt<std::string> device("device",
                                   cl::desc("Where the model runs: cpu (default) or cuda; "
                                            "cuda-emulation runs CUDA's kernels on the CPU, "
                                            "for testing"),
                                   cl::init("cpu"), cl::value_desc("cpu|cuda"),
                                   cl::cat(kilncCategory));
static cl::opt<std::string>
    gpuArch("gpu-arch",
            cl::desc("--device=cuda: the GPUs the object holds machine code for, e.g. "
                     "sm_80,sm_90 (the default); the newest also as PTX for newer GPUs"),
            cl::init("sm_80,sm_90"), cl::value_desc("sm_NN,..."), cl::cat(kilncCategory));
static cl::opt<std::string>
    cudaPath("cuda-path",
             cl::desc("--device=cuda: the CUDA toolkit (libdevice, ptxas, fatbinary); default: "
                      "$CUDA_PATH, /usr/local/cuda, or beside ptxas on PATH"),
             cl::value_desc("dir"), cl::cat(kilncCategory));
static cl::opt<std::string> targetTriple("target", cl::desc("Target triple (default: the host)"),
                                         cl::cat(kilncCategory));
static cl::opt<std::string> targetCPU("cpu",
                                      cl::desc("Target CPU (default: the host's for native "
                                               "builds, generic otherwise)"),
                                      cl::cat(kilncCategory));
static cl::opt<std::string> targetFeatures("features", cl::desc("Target features, e.g. +avx2,+fma"),
                                           cl::cat(kilncCategory));
enum OptLevel { O0 = 0, O1 = 1, O2 = 2, O3 = 3 };
static cl::opt<OptLevel>
    optLevel(cl::desc("Optimization level"), cl::init(O2),
             cl::values(clEnumValN(O0, "O0", "no optimization"), clEnumValN(O1, "O1", "light"),
                        clEnumValN(O2, "O2", "default"), clEnumValN(O3, "O3", "aggressive")),
             cl::cat(kilncCategory));
static cl::opt<bool>
    printPipeline("print-pipeline",
                  cl::desc("Print the pass pipeline kilnc runs for these flags and target (up to "
                           "--compile-to's phase), for kiln-opt --pass-pipeline, and exit"),
                  cl::cat(kilncCategory));
static cl::opt<bool> printTiming("time", cl::desc("Print the time of each phase"),
                                 cl::cat(kilncCategory));
static cl::opt<bool> printIRAfterAll("print-ir-after-all",
                                     cl::desc("Print the IR after every pass (stderr)"),
                                     cl::cat(kilncCategory));
static cl::opt<bool> noLocations("no-locations", cl::desc("Do not print locations in textual IR"),
                                 cl::cat(kilncCategory));

static cl::opt<std::string>
    maxWeights("max-weights",
               cl::desc("Refuse models whose weights exceed this many bytes (suffixes K, M, G, T; "
                        "default 4G)"),
               cl::value_desc("bytes"), cl::init("4G"), cl::cat(kilncCategory));
static cl::opt<std::string>
    maxWorkspace("max-workspace",
                 cl::desc("Refuse models whose workspace, or any intermediate tensor, exceeds this "
                          "many bytes (suffixes K, M, G, T; default 4G)"),
                 cl::value_desc("bytes"), cl::init("4G"), cl::cat(kilncCategory));
static cl::opt<std::string> microkernels(
    "microkernels",
    cl::desc("CPU microkernels for convolutions and matrix products: auto (the target's "
             "best variant, none at -O0), none, avx512, avx2, sse or neon"),
    cl::init("auto"), cl::value_desc("variant"), cl::cat(kilncCategory));

static cl::opt<std::string>
    sanitize("sanitize",
             cl::desc("Instrument the generated code: 'address' (AddressSanitizer; link the "
                      "program with -fsanitize=address)"),
             cl::value_desc("address"), cl::cat(kilncCategory));
static cl::opt<std::string> memoryReport(
    "memory-report",
    cl::desc("Report the memory the model needs (workspace plan, peak, code and weights): as "
             "text on stdout, or with =FILE.json or =FILE.html as a file"),
    cl::value_desc("FILE.json|FILE.html"), cl::ValueOptional, cl::cat(kilncCategory));
static cl::opt<std::string>
    ramBudget("ram-budget",
              cl::desc("Fail when the workspace plan needs more than this many bytes "
                       "(suffixes K, M, G, T); the message names the peak node"),
              cl::value_desc("bytes"), cl::cat(kilncCategory));
static cl::opt<std::string>
    weightsSection("weights-section",
                   cl::desc("The ELF section of the weights (default .rodata.kiln.weights), for a "
                            "linker script that places them in flash"),
                   cl::value_desc("name"), cl::cat(kilncCategory));
static cl::opt<std::string>
    inPlace("in-place",
            cl::desc("Save workspace: ops write their results over inputs that nothing reads "
                     "afterwards, and depthwise convolutions read their input unpadded; auto "
                     "(on for bare-metal targets), on or off"),
            cl::value_desc("auto|on|off"), cl::init("auto"), cl::cat(kilncCategory));
static cl::opt<std::string>
    rowBands("row-bands",
             cl::desc("Save workspace: chains of int8 convolutions are computed a band of rows "
                      "at a time where that lowers the peak; auto (on for bare-metal targets), "
                      "on or off"),
             cl::value_desc("auto|on|off"), cl::init("auto"), cl::cat(kilncCategory));
static cl::opt<bool>
    profile("profile",
            cl::desc("Time every op by its model node, for kiln-run --profile (hosted CPU "
                     "targets; the timers cost a little at run time)"),
            cl::init(false), cl::cat(kilncCategory));
static cl::opt<std::string> manifestFile(
    "manifest",
    cl::desc("Also write a JSON manifest: Kiln and LLVM versions, the model's SHA-256, "
             "the resolved settings and each output's SHA-256"),
    cl::value_desc("file"), cl::cat(kilncCategory));

static void printVersion(raw_ostream &os) {
  os << "kilnc " << kiln::getKilnVersion();
  if (!kiln::getKilnRevision().empty())
    os << " (git " << kiln::getKilnRevision() << ")";
  os << "\nLLVM " << kiln::getLLVMVersion() << "\n";
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::SetVersionPrinter(printVersion);
  cl::HideUnrelatedOptions(kilncCategory);
  cl::ParseCommandLineOptions(argc, argv, "Kiln: ahead-of-time compiler for ONNX models\n");

  if (listOnnxOps) {
    for (const std::string &op : kiln::getSupportedONNXOps())
      outs() << op << "\n";
    return 0;
  }
  if (inputFile.empty() && !printPipeline) {
    errs() << "kilnc: error: no model given; usage: kilnc <model.onnx | model.onnxtxt> "
              "[options] (see --help)\n";
    return 1;
  }

  kiln::CompileOptions options;
  options.inputPath = inputFile;
  options.outputPath = outputFile;
  options.name = modelName;
  options.emit = emitKind;
  options.device = device;
  options.gpuArchs = gpuArch;
  options.cudaPath = cudaPath;
  options.targetTriple = targetTriple;
  options.cpu = targetCPU;
  options.features = targetFeatures;
  options.optLevel = optLevel;
  options.microkernels = microkernels;
  options.printTiming = printTiming;
  options.printPipeline = printPipeline;
  options.printIRAfterAll = printIRAfterAll;
  options.printDebugInfo = !noLocations;
  options.manifestPath = manifestFile;
  if (memoryReport.getNumOccurrences())
    options.memoryReport = memoryReport.empty() ? "-" : memoryReport.getValue();
  options.weightsSection = weightsSection;
  options.inPlace = inPlace;
  options.rowBands = rowBands;
  options.profile = profile;
  if (ramBudget.getNumOccurrences()) {
    options.ramBudget = kiln::parseByteSize(ramBudget);
    if (!options.ramBudget) {
      errs() << "kilnc: error: bad --ram-budget '" << ramBudget
             << "'; expected a byte count such as 65536, 64K or 1M\n";
      return 1;
    }
  }
  if (!sanitize.empty()) {
    if (sanitize != "address") {
      errs() << "kilnc: error: unknown --sanitize '" << sanitize
             << "'; Kiln instruments generated code for 'address' (AddressSanitizer)\n";
      return 1;
    }
    options.sanitizeAddress = true;
  }
  for (auto [flag, text, dest] :
       {std::tuple{"--max-weights", &maxWeights, &options.maxWeightBytes},
        std::tuple{"--max-workspace", &maxWorkspace, &options.maxWorkspaceBytes}}) {
    std::optional<uint64_t> bytes = kiln::parseByteSize(*text);
    if (!bytes) {
      errs() << "kilnc: error: bad " << flag << " '" << *text
             << "'; expected a byte count such as 1048576, 512K, 64M or 4G\n";
      return 1;
    }
    *dest = *bytes;
  }
  if (!compileTo.empty()) {
    options.compileTo = kiln::parsePhase(compileTo);
    if (!options.compileTo) {
      errs() << "kilnc: error: unknown phase '" << compileTo
             << "'; expected import, kiln, linalg, bufferized or llvm\n";
      return 1;
    }
  }
  for (const std::string &spec : shapes) {
    size_t eq = spec.rfind('=');
    std::optional<std::vector<int64_t>> dims;
    std::string elementType;
    if (eq != std::string::npos && eq > 0)
      dims = kiln::parseShapeSpec(StringRef(spec).substr(eq + 1), elementType);
    if (!dims) {
      errs() << "kilnc: error: bad --shape '" << spec
             << "'; expected name=AxBxC with positive sizes, optionally followed by an "
                "element type (name=1x128xi64)\n";
      return 1;
    }
    options.inputShapes[spec.substr(0, eq)] = *dims;
    if (!elementType.empty())
      options.inputTypes[spec.substr(0, eq)] = elementType;
  }
  for (const std::string &spec : constInputs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      errs() << "kilnc: error: bad --const-input '" << spec
             << "'; expected name=V,V,... or name=@tensor.pb\n";
      return 1;
    }
    options.constantInputs[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  return kiln::compileModel(options);
}
