//===- DeviceImage.h - The CUDA toolkit and the model's fatbin --*- C++ -*-===//
//
// Finds the CUDA toolkit (libdevice, ptxas, fatbinary) and assembles the
// device image a CUDA artifact embeds: a fatbin with a cubin for each
// listed GPU, built by ptxas, and the PTX of the newest, which the driver
// compiles for GPUs newer than any listed.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CUDA_DEVICEIMAGE_H
#define KILN_TARGET_CUDA_DEVICEIMAGE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace kiln {

/// What kilnc found of the CUDA toolkit. Empty paths are missing tools.
struct CUDAToolkit {
  /// The toolkit's root (it holds nvvm/libdevice/libdevice.10.bc), or empty.
  std::string root;
  std::string ptxas, fatbinary;
};

/// Looks for the toolkit in `explicitRoot` (--cuda-path) when it is given,
/// else in $CUDA_PATH, /usr/local/cuda, and beside the ptxas on $PATH.
/// Fails only for an explicit root that is not a toolkit.
llvm::Expected<CUDAToolkit> findCUDAToolkit(llvm::StringRef explicitRoot);

/// Parses `--gpu-arch`: a comma-separated list of sm_NN (NN >= 70), sorted
/// oldest first with duplicates removed.
llvm::Expected<std::vector<std::string>> parseGPUArchs(llvm::StringRef list);

/// The PTX ISA version kilnc asks of LLVM for `arch` ("+ptx80" up to sm_90a).
std::string getPTXFeatures(llvm::StringRef arch);

/// PTX for one GPU architecture.
struct DevicePTX {
  std::string arch; ///< sm_NN
  std::string ptx;
};

/// The device image for `ptx` (oldest architecture first): a fatbin with one
/// cubin per architecture and the newest architecture's PTX. Without ptxas,
/// the fatbin holds the PTX of every architecture; without fatbinary, the
/// image is the oldest architecture's PTX text, which the driver compiles
/// for any newer GPU. Each such fallback is reported through `warn`.
llvm::Expected<std::string> buildDeviceImage(const CUDAToolkit &toolkit,
                                             llvm::ArrayRef<DevicePTX> ptx,
                                             const std::function<void(const llvm::Twine &)> &warn);

} // namespace kiln

#endif // KILN_TARGET_CUDA_DEVICEIMAGE_H
