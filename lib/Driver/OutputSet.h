//===- OutputSet.h - Outputs written whole or not at all --------*- C++ -*-===//
//
// kilnc collects every output (object, header, IR, manifest) here and
// writes them only at the end: each to a temporary file beside its
// destination, then all renamed. A failure leaves no partial artifact.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_DRIVER_OUTPUTSET_H
#define KILN_LIB_DRIVER_OUTPUTSET_H

#include <string>
#include <utility>
#include <vector>

namespace kiln {

class OutputSet {
public:
  ~OutputSet() { discard(); }

  /// Adds an output; "-" is stdout.
  void add(std::string path, std::string contents) {
    pending.push_back({std::move(path), std::move(contents)});
  }

  /// Writes every output to a temporary beside it, then renames them all.
  /// Reports and returns false on the first failure.
  bool commit();

  const std::vector<std::pair<std::string, std::string>> &getPending() const { return pending; }

  /// Removes the temporaries of a failed commit.
  void discard();

private:
  /// Writes `contents` to a new temporary beside `path`; empty on failure.
  std::string writeTemporary(const std::string &path, const std::string &contents);

  std::vector<std::pair<std::string, std::string>> pending;
  std::vector<std::string> tempFiles;
};

} // namespace kiln

#endif // KILN_LIB_DRIVER_OUTPUTSET_H
