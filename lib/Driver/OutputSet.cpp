//===- OutputSet.cpp - Outputs written whole or not at all ------*- C++ -*-===//

#include "OutputSet.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln {

std::string OutputSet::writeTemporary(const std::string &path, const std::string &contents) {
  llvm::SmallString<256> model(path);
  model += ".tmp%%%%%%";
  int fd;
  llvm::SmallString<256> temp;
  if (auto ec = llvm::sys::fs::createUniqueFile(model, fd, temp)) {
    llvm::errs() << "kilnc: error: cannot write '" << path << "': " << ec.message() << "\n";
    return "";
  }
  tempFiles.push_back(temp.str().str());
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << contents;
  os.flush();
  if (os.has_error()) {
    llvm::errs() << "kilnc: error: cannot write '" << path << "': " << os.error().message() << "\n";
    os.clear_error();
    return "";
  }
  return temp.str().str();
}

bool OutputSet::commit() {
  std::vector<std::pair<std::string, std::string>> temps;
  for (auto &[path, contents] : pending) {
    if (path == "-") {
      llvm::outs() << contents;
      llvm::outs().flush();
      continue;
    }
    std::string temp = writeTemporary(path, contents);
    if (temp.empty())
      return false;
    temps.push_back({temp, path});
  }
  for (auto &[temp, path] : temps) {
    if (auto ec = llvm::sys::fs::rename(temp, path)) {
      llvm::errs() << "kilnc: error: cannot write '" << path << "': " << ec.message() << "\n";
      return false;
    }
    llvm::erase(tempFiles, temp);
  }
  pending.clear();
  return true;
}

void OutputSet::discard() {
  for (const std::string &temp : tempFiles)
    llvm::sys::fs::remove(temp);
  tempFiles.clear();
}

} // namespace kiln
