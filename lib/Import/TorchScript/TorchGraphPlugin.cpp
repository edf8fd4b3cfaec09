//===- TorchGraphPlugin.cpp - Loading the libtorch module on demand -*- C++ -*-===//
//
// kilnc does not link libtorch: loading it costs about half a second, which
// every compilation would pay. The libtorch half of the front end is the
// kiln_torchscript module, loaded here the first time a .pt file is
// compiled: from $KILN_TORCHSCRIPT_PLUGIN when set, otherwise from
// KILN_TORCHSCRIPT_PLUGIN relative to the directory of the running kilnc.
//
//===----------------------------------------------------------------------===//

#include "TorchGraph.h"

#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

namespace kiln::torchscript {

namespace {

std::string pluginPath() {
  if (const char *env = std::getenv("KILN_TORCHSCRIPT_PLUGIN"))
    return env;
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(path, KILN_TORCHSCRIPT_PLUGIN);
  llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
  return std::string(path);
}

} // namespace

bool loadTorchScriptGraph(const std::string &path, TSGraph &graph, std::string &error) {
  static LoadGraphFn load = nullptr;
  static std::string loadError;
  if (!load && loadError.empty()) {
    std::string plugin = pluginPath();
    std::string message;
    auto library = llvm::sys::DynamicLibrary::getPermanentLibrary(plugin.c_str(), &message);
    if (!library.isValid())
      loadError = "cannot load Kiln's TorchScript module " + plugin + ": " + message;
    else if (!(load = reinterpret_cast<LoadGraphFn>(library.getAddressOfSymbol(kLoadGraphSymbol))))
      loadError = plugin + " has no " + kLoadGraphSymbol;
  }
  if (!load) {
    error = loadError;
    return false;
  }
  return load(path, graph, error);
}

} // namespace kiln::torchscript
