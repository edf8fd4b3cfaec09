//===- ONNXImporter.cpp - ONNX model to kiln dialect ------------*- C++ -*-===//
//
// Loads a model (binary protobuf or ONNX textual syntax), runs libonnx's
// checker, version converter and shape inference, binds symbolic
// dimensions, and walks the graph in order, dispatching each node to the
// importer registered for its op type. Every unsupported op is reported
// before the import fails, so that a user sees the whole list at once.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/ONNXImporter.h"
#include "ImportContext.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

using namespace mlir;

namespace kiln {
namespace {

using onnx_import::NodeImporter;
using onnx_import::OpRegistry;

const OpRegistry &getOpRegistry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    onnx_import::registerElementwiseOps(r);
    onnx_import::registerNNOps(r);
    onnx_import::registerShapeOps(r);
    onnx_import::registerReductionOps(r);
    onnx_import::registerLogicalOps(r);
    onnx_import::registerActivationOps(r);
    onnx_import::registerRecurrentOps(r);
    onnx_import::registerIndexingOps(r);
    onnx_import::registerNormalizationOps(r);
    onnx_import::registerLossOps(r);
    onnx_import::registerResizeOps(r);
    onnx_import::registerEinsumOps(r);
    onnx_import::registerQuantizationOps(r);
    onnx_import::registerDataDependentOps(r);
    onnx_import::registerUnpoolOps(r);
    onnx_import::registerTextOps(r);
    onnx_import::registerSpectralOps(r);
    onnx_import::registerGridSampleOps(r);
    onnx_import::registerAttentionOps(r);
    onnx_import::registerLinearAlgebraOps(r);
    onnx_import::registerRoiAlignOps(r);
    return r;
  }();
  return registry;
}

bool isTextualModel(StringRef path) {
  return path.ends_with(".onnxtxt") || path.ends_with(".onnxtext");
}

/// Parses a binary ModelProto or an ONNX textual model held in `data`;
/// reports a one-line error on failure.
LogicalResult parseModel(StringRef data, bool textual, Location fileLoc, onnx::ModelProto &model) {
  if (data.empty())
    return emitError(fileLoc) << "model file is empty";
  if (textual) {
    // libonnx's parser reports most errors by status, but lets number
    // conversions throw (std::stof on a cut-off literal). It reads a
    // NUL-terminated string.
    std::string text = data.str();
    try {
      onnx::OnnxParser parser(text.c_str());
      auto status = parser.Parse(model);
      if (!status.IsOK())
        return emitError(fileLoc) << "not a valid ONNX textual model: " << status.ErrorMessage();
    } catch (const std::exception &e) {
      return emitError(fileLoc) << "not a valid ONNX textual model: a malformed literal ("
                                << e.what() << ")";
    }
    return success();
  }
  if (data.size() > (size_t)INT_MAX)
    return emitError(fileLoc) << "model larger than 2 GiB needs external data, "
                                 "which is not supported yet";
  if (!model.ParseFromArray(data.data(), (int)data.size()))
    return emitError(fileLoc) << "not an ONNX model: the file is not a valid "
                                 "ModelProto (truncated or another format)";
  if (!model.has_graph())
    return emitError(fileLoc) << "not an ONNX model: no graph";
  return success();
}

int64_t getDefaultOpset(const onnx::ModelProto &model) {
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx")
      return op.version();
  return -1;
}

/// Makes every graph input static, from `--shape` or the model itself.
LogicalResult bindInputShapes(onnx::GraphProto &graph, Location fileLoc,
                              const ONNXImportOptions &options,
                              const llvm::StringSet<> &initializerNames) {
  llvm::StringSet<> inputNames;
  for (const auto &input : graph.input())
    if (!initializerNames.contains(input.name()))
      inputNames.insert(input.name());
  for (const auto &entry : options.inputShapes)
    if (!inputNames.contains(entry.first) && !options.constantInputs.count(entry.first))
      return emitError(fileLoc) << "--shape names '" << entry.first
                                << "', which is not an input of the model";
  for (auto &input : *graph.mutable_input()) {
    if (initializerNames.contains(input.name()))
      continue;
    if (!input.type().has_tensor_type())
      return emitError(fileLoc) << "graph input '" << input.name()
                                << "' is not a tensor; only tensor inputs are supported";
    auto *tensorType = input.mutable_type()->mutable_tensor_type();
    auto givenType = options.inputTypes.find(input.name());
    if (givenType != options.inputTypes.end() &&
        givenType->second != onnx_import::onnxElementTypeName(tensorType->elem_type()))
      return emitError(fileLoc) << "--shape gives input '" << input.name() << "' type "
                                << givenType->second << " but the model declares it "
                                << onnx_import::onnxElementTypeName(tensorType->elem_type());
    auto given = options.inputShapes.find(input.name());
    if (!tensorType->has_shape()) {
      if (given == options.inputShapes.end())
        return emitError(fileLoc) << "graph input '" << input.name()
                                  << "' has no shape; bind it with --shape " << input.name()
                                  << "=DxDx...";
      tensorType->mutable_shape();
    }
    auto *shape = tensorType->mutable_shape();
    if (given != options.inputShapes.end()) {
      const std::vector<int64_t> &dims = given->second;
      bool hadRank = shape->dim_size() > 0 || tensorType->has_shape();
      if (hadRank && shape->dim_size() != (int)dims.size() &&
          !(shape->dim_size() == 0 && dims.empty()))
        return emitError(fileLoc) << "--shape " << input.name() << " gives " << dims.size()
                                  << " dimensions but the model's input has " << shape->dim_size();
      if (shape->dim_size() == 0)
        for (size_t i = 0; i < dims.size(); ++i)
          shape->add_dim();
      for (int i = 0; i < shape->dim_size(); ++i) {
        auto *dim = shape->mutable_dim(i);
        if (dim->has_dim_value() && dim->dim_value() != dims[i])
          return emitError(fileLoc)
                 << "--shape " << input.name() << " sets dimension " << i << " to " << dims[i]
                 << " but the model fixes it to " << dim->dim_value();
        dim->set_dim_value(dims[i]);
      }
      continue;
    }
    for (int i = 0; i < shape->dim_size(); ++i) {
      auto *dim = shape->mutable_dim(i);
      // Zero is a size like any other: the input is an empty tensor.
      if (dim->has_dim_value() && dim->dim_value() >= 0)
        continue;
      if (dim->has_dim_value())
        return emitError(fileLoc) << "graph input '" << input.name() << "' dimension " << i
                                  << " is " << dim->dim_value()
                                  << ", which is not a size; give the input's shape with "
                                     "--shape "
                                  << input.name() << "=DxDx...";
      std::string symbol = dim->has_dim_param() ? "'" + dim->dim_param() + "'" : "unnamed";
      return emitError(fileLoc) << "graph input '" << input.name() << "' dimension " << i
                                << " is symbolic (" << symbol << "); bind it with --shape "
                                << input.name() << "=DxDx...";
    }
  }
  // Byte counts must fit in 63 bits (the header spells them as integers).
  for (const auto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    const auto &tensorType = input.type().tensor_type();
    uint64_t bytes = std::max<size_t>(onnx_import::onnxElementBytes(tensorType.elem_type()), 1);
    std::string shape;
    bool overflow = false;
    for (const auto &dim : tensorType.shape().dim()) {
      uint64_t d = (uint64_t)dim.dim_value();
      shape += (shape.empty() ? "" : "x") + std::to_string(d);
      if (d != 0 && bytes > (uint64_t(1) << 63) / d)
        overflow = true;
      else
        bytes *= d;
    }
    if (overflow)
      return emitError(fileLoc) << "graph input '" << input.name() << "' has shape " << shape
                                << ", more than 2^63 bytes; Kiln compiles tensors whose "
                                   "byte count fits in 63 bits";
  }
  return success();
}

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, StringRef displayName, int64_t opset, int64_t modelOpset)
      : ctx(ctx), builder(&ctx), displayName(displayName.str()), opset(opset),
        modelOpset(modelOpset) {}

  OwningOpRef<ModuleOp> importGraph(const onnx::GraphProto &graph);

private:
  Location nodeLocation(const onnx::NodeProto &node, int index);
  FailureOr<RankedTensorType> convertValueType(const onnx::ValueInfoProto &info, Location loc);
  Value lookup(const std::string &name);
  /// The static shape shape inference recorded for `name` (value_info or a
  /// graph output with every dimension known).
  std::optional<SmallVector<int64_t>> inferredShape(const std::string &name);
  /// Whether the value has an unsigned ONNX element type (graph inputs and
  /// outputs, initializers, and every value shape inference typed).
  bool isUnsigned(const std::string &name);
  /// Imports `graph`'s nodes in order into the current block; reports every
  /// unsupported op before returning false.
  bool importNodes(const onnx::GraphProto &graph);
  /// If with a condition known at compile time: the taken branch's nodes are
  /// imported in place and its outputs become the If's.
  LogicalResult importIf(const onnx::NodeProto &node, Location loc);
  /// Loop with a trip count (and condition) known at compile time: the body
  /// is imported once per iteration, scan outputs concatenated.
  LogicalResult importLoop(const onnx::NodeProto &node, Location loc);
  /// Scan: unrolled over the scan inputs' length (at most 4096 steps), each
  /// step's slices fed to the body, scan outputs stacked along their axes.
  LogicalResult importScan(const onnx::NodeProto &node, Location loc);

  MLIRContext &ctx;
  OpBuilder builder;
  std::string displayName;
  int64_t opset;      ///< the opset the model was converted to
  int64_t modelOpset; ///< the opset the model file declares
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<const onnx::ValueInfoProto *> valueInfos;
  Location fileLoc = UnknownLoc::get(&ctx);
};

Location GraphImporter::nodeLocation(const onnx::NodeProto &node, int index) {
  return onnx_import::onnxNodeLocation(&ctx, displayName, node, index);
}

FailureOr<RankedTensorType> GraphImporter::convertValueType(const onnx::ValueInfoProto &info,
                                                            Location loc) {
  const auto &tensorType = info.type().tensor_type();
  Type elementType = onnx_import::convertONNXElementType(&ctx, tensorType.elem_type());
  if (!elementType)
    return emitError(loc) << "tensor '" << info.name() << "' has unsupported element type "
                          << onnx::TensorProto::DataType_Name(
                                 (onnx::TensorProto::DataType)tensorType.elem_type())
                          << "; Kiln compiles float, float16, double, integer and bool "
                             "tensors";
  SmallVector<int64_t> shape;
  for (const auto &dim : tensorType.shape().dim())
    shape.push_back(dim.dim_value());
  return RankedTensorType::get(shape, elementType);
}

Value GraphImporter::lookup(const std::string &name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto init = initializers.find(name);
  if (init == initializers.end())
    return nullptr;
  // Initializers become constants at first use, at the start of the body.
  Location loc = NameLoc::get(StringAttr::get(&ctx, name), fileLoc);
  auto attr = onnx_import::convertTensorProto(&ctx, *init->second, [&](const Twine &msg) {
    emitError(loc) << "initializer '" << name << "': " << msg;
  });
  if (failed(attr))
    return nullptr;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(builder.getInsertionBlock());
  Value v = ConstantOp::create(builder, loc, *attr);
  values[name] = v;
  return v;
}

std::optional<SmallVector<int64_t>> GraphImporter::inferredShape(const std::string &name) {
  auto it = valueInfos.find(name);
  if (it == valueInfos.end() || !it->second->type().tensor_type().has_shape())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (const auto &dim : it->second->type().tensor_type().shape().dim()) {
    if (!dim.has_dim_value() || dim.dim_value() <= 0)
      return std::nullopt;
    dims.push_back(dim.dim_value());
  }
  return dims;
}

bool GraphImporter::isUnsigned(const std::string &name) {
  if (auto init = initializers.find(name); init != initializers.end())
    return onnx_import::isUnsignedONNXElementType(init->second->data_type());
  auto it = valueInfos.find(name);
  return it != valueInfos.end() &&
         onnx_import::isUnsignedONNXElementType(it->second->type().tensor_type().elem_type());
}

bool GraphImporter::importNodes(const onnx::GraphProto &graph) {
  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init;
  for (const auto &info : graph.value_info())
    valueInfos[info.name()] = &info;
  for (const auto &info : graph.output())
    valueInfos.try_emplace(info.name(), &info);
  for (const auto &info : graph.input())
    valueInfos.try_emplace(info.name(), &info);
  const OpRegistry &registry = getOpRegistry();
  bool failedAny = false;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    Location loc = nodeLocation(node, index);
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      emitError(loc) << "op '" << node.op_type() << "' of domain '" << node.domain()
                     << "' is not supported; Kiln imports the default ONNX domain";
      failedAny = true;
      continue;
    }
    if (node.op_type() == "If" || node.op_type() == "Loop" || node.op_type() == "Scan") {
      if (!failedAny && failed(node.op_type() == "If"     ? importIf(node, loc)
                               : node.op_type() == "Loop" ? importLoop(node, loc)
                                                          : importScan(node, loc)))
        failedAny = true;
      continue;
    }
    auto it = registry.find(node.op_type());
    if (it == registry.end()) {
      emitError(loc) << "op '" << node.op_type() << "' is not supported (model opset " << modelOpset
                     << ")";
      failedAny = true;
      continue;
    }
    if (failedAny)
      continue; // keep listing unsupported ops, but stop building IR
    bool missingInput = false;
    for (const auto &name : node.input())
      if (!name.empty() && !lookup(name)) {
        // A malformed initializer has been reported where it was read.
        if (!initializers.count(name))
          emitError(loc) << "input '" << name << "' is not produced by any earlier node, "
                         << "initializer or graph input";
        missingInput = true;
        break;
      }
    if (missingInput) {
      failedAny = true;
      continue;
    }
    NodeImporter importer(
        node, builder, loc, [this](const std::string &n) { return lookup(n); }, opset,
        [this](const std::string &n) { return inferredShape(n); },
        [this](const std::string &n) { return isUnsigned(n); });
    if (failed(it->second(importer)) || importer.hadInvalidOp()) {
      failedAny = true;
      continue;
    }
    for (auto [i, name] : llvm::enumerate(node.output())) {
      if (name.empty())
        continue;
      if (i >= importer.results().size() || !importer.results()[i]) {
        emitError(loc) << "output " << i << " ('" << name << "') is not supported";
        failedAny = true;
        break;
      }
      values[name] = importer.results()[i];
    }
  }
  return !failedAny;
}

LogicalResult GraphImporter::importIf(const onnx::NodeProto &node, Location loc) {
  Value cond = lookup(node.input(0));
  if (!cond)
    return emitError(loc) << "input '" << node.input(0)
                          << "' is not produced by any earlier node, initializer or graph input";
  DenseElementsAttr value;
  if (!matchPattern(cond, m_Constant(&value)) || value.getNumElements() != 1)
    return emitError(loc) << "If with a condition computed at run time is not supported; "
                             "Kiln needs it known at compile time"
                          << onnx_import::constInputHint({cond});
  bool taken = !(*value.getValues<APInt>().begin()).isZero();
  const onnx::GraphProto *branch = nullptr;
  for (const auto &attr : node.attribute())
    if (attr.name() == (taken ? "then_branch" : "else_branch"))
      branch = &attr.g();
  if (!branch)
    return emitError(loc) << "If has no " << (taken ? "then_branch" : "else_branch");
  if (branch->output_size() != node.output_size())
    return emitError(loc) << "the branch has " << branch->output_size() << " outputs, the If "
                          << node.output_size();
  if (!importNodes(*branch))
    return failure();
  for (auto [i, name] : llvm::enumerate(node.output())) {
    Value v = lookup(branch->output(i).name());
    if (!v)
      return emitError(loc) << "branch output '" << branch->output(i).name()
                            << "' is never produced";
    if (!name.empty())
      values[name] = v;
  }
  return success();
}

/// A scalar integer or bool constant's value, if `v` is one.
static std::optional<int64_t> constantScalar(Value v) {
  DenseElementsAttr value;
  if (!v || !matchPattern(v, m_Constant(&value)) || value.getNumElements() != 1 ||
      !value.getElementType().isSignlessInteger())
    return std::nullopt;
  APInt i = *value.getValues<APInt>().begin();
  return value.getElementType().isInteger(1) ? (int64_t)!i.isZero() : i.getSExtValue();
}

LogicalResult GraphImporter::importLoop(const onnx::NodeProto &node, Location loc) {
  constexpr int64_t kMaxIterations = 4096;
  const onnx::GraphProto *body = nullptr;
  for (const auto &attr : node.attribute())
    if (attr.name() == "body")
      body = &attr.g();
  if (!body)
    return emitError(loc) << "Loop has no body";
  int64_t carried = node.input_size() - 2;
  int64_t scans = body->output_size() - 1 - carried;
  if (carried < 0 || scans < 0 || body->input_size() != carried + 2 ||
      node.output_size() > carried + scans)
    return emitError(loc) << "the Loop body's inputs and outputs do not match the node";
  std::optional<int64_t> trips;
  if (!node.input(0).empty()) {
    trips = constantScalar(lookup(node.input(0)));
    if (!trips)
      return emitError(loc) << "Loop with a trip count computed at run time is not supported; "
                               "Kiln unrolls loops whose trip count is known at compile time"
                            << onnx_import::constInputHint({lookup(node.input(0))});
  }
  bool cond = true;
  if (!node.input(1).empty()) {
    auto c = constantScalar(lookup(node.input(1)));
    if (!c)
      return emitError(loc) << "Loop with a condition computed at run time is not supported"
                            << onnx_import::constInputHint({lookup(node.input(1))});
    cond = *c != 0;
  }
  if (!trips)
    return emitError(loc) << "Loop without a trip count is not supported; Kiln unrolls "
                             "loops whose trip count is known at compile time";
  if (*trips > kMaxIterations)
    return emitError(loc) << "Loop of " << *trips << " iterations is too long to unroll (at most "
                          << kMaxIterations << ")";
  SmallVector<Value> state;
  for (int64_t j = 0; j < carried; ++j) {
    Value v = lookup(node.input(2 + j));
    if (!v)
      return emitError(loc) << "input '" << node.input(2 + j) << "' is not produced by any "
                            << "earlier node, initializer or graph input";
    state.push_back(v);
  }
  SmallVector<SmallVector<Value>> scanValues(scans);
  int64_t iterations = 0;
  for (int64_t i = 0; i < *trips && cond; ++i, ++iterations) {
    values[body->input(0).name()] = ConstantOp::create(
        builder, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, builder.getI64Type()), APInt(64, i)));
    values[body->input(1).name()] = ConstantOp::create(
        builder, loc, DenseElementsAttr::get(RankedTensorType::get({}, builder.getI1Type()), true));
    for (int64_t j = 0; j < carried; ++j)
      values[body->input(2 + j).name()] = state[j];
    if (!importNodes(*body))
      return failure();
    auto next = constantScalar(lookup(body->output(0).name()));
    if (!next && i + 1 < *trips)
      return emitError(loc) << "Loop whose body computes its condition at run time is not "
                               "supported";
    cond = next.value_or(1) != 0;
    for (int64_t j = 0; j < carried; ++j) {
      Value v = lookup(body->output(1 + j).name());
      if (!v || v.getType() != state[j].getType())
        return emitError(loc) << "Loop-carried value " << j
                              << " changes its type between iterations";
      state[j] = v;
    }
    for (int64_t k = 0; k < scans; ++k) {
      Value v = lookup(body->output(1 + carried + k).name());
      if (!v)
        return emitError(loc) << "scan output '" << body->output(1 + carried + k).name()
                              << "' is never produced";
      scanValues[k].push_back(v);
    }
  }
  for (auto [j, name] : llvm::enumerate(node.output())) {
    if (name.empty())
      continue;
    if ((int64_t)j < carried) {
      values[name] = state[j];
      continue;
    }
    SmallVector<Value> &parts = scanValues[j - carried];
    if (parts.empty())
      return emitError(loc) << "Loop with zero iterations has empty scan outputs, which are "
                               "not supported";
    SmallVector<Value> stacked;
    for (Value v : parts) {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape{1};
      llvm::append_range(shape, type.getShape());
      stacked.push_back(builder.createOrFold<ReshapeOp>(
          loc, RankedTensorType::get(shape, type.getElementType()), v));
    }
    values[name] = stacked.size() == 1
                       ? stacked[0]
                       : builder.createOrFold<ConcatOp>(loc, stacked, builder.getI64IntegerAttr(0));
  }
  return success();
}

LogicalResult GraphImporter::importScan(const onnx::NodeProto &node, Location loc) {
  constexpr int64_t kMaxIterations = 4096;
  const onnx::GraphProto *body = nullptr;
  int64_t numScanInputs = -1;
  SmallVector<int64_t> inputAxes, inputDirections, outputAxes, outputDirections;
  for (const auto &attr : node.attribute()) {
    if (attr.name() == "body")
      body = &attr.g();
    else if (attr.name() == "num_scan_inputs")
      numScanInputs = attr.i();
    else if (attr.name() == "scan_input_axes")
      inputAxes.assign(attr.ints().begin(), attr.ints().end());
    else if (attr.name() == "scan_input_directions")
      inputDirections.assign(attr.ints().begin(), attr.ints().end());
    else if (attr.name() == "scan_output_axes")
      outputAxes.assign(attr.ints().begin(), attr.ints().end());
    else if (attr.name() == "scan_output_directions")
      outputDirections.assign(attr.ints().begin(), attr.ints().end());
  }
  if (!body || numScanInputs < 1)
    return emitError(loc) << "Scan needs a body and num_scan_inputs >= 1";
  int64_t states = node.input_size() - numScanInputs;
  int64_t scanOutputs = body->output_size() - states;
  if (states < 0 || scanOutputs < 0 || body->input_size() != node.input_size() ||
      node.output_size() > body->output_size())
    return emitError(loc) << "the Scan body's inputs and outputs do not match the node";
  auto axisOf = [](ArrayRef<int64_t> axes, int64_t i) {
    return i < (int64_t)axes.size() ? axes[i] : 0;
  };

  SmallVector<Value> state, scanned;
  for (int64_t j = 0; j < node.input_size(); ++j) {
    Value v = lookup(node.input(j));
    if (!v)
      return emitError(loc) << "input '" << node.input(j) << "' is not produced by any "
                            << "earlier node, initializer or graph input";
    (j < states ? state : scanned).push_back(v);
  }
  // Every scan input is cut along its axis into single steps.
  int64_t steps = -1;
  SmallVector<int64_t> axes;
  for (auto [k, v] : llvm::enumerate(scanned)) {
    auto type = cast<RankedTensorType>(v.getType());
    int64_t axis = axisOf(inputAxes, k);
    if (axis < 0)
      axis += type.getRank();
    if (axis < 0 || axis >= type.getRank())
      return emitError(loc) << "scan input " << k << " has no axis " << axisOf(inputAxes, k);
    if (steps >= 0 && type.getDimSize(axis) != steps)
      return emitError(loc) << "the scan inputs differ in length";
    steps = type.getDimSize(axis);
    axes.push_back(axis);
  }
  if (steps > kMaxIterations)
    return emitError(loc) << "Scan of " << steps << " steps is too long to unroll (at most "
                          << kMaxIterations << ")";
  if (steps == 0)
    return emitError(loc) << "Scan over empty inputs is not supported";
  SmallVector<SmallVector<Value>> outputs(scanOutputs);
  for (int64_t i = 0; i < steps; ++i) {
    for (int64_t j = 0; j < states; ++j)
      values[body->input(j).name()] = state[j];
    for (auto [k, v] : llvm::enumerate(scanned)) {
      auto type = cast<RankedTensorType>(v.getType());
      int64_t at = axisOf(inputDirections, k) ? steps - 1 - i : i;
      SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape()),
          strides(type.getRank(), 1);
      offsets[axes[k]] = at;
      sizes[axes[k]] = 1;
      Value step = builder.createOrFold<SliceOp>(
          loc, RankedTensorType::get(sizes, type.getElementType()), v,
          builder.getDenseI64ArrayAttr(offsets), builder.getDenseI64ArrayAttr(sizes),
          builder.getDenseI64ArrayAttr(strides));
      SmallVector<int64_t> squeezed(type.getShape());
      squeezed.erase(squeezed.begin() + axes[k]);
      values[body->input(states + k).name()] = builder.createOrFold<ReshapeOp>(
          loc, RankedTensorType::get(squeezed, type.getElementType()), step);
    }
    if (!importNodes(*body))
      return failure();
    for (int64_t j = 0; j < states; ++j) {
      Value v = lookup(body->output(j).name());
      if (!v || v.getType() != state[j].getType())
        return emitError(loc) << "Scan state " << j << " changes its type between steps";
      state[j] = v;
    }
    for (int64_t k = 0; k < scanOutputs; ++k) {
      Value v = lookup(body->output(states + k).name());
      if (!v)
        return emitError(loc) << "scan output '" << body->output(states + k).name()
                              << "' is never produced";
      outputs[k].push_back(v);
    }
  }
  for (auto [j, name] : llvm::enumerate(node.output())) {
    if (name.empty())
      continue;
    if ((int64_t)j < states) {
      values[name] = state[j];
      continue;
    }
    int64_t k = j - states;
    SmallVector<Value> parts = outputs[k];
    if (axisOf(outputDirections, k))
      std::reverse(parts.begin(), parts.end());
    auto type = cast<RankedTensorType>(parts.front().getType());
    int64_t axis = axisOf(outputAxes, k);
    if (axis < 0)
      axis += type.getRank() + 1;
    if (axis < 0 || axis > type.getRank())
      return emitError(loc) << "scan output " << k << " has no axis " << axisOf(outputAxes, k);
    SmallVector<int64_t> shape(type.getShape());
    shape.insert(shape.begin() + axis, 1);
    SmallVector<Value> stacked;
    for (Value v : parts)
      stacked.push_back(builder.createOrFold<ReshapeOp>(
          loc, RankedTensorType::get(shape, type.getElementType()), v));
    values[name] =
        stacked.size() == 1
            ? stacked[0]
            : builder.createOrFold<ConcatOp>(loc, stacked, builder.getI64IntegerAttr(axis));
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::importGraph(const onnx::GraphProto &graph) {
  fileLoc = FileLineColLoc::get(&ctx, displayName, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init; // graph inputs below skip these

  SmallVector<Type> argTypes, resultTypes;
  SmallVector<std::string> argNames;
  for (const auto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    auto type = convertValueType(input, fileLoc);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argNames.push_back(input.name());
  }
  // Declared output shapes: dimensions the model leaves symbolic or unknown
  // (exporters often do) are taken from the import.
  SmallVector<std::optional<SmallVector<int64_t>>> declaredShapes;
  for (const auto &output : graph.output()) {
    auto type = convertValueType(output, fileLoc);
    if (failed(type))
      return nullptr;
    const auto &tensorType = output.type().tensor_type();
    if (tensorType.has_shape()) {
      SmallVector<int64_t> dims;
      for (const auto &dim : tensorType.shape().dim())
        dims.push_back(dim.has_dim_value() ? dim.dim_value() : ShapedType::kDynamic);
      declaredShapes.push_back(dims);
    } else {
      declaredShapes.push_back(std::nullopt);
    }
    resultTypes.push_back(*type);
  }

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, resultTypes));
  Block *body = func.addEntryBlock();
  for (const auto &info : graph.input())
    valueInfos.try_emplace(info.name(), &info);
  for (const auto &info : graph.output())
    valueInfos.try_emplace(info.name(), &info);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = body->getArgument(i);
    func.setArgAttr(i, "kiln.name", builder.getStringAttr(name));
    if (isUnsigned(name))
      func.setArgAttr(i, "kiln.unsigned", builder.getUnitAttr());
  }
  builder.setInsertionPointToEnd(body);

  if (!importNodes(graph))
    return nullptr;

  SmallVector<Value> results;
  for (auto [i, output] : llvm::enumerate(graph.output())) {
    Value v = lookup(output.name());
    if (!v) {
      emitError(fileLoc) << "graph output '" << output.name() << "' is never produced";
      return nullptr;
    }
    auto actual = cast<RankedTensorType>(v.getType());
    auto declared = cast<RankedTensorType>(resultTypes[i]);
    bool matches = actual.getElementType() == declared.getElementType();
    if (matches && declaredShapes[i]) {
      ArrayRef<int64_t> dims = *declaredShapes[i];
      matches = dims.size() == (size_t)actual.getRank();
      for (size_t d = 0; matches && d < dims.size(); ++d)
        matches = ShapedType::isDynamic(dims[d]) || dims[d] == actual.getDimSize(d);
    }
    if (!matches) {
      std::string shape;
      llvm::raw_string_ostream os(shape);
      if (declaredShapes[i]) {
        os << "tensor<";
        for (int64_t d : *declaredShapes[i])
          os << (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d)) << "x";
        os << declared.getElementType() << ">";
      } else {
        os << "a tensor of " << declared.getElementType();
      }
      emitError(v.getLoc()) << "graph output '" << output.name() << "' has type " << v.getType()
                            << " but the model declares " << shape;
      return nullptr;
    }
    resultTypes[i] = actual;
    results.push_back(v);
    func.setResultAttr(i, "kiln.name", builder.getStringAttr(output.name()));
    if (isUnsigned(output.name()))
      func.setResultAttr(i, "kiln.unsigned", builder.getUnitAttr());
  }
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  func::ReturnOp::create(builder, fileLoc, results);
  return module;
}

} // namespace

std::vector<std::string> getSupportedONNXOps() {
  std::vector<std::string> ops;
  for (const auto &entry : getOpRegistry())
    ops.push_back(entry.getKey().str());
  ops.push_back("If"); // handled by the graph importer itself
  ops.push_back("Loop");
  ops.push_back("Scan");
  llvm::sort(ops);
  return ops;
}

namespace {

/// Reports every node (subgraphs included) outside the default ONNX domain:
/// Kiln imports none, and libonnx's data propagation dereferences the
/// missing schema of an unknown domain's op, so they are refused before
/// libonnx sees them.
bool refuseForeignDomains(MLIRContext &context, StringRef displayName,
                          const onnx::GraphProto &graph) {
  bool foreign = false;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      emitError(onnx_import::onnxNodeLocation(&context, displayName, node, index))
          << "op '" << node.op_type() << "' of domain '" << node.domain()
          << "' is not supported; Kiln imports the default ONNX domain";
      foreign = true;
    }
    for (const auto &attr : node.attribute()) {
      if (attr.has_g())
        foreign |= refuseForeignDomains(context, displayName, attr.g());
      for (const auto &g : attr.graphs())
        foreign |= refuseForeignDomains(context, displayName, g);
    }
  }
  return foreign;
}

/// Everything after parsing: checks, conversion, inference and the import.
OwningOpRef<ModuleOp> importParsedModel(MLIRContext &context, onnx::ModelProto &model,
                                        StringRef modelDir, Location fileLoc, StringRef displayName,
                                        const ONNXImportOptions &options) {
  onnx_import::installInferenceGuards();
  int64_t opset = getDefaultOpset(model);
  if (opset < 0)
    return emitError(fileLoc) << "the model imports no default-domain opset", nullptr;
  if (opset < 1 || opset > kNewestOnnxOpset)
    return emitError(fileLoc) << "opset " << opset << " is not supported; Kiln reads opsets 1 to "
                              << kNewestOnnxOpset << " (export the model for opset "
                              << kNewestOnnxOpset << " or older)",
           nullptr;
  // libonnx knows opsets up to 17: a newer model is checked and inferred
  // as a copy that moves the newer ops into Kiln's schemas
  // (NewerOpsetSchemas.cpp), and imported as it is.
  bool newer = opset > kTargetOnnxOpset;

  if (failed(onnx_import::validateModel(model, fileLoc, displayName)) ||
      refuseForeignDomains(context, displayName, model.graph()) ||
      failed(onnx_import::checkInitializerSizes(model, fileLoc, options.maxWeightBytes)))
    return nullptr;
  if (failed(onnx_import::loadExternalData(model, fileLoc, modelDir)))
    return nullptr;
  onnx_import::warnNonFiniteWeights(model, fileLoc, displayName);

  if (failed(onnx_import::bindConstantInputs(model, fileLoc, options.constantInputs,
                                             options.inputShapes)))
    return nullptr;

  try {
    onnx::checker::check_model(newer ? onnx_import::makeCheckableModel(model, opset) : model);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    return emitError(fileLoc) << "the ONNX checker rejects the model: " << msg, nullptr;
  }

  llvm::StringSet<> initializerNames;
  for (const auto &init : model.graph().initializer())
    initializerNames.insert(init.name());
  if (failed(bindInputShapes(*model.mutable_graph(), fileLoc, options, initializerNames)))
    return nullptr;

  if (opset < kTargetOnnxOpset) {
    try {
      // The converter's adapters (Gemm, Add with legacy broadcast, Softmax,
      // ...) need the shapes of intermediate values. libonnx propagates
      // shape values only through the newest opsets' schemas, so the shape
      // computations that the bound inputs make constant are folded first,
      // alternating with lenient inference (the strict pass below reports
      // problems against the converted model).
      onnx_import::foldShapeComputations(model, opset);
      model = onnx::version_conversion::ConvertVersion(model, kTargetOnnxOpset);
    } catch (const std::exception &e) {
      std::string msg = e.what();
      std::replace(msg.begin(), msg.end(), '\n', ' ');
      return emitError(fileLoc) << "cannot convert the model from opset " << opset << " to "
                                << kTargetOnnxOpset << ": " << msg,
             nullptr;
    }
  }

  std::string inferenceFailure;
  onnx::ModelProto checkable;
  onnx::ModelProto &inferred = newer ? checkable : model;
  std::map<int32_t, int32_t> float8Standins;
  if (newer) {
    checkable = onnx_import::makeCheckableModel(model, opset);
    float8Standins = onnx_import::hideFloat8Types(checkable);
  }
  try {
    onnx::ShapeInferenceOptions inferenceOptions(/*check_type=*/true,
                                                 /*strict_mode=*/1,
                                                 /*data_prop=*/true);
    onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(),
                                       inferenceOptions);
  } catch (const std::exception &e) {
    // libonnx's inference functions have their own bugs (STFT's ignores
    // onesided, say). Kiln derives every shape itself and checks it against
    // the declared ones, so a failure here is a warning: infer again
    // leniently, keeping what can be inferred.
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    inferenceFailure =
        "ONNX shape inference fails (" + msg + "); continuing with the shapes Kiln derives";
    try {
      onnx::ShapeInferenceOptions lenient(/*check_type=*/false, /*strict_mode=*/0,
                                          /*data_prop=*/true);
      onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(), lenient);
    } catch (const std::exception &) {
    }
  }
  if (newer) {
    onnx_import::copyInferredValueInfo(checkable.graph(), *model.mutable_graph());
    onnx_import::restoreFloat8Types(*model.mutable_graph(), float8Standins);
  }

  // Ops import with their semantics at the model's opset where it is newer
  // than libonnx's, and at opset 17 (the converted model's) otherwise.
  GraphImporter importer(context, displayName, std::max<int64_t>(opset, kTargetOnnxOpset), opset);
  OwningOpRef<ModuleOp> module = importer.importGraph(model.graph());
  // When Kiln's own import fails, its error names the node; libonnx's
  // complaint about the same node would only repeat it.
  if (module && !inferenceFailure.empty())
    emitWarning(fileLoc) << inferenceFailure;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importONNXModel(MLIRContext &context, StringRef path,
                                      const ONNXImportOptions &options) {
  std::string displayName =
      options.displayName.empty() ? llvm::sys::path::filename(path).str() : options.displayName;
  Location fileLoc = FileLineColLoc::get(&context, displayName, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(fileLoc) << "cannot read model: " << buffer.getError().message(), nullptr;
  onnx::ModelProto model;
  if (failed(parseModel((*buffer)->getBuffer(), isTextualModel(path), fileLoc, model)))
    return nullptr;
  buffer->reset(); // the parsed model owns copies of everything it needs
  llvm::SmallString<256> modelDir(path);
  llvm::sys::path::remove_filename(modelDir);
  if (modelDir.empty())
    modelDir = ".";
  return importParsedModel(context, model, modelDir, fileLoc, displayName, options);
}

OwningOpRef<ModuleOp> importONNXModelFromBuffer(MLIRContext &context, StringRef bytes, bool textual,
                                                StringRef modelDir,
                                                const ONNXImportOptions &options) {
  std::string displayName = options.displayName.empty() ? "model" : options.displayName;
  Location fileLoc = FileLineColLoc::get(&context, displayName, 0, 0);
  onnx::ModelProto model;
  if (failed(parseModel(bytes, textual, fileLoc, model)))
    return nullptr;
  return importParsedModel(context, model, modelDir, fileLoc, displayName, options);
}

} // namespace kiln
