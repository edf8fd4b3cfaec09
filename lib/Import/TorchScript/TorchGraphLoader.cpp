//===- TorchGraphLoader.cpp - libtorch module to a TorchGraph ---*- C++ -*-===//
//
// The only translation unit that includes libtorch, built as the
// kiln_torchscript module that kilnc loads when it compiles a .pt file
// (entry point kiln_torchscript_load_graph). It loads the module,
// puts it in eval mode and freezes it (parameters and buffers become
// constants, method calls are inlined, conv + batch-norm pairs fold), then
// runs the simplifications that make the graph plain dataflow where
// possible: in-place ops become functional, constant loops are unrolled,
// constants propagate, dead code and tuples go. What remains is copied
// into kiln::torchscript::Graph.
//
//===----------------------------------------------------------------------===//

#include "TorchGraph.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/loop_unrolling.h>
#include <torch/csrc/jit/passes/lower_tuples.h>
#include <torch/csrc/jit/passes/remove_mutation.h>
#include <torch/csrc/jit/serialization/import.h>

#include <cstring>
#include <unordered_map>

namespace kiln::torchscript {

namespace {

DType convertDType(c10::ScalarType t) {
  switch (t) {
  case c10::ScalarType::Float:
    return DType::Float32;
  case c10::ScalarType::Double:
    return DType::Float64;
  case c10::ScalarType::Half:
    return DType::Float16;
  case c10::ScalarType::Long:
    return DType::Int64;
  case c10::ScalarType::Int:
    return DType::Int32;
  case c10::ScalarType::Short:
    return DType::Int16;
  case c10::ScalarType::Char:
    return DType::Int8;
  case c10::ScalarType::Byte:
    return DType::UInt8;
  case c10::ScalarType::Bool:
    return DType::Bool;
  default:
    return DType::Other;
  }
}

class GraphCopier {
public:
  explicit GraphCopier(TSGraph &graph) : graph(graph) {}

  int valueId(const torch::jit::Value *v) {
    auto it = ids.find(v);
    if (it != ids.end())
      return it->second;
    int id = graph.values.size();
    ids[v] = id;
    TSValue value;
    value.name = v->debugName();
    value.type = v->type()->repr_str();
    switch (v->type()->kind()) {
    case c10::TypeKind::TensorType:
      value.kind = TSValue::Kind::Tensor;
      break;
    case c10::TypeKind::IntType:
      value.kind = TSValue::Kind::Int;
      break;
    case c10::TypeKind::FloatType:
      value.kind = TSValue::Kind::Float;
      break;
    case c10::TypeKind::BoolType:
      value.kind = TSValue::Kind::Bool;
      break;
    case c10::TypeKind::NoneType:
      value.kind = TSValue::Kind::None;
      break;
    case c10::TypeKind::StringType:
      value.kind = TSValue::Kind::String;
      break;
    case c10::TypeKind::DeviceObjType:
      value.kind = TSValue::Kind::Device;
      break;
    case c10::TypeKind::ListType:
      value.kind = TSValue::Kind::List;
      break;
    case c10::TypeKind::TupleType:
      value.kind = TSValue::Kind::Tuple;
      break;
    default:
      value.kind = TSValue::Kind::Other;
      break;
    }
    graph.values.push_back(std::move(value));
    return id;
  }

  /// Fills in a prim::Constant's payload; false (with `error`) when the
  /// constant's type is not one Kiln reads.
  bool copyConstant(const torch::jit::Node *node, std::string &error) {
    int id = valueId(node->output());
    TSValue &value = graph.values[id];
    auto ivalue = torch::jit::toIValue(node->output());
    if (!ivalue)
      return true; // a constant without a value (should not happen)
    value.isConstant = true;
    if (ivalue->isTensor()) {
      value.tensor = copyTensor(ivalue->toTensor());
    } else if (ivalue->isTensorList()) {
      for (const at::Tensor &t : ivalue->toTensorVector())
        value.tensors.push_back(copyTensor(t));
    } else if (ivalue->isInt()) {
      value.i = ivalue->toInt();
    } else if (ivalue->isDouble()) {
      value.f = ivalue->toDouble();
    } else if (ivalue->isBool()) {
      value.b = ivalue->toBool();
    } else if (ivalue->isNone()) {
    } else if (ivalue->isString()) {
      value.s = ivalue->toStringRef();
    } else if (ivalue->isDevice()) {
      value.s = ivalue->toDevice().str();
    } else if (ivalue->isIntList()) {
      auto list = ivalue->toIntVector();
      value.ints.assign(list.begin(), list.end());
    } else if (ivalue->isDoubleList()) {
      auto list = ivalue->toDoubleVector();
      value.floats.assign(list.begin(), list.end());
    } else if (ivalue->isBoolList()) {
      c10::List<bool> list = ivalue->toBoolList();
      for (size_t i = 0; i < list.size(); ++i)
        value.ints.push_back(list.get(i));
    } else {
      value.isConstant = false; // left for the importer to reject if used
    }
    (void)error;
    return true;
  }

  static std::shared_ptr<ConstantTensor> copyTensor(const at::Tensor &original) {
    at::Tensor t = original.contiguous().cpu();
    auto tensor = std::make_shared<ConstantTensor>();
    tensor->dtype = convertDType(t.scalar_type());
    tensor->dtypeName = c10::toString(t.scalar_type());
    tensor->shape.assign(t.sizes().begin(), t.sizes().end());
    tensor->bytes.assign(static_cast<const char *>(t.data_ptr()), t.nbytes());
    return tensor;
  }

  bool copyBlock(const torch::jit::Block *block, TSBlock &out, std::string &error) {
    for (const torch::jit::Value *v : block->inputs())
      out.inputs.push_back(valueId(v));
    for (const torch::jit::Node *node : block->nodes()) {
      if (node->kind() == c10::prim::Constant) {
        if (!copyConstant(node, error))
          return false;
        continue;
      }
      TSNode copy;
      copy.kind = node->kind().toQualString();
      for (const torch::jit::Value *v : node->inputs())
        copy.inputs.push_back(valueId(v));
      for (const torch::jit::Value *v : node->outputs())
        copy.outputs.push_back(valueId(v));
      locate(node, copy);
      for (const torch::jit::Block *inner : node->blocks()) {
        copy.blocks.emplace_back();
        if (!copyBlock(inner, copy.blocks.back(), error))
          return false;
      }
      out.nodes.push_back(std::move(copy));
    }
    for (const torch::jit::Value *v : block->outputs())
      out.outputs.push_back(valueId(v));
    return true;
  }

private:
  using FileLine = c10::optional<std::tuple<std::string, size_t, size_t>>;

  /// The Python file and line of a range: the range that generated the
  /// serialized code when the module kept it.
  static FileLine fileLine(const torch::jit::SourceRange &range) {
    if (auto original = range.findSourceRangeThatGenerated())
      return original->file_line_col();
    return range.file_line_col();
  }

  static bool insideTorch(const std::string &file) {
    return file.find("/torch/") != std::string::npos &&
           (file.find("-packages/torch/") != std::string::npos ||
            file.find("/lib/python") != std::string::npos);
  }

  /// The user's Python file and line the node came from. Ops inside
  /// PyTorch's own modules (nn.Linear calls F.linear) are attributed to
  /// the innermost frame of the inlined call stack that is the user's,
  /// when the module recorded one (scripted modules do; traced submodules
  /// often keep only PyTorch's line).
  static void locate(const torch::jit::Node *node, TSNode &copy) {
    FileLine where = fileLine(node->sourceRange());
    if ((!where || insideTorch(std::get<0>(*where))) && node->callstack()) {
      auto frames = (*node->callstack())->vec();
      for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        FileLine frame = fileLine(std::get<1>(*it));
        if (frame && !std::get<0>(*frame).empty() && !insideTorch(std::get<0>(*frame))) {
          where = frame;
          break;
        }
      }
    }
    if (where) {
      copy.file = std::get<0>(*where);
      copy.line = static_cast<int64_t>(std::get<1>(*where));
    }
  }

  TSGraph &graph;
  std::unordered_map<const torch::jit::Value *, int> ids;
};

} // namespace

static bool loadGraph(const std::string &path, TSGraph &graph, std::string &error) {
  try {
    torch::jit::Module module = torch::jit::load(path, c10::Device(c10::kCPU));
    module.eval();
    torch::jit::Module frozen = torch::jit::freeze(module);
    torch::jit::Method forward = frozen.get_method("forward");
    std::shared_ptr<torch::jit::Graph> g = forward.graph()->copy();
    torch::jit::Inline(*g);
    torch::jit::RemoveTensorMutation(g);
    torch::jit::ConstantPropagation(g);
    torch::jit::UnrollConstantLoops(g);
    torch::jit::ConstantPropagation(g);
    torch::jit::LowerSimpleTuples(g);
    torch::jit::EliminateDeadCode(g);

    const c10::FunctionSchema &schema = forward.function().getSchema();
    GraphCopier copier(graph);
    if (!copier.copyBlock(g->block(), graph.body, error))
      return false;
    // The first input is the module itself; the rest are forward's
    // arguments, named as in its signature.
    if (!graph.body.inputs.empty())
      graph.body.inputs.erase(graph.body.inputs.begin());
    for (size_t i = 1; i < schema.arguments().size(); ++i)
      graph.inputNames.push_back(schema.arguments()[i].name());
    if (graph.inputNames.size() != graph.body.inputs.size()) {
      error = "forward's signature and graph disagree on the number of inputs";
      return false;
    }
    return true;
  } catch (const c10::Error &e) {
    error = e.what_without_backtrace();
  } catch (const std::exception &e) {
    error = e.what();
  }
  // Keep the first line: libtorch appends call stacks.
  if (auto nl = error.find('\n'); nl != std::string::npos)
    error.resize(nl);
  return false;
}

} // namespace kiln::torchscript

/// The entry point kilnc looks up after loading this module.
extern "C" __attribute__((visibility("default"))) bool
kiln_torchscript_load_graph(const std::string &path, kiln::torchscript::TSGraph &graph,
                            std::string &error) {
  return kiln::torchscript::loadGraph(path, graph, error);
}
