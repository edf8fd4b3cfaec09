//===- Diagnostics.cpp - kilnc's one-line diagnostics -----------*- C++ -*-===//
//
// Reads the file, node and op out of a diagnostic's location (the fused
// `onnx.Op`/`torch.aten::op` metadata, the node's NameLoc and the file's
// FileLineColLoc) and prints the message on one line.
//
//===----------------------------------------------------------------------===//

#include "Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {
namespace {

/// What a diagnostic's location says about where in the model it is.
struct ModelPlace {
  std::string file, node, opType, torchOp;
};

ModelPlace findModelPlace(Location location) {
  ModelPlace place;
  location->walk([&](Location loc) {
    if (auto fused = dyn_cast<FusedLoc>(loc)) {
      if (auto meta = dyn_cast_or_null<StringAttr>(fused.getMetadata())) {
        if (meta.getValue().starts_with("onnx.") && place.opType.empty())
          place.opType = meta.getValue().drop_front(5).str();
        if (meta.getValue().starts_with("torch.") && place.torchOp.empty())
          place.torchOp = meta.getValue().drop_front(6).str();
      }
    } else if (auto name = dyn_cast<NameLoc>(loc)) {
      if (place.node.empty())
        place.node = name.getName().str();
    } else if (auto fileLoc = dyn_cast<FileLineColLoc>(loc)) {
      if (place.file.empty()) {
        place.file = fileLoc.getFilename().str();
        // TorchScript ops point at the user's Python line.
        if (fileLoc.getLine() > 0)
          place.file += ":" + std::to_string(fileLoc.getLine());
      }
    }
    return WalkResult::advance();
  });
  return place;
}

const char *severityName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  case DiagnosticSeverity::Error:
    return "error";
  }
  llvm_unreachable("unknown severity");
}

} // namespace

OneLineDiagnostics::OneLineDiagnostics(MLIRContext &ctx)
    : handler(&ctx, [this](Diagnostic &diag) { return report(diag); }) {}

LogicalResult OneLineDiagnostics::report(Diagnostic &diag) {
  ModelPlace place = findModelPlace(diag.getLocation());
  if (diag.getSeverity() == DiagnosticSeverity::Error)
    ++errors;
  std::string message = diag.str();
  for (char &c : message)
    if (c == '\n')
      c = ' ';
  std::string file = place.file.empty() ? "kilnc" : place.file;
  auto &os = llvm::errs();
  os << file << ": " << severityName(diag.getSeverity()) << ": ";
  if (!place.node.empty() && !place.opType.empty())
    os << "node '" << place.node << "' (" << place.opType << "): ";
  else if (!place.node.empty())
    os << "'" << place.node << "': ";
  else if (!place.torchOp.empty())
    os << place.torchOp << ": ";
  os << message << "\n";
  for (Diagnostic &note : diag.getNotes())
    os << file << ": note: " << note.str() << "\n";
  return success();
}

} // namespace kiln
