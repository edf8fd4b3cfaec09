//===- InsertProfile.cpp - Per-node timers for kiln-run --profile -*- C++ -*-===//
//
// The kiln-insert-profile pass (kilnc --profile): every op of the model
// function that does work (a linalg op, a microkernel, a copy) is timed
// with the runtime's kiln_profile_clock, and its nanoseconds and calls are
// added to the entry of its model node, named from its location (the
// ONNX node's name and op type, or the TorchScript file:line and op).
// The tables are the globals kiln_profile_ns, kiln_profile_calls (i64, one
// per entry) and kiln_profile_names ("node\top\0" per entry); module
// finishing gives them the model's name (NAME_profile_ns, ...) for kiln-run
// --profile to read.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/IR/KilnCPUDialect.h"
#include "kiln/Target/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#include <map>

namespace kiln {
#define GEN_PASS_DEF_INSERTPROFILEPASS
#include "kiln/Target/CPU/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// "node\top" for an op: the first name in its location, and the op kind
/// from the importers' `onnx.` or `torch.` metadata. Copies that belong to
/// no node are the ones bufferization adds into the outputs.
std::string describe(Operation *work) {
  Location location = work->getLoc();
  std::string node, op;
  location->walk([&](Location loc) {
    if (auto fused = dyn_cast<FusedLoc>(loc))
      if (auto meta = dyn_cast_or_null<StringAttr>(fused.getMetadata())) {
        StringRef text = meta.getValue();
        if (op.empty() && (text.consume_front("onnx.") || text.consume_front("torch.")))
          op = text.str();
      }
    if (auto name = dyn_cast<NameLoc>(loc); name && node.empty())
      node = name.getName().str();
    if (auto file = dyn_cast<FileLineColLoc>(loc); file && node.empty() && file.getLine())
      node = file.getFilename().str() + ":" + std::to_string(file.getLine());
    return WalkResult::advance();
  });
  if (node.empty())
    node = isa<memref::CopyOp>(work) ? "(copies into the outputs)" : "(no model node)";
  return node + "\t" + op;
}

bool isWork(Operation *op) { return isa<linalg::LinalgOp, cpu::MicrokernelOp, memref::CopyOp>(op); }

memref::GlobalOp addGlobal(OpBuilder &b, Location loc, StringRef name, MemRefType type,
                           Attribute value, bool constant) {
  return memref::GlobalOp::create(b, loc, name, b.getStringAttr("private"), type, value, constant,
                                  /*alignment=*/nullptr);
}

struct InsertProfilePass : impl::InsertProfilePassBase<InsertProfilePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main || main.isExternal())
      return;
    SmallVector<Operation *> work;
    for (Operation &op : main.getBody().getOps())
      if (isWork(&op))
        work.push_back(&op);
    if (work.empty())
      return;
    std::map<std::string, int64_t> index;
    std::vector<std::string> entries; // in order of first appearance
    SmallVector<int64_t> entryOf;
    for (Operation *op : work) {
      auto [it, inserted] = index.insert({describe(op), (int64_t)entries.size()});
      if (inserted)
        entries.push_back(it->first);
      entryOf.push_back(it->second);
    }

    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToStart(module.getBody());
    Location loc = main.getLoc();
    auto i64 = b.getI64Type();
    auto counters = MemRefType::get({(int64_t)entries.size()}, i64);
    auto zeros = DenseElementsAttr::get(RankedTensorType::get(counters.getShape(), i64),
                                        b.getI64IntegerAttr(0));
    addGlobal(b, loc, "kiln_profile_ns", counters, zeros, false);
    addGlobal(b, loc, "kiln_profile_calls", counters, zeros, false);
    std::vector<char> names;
    for (const std::string &entry : entries) {
      names.insert(names.end(), entry.begin(), entry.end());
      names.push_back(0);
    }
    auto namesType = MemRefType::get({(int64_t)names.size()}, b.getI8Type());
    SmallVector<int8_t> bytes(names.begin(), names.end());
    addGlobal(b, loc, "kiln_profile_names", namesType,
              DenseElementsAttr::get(RankedTensorType::get(namesType.getShape(), b.getI8Type()),
                                     ArrayRef<int8_t>(bytes)),
              true);
    auto clock = func::FuncOp::create(b, loc, "kiln_profile_clock", b.getFunctionType({}, {i64}));
    clock.setPrivate();

    for (auto [op, entry] : llvm::zip(work, entryOf)) {
      Location at = op->getLoc();
      b.setInsertionPoint(op);
      Value start = func::CallOp::create(b, at, clock).getResult(0);
      b.setInsertionPointAfter(op);
      Value end = func::CallOp::create(b, at, clock).getResult(0);
      Value index = arith::ConstantIndexOp::create(b, at, entry);
      auto accumulate = [&](StringRef global, Value amount) {
        Value table = memref::GetGlobalOp::create(b, at, counters, global);
        Value old = memref::LoadOp::create(b, at, table, index);
        memref::StoreOp::create(b, at, arith::AddIOp::create(b, at, old, amount), table, index);
      };
      accumulate("kiln_profile_ns", arith::SubIOp::create(b, at, end, start));
      accumulate("kiln_profile_calls", arith::ConstantIntOp::create(b, at, i64, 1));
    }
  }
};

} // namespace
} // namespace kiln
