//===- CUDABackend.cpp - The CUDA target backend ----------------*- C++ -*-===//
//
// The llvm phase of a CUDA compilation:
//
//   1. host IR prepared for kernels: strided and contiguous copies become
//      linalg.copy, linalg ops become parallel loops;
//   2. kiln-cuda-map-to-launches, gpu-kernel-outlining and
//      kiln-cuda-lower-launches: one kernel per loop nest, launched through
//      libkiln_rt_cuda on the caller's stream;
//   3. the kernels' module through NVVM to PTX for every --gpu-arch
//      (gpu-module-to-binary, with the toolkit's libdevice), kept as host
//      globals by kiln-cuda-embed-device-code;
//   4. the host function to the LLVM dialect like the CPU's.
//
// finishModule assembles the PTX into the fatbin (DeviceImage.cpp) and
// adds the descriptor and entry points (HostModule.cpp).
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA/CUDABackend.h"

#include "kiln/Target/Artifact.h"
#include "kiln/Target/CPU/CodeGen.h"
#include "kiln/Target/CUDA/DeviceImage.h"
#include "kiln/Target/CUDA/HostModule.h"
#include "kiln/Target/CUDA/Transforms/Passes.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Module.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace kiln {
namespace {

/// The device copy of the workspace and its buffers: cudaMalloc's alignment.
constexpr int64_t kWorkspaceAlignment = 256;
constexpr llvm::StringLiteral kImageSection = ".kiln.cuda.image";
constexpr llvm::StringLiteral kWeightsSection = ".rodata.kiln.weights";

class CUDABackend : public TargetBackend {
public:
  CUDABackend(TargetOptions options, std::vector<std::string> archs, CUDAToolkit toolkit,
              std::unique_ptr<llvm::TargetMachine> host, WarningHandler warn)
      : options(std::move(options)), archs(std::move(archs)), toolkit(std::move(toolkit)),
        host(std::move(host)), warn(std::move(warn)) {}

  llvm::StringRef getName() const override { return "cuda"; }

  TargetDescription describe() const override {
    return {host->getTargetTriple().str(), llvm::join(archs, ","), getPTXFeatures(archs.back())};
  }

  llvm::Expected<PhaseOptions> getPhaseOptions() const override {
    if (options.microkernels != "auto" && options.microkernels != "none")
      return llvm::createStringError("--microkernels applies to CPU targets; --device=cuda "
                                     "generates its own kernels");
    if (options.sanitizeAddress)
      return llvm::createStringError("--sanitize=address applies to CPU targets");
    if (options.profile)
      return llvm::createStringError("--profile times CPU code; it does not apply to "
                                     "--device=cuda");
    if (!options.weightsSection.empty())
      return llvm::createStringError("--weights-section applies to CPU targets; --device=cuda "
                                     "keeps the weights in the device image's context");
    PhaseOptions phase;
    phase.indexBitwidth = 64;
    phase.workspaceAlignment = kWorkspaceAlignment;
    phase.inPlace = options.inPlace == "on";
    phase.rowBands = options.rowBands == "on";
    return phase;
  }

  void buildLLVMPasses(OpPassManager &pm, const PhaseOptions &phase) const override {
    // 1. Loop nests on buffers, each a gpu.launch; 2. kernels and their
    // launches.
    buildCUDALaunchMappingPasses(pm.nest<func::FuncOp>());
    pm.addPass(createGpuKernelOutliningPass());
    pm.addPass(createLowerLaunchesPass());
    // 3. The kernels through NVVM to PTX.
    {
      OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
      device.addPass(memref::createExpandStridedMetadataPass());
      device.addPass(createLowerAffinePass());
      device.addPass(createSCFToControlFlowPass());
      device.addPass(arith::createArithExpandOpsPass());
      ConvertGpuOpsToNVVMOpsOptions nvvm;
      nvvm.indexBitwidth = 64;
      nvvm.useBarePtrCallConv = true;
      device.addPass(createConvertGpuOpsToNVVMOps(nvvm));
      device.addPass(createCanonicalizerPass());
      device.addPass(createCSEPass());
      device.addPass(createReconcileUnrealizedCastsPass());
    }
    for (const std::string &arch : archs) {
      GpuNVVMAttachTargetOptions target;
      target.moduleMatcher = kCUDAKernelModule.str();
      target.chip = arch;
      target.features = getPTXFeatures(arch);
      target.optLevel = std::min(options.optLevel, 3u);
      pm.addPass(createGpuNVVMAttachTarget(target));
    }
    GpuModuleToBinaryPassOptions binary;
    binary.compilationTarget = "isa";
    binary.toolkitPath = toolkit.root;
    pm.addPass(createGpuModuleToBinaryPass(binary));
    pm.addPass(createEmbedDeviceCodePass());
    // 4. The host.
    buildLowerLoopsToLLVMPasses(pm, phase);
    pm.addPass(createCanonicalizerPass());
  }

  llvm::Error finishModule(llvm::Module &module, const ModelSignature &signature) const override {
    module.setTargetTriple(host->getTargetTriple());
    module.setDataLayout(host->createDataLayout());
    auto ptx = takeDevicePTX(module);
    if (!ptx)
      return ptx.takeError();
    newestPTX = ptx->empty() ? "" : ptx->back().ptx;
    CUDAArtifact artifact;
    artifact.archs = llvm::join(archs, ",");
    bool isELF = host->getTargetTriple().isOSBinFormatELF();
    artifact.imageSection = isELF ? kImageSection.str() : "";
    artifact.weightsSection = isELF ? kWeightsSection.str() : "";
    if (!ptx->empty()) {
      auto image = buildDeviceImage(toolkit, *ptx, warn);
      if (!image)
        return image.takeError();
      artifact.image = std::move(*image);
    }
    return finishCUDAHostModule(module, signature, artifact);
  }

  void optimizeModule(llvm::Module &module) const override {
    kiln::optimizeModule(module, *host, options.optLevel);
  }

  void emitHeader(const ModelSignature &sig, llvm::raw_ostream &os) const override {
    std::string upper = llvm::StringRef(sig.name).upper();
    emitHeaderBegin(sig, "kiln/runtime_cuda.h", os);
    os << "/* Compiled for CUDA: " << llvm::join(archs, ", ")
       << ". Every pointer is device memory\n"
       << "   the caller owns; `workspace` holds " << upper << "_WORKSPACE_SIZE bytes aligned to\n"
       << "   " << upper << "_WORKSPACE_ALIGN (it may be NULL when the size is 0). */\n\n"
       << "/* Enqueues every kernel of the model on `stream` (a CUstream; NULL is the\n"
       << "   legacy default stream) and returns without waiting. Never allocates\n"
       << "   and never synchronizes. `ctx` comes from kiln_cuda_context_create(&" << sig.name
       << "_cuda_model, ...). */\n"
       << "kiln_status " << sig.name << "_run_cuda(kiln_cuda_context *ctx, const " << sig.name
       << "_inputs *in,\n    " << sig.name << "_outputs *out, void *workspace, void *stream);\n\n"
       << "/* The descriptor: names, dtypes, dims, byte sizes, workspace, kernels,\n"
       << "   weights and the device image (\"cuda\", " << llvm::join(archs, ",") << "). */\n"
       << "extern const kiln_cuda_model " << sig.name << "_cuda_model;\n\n";
    emitHeaderEnd(sig, os);
  }

  llvm::Error emit(llvm::Module &module, MachineCodeKind kind,
                   llvm::SmallVectorImpl<char> &out) const override {
    if (kind == MachineCodeKind::DeviceAssembly) {
      out.assign(newestPTX.begin(), newestPTX.end());
      return llvm::Error::success();
    }
    if (kind == MachineCodeKind::SharedObject)
      return llvm::createStringError("--emit=shared applies to CPU targets; link the object of "
                                     "--device=cuda with libkiln_rt_cuda.a instead");
    llvm::SmallString<0> code;
    llvm::raw_svector_ostream os(code);
    if (auto err = emitMachineCode(module, *host, kind == MachineCodeKind::Assembly, os))
      return err;
    out.assign(code.begin(), code.end());
    return llvm::Error::success();
  }

private:
  TargetOptions options;
  std::vector<std::string> archs;
  CUDAToolkit toolkit;
  std::unique_ptr<llvm::TargetMachine> host;
  WarningHandler warn;
  /// The newest architecture's PTX, kept by finishModule for --emit=ptx.
  mutable std::string newestPTX;
};

} // namespace

void buildCUDALaunchMappingPasses(OpPassManager &func) {
  func.addPass(createFlattenEmptyArgumentsPass());
  func.addPass(createLowerStridedCopiesPass(LowerStridedCopiesPassOptions{/*all=*/true}));
  func.addPass(createConvertLinalgToParallelLoopsPass());
  func.addPass(createCanonicalizerPass());
  func.addPass(createMapToLaunchesPass());
}

llvm::Expected<std::unique_ptr<TargetBackend>> createCUDABackend(const TargetOptions &options,
                                                                 WarningHandler warn) {
  auto archs = parseGPUArchs(options.gpuArchs);
  if (!archs)
    return archs.takeError();
  auto toolkit = findCUDAToolkit(options.cudaPath);
  if (!toolkit)
    return toolkit.takeError();
  if (toolkit->root.empty())
    return llvm::createStringError(
        "--device=cuda needs the CUDA toolkit's libdevice (nvvm/libdevice/libdevice.10.bc) for "
        "the kernels' math; none was found in $CUDA_PATH, /usr/local/cuda or beside ptxas; give "
        "--cuda-path=DIR");
  // Host code is generic for the host's architecture: the object runs on
  // whichever machine holds the GPU.
  auto host = createCPUTargetMachine(CPUTargetOptions{
      options.triple.empty() ? llvm::sys::getDefaultTargetTriple() : options.triple, options.cpu,
      options.features, options.optLevel});
  if (!host)
    return host.takeError();
  if ((*host)->createDataLayout().getPointerSizeInBits() != 64)
    return llvm::createStringError("--device=cuda needs a 64-bit host; '" +
                                   (*host)->getTargetTriple().str() + "' is not");
  return std::make_unique<CUDABackend>(options, std::move(*archs), std::move(*toolkit),
                                       std::move(*host), std::move(warn));
}

} // namespace kiln
