//===- Artifact.h - Header and entry-point generation -----------*- C++ -*-===//
//
// The parts of the artifact shared by every target: the C header and the
// LLVM IR of the typed entry point, the generic entry point and the
// `kiln_model` descriptor (runtime/include/kiln/runtime.h, ABI version 1).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_ARTIFACT_H
#define KILN_TARGET_ARTIFACT_H

#include "kiln/Target/ModelSignature.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace llvm {
class Module;
} // namespace llvm

namespace kiln {

/// Writes `NAME.h` for `signature`.
void emitHeader(const ModelSignature &signature, llvm::raw_ostream &os);

/// Adds `NAME_run`, `NAME_run_generic` (internal) and `NAME_model` to
/// `module`, which must define `implName` taking the inputs, the outputs
/// and the workspace as bare pointers. `implName` is made internal.
llvm::Error emitEntryPoints(const ModelSignature &signature, llvm::StringRef implName,
                            llvm::Module &module);

} // namespace kiln

#endif // KILN_TARGET_ARTIFACT_H
