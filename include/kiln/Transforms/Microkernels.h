//===- Microkernels.h - The CPU microkernel variants ------------*- C++ -*-===//
//
// The target table of Kiln's CPU microkernels: for each vector variant,
// the register tile its kernels use. kilnc packs constant weights with
// these MR and NR, so they must match the variant's definitions in
// lib/Target/CPU/Kernels (KernelsX86.c, KernelsAArch64.c).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TRANSFORMS_MICROKERNELS_H
#define KILN_TRANSFORMS_MICROKERNELS_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace kiln {

struct MicrokernelVariant {
  llvm::StringLiteral name;
  int64_t vectorWidth; ///< floats per vector register
  int64_t mr, nr;      ///< the register tile: MR rows by NR columns
  int64_t dwPlane;     ///< floats of the depthwise kernel's padded plane buffer
};

inline constexpr MicrokernelVariant kMicrokernelVariants[] = {
    {"avx512", 16, 12, 32, 65536},
    {"avx2", 8, 6, 16, 65536},
    {"sse", 4, 6, 8, 65536},
    {"neon", 4, 8, 12, 65536},
};

/// Floats in each of the Winograd kernel's row buffers (WINO_ROW in the
/// kernels): it takes outputs up to about this many columns wide.
inline constexpr int64_t kWinogradRow = 1024;

inline std::optional<MicrokernelVariant> lookupMicrokernelVariant(llvm::StringRef name) {
  for (const MicrokernelVariant &variant : kMicrokernelVariants)
    if (variant.name == name)
      return variant;
  return std::nullopt;
}

} // namespace kiln

#endif // KILN_TRANSFORMS_MICROKERNELS_H
