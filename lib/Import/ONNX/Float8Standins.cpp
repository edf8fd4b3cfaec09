//===- Float8Standins.cpp - float8 types through libonnx 1.12 ---*- C++ -*-===//
//
// libonnx 1.12 predates the float8 types (TensorProto.DataType 17 to 20):
// its shape inference throws "Invalid tensor data type 17". For inference
// only, the checkable copy of a model carries each float8 type under a
// stand-in that libonnx knows and that Kiln never compiles (COMPLEX64,
// COMPLEX128, STRING), so every op's type constraints still hold; the
// inferred value_info gets the float8 types back.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <set>

using namespace onnx;

namespace kiln::onnx_import {
namespace {

using TypeVisitor = std::function<void(int32_t &)>;

void visitType(TypeProto &type, const TypeVisitor &visit) {
  if (type.has_tensor_type()) {
    int32_t elem = type.tensor_type().elem_type();
    visit(elem);
    if (elem != type.tensor_type().elem_type())
      type.mutable_tensor_type()->set_elem_type(elem);
  }
  if (type.has_sparse_tensor_type()) {
    int32_t elem = type.sparse_tensor_type().elem_type();
    visit(elem);
    if (elem != type.sparse_tensor_type().elem_type())
      type.mutable_sparse_tensor_type()->set_elem_type(elem);
  }
  if (type.has_sequence_type() && type.sequence_type().has_elem_type())
    visitType(*type.mutable_sequence_type()->mutable_elem_type(), visit);
  if (type.has_optional_type() && type.optional_type().has_elem_type())
    visitType(*type.mutable_optional_type()->mutable_elem_type(), visit);
  if (type.has_map_type() && type.map_type().has_value_type())
    visitType(*type.mutable_map_type()->mutable_value_type(), visit);
}

void visitTensor(TensorProto &tensor, const TypeVisitor &visit) {
  int32_t type = tensor.data_type();
  visit(type);
  if (type != tensor.data_type())
    tensor.set_data_type(type);
}

/// Every element type in `graph`: value types, initializers, tensor and
/// type attributes, the data-type attributes of Cast, EyeLike, the Random*
/// ops, QuantizeLinear and the like, and subgraphs.
void visitGraph(GraphProto &graph, const TypeVisitor &visit) {
  for (auto *infos : {graph.mutable_input(), graph.mutable_output(), graph.mutable_value_info()})
    for (ValueInfoProto &info : *infos)
      if (info.has_type())
        visitType(*info.mutable_type(), visit);
  for (TensorProto &init : *graph.mutable_initializer())
    visitTensor(init, visit);
  for (SparseTensorProto &init : *graph.mutable_sparse_initializer())
    visitTensor(*init.mutable_values(), visit);
  for (NodeProto &node : *graph.mutable_node())
    for (AttributeProto &attr : *node.mutable_attribute()) {
      if (attr.has_t())
        visitTensor(*attr.mutable_t(), visit);
      for (TensorProto &t : *attr.mutable_tensors())
        visitTensor(t, visit);
      if (attr.has_tp())
        visitType(*attr.mutable_tp(), visit);
      if (attr.has_g())
        visitGraph(*attr.mutable_g(), visit);
      for (GraphProto &g : *attr.mutable_graphs())
        visitGraph(g, visit);
      llvm::StringRef name = attr.name();
      if (attr.type() == AttributeProto::INT &&
          llvm::is_contained({"to", "dtype", "output_dtype", "output_datatype"}, name)) {
        int32_t type = (int32_t)attr.i();
        visit(type);
        if (type != attr.i())
          attr.set_i(type);
      }
    }
}

bool isFloat8(int32_t type) { return type >= kOnnxFloat8E4M3FN && type <= kOnnxFloat8E5M2FNUZ; }

} // namespace

std::map<int32_t, int32_t> hideFloat8Types(onnx::ModelProto &model) {
  const int32_t standins[] = {TensorProto::COMPLEX64, TensorProto::COMPLEX128, TensorProto::STRING};
  std::set<int32_t> used;
  GraphProto &graph = *model.mutable_graph();
  visitGraph(graph, [&](int32_t &type) { used.insert(type); });
  std::map<int32_t, int32_t> toStandin;
  size_t next = 0;
  for (int32_t type : used) {
    if (!isFloat8(type))
      continue;
    if (next == std::size(standins))
      return {}; // more float8 types than stand-ins: leave the model as it is
    toStandin[type] = standins[next++];
  }
  for (int32_t standin : standins)
    if (used.count(standin))
      return {}; // a stand-in is in use: it could not be told apart
  if (toStandin.empty())
    return {};
  visitGraph(graph, [&](int32_t &type) {
    if (auto it = toStandin.find(type); it != toStandin.end())
      type = it->second;
  });
  return toStandin;
}

void restoreFloat8Types(onnx::GraphProto &graph, const std::map<int32_t, int32_t> &standins) {
  if (standins.empty())
    return;
  visitGraph(graph, [&](int32_t &type) {
    for (const auto &[float8, standin] : standins)
      if (type == standin) {
        type = float8;
        return;
      }
  });
}

} // namespace kiln::onnx_import
