//===- TorchScriptImporter.cpp - TorchScript module to kiln -----*- C++ -*-===//
//
// Walks the frozen forward graph (see TorchGraph.h) and builds `func.func
// @main` of kiln ops. Inputs are forward's tensor arguments, with the
// shapes given by --shape (TorchScript does not record them) and element
// type f32. Constants become kiln.constant at first use; non-tensor values
// are evaluated at compile time. prim::If whose condition and prim::Loop
// whose trip count and condition are known at compile time are imported
// inline (the taken branch; the body once per iteration); others are
// errors that name the Python line. Every op's location is the user's
// file and line, with the op kind as `torch.<kind>` metadata.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/TorchScriptImporter.h"
#include "AtenContext.h"
#include "InPlaceWrites.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;

namespace kiln {

namespace ts = torchscript;

namespace {

const ts::AtenRegistry &getRegistry() {
  static const ts::AtenRegistry registry = [] {
    ts::AtenRegistry r;
    ts::registerAtenElementwiseOps(r);
    ts::registerAtenNNOps(r);
    ts::registerAtenShapeOps(r);
    ts::registerPrimOps(r);
    ts::registerAtenRecurrentOps(r);
    ts::registerAtenTransformerOps(r);
    return r;
  }();
  return registry;
}

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const ts::TSGraph &graph, StringRef displayName)
      : ctx(ctx), builder(&ctx), graph(graph), displayName(displayName.str()),
        items(graph.values.size()), views(graph.values.size()) {}

  OwningOpRef<ModuleOp> import(const TorchScriptImportOptions &options);

private:
  Location nodeLocation(const ts::TSNode &node) {
    Location file =
        FileLineColLoc::get(&ctx, node.file.empty() ? displayName : node.file, node.line, 0);
    return FusedLoc::get(&ctx, {file}, StringAttr::get(&ctx, "torch." + node.kind));
  }
  FailureOr<ts::Item> lookup(int id, Location loc);
  FailureOr<ts::Item> constantItem(const ts::TSValue &value, Location loc);
  FailureOr<ts::Item> tensorConstant(const ts::ConstantTensor &t, StringRef name, Location loc);
  LogicalResult importBlock(const ts::TSBlock &block, ArrayRef<ts::Item> args,
                            SmallVector<ts::Item> &results);
  LogicalResult importNode(const ts::TSNode &node);
  LogicalResult importIf(const ts::TSNode &node, Location loc);
  LogicalResult importLoop(const ts::TSNode &node, Location loc);

  MLIRContext &ctx;
  OpBuilder builder;
  const ts::TSGraph &graph;
  std::string displayName;
  std::vector<std::optional<ts::Item>> items;
  ts::ViewTracker views;
  Location fileLoc = UnknownLoc::get(&ctx);
  Block *entry = nullptr;
  llvm::StringSet<> reportedOps;
};

FailureOr<ts::Item> GraphImporter::tensorConstant(const ts::ConstantTensor &t, StringRef name,
                                                  Location loc) {
  Type elt = ts::convertDType(&ctx, t.dtype);
  if (!elt)
    return emitError(loc) << "constant tensor '" << name << "' has unsupported dtype "
                          << t.dtypeName;
  auto type = RankedTensorType::get(t.shape, elt);
  DenseElementsAttr attr;
  if (elt.isInteger(1)) {
    SmallVector<bool> bits;
    for (char c : t.bytes)
      bits.push_back(c != 0);
    attr = DenseElementsAttr::get(type, bits);
  } else {
    bool isSplat = false;
    ArrayRef<char> raw(t.bytes.data(), t.bytes.size());
    if (!DenseElementsAttr::isValidRawBuffer(type, raw, isSplat))
      return emitError(loc) << "constant tensor '" << name << "' has " << t.bytes.size()
                            << " bytes, which do not fit its shape";
    attr = DenseElementsAttr::getFromRawBuffer(type, raw);
  }
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entry);
  return ts::Item::ofTensor(ConstantOp::create(builder, loc, attr));
}

FailureOr<ts::Item> GraphImporter::constantItem(const ts::TSValue &value, Location loc) {
  using Kind = ts::TSValue::Kind;
  if (value.tensor && value.tensor->shape.empty() &&
      (value.tensor->dtype == ts::DType::Float32 || value.tensor->dtype == ts::DType::Float64 ||
       value.tensor->dtype == ts::DType::Int64 || value.tensor->dtype == ts::DType::Int32)) {
    // 0-d constants (torch.tensor(4), traced Python numbers) are numbers
    // at compile time, and scalar constants where a tensor is needed.
    const std::string &b = value.tensor->bytes;
    switch (value.tensor->dtype) {
    case ts::DType::Float32: {
      float f;
      std::memcpy(&f, b.data(), sizeof f);
      return ts::Item::ofFloat(f);
    }
    case ts::DType::Float64: {
      double f;
      std::memcpy(&f, b.data(), sizeof f);
      return ts::Item::ofFloat(f);
    }
    case ts::DType::Int64: {
      int64_t i;
      std::memcpy(&i, b.data(), sizeof i);
      return ts::Item::ofInt(i);
    }
    default: {
      int32_t i;
      std::memcpy(&i, b.data(), sizeof i);
      return ts::Item::ofInt(i);
    }
    }
  }
  if (value.tensor)
    return tensorConstant(*value.tensor, value.name, loc);
  if (!value.tensors.empty()) {
    ts::Item list;
    list.kind = ts::Item::Kind::List;
    for (const auto &t : value.tensors) {
      auto item = tensorConstant(*t, value.name, loc);
      if (failed(item))
        return failure();
      list.list.push_back(*item);
    }
    return list;
  }
  switch (value.kind) {
  case Kind::Int:
    return ts::Item::ofInt(value.i);
  case Kind::Float:
    return ts::Item::ofFloat(value.f);
  case Kind::Bool:
    return ts::Item::ofBool(value.b);
  case Kind::None:
    return ts::Item::none();
  case Kind::String:
  case Kind::Device: {
    ts::Item item;
    item.kind = ts::Item::Kind::String;
    item.s = value.s;
    return item;
  }
  case Kind::List: {
    ts::Item item;
    item.kind = ts::Item::Kind::List;
    bool floats = value.type.find("float") != std::string::npos;
    bool bools = value.type.find("bool") != std::string::npos;
    if (floats)
      for (double f : value.floats)
        item.list.push_back(ts::Item::ofFloat(f));
    else
      for (int64_t i : value.ints)
        item.list.push_back(bools ? ts::Item::ofBool(i != 0) : ts::Item::ofInt(i));
    return item;
  }
  default:
    return emitError(loc) << "constant '" << value.name << "' of type " << value.type
                          << " is not supported";
  }
}

FailureOr<ts::Item> GraphImporter::lookup(int id, Location loc) {
  if (views.isStale(id))
    return emitError(loc) << "'" << graph.values[id].name << "' is a view of '"
                          << graph.values[views.staleRoot(id)].name
                          << "' taken before an in-place write to it, and is read after it; Kiln "
                             "imports in-place writes only through the views they are made with";
  if (items[id])
    return *items[id];
  const ts::TSValue &value = graph.values[id];
  if (!value.isConstant)
    return emitError(loc) << "value '" << value.name << "' (" << value.type
                          << ") is not known here";
  auto item = constantItem(value, loc);
  if (succeeded(item))
    items[id] = *item;
  return item;
}

LogicalResult GraphImporter::importBlock(const ts::TSBlock &block, ArrayRef<ts::Item> args,
                                         SmallVector<ts::Item> &results) {
  for (auto [id, arg] : llvm::zip(block.inputs, args))
    items[id] = arg;
  // After an unsupported op the rest of the block is only scanned for
  // other unsupported ops (each kind and source line reported once), so
  // that one run lists them all; any other error stops the import.
  bool failedAny = false;
  for (const ts::TSNode &node : block.nodes) {
    bool known = getRegistry().count(node.kind) || node.kind == "prim::If" ||
                 node.kind == "prim::Loop" || ts::isInPlaceOp(node.kind, getRegistry());
    if (!known) {
      std::string key = node.kind + "@" + node.file + ":" + std::to_string(node.line);
      if (reportedOps.insert(key).second)
        emitError(nodeLocation(node)) << "op '" << node.kind << "' is not supported";
      failedAny = true;
      continue;
    }
    if (failedAny)
      continue;
    if (failed(importNode(node)))
      return failure();
  }
  if (failedAny)
    return failure();
  results.clear();
  for (int id : block.outputs) {
    auto item = lookup(id, fileLoc);
    if (failed(item))
      return failure();
    results.push_back(*item);
  }
  return success();
}

LogicalResult GraphImporter::importIf(const ts::TSNode &node, Location loc) {
  auto cond = lookup(node.inputs[0], loc);
  if (failed(cond))
    return failure();
  if (cond->kind != ts::Item::Kind::Bool)
    return emitError(loc) << "an `if` on a value computed at run time is not supported; Kiln "
                             "needs its condition known at compile time";
  if (node.blocks.size() != 2)
    return emitError(loc) << "prim::If must have two blocks";
  SmallVector<ts::Item> results;
  if (failed(importBlock(node.blocks[cond->b ? 0 : 1], {}, results)))
    return failure();
  for (auto [id, item] : llvm::zip(node.outputs, results))
    items[id] = item;
  return success();
}

LogicalResult GraphImporter::importLoop(const ts::TSNode &node, Location loc) {
  constexpr int64_t kMaxIterations = 4096;
  auto trips = lookup(node.inputs[0], loc), cond = lookup(node.inputs[1], loc);
  if (failed(trips) || failed(cond))
    return failure();
  if (trips->kind != ts::Item::Kind::Int || cond->kind != ts::Item::Kind::Bool)
    return emitError(loc) << "a loop whose trip count or condition is computed at run time is "
                             "not supported; Kiln unrolls loops known at compile time";
  if (trips->i > kMaxIterations)
    return emitError(loc) << "a loop of " << trips->i << " iterations is too long to unroll (at "
                          << "most " << kMaxIterations << ")";
  if (node.blocks.size() != 1)
    return emitError(loc) << "prim::Loop must have one block";
  SmallVector<ts::Item> state;
  for (size_t i = 2; i < node.inputs.size(); ++i) {
    auto item = lookup(node.inputs[i], loc);
    if (failed(item))
      return failure();
    state.push_back(*item);
  }
  bool go = cond->b;
  for (int64_t i = 0; i < trips->i && go; ++i) {
    SmallVector<ts::Item> args{ts::Item::ofInt(i)};
    args.append(state.begin(), state.end());
    SmallVector<ts::Item> results;
    if (failed(importBlock(node.blocks[0], args, results)))
      return failure();
    if (results.empty() || results[0].kind != ts::Item::Kind::Bool)
      return emitError(loc) << "a loop whose condition is computed at run time is not "
                               "supported";
    go = results[0].b;
    state.assign(results.begin() + 1, results.end());
  }
  for (auto [id, item] : llvm::zip(node.outputs, state))
    items[id] = item;
  return success();
}

LogicalResult GraphImporter::importNode(const ts::TSNode &node) {
  Location loc = nodeLocation(node);
  if (node.kind == "prim::If")
    return importIf(node, loc);
  if (node.kind == "prim::Loop")
    return importLoop(node, loc);
  bool inPlace = ts::isInPlaceOp(node.kind, getRegistry());
  auto it = getRegistry().find(node.kind);
  if (it == getRegistry().end() && !inPlace)
    return emitError(loc) << "op '" << node.kind << "' is not supported";
  std::vector<ts::Item> inputs;
  for (int id : node.inputs) {
    auto item = lookup(id, loc);
    if (failed(item))
      return failure();
    inputs.push_back(*item);
  }
  ts::NodeImporter importer(node, builder, loc, inputs);
  if (inPlace) {
    // The target's new value, written back through the views it came from;
    // the op's result is the target itself.
    auto value = ts::importInPlaceValue(importer, getRegistry());
    if (failed(value) || importer.hadInvalidOp() ||
        failed(views.writeBack(node.inputs[0], *value, items, importer, loc)))
      return failure();
    if (!node.outputs.empty()) {
      items[node.outputs[0]] = ts::Item::ofTensor(*value);
      views.recordAlias(node.outputs[0], node.inputs[0], node.kind);
    }
    return success();
  }
  if (failed(it->second(importer)) || importer.hadInvalidOp())
    return failure();
  views.recordView(node, inputs);
  for (auto [i, id] : llvm::enumerate(node.outputs)) {
    if (i >= importer.results().size() || importer.results()[i].kind == ts::Item::Kind::Unknown)
      return emitError(loc) << "output " << i << " of " << node.kind << " is not supported";
    items[id] = importer.results()[i];
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::import(const TorchScriptImportOptions &options) {
  fileLoc = FileLineColLoc::get(&ctx, displayName, 0, 0);
  for (const auto &entry : options.inputShapes)
    if (!llvm::is_contained(graph.inputNames, entry.first))
      return emitError(fileLoc) << "--shape names '" << entry.first
                                << "', which is not an argument of forward",
             nullptr;
  SmallVector<Type> argTypes;
  for (auto [name, id] : llvm::zip(graph.inputNames, graph.body.inputs)) {
    const ts::TSValue &value = graph.values[id];
    if (value.kind != ts::TSValue::Kind::Tensor)
      return emitError(fileLoc) << "forward's argument '" << name << "' is a " << value.type
                                << "; Kiln compiles tensor arguments",
             nullptr;
    auto shape = options.inputShapes.find(name);
    if (shape == options.inputShapes.end())
      return emitError(fileLoc) << "TorchScript does not record input shapes; give forward's "
                                   "argument '"
                                << name << "' one with --shape " << name << "=DxDx...",
             nullptr;
    Type elt = builder.getF32Type();
    auto type = options.inputTypes.find(name);
    if (type != options.inputTypes.end()) {
      StringRef spelled = type->second;
      unsigned width = 0;
      if (spelled == "f16")
        elt = builder.getF16Type();
      else if (spelled == "bf16")
        elt = builder.getBF16Type();
      else if (spelled == "f64")
        elt = builder.getF64Type();
      else if (spelled.consume_front("i") && !spelled.getAsInteger(10, width))
        elt = builder.getIntegerType(width); // signless, as kiln's integers are
      else if (spelled != "f32")
        return emitError(fileLoc) << "--shape gives forward's argument '" << name << "' type "
                                  << type->second
                                  << "; TorchScript arguments may be f16, bf16, f32, f64, i1 "
                                     "(bool), i8, i16, i32 or i64",
               nullptr;
    }
    argTypes.push_back(RankedTensorType::get(shape->second, elt));
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "main", builder.getFunctionType(argTypes, {}));
  entry = func.addEntryBlock();
  SmallVector<ts::Item> args;
  for (auto [i, name] : llvm::enumerate(graph.inputNames)) {
    func.setArgAttr(i, "kiln.name", builder.getStringAttr(name));
    args.push_back(ts::Item::ofTensor(entry->getArgument(i)));
  }
  builder.setInsertionPointToEnd(entry);
  SmallVector<ts::Item> results;
  if (failed(importBlock(graph.body, args, results)))
    return nullptr;

  // Results: tensors, or (nested) tuples and lists of tensors, flattened.
  SmallVector<Value> outputs;
  std::function<LogicalResult(const ts::Item &)> flatten = [&](const ts::Item &item) {
    if (item.kind == ts::Item::Kind::Tensor) {
      outputs.push_back(item.tensor);
      return success();
    }
    if (item.kind == ts::Item::Kind::List) {
      for (const ts::Item &e : item.list)
        if (failed(flatten(e)))
          return failure();
      return success();
    }
    return LogicalResult(emitError(fileLoc)
                         << "forward returns a value that is not a tensor; Kiln compiles "
                            "models that return tensors, tuples or lists of tensors");
  };
  for (const ts::Item &item : results)
    if (failed(flatten(item)))
      return nullptr;
  SmallVector<Type> resultTypes;
  for (Value v : outputs)
    resultTypes.push_back(v.getType());
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  for (size_t i = 0; i < outputs.size(); ++i)
    func.setResultAttr(i, "kiln.name",
                       builder.getStringAttr(outputs.size() == 1 ? std::string("output")
                                                                 : "output" + std::to_string(i)));
  func::ReturnOp::create(builder, fileLoc, outputs);
  return module;
}

} // namespace

bool isTorchScriptImportBuilt() { return true; }

OwningOpRef<ModuleOp> importTorchScriptModel(MLIRContext &context, StringRef path,
                                             const TorchScriptImportOptions &options) {
  std::string displayName =
      options.displayName.empty() ? llvm::sys::path::filename(path).str() : options.displayName;
  Location fileLoc = FileLineColLoc::get(&context, displayName, 0, 0);
  ts::TSGraph graph;
  std::string error;
  if (!ts::loadTorchScriptGraph(path.str(), graph, error))
    return emitError(fileLoc) << "cannot load the TorchScript module: " << error, nullptr;
  GraphImporter importer(context, graph, displayName);
  return importer.import(options);
}

std::vector<std::string> getSupportedTorchScriptOps() {
  std::vector<std::string> ops;
  for (const auto &entry : getRegistry())
    ops.push_back(entry.getKey().str());
  ops.push_back("prim::If");
  ops.push_back("prim::Loop");
  llvm::sort(ops);
  return ops;
}

} // namespace kiln
