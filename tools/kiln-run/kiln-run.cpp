//===- kiln-run.cpp - Run a compiled Kiln model from files -----*- C++ -*-===//
//
// kiln-run loads a model that kilnc compiled and linked into a shared
// object, feeds it tensors read from .npy or TensorProto files, and then
// prints the outputs, writes them as .npy files, compares them against
// expected tensors, or times repeated runs. It talks to the model only
// through the generic kiln_model descriptor and kiln_run of the runtime
// ABI, so it works for every model without generated glue. Any problem is
// reported as a single "kiln-run: error: ..." line and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "Compare.h"
#include "Profile.h"
#include "TensorIO.h"

#include "kiln/runtime.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <dlfcn.h>
#include <sys/stat.h>
#include <time.h>

using namespace kiln::run;

namespace {

const char *const usageText =
    "USAGE: kiln-run MODEL.so [options]\n"
    "\n"
    "Runs a model compiled by kilnc and linked into a shared object.\n"
    "\n"
    "OPTIONS:\n"
    "  --model-symbol SYM         the kiln_model descriptor to use (default:\n"
    "                             <stem>_model, stem = file name without\n"
    "                             '.so', non [A-Za-z0-9_] characters as '_')\n"
    "  --input FILE               the next model input (.npy or TensorProto\n"
    "                             .pb), matched by position; repeatable\n"
    "  --expected FILE            the expected value of the next output\n"
    "                             (.npy or .pb), by position; repeatable\n"
    "  --output-dir DIR           write every output to DIR/<name>.npy\n"
    "  --rtol R                   relative tolerance (default 1e-4)\n"
    "  --atol A                   absolute tolerance (default 1e-5)\n"
    "  --relative-max-error E     a floating-point output passes iff its\n"
    "                             max abs error / max abs reference <= E,\n"
    "                             instead of element-wise checks of\n"
    "                             |actual - expected| <= atol + "
    "rtol*|expected|\n"
    "  --benchmark N              after one warm-up run, time N runs\n"
    "  --threads T                run the model on T threads (default: KILN_NUM_THREADS, else 1)\n"
    "  --profile                  print the time per run of every model node, slowest\n"
    "                             first, over the --benchmark runs (else 10 runs after a\n"
    "                             warm-up); the model must be compiled with kilnc --profile\n"
    "  --quiet                    print only failures, errors and timings\n"
    "  --help                     print this message\n"
    "\n"
    "Integer and bool outputs are always compared exactly. NumPy has no\n"
    "bfloat16 or float8: such inputs are read from uint16 or uint8 .npy\n"
    "files of their bit patterns, and outputs written so. Exit status is 0\n"
    "when the model ran and every compared output matched, 1 otherwise.\n";

struct Options {
  std::string modelPath;
  std::string modelSymbol;
  std::vector<std::string> inputs;
  std::vector<std::string> expected;
  std::string outputDir;
  CompareOptions compare;
  uint64_t benchmarkRuns = 0;
  std::string threads;
  bool quiet = false;
  bool profile = false;
};

[[noreturn]] void fatal(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "kiln-run: error: %s\n", message.c_str());
  std::exit(1);
}

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

double parseTolerance(const std::string &option, const std::string &text) {
  const char *begin = text.c_str();
  char *end = nullptr;
  errno = 0;
  double value = std::strtod(begin, &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !(value >= 0.0) || std::isinf(value))
    fatal("--" + option + " expects a non-negative number, got '" + text + "'");
  return value;
}

uint64_t parsePositive(const std::string &option, const std::string &text, uint64_t max) {
  const char *begin = text.c_str();
  char *end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(begin, &end, 10);
  if (text.empty() || text[0] == '-' || text[0] == '+' || *end != '\0' || errno == ERANGE ||
      value == 0 || value > max)
    fatal("--" + option + " expects an integer from 1 to " + std::to_string(max) + ", got '" +
          text + "'");
  return value;
}

Options parseCommandLine(int argc, char **argv) {
  static const char *const valueOptions[] = {"model-symbol",       "input",     "expected",
                                             "output-dir",         "rtol",      "atol",
                                             "relative-max-error", "benchmark", "threads"};
  Options options;
  bool positionalOnly = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (positionalOnly || arg.size() < 2 || arg[0] != '-') {
      if (!options.modelPath.empty())
        fatal("unexpected argument '" + arg + "' (only one model is run)");
      options.modelPath = arg;
      continue;
    }
    if (arg == "--") {
      positionalOnly = true;
      continue;
    }
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      std::fputs(usageText, stdout);
      std::exit(0);
    }
    if (arg.compare(0, 2, "--") != 0)
      fatal("unknown option '" + arg + "' (see --help)");

    std::string name = arg.substr(2), value;
    bool hasValue = false;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      hasValue = true;
    }
    if (name == "quiet") {
      if (hasValue)
        fatal("--quiet takes no value");
      options.quiet = true;
      continue;
    }
    if (name == "profile") {
      if (hasValue)
        fatal("--profile takes no value");
      options.profile = true;
      continue;
    }
    bool known = std::find_if(std::begin(valueOptions), std::end(valueOptions),
                              [&](const char *o) { return name == o; }) != std::end(valueOptions);
    if (!known)
      fatal("unknown option '--" + name + "' (see --help)");
    if (!hasValue) {
      if (i + 1 >= argc)
        fatal("--" + name + " expects a value");
      value = argv[++i];
    }

    if (name == "model-symbol")
      options.modelSymbol = value;
    else if (name == "input")
      options.inputs.push_back(value);
    else if (name == "expected")
      options.expected.push_back(value);
    else if (name == "output-dir")
      options.outputDir = value;
    else if (name == "rtol")
      options.compare.rtol = parseTolerance(name, value);
    else if (name == "atol")
      options.compare.atol = parseTolerance(name, value);
    else if (name == "relative-max-error") {
      options.compare.relativeMaxError = parseTolerance(name, value);
      options.compare.useRelativeMaxError = true;
    } else if (name == "benchmark")
      options.benchmarkRuns = parsePositive(name, value, 100000000);
    else if (name == "threads")
      options.threads = std::to_string(parsePositive(name, value, 256));
  }
  if (options.modelPath.empty())
    fatal("no model given (usage: kiln-run MODEL.so [options]; see --help)");
  return options;
}

//===----------------------------------------------------------------------===//
// Loading the model
//===----------------------------------------------------------------------===//

bool isIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string sanitize(const std::string &text) {
  std::string out = text;
  for (char &c : out)
    if (!isIdentChar(c))
      c = '_';
  return out;
}

/// The descriptor symbol kilnc emits for a shared object at `path`:
/// <stem>_model, with the stem made a C identifier.
std::string defaultModelSymbol(const std::string &path) {
  std::string stem = path.substr(path.find_last_of('/') + 1);
  if (stem.size() > 3 && stem.compare(stem.size() - 3, 3, ".so") == 0)
    stem.resize(stem.size() - 3);
  stem = sanitize(stem);
  if (!stem.empty() && stem[0] >= '0' && stem[0] <= '9')
    stem.insert(0, "_");
  return stem + "_model";
}

const kiln_model *loadModel(const Options &options, void *&handle, std::string &symbol) {
  std::string path = options.modelPath;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    fatal("cannot open '" + path + "': " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    fatal("'" + path + "' is not a regular file");
  // Without a slash dlopen would search the library path instead.
  if (path.find('/') == std::string::npos)
    path = "./" + path;

  handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = ::dlerror();
    fatal("cannot load '" + options.modelPath + "': " + (why ? why : "unknown dlopen failure"));
  }
  symbol =
      options.modelSymbol.empty() ? defaultModelSymbol(options.modelPath) : options.modelSymbol;
  ::dlerror();
  void *address = ::dlsym(handle, symbol.c_str());
  if (!address)
    fatal("symbol '" + symbol + "' not found in '" + options.modelPath + "'" +
          (options.modelSymbol.empty() ? " (name it with --model-symbol)" : ""));
  const kiln_model *model = static_cast<const kiln_model *>(address);
  if (model->abi_version != KILN_ABI_VERSION)
    fatal("'" + symbol + "' was built for Kiln ABI version " + std::to_string(model->abi_version) +
          ", kiln-run uses version " + std::to_string(KILN_ABI_VERSION) + " (" +
          kiln_status_string(KILN_ERROR_ABI_MISMATCH) + ")");
  return model;
}

//===----------------------------------------------------------------------===//
// Tensors of the descriptor
//===----------------------------------------------------------------------===//

/// What kiln-run needs to know about one descriptor entry.
struct TensorSlot {
  std::string name; ///< the model's name, or "input0"/"output0"
  kiln_dtype dtype;
  std::vector<int64_t> dims;
  uint64_t count; ///< elements
  uint64_t bytes; ///< bytes to allocate (at least count * element size)
};

std::vector<TensorSlot> describe(const kiln_tensor_info *infos, uint32_t n, const char *kind) {
  std::vector<TensorSlot> slots;
  if (n > 0 && !infos)
    fatal(std::string("the model descriptor has no ") + kind + " table");
  for (uint32_t i = 0; i < n; ++i) {
    const kiln_tensor_info &info = infos[i];
    TensorSlot slot;
    slot.name = info.name && *info.name ? info.name : std::string(kind) + std::to_string(i);
    slot.dtype = info.dtype;
    size_t elemSize = kiln_dtype_size(info.dtype);
    if (elemSize == 0)
      fatal(std::string(kind) + " '" + slot.name + "' has unsupported dtype " +
            std::to_string(info.dtype));
    if (info.rank > 0 && !info.dims)
      fatal(std::string(kind) + " '" + slot.name + "' has no dims");
    if (info.rank > 64)
      fatal(std::string(kind) + " '" + slot.name + "' has rank " + std::to_string(info.rank));
    slot.dims.assign(info.dims, info.dims + info.rank);
    const uint64_t limit = uint64_t(1) << 46;
    if (!elementCount(slot.dims.data(), slot.dims.size(), slot.count) ||
        slot.count > limit / elemSize || info.byte_size > limit)
      fatal(std::string(kind) + " '" + slot.name + "' has invalid dims " + formatDims(slot.dims));
    slot.bytes = std::max<uint64_t>(info.byte_size, slot.count * elemSize);
    slots.push_back(std::move(slot));
  }
  return slots;
}

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};
using Buffer = std::unique_ptr<void, FreeDeleter>;

/// A zeroed heap block of exactly `size` bytes (1 for an empty tensor)
/// aligned to `align` (a power of two). Each tensor and the workspace get
/// their own block, with nothing after the last byte, so that under
/// AddressSanitizer (kilnc --sanitize=address) any access past a buffer's
/// end is caught.
Buffer allocate(uint64_t size, uint64_t align, const std::string &what) {
  align = std::max<uint64_t>(align, sizeof(void *));
  void *p = nullptr;
  if (posix_memalign(&p, size_t(align), size_t(std::max<uint64_t>(size, 1))) != 0)
    fatal("out of memory allocating " + std::to_string(size) + " bytes for " + what);
  std::memset(p, 0, size_t(std::max<uint64_t>(size, 1)));
  return Buffer(p);
}

/// Checks that `tensor`, read from `file`, fits `slot`. A uint16 tensor
/// given for a bf16 slot is read as bf16 bit patterns: NumPy has no
/// bfloat16, and ONNX's own test data (1.12) stores bfloat16 tensors so.
void checkAgainst(const TensorSlot &slot, Tensor &tensor, const std::string &file, const char *kind,
                  const char *modelVerb) {
  if (slot.dtype == KILN_DTYPE_BF16 && tensor.dtype == KILN_DTYPE_U16)
    tensor.dtype = KILN_DTYPE_BF16;
  if (isFloat8DType(slot.dtype) && tensor.dtype == KILN_DTYPE_U8) // float8 bits, likewise
    tensor.dtype = slot.dtype;
  if (tensor.dtype != slot.dtype)
    fatal(std::string(kind) + " '" + slot.name + "': dtype mismatch: model " + modelVerb + " " +
          kiln_dtype_name(slot.dtype) + ", '" + file + "' has " + kiln_dtype_name(tensor.dtype));
  if (tensor.numElements() != slot.count)
    fatal(std::string(kind) + " '" + slot.name + "': shape mismatch: model " + modelVerb + " " +
          formatDims(slot.dims) + " (" + std::to_string(slot.count) + " elements), '" + file +
          "' has " + formatDims(tensor.dims) + " (" + std::to_string(tensor.numElements()) +
          " elements)");
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

std::string formatElement(kiln_dtype dtype, const void *data, uint64_t i) {
  char text[64];
  const uint8_t *bytes = static_cast<const uint8_t *>(data);
  switch (dtype) {
  case KILN_DTYPE_I64: {
    int64_t v;
    std::memcpy(&v, bytes + i * 8, 8);
    std::snprintf(text, sizeof(text), "%" PRId64, v);
    break;
  }
  case KILN_DTYPE_U64: {
    uint64_t v;
    std::memcpy(&v, bytes + i * 8, 8);
    std::snprintf(text, sizeof(text), "%" PRIu64, v);
    break;
  }
  case KILN_DTYPE_F64:
    std::snprintf(text, sizeof(text), "%.10g", loadAsDouble(dtype, data, i));
    break;
  case KILN_DTYPE_F32:
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
  case KILN_DTYPE_F8E4M3FN:
  case KILN_DTYPE_F8E4M3FNUZ:
  case KILN_DTYPE_F8E5M2:
  case KILN_DTYPE_F8E5M2FNUZ:
    std::snprintf(text, sizeof(text), "%.6g", loadAsDouble(dtype, data, i));
    break;
  default:
    std::snprintf(text, sizeof(text), "%.0f", loadAsDouble(dtype, data, i));
    break;
  }
  return text;
}

/// "[1, 2]" for flat index 5 of a [2, 3] tensor.
std::string formatIndex(const std::vector<int64_t> &dims, uint64_t flat) {
  std::vector<int64_t> index(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    uint64_t extent = uint64_t(dims[d]);
    index[d] = extent ? int64_t(flat % extent) : 0;
    flat = extent ? flat / extent : 0;
  }
  return formatDims(index);
}

void printOutput(const TensorSlot &slot, const void *data) {
  std::string line = "output " + slot.name + ": " + kiln_dtype_name(slot.dtype) + " " +
                     formatDims(slot.dims) + " = [";
  uint64_t shown = std::min<uint64_t>(slot.count, 10);
  for (uint64_t i = 0; i < shown; ++i) {
    if (i)
      line += ", ";
    line += formatElement(slot.dtype, data, i);
  }
  if (shown < slot.count)
    line += ", ... (" + std::to_string(slot.count) + " values)";
  line += "]";
  std::printf("%s\n", line.c_str());
}

/// Three decimals for ordinary timings, six (nanoseconds) below 1 ms.
std::string formatMilliseconds(double ms) {
  char text[64];
  std::snprintf(text, sizeof(text), ms >= 1.0 ? "%.3f" : "%.6f", ms);
  return text;
}

double nowMilliseconds() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

} // namespace

//===----------------------------------------------------------------------===//
// main
//===----------------------------------------------------------------------===//

int main(int argc, char **argv) {
  Options options = parseCommandLine(argc, argv);

  // The runtime's parallel-for (linked into kiln-run and exported to the
  // model's shared object) takes the count from the flag, else from
  // KILN_NUM_THREADS.
  if (!options.threads.empty() && kiln_set_num_threads(std::stoi(options.threads)) != 0)
    fatal("--threads " + options.threads + " is out of range (1 to 256)");

  void *handle = nullptr;
  std::string symbol;
  const kiln_model *model = loadModel(options, handle, symbol);
  std::optional<ProfileTables> profile;
  if (options.profile) {
    profile = findProfile(handle, symbol);
    if (!profile)
      fatal("'" + options.modelPath + "' has no profile tables for '" + symbol +
            "': compile the model with kilnc --profile");
  }
  std::vector<TensorSlot> inputSlots = describe(model->inputs, model->num_inputs, "input");
  std::vector<TensorSlot> outputSlots = describe(model->outputs, model->num_outputs, "output");
  const std::string modelName = model->name && *model->name ? model->name : options.modelPath;

  if (options.inputs.size() != inputSlots.size())
    fatal("model '" + modelName + "' has " + std::to_string(inputSlots.size()) + " input(s) but " +
          std::to_string(options.inputs.size()) + " --input file(s) given");
  if (!options.expected.empty() && options.expected.size() != outputSlots.size())
    fatal("model '" + modelName + "' has " + std::to_string(outputSlots.size()) +
          " output(s) but " + std::to_string(options.expected.size()) +
          " --expected file(s) given");

  // Read and check every file before running anything.
  std::string error;
  std::vector<Buffer> inputBuffers;
  std::vector<const void *> inputPointers;
  for (size_t i = 0; i < inputSlots.size(); ++i) {
    Tensor tensor;
    if (!readTensorFile(options.inputs[i], tensor, error))
      fatal(error);
    checkAgainst(inputSlots[i], tensor, options.inputs[i], "input", "expects");
    inputBuffers.push_back(allocate(inputSlots[i].bytes, 64, "input '" + inputSlots[i].name + "'"));
    if (!tensor.data.empty())
      std::memcpy(inputBuffers.back().get(), tensor.data.data(), tensor.data.size());
    inputPointers.push_back(inputBuffers.back().get());
  }
  std::vector<Tensor> expected(options.expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    if (!readTensorFile(options.expected[i], expected[i], error))
      fatal(error);
    checkAgainst(outputSlots[i], expected[i], options.expected[i], "output", "produces");
  }

  std::vector<Buffer> outputBuffers;
  std::vector<void *> outputPointers;
  for (const TensorSlot &slot : outputSlots) {
    outputBuffers.push_back(allocate(slot.bytes, 64, "output '" + slot.name + "'"));
    outputPointers.push_back(outputBuffers.back().get());
  }
  uint64_t workspaceAlign = model->workspace_align ? model->workspace_align : 1;
  if (workspaceAlign & (workspaceAlign - 1))
    fatal("the model descriptor's workspace alignment " + std::to_string(workspaceAlign) +
          " is not a power of two");
  if (workspaceAlign > (uint64_t(1) << 30) || model->workspace_size > (uint64_t(1) << 46))
    fatal("the model descriptor's workspace (" + std::to_string(model->workspace_size) +
          " bytes, alignment " + std::to_string(workspaceAlign) + ") is out of range");
  Buffer workspace = allocate(model->workspace_size, workspaceAlign, "the workspace");

  auto runOnce = [&]() {
    kiln_status status = kiln_run_sized(model, inputPointers.data(), outputPointers.data(),
                                        workspace.get(), size_t(model->workspace_size));
    if (status != KILN_OK)
      fatal(kiln_status_string(status));
  };
  runOnce();

  size_t failedOutputs = 0;

  if (!options.outputDir.empty()) {
    struct stat st;
    if (::stat(options.outputDir.c_str(), &st) != 0) {
      if (::mkdir(options.outputDir.c_str(), 0777) != 0)
        fatal("cannot create directory '" + options.outputDir + "': " + std::strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
      fatal("'" + options.outputDir + "' is not a directory");
    }
    std::set<std::string> used;
    for (size_t i = 0; i < outputSlots.size(); ++i) {
      const TensorSlot &slot = outputSlots[i];
      std::string base = sanitize(slot.name);
      if (!used.insert(base).second) {
        base += "_" + std::to_string(i);
        used.insert(base);
      }
      std::string path = options.outputDir + "/" + base + ".npy";
      if (!writeNpy(path, slot.dtype, slot.dims.data(), slot.dims.size(), outputPointers[i],
                    slot.count * kiln_dtype_size(slot.dtype), error))
        fatal(error);
      if (!options.quiet)
        std::printf("wrote output %s to %s\n", slot.name.c_str(), path.c_str());
    }
  }

  if (!expected.empty()) {
    const unsigned shownMismatches = 5;
    for (size_t i = 0; i < outputSlots.size(); ++i) {
      const TensorSlot &slot = outputSlots[i];
      CompareResult result = compareBuffers(slot.dtype, outputPointers[i], expected[i].data.data(),
                                            slot.count, options.compare);
      if (!result.passed)
        ++failedOutputs;
      if (options.quiet && result.passed)
        continue;
      std::printf("output %s: max abs error %g, max abs reference %g, "
                  "relative %g, %" PRIu64 " mismatches of %" PRIu64 "\n",
                  slot.name.c_str(), result.maxAbsError, result.maxAbsReference,
                  result.relativeError(), result.mismatches, result.total);
      if (result.passed)
        continue;
      if (options.compare.useRelativeMaxError && isFloatDType(slot.dtype))
        std::printf("  FAIL: relative error %g exceeds %g\n", result.relativeError(),
                    options.compare.relativeMaxError);
      else
        std::printf("  FAIL: %" PRIu64 " of %" PRIu64 " elements outside tolerance\n",
                    result.mismatches, result.total);
      const void *want = expected[i].data.data();
      for (size_t m = 0; m < result.firstMismatches.size() && m < shownMismatches; ++m) {
        uint64_t flat = result.firstMismatches[m].index;
        std::printf("  mismatch at %s (flat %" PRIu64 "): got %s, expected %s\n",
                    formatIndex(slot.dims, flat).c_str(), flat,
                    formatElement(slot.dtype, outputPointers[i], flat).c_str(),
                    formatElement(slot.dtype, want, flat).c_str());
      }
      if (result.total > 0) {
        uint64_t flat = result.worst.index;
        std::printf("  largest error at %s (flat %" PRIu64 "): got %s, expected %s\n",
                    formatIndex(slot.dims, flat).c_str(), flat,
                    formatElement(slot.dtype, outputPointers[i], flat).c_str(),
                    formatElement(slot.dtype, want, flat).c_str());
      }
    }
    if (failedOutputs == 0 && !options.quiet)
      std::printf("all %zu outputs match\n", outputSlots.size());
  } else if (options.outputDir.empty() && !options.quiet) {
    for (size_t i = 0; i < outputSlots.size(); ++i)
      printOutput(outputSlots[i], outputPointers[i]);
  }

  if (options.benchmarkRuns > 0 || profile) {
    uint64_t runs = options.benchmarkRuns > 0 ? options.benchmarkRuns : 10;
    runOnce(); // warm-up
    if (profile)
      resetProfile(*profile);
    std::vector<double> times;
    times.reserve(runs);
    for (uint64_t r = 0; r < runs; ++r) {
      double start = nowMilliseconds();
      runOnce();
      times.push_back(nowMilliseconds() - start);
    }
    double sum = std::accumulate(times.begin(), times.end(), 0.0);
    if (profile)
      printProfile(*profile, runs, sum);
    if (options.benchmarkRuns > 0) {
      std::sort(times.begin(), times.end());
      size_t n = times.size();
      double median = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
      std::printf("benchmark: %zu runs, median %s ms, min %s ms, mean %s ms\n", n,
                  formatMilliseconds(median).c_str(), formatMilliseconds(times.front()).c_str(),
                  formatMilliseconds(sum / double(n)).c_str());
    }
  }

  std::fflush(stdout);
  if (failedOutputs != 0)
    fatal(std::to_string(failedOutputs) + " of " + std::to_string(outputSlots.size()) +
          " outputs do not match the expected values");
  return 0;
}
