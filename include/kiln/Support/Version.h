//===- Version.h - Kiln's version, revision and LLVM version ----*- C++ -*-===//
//
// What `kilnc --version` prints and manifests record. The git revision is
// compiled into one file (Version.cpp) so that a commit relinks the tools
// without recompiling the rest.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_SUPPORT_VERSION_H
#define KILN_SUPPORT_VERSION_H

#include "llvm/ADT/StringRef.h"

namespace kiln {

/// Kiln's release version, e.g. "0.1.0".
llvm::StringRef getKilnVersion();
/// The git revision Kiln was built from (12 hex digits); empty when built
/// outside a checkout.
llvm::StringRef getKilnRevision();
/// The version of the LLVM/MLIR Kiln was built against, e.g. "22.1.8".
llvm::StringRef getLLVMVersion();

} // namespace kiln

#endif // KILN_SUPPORT_VERSION_H
