//===- DeviceImage.cpp - The CUDA toolkit and the model's fatbin -*- C++ -*-===//
//
// Runs ptxas once per architecture and fatbinary once, in a private
// temporary directory, and reads the fatbin back. Neither tool records the
// temporary file names in its output, so the image depends only on the PTX.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA/DeviceImage.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace kiln {

namespace {

bool isExecutable(const llvm::Twine &path) { return llvm::sys::fs::can_execute(path); }

CUDAToolkit toolkitAt(llvm::StringRef root) {
  CUDAToolkit toolkit;
  toolkit.root = root.str();
  llvm::SmallString<256> ptxas(root), fatbinary(root);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  llvm::sys::path::append(fatbinary, "bin", "fatbinary");
  if (isExecutable(ptxas))
    toolkit.ptxas = ptxas.str().str();
  if (isExecutable(fatbinary))
    toolkit.fatbinary = fatbinary.str().str();
  return toolkit;
}

bool hasLibdevice(llvm::StringRef root) {
  llvm::SmallString<256> path(root);
  llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
  return llvm::sys::fs::exists(path);
}

/// A directory removed with everything in it when this goes away.
class TemporaryDirectory {
public:
  llvm::Error create() {
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("kilnc-cuda", path))
      return llvm::createStringError("cannot create a temporary directory: " + ec.message());
    return llvm::Error::success();
  }
  ~TemporaryDirectory() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<256> p(path);
    llvm::sys::path::append(p, name);
    return p.str().str();
  }

private:
  llvm::SmallString<256> path;
};

llvm::Error writeFile(const std::string &path, llvm::StringRef contents) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError("cannot write '" + path + "': " + ec.message());
  os << contents;
  return llvm::Error::success();
}

/// Runs `args` and fails with the tool's own output when it fails.
llvm::Error runTool(llvm::ArrayRef<std::string> args, const std::string &log) {
  llvm::SmallVector<llvm::StringRef> refs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(args[0], refs, /*Env=*/std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0, &error);
  if (rc == 0)
    return llvm::Error::success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(log))
    output = (*buffer)->getBuffer().trim().str();
  std::string tool = llvm::sys::path::filename(args[0]).str();
  return llvm::createStringError(tool + " failed" + (error.empty() ? "" : ": " + error) +
                                 (output.empty() ? "" : ":\n" + output));
}

unsigned archNumber(llvm::StringRef arch) {
  unsigned n = 0;
  arch.drop_front(3).take_while(llvm::isDigit).getAsInteger(10, n);
  return n;
}

} // namespace

llvm::Expected<CUDAToolkit> findCUDAToolkit(llvm::StringRef explicitRoot) {
  if (!explicitRoot.empty()) {
    if (!llvm::sys::fs::is_directory(explicitRoot) || !hasLibdevice(explicitRoot))
      return llvm::createStringError("--cuda-path=" + explicitRoot.str() +
                                     " is not a CUDA toolkit: it has no "
                                     "nvvm/libdevice/libdevice.10.bc");
    return toolkitAt(explicitRoot);
  }
  llvm::SmallVector<std::string> candidates;
  if (const char *env = std::getenv("CUDA_PATH"); env && *env)
    candidates.push_back(env);
  candidates.push_back("/usr/local/cuda");
  if (auto ptxas = llvm::sys::findProgramByName("ptxas"))
    candidates.push_back(llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas)).str());
  for (const std::string &root : candidates)
    if (hasLibdevice(root))
      return toolkitAt(root);
  return CUDAToolkit{};
}

llvm::Expected<std::vector<std::string>> parseGPUArchs(llvm::StringRef list) {
  llvm::SmallVector<llvm::StringRef> parts;
  list.split(parts, ',', -1, /*KeepEmpty=*/false);
  std::vector<std::string> archs;
  for (llvm::StringRef part : parts) {
    part = part.trim();
    llvm::StringRef digits = part;
    bool accelerated = digits.consume_back("a");
    unsigned n = 0;
    if (!digits.consume_front("sm_") || digits.getAsInteger(10, n) || n < 75 || n > 121 ||
        (accelerated && n < 90))
      return llvm::createStringError(
          "--gpu-arch: '" + part.str() +
          "' is not a GPU architecture Kiln compiles for; give sm_NN with NN from 75 (Turing) "
          "to 121, such as sm_80 (A100) or sm_90 (H100), optionally sm_90a");
    archs.push_back(part.str());
  }
  if (archs.empty())
    return llvm::createStringError("--gpu-arch: the list is empty; give e.g. sm_80,sm_90");
  llvm::sort(archs, [](const std::string &a, const std::string &b) {
    return std::make_pair(archNumber(a), a) < std::make_pair(archNumber(b), b);
  });
  archs.erase(std::unique(archs.begin(), archs.end()), archs.end());
  return archs;
}

std::string getPTXFeatures(llvm::StringRef arch) {
  unsigned n = archNumber(arch);
  if (n >= 120)
    return "+ptx87";
  if (n >= 100)
    return "+ptx86";
  return "+ptx80";
}

llvm::Expected<std::string> buildDeviceImage(const CUDAToolkit &toolkit,
                                             llvm::ArrayRef<DevicePTX> ptx,
                                             const std::function<void(const llvm::Twine &)> &warn) {
  if (ptx.empty())
    return std::string();
  if (toolkit.fatbinary.empty()) {
    warn("fatbinary was not found (give --cuda-path or set CUDA_PATH); the object holds the " +
         ptx.front().arch + " PTX only, which the driver compiles when the model is loaded");
    return ptx.front().ptx;
  }
  if (toolkit.ptxas.empty())
    warn("ptxas was not found (give --cuda-path or set CUDA_PATH); the object holds PTX only, "
         "which the driver compiles when the model is loaded");

  TemporaryDirectory dir;
  if (auto err = dir.create())
    return std::move(err);
  std::string log = dir.file("tool.log");
  std::vector<std::string> fatbinArgs = {toolkit.fatbinary, "--64", "--compress=false",
                                         "--create=" + dir.file("model.fatbin")};
  for (auto [i, device] : llvm::enumerate(ptx)) {
    std::string ptxFile = dir.file(device.arch + ".ptx");
    if (auto err = writeFile(ptxFile, device.ptx))
      return std::move(err);
    std::string sm = device.arch.substr(3);
    bool newest = i + 1 == ptx.size();
    if (toolkit.ptxas.empty()) {
      fatbinArgs.push_back("--image3=kind=ptx,sm=" + sm + ",file=" + ptxFile);
      continue;
    }
    std::string cubin = dir.file(device.arch + ".cubin");
    if (auto err =
            runTool({toolkit.ptxas, "-arch=" + device.arch, "-O3", ptxFile, "-o", cubin}, log))
      return llvm::createStringError("ptxas rejected the " + device.arch +
                                     " PTX kilnc generated: " + llvm::toString(std::move(err)));
    fatbinArgs.push_back("--image3=kind=elf,sm=" + sm + ",file=" + cubin);
    if (newest)
      fatbinArgs.push_back("--image3=kind=ptx,sm=" + sm + ",file=" + ptxFile);
  }
  if (auto err = runTool(fatbinArgs, log))
    return std::move(err);
  auto fatbin = llvm::MemoryBuffer::getFile(dir.file("model.fatbin"), /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!fatbin)
    return llvm::createStringError("cannot read the fatbin: " + fatbin.getError().message());
  return (*fatbin)->getBuffer().str();
}

} // namespace kiln
