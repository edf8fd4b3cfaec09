//===- Limits.h - Size limits kilnc enforces --------------------*- C++ -*-===//
//
// kilnc refuses models that would exhaust memory rather than trying: tensor
// byte counts are computed with overflow checks, and the weights and the
// workspace are held to limits the user can raise (`--max-weights`,
// `--max-workspace`).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DRIVER_LIMITS_H
#define KILN_DRIVER_LIMITS_H

#include "kiln/Support/ByteSize.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace kiln {

/// The default of both `--max-weights` and `--max-workspace`: 4 GiB.
constexpr uint64_t kDefaultSizeLimit = uint64_t(4) << 30;

/// Parses "1048576", "512K", "64M", "4G" or "1T" (binary units) into bytes.
std::optional<uint64_t> parseByteSize(llvm::StringRef text);

/// Checks the tensors of the imported `main`: every byte count fits in 63
/// bits, and no intermediate result is larger than `maxWorkspaceBytes`.
/// Reports at the producing node.
mlir::LogicalResult checkTensorSizes(mlir::ModuleOp module, uint64_t maxWorkspaceBytes);

} // namespace kiln

#endif // KILN_DRIVER_LIMITS_H
