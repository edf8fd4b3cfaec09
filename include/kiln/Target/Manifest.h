//===- Manifest.h - The reproducibility manifest of a compilation -*- C++ -*-===//
//
// `kilnc --manifest out.json` records what produced an artifact: Kiln's and
// LLVM's versions, the model's SHA-256, the resolved compilation settings
// and each output's SHA-256. It holds no path, time, host or user name, so
// the same model and flags give the same manifest byte for byte.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_MANIFEST_H
#define KILN_TARGET_MANIFEST_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace kiln {

struct ManifestData {
  /// The model's file name (no directory) and contents.
  std::string modelFile;
  llvm::StringRef modelBytes;
  /// Settings as resolved for this compilation (defaults filled in).
  std::string name, emit, triple, cpu, features;
  unsigned optLevel = 2;
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Element types given with --shape (written only when there are any).
  std::map<std::string, std::string> inputTypes;
  /// Inputs bound at compile time: name -> the inline values, or
  /// "@<file name> sha256:<hex>" for a TensorProto file.
  std::map<std::string, std::string> constantInputs;
  /// Each output: its file name (no directory) and contents.
  std::vector<std::pair<std::string, llvm::StringRef>> outputs;
};

/// Lower-case hex SHA-256 of `bytes`.
std::string sha256Hex(llvm::StringRef bytes);

/// Renders the manifest as JSON (two-space indent, fixed key order, a
/// trailing newline).
std::string renderManifest(const ManifestData &data);

} // namespace kiln

#endif // KILN_TARGET_MANIFEST_H
