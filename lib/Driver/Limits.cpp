//===- Limits.cpp - Size limits kilnc enforces ------------------*- C++ -*-===//
//
// See Limits.h. The import-time check catches enormous shapes before any
// pass materializes them (a constant folded to 2^40 elements would take
// the machine's memory); the workspace itself is checked against the limit
// once bufferization has planned it (Compiler.cpp).
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Limits.h"
#include "kiln/Support/ByteSize.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {
namespace {

constexpr uint64_t kMaxBytes = uint64_t(1) << 63;

/// Bytes of a dense tensor, or nullopt when the count exceeds 2^63.
std::optional<uint64_t> tensorBytes(RankedTensorType type) {
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return 0;
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  uint64_t bytes = bits < 8 ? 1 : bits / 8;
  for (int64_t d : type.getShape()) {
    if (d != 0 && bytes > kMaxBytes / (uint64_t)d)
      return std::nullopt;
    bytes *= (uint64_t)d;
  }
  return bytes;
}

std::string describeType(RankedTensorType type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(type.getShape(), os, "x");
  os << (type.getRank() ? " " : "scalar ") << type.getElementType();
  return s;
}

} // namespace

std::optional<uint64_t> parseByteSize(llvm::StringRef text) {
  uint64_t shift = 0;
  if (!text.empty()) {
    switch (llvm::toUpper(text.back())) {
    case 'K':
      shift = 10;
      break;
    case 'M':
      shift = 20;
      break;
    case 'G':
      shift = 30;
      break;
    case 'T':
      shift = 40;
      break;
    }
    if (shift)
      text = text.drop_back();
  }
  uint64_t value;
  if (text.empty() || text.getAsInteger(10, value) || value > (kMaxBytes >> shift))
    return std::nullopt;
  return value << shift;
}

LogicalResult checkTensorSizes(ModuleOp module, uint64_t maxWorkspaceBytes) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return success();
  for (BlockArgument arg : func.getArguments())
    if (auto type = dyn_cast<RankedTensorType>(arg.getType()); type && !tensorBytes(type))
      return emitError(func.getLoc())
             << "input " << arg.getArgNumber() << " of shape " << describeType(type)
             << " has more than 2^63 bytes; Kiln compiles tensors whose byte count fits "
                "in 63 bits";
  bool ok = true;
  func.walk([&](Operation *op) {
    if (op->hasTrait<OpTrait::ConstantLike>())
      return WalkResult::advance(); // weights: --max-weights
    for (Value result : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type)
        continue;
      std::optional<uint64_t> bytes = tensorBytes(type);
      if (!bytes) {
        emitError(op->getLoc()) << "its result of shape " << describeType(type)
                                << " has more than 2^63 bytes; Kiln compiles tensors "
                                   "whose byte count fits in 63 bits";
        ok = false;
        return WalkResult::interrupt();
      }
      bool isOutput = llvm::all_of(result.getUsers(),
                                   [](Operation *user) { return isa<func::ReturnOp>(user); });
      if (!isOutput && *bytes > maxWorkspaceBytes) {
        emitError(op->getLoc()) << "its result of shape " << describeType(type) << " takes "
                                << formatByteSize(*bytes) << ", over the --max-workspace limit of "
                                << formatByteSize(maxWorkspaceBytes)
                                << "; raise the limit with --max-workspace=BYTES";
        ok = false;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return success(ok);
}

} // namespace kiln
