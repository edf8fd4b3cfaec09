//===- ModuleFinishing.cpp - Fingerprint and weights placement --*- C++ -*-===//
//
// The pieces of module finishing that every target shares: the model
// version's fingerprint and the alignment and section of the weights.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Artifact.h"
#include "kiln/Target/Manifest.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Module.h"

namespace kiln {

uint64_t computeFingerprint(llvm::StringRef identity, const ModelSignature &signature) {
  std::string text = identity.str();
  llvm::raw_string_ostream os(text);
  ModelSignature unversioned = signature;
  unversioned.fingerprint = 0;
  emitHeader(unversioned, os);
  uint64_t fingerprint = 0;
  llvm::StringRef(sha256Hex(text)).substr(0, 16).getAsInteger(16, fingerprint);
  return fingerprint;
}

void exportProfile(llvm::Module &module, llvm::StringRef name) {
  llvm::GlobalVariable *ns = module.getNamedGlobal("kiln_profile_ns");
  if (!ns)
    return;
  for (const char *table : {"ns", "calls", "names"})
    if (llvm::GlobalVariable *gv = module.getNamedGlobal(std::string("kiln_profile_") + table)) {
      gv->setName(name + "_profile_" + table);
      gv->setLinkage(llvm::GlobalValue::ExternalLinkage);
      gv->setVisibility(llvm::GlobalValue::DefaultVisibility);
      gv->setDSOLocal(false);
    }
  uint64_t count = llvm::cast<llvm::ArrayType>(ns->getValueType())->getNumElements();
  auto *i64 = llvm::Type::getInt64Ty(module.getContext());
  new llvm::GlobalVariable(module, i64, /*isConstant=*/true, llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantInt::get(i64, count), name + "_profile_count");
}

void placeWeights(llvm::Module &module, llvm::StringRef section, uint64_t alignment) {
  for (llvm::GlobalVariable &gv : module.globals()) {
    if (!gv.isConstant() || !gv.getName().starts_with("__constant_"))
      continue;
    gv.setAlignment(
        llvm::MaybeAlign(std::max<uint64_t>(alignment, gv.getAlign().valueOrOne().value())));
    if (!section.empty())
      gv.setSection(section);
  }
}

} // namespace kiln
