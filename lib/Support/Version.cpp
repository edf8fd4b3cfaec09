//===- Version.cpp - Kiln's version, revision and LLVM version ------------===//

#include "kiln/Support/Version.h"

#include "kiln/Config.h"
#include "kiln/KilnRevision.h"

llvm::StringRef kiln::getKilnVersion() { return KILN_VERSION; }
llvm::StringRef kiln::getKilnRevision() { return KILN_GIT_REVISION; }
llvm::StringRef kiln::getLLVMVersion() { return KILN_LLVM_VERSION; }
