//===- ByteSize.h - Byte counts for messages ---------------------*- C++ -*-===//
//
// "4.0 MiB", "12 bytes": how every size limit message spells a byte count.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_SUPPORT_BYTESIZE_H
#define KILN_SUPPORT_BYTESIZE_H

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace kiln {

/// `bytes` in the largest binary unit that keeps it at least 1, with one
/// decimal ("1.5 GiB"); below 1 KiB, the exact count ("12 bytes").
inline std::string formatByteSize(uint64_t bytes) {
  static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = (double)bytes;
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  if (u == 0)
    return std::to_string(bytes) + " bytes";
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.1f ", v) << units[u];
  return s;
}

} // namespace kiln

#endif // KILN_SUPPORT_BYTESIZE_H
