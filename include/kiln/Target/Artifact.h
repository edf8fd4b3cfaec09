//===- Artifact.h - Header and entry-point generation -----------*- C++ -*-===//
//
// The parts of the artifact shared by every target: the C header, the
// model's fingerprint, the LLVM IR of the typed entry point, the generic
// entry point and the `kiln_model` descriptor (runtime/include/kiln/runtime.h),
// and the placement of the weights. Target backends call these from
// TargetBackend::finishModule; the manifest is in Manifest.h.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_ARTIFACT_H
#define KILN_TARGET_ARTIFACT_H

#include "kiln/Target/ModelSignature.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace llvm {
class Constant;
class GlobalVariable;
class Module;
} // namespace llvm

namespace kiln {

/// Writes `NAME.h` for `signature`: the CPU entry points.
void emitHeader(const ModelSignature &signature, llvm::raw_ostream &os);

/// The parts of NAME.h every target shares: the guard, `#include
/// <runtimeHeader>`, the size macros and the input and output structs
/// (emitHeaderBegin); the end of the guard (emitHeaderEnd). A target's
/// header writes its entry points between them.
void emitHeaderBegin(const ModelSignature &signature, llvm::StringRef runtimeHeader,
                     llvm::raw_ostream &os);
void emitHeaderEnd(const ModelSignature &signature, llvm::raw_ostream &os);

/// The model version's fingerprint (kiln_model.fingerprint and
/// NAME_FINGERPRINT): the first 64 bits of the SHA-256 of `identity` (what
/// decides the compiled model: the model file's digest, the compile-time
/// inputs, the target and the options) followed by the header `signature`
/// gives with fingerprint 0, so that a program built against one version's
/// header can tell when another version's object is linked in.
uint64_t computeFingerprint(llvm::StringRef identity, const ModelSignature &signature);

/// Adds `NAME_run`, `NAME_run_generic` (internal) and `NAME_model` to
/// `module`, which must define `implName` taking the inputs, the outputs
/// and the workspace as bare pointers. `implName` is made internal.
llvm::Error emitEntryPoints(const ModelSignature &signature, llvm::StringRef implName,
                            llvm::Module &module);

/// A private, unnamed_addr constant holding `text` and a NUL.
llvm::GlobalVariable *emitPrivateString(llvm::Module &module, llvm::StringRef text,
                                        const llvm::Twine &name);

/// The `kiln_tensor_info` array describing `tensors` (null when empty),
/// named `<prefix>_<kind>`.
llvm::Constant *emitTensorInfoArray(llvm::Module &module,
                                    const std::vector<TensorSignature> &tensors,
                                    llvm::StringRef prefix, llvm::StringRef kind);

/// Gives every weight (a constant global named `__constant_*`) at least
/// `alignment` bytes of alignment and, when `section` is not empty, puts it
/// in `section`, so that a linker script can place the weights in flash.
void placeWeights(llvm::Module &module, llvm::StringRef section, uint64_t alignment);

/// With kilnc --profile: gives kiln-insert-profile's tables the model's name
/// (NAME_profile_ns, NAME_profile_calls, NAME_profile_names), exports them,
/// and adds NAME_profile_count, for kiln-run --profile. A no-op otherwise.
void exportProfile(llvm::Module &module, llvm::StringRef name);

} // namespace kiln

#endif // KILN_TARGET_ARTIFACT_H
