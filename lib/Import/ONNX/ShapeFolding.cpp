//===- ShapeFolding.cpp - Fold shape computations before conversion -*- C++ -*-===//
//
// libonnx's opset converter needs the shapes of some intermediate values
// (its Softmax 12 -> 13 adapter, say), and libonnx propagates shape
// *values* only through the newest versions of Shape, Gather, Unsqueeze and
// friends. An exporter's opset-9 model that computes a Reshape target from
// Shape(x) therefore reaches the converter with that Reshape's output
// unknown, and conversion fails.
//
// With the graph inputs' shapes bound (--shape), such computations are
// constants. This pass evaluates them on the ONNX graph itself: Shape of a
// value whose inferred shape is static, and Gather, Unsqueeze, Squeeze,
// Concat, Slice, Cast and integer Add/Sub/Mul/Div/Neg on 1-D or scalar
// int64 constants. Each folded node becomes a Constant node holding its
// value (same output name, same place), so every version's adapters and
// libonnx's inference see a constant. It alternates with lenient shape
// inference until nothing more folds.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/tensor_proto_util.h>
#include <onnx/shape_inference/implementation.h>

#include <map>

namespace kiln::onnx_import {
namespace {

/// A small int64 or int32 tensor of rank 0 or 1.
struct IntTensor {
  std::vector<int64_t> values;
  bool scalar = false;
  int32_t dtype = onnx::TensorProto::INT64;
};

std::optional<IntTensor> fromProto(const onnx::TensorProto &t) {
  if (t.dims_size() > 1 || t.has_data_location() || !t.external_data().empty())
    return std::nullopt;
  IntTensor v;
  v.scalar = t.dims_size() == 0;
  v.dtype = t.data_type();
  if (t.data_type() == onnx::TensorProto::INT64)
    v.values = onnx::ParseData<int64_t>(&t);
  else if (t.data_type() == onnx::TensorProto::INT32)
    for (int32_t x : onnx::ParseData<int32_t>(&t))
      v.values.push_back(x);
  else
    return std::nullopt;
  if (v.values.size() > 64 || (v.scalar && v.values.size() != 1))
    return std::nullopt;
  return v;
}

onnx::TensorProto toProto(const IntTensor &v) {
  onnx::TensorProto t;
  t.set_data_type(v.dtype);
  if (!v.scalar)
    t.add_dims((int64_t)v.values.size());
  for (int64_t x : v.values) {
    if (v.dtype == onnx::TensorProto::INT32)
      t.add_int32_data((int32_t)x);
    else
      t.add_int64_data(x);
  }
  return t;
}

class Folder {
public:
  Folder(onnx::GraphProto &graph, int64_t opset) : graph(graph), opset(opset) {}

  /// One pass over the nodes; returns whether anything folded.
  bool run() {
    constants.clear();
    shapes.clear();
    for (const auto &init : graph.initializer())
      if (auto v = fromProto(init))
        constants[init.name()] = *v;
    auto record = [&](const onnx::ValueInfoProto &info) {
      if (!info.type().tensor_type().has_shape())
        return;
      std::vector<int64_t> dims;
      for (const auto &d : info.type().tensor_type().shape().dim()) {
        if (!d.has_dim_value())
          return;
        dims.push_back(d.dim_value());
      }
      shapes[info.name()] = dims;
    };
    for (const auto &info : graph.input())
      record(info);
    for (const auto &info : graph.value_info())
      record(info);
    bool changed = false;
    for (onnx::NodeProto &node : *graph.mutable_node()) {
      if (!node.domain().empty() && node.domain() != "ai.onnx")
        continue;
      if (node.op_type() == "Constant") {
        for (const auto &a : node.attribute())
          if (a.name() == "value" && node.output_size() == 1)
            if (auto v = fromProto(a.t()))
              constants[node.output(0)] = *v;
        continue;
      }
      if (node.output_size() != 1 || node.output(0).empty())
        continue;
      std::optional<IntTensor> folded = fold(node);
      if (!folded)
        continue;
      std::string output = node.output(0), name = node.name();
      node.Clear();
      node.set_op_type("Constant");
      node.set_name(name);
      node.add_output(output);
      onnx::AttributeProto *value = node.add_attribute();
      value->set_name("value");
      value->set_type(onnx::AttributeProto::TENSOR);
      *value->mutable_t() = toProto(*folded);
      constants[output] = *folded;
      changed = true;
    }
    return changed;
  }

private:
  const IntTensor *constant(const onnx::NodeProto &node, int i) {
    if (i >= node.input_size() || node.input(i).empty())
      return nullptr;
    auto it = constants.find(node.input(i));
    return it == constants.end() ? nullptr : &it->second;
  }

  int64_t intAttr(const onnx::NodeProto &node, const char *name, int64_t fallback) {
    for (const auto &a : node.attribute())
      if (a.name() == name)
        return a.i();
    return fallback;
  }

  std::optional<std::vector<int64_t>> intsAttr(const onnx::NodeProto &node, const char *name) {
    for (const auto &a : node.attribute())
      if (a.name() == name)
        return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    return std::nullopt;
  }

  std::optional<IntTensor> fold(const onnx::NodeProto &node) {
    const std::string &op = node.op_type();
    if (op == "Shape") {
      auto it = shapes.find(node.input(0));
      if (it == shapes.end())
        return std::nullopt;
      int64_t rank = it->second.size();
      int64_t start = intAttr(node, "start", 0), end = intAttr(node, "end", rank);
      start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
      end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
      IntTensor v;
      for (int64_t d = start; d < end; ++d)
        v.values.push_back(it->second[d]);
      return v;
    }
    if (op == "Size") {
      auto it = shapes.find(node.input(0));
      if (it == shapes.end())
        return std::nullopt;
      int64_t n = 1;
      for (int64_t d : it->second)
        n *= d;
      return IntTensor{{n}, true};
    }
    const IntTensor *a = constant(node, 0);
    if (!a)
      return std::nullopt;
    if (op == "Cast") {
      int64_t to = intAttr(node, "to", 0);
      if (to != onnx::TensorProto::INT64 && to != onnx::TensorProto::INT32)
        return std::nullopt;
      IntTensor v = *a;
      v.dtype = (int32_t)to;
      if (to == onnx::TensorProto::INT32)
        for (int64_t &x : v.values)
          x = (int32_t)x;
      return v;
    }
    if (op == "Gather") {
      const IntTensor *idx = constant(node, 1);
      if (!idx || a->scalar || intAttr(node, "axis", 0) != 0)
        return std::nullopt;
      IntTensor v;
      v.scalar = idx->scalar;
      v.dtype = a->dtype;
      int64_t n = a->values.size();
      for (int64_t i : idx->values) {
        if (i < -n || i >= n)
          return std::nullopt;
        v.values.push_back(a->values[i < 0 ? i + n : i]);
      }
      return v;
    }
    if (op == "Unsqueeze") {
      auto axes = opset >= 13 ? (constant(node, 1) ? std::optional(constant(node, 1)->values)
                                                   : std::nullopt)
                              : intsAttr(node, "axes");
      if (!a->scalar || !axes || axes->size() != 1 || ((*axes)[0] != 0 && (*axes)[0] != -1))
        return std::nullopt;
      return IntTensor{a->values, false, a->dtype};
    }
    if (op == "Squeeze") {
      if (a->scalar || a->values.size() != 1)
        return std::nullopt;
      return IntTensor{a->values, true, a->dtype};
    }
    if (op == "Concat") {
      IntTensor v;
      v.dtype = a->dtype;
      for (int i = 0; i < node.input_size(); ++i) {
        const IntTensor *part = constant(node, i);
        if (!part || part->scalar || part->dtype != v.dtype)
          return std::nullopt;
        v.values.insert(v.values.end(), part->values.begin(), part->values.end());
      }
      return v;
    }
    if (op == "Slice") {
      // Axis 0 of a 1-D tensor; the bounds are attributes before opset 10.
      std::optional<std::vector<int64_t>> starts, ends, axes, steps;
      auto input = [&](int i) -> std::optional<std::vector<int64_t>> {
        if (const IntTensor *t = constant(node, i))
          return t->values;
        return std::nullopt;
      };
      if (opset < 10) {
        starts = intsAttr(node, "starts");
        ends = intsAttr(node, "ends");
        axes = intsAttr(node, "axes");
      } else {
        starts = input(1);
        ends = input(2);
        if (node.input_size() > 3 && !node.input(3).empty() && !(axes = input(3)))
          return std::nullopt;
        if (node.input_size() > 4 && !node.input(4).empty() && !(steps = input(4)))
          return std::nullopt;
      }
      if (a->scalar || !starts || !ends || starts->size() != 1 || ends->size() != 1 ||
          (axes && (axes->size() != 1 || ((*axes)[0] != 0 && (*axes)[0] != -1))) ||
          (steps && (steps->size() != 1 || (*steps)[0] == 0)))
        return std::nullopt;
      int64_t n = a->values.size(), step = steps ? (*steps)[0] : 1;
      auto clampIndex = [&](int64_t i, int64_t lo, int64_t hi) {
        if (i < 0)
          i += n;
        return std::clamp<int64_t>(i, lo, hi);
      };
      int64_t start =
          step > 0 ? clampIndex((*starts)[0], 0, n) : clampIndex((*starts)[0], 0, n - 1);
      int64_t end = step > 0 ? clampIndex((*ends)[0], 0, n) : clampIndex((*ends)[0], -1, n - 1);
      IntTensor v;
      v.dtype = a->dtype;
      for (int64_t i = start; step > 0 ? i < end : i > end; i += step)
        v.values.push_back(a->values[i]);
      return v;
    }
    if (op == "Neg") {
      IntTensor v = *a;
      for (int64_t &x : v.values)
        x = -x;
      return v;
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
      const IntTensor *b = constant(node, 1);
      if (!b || b->dtype != a->dtype)
        return std::nullopt;
      size_t n = std::max(a->values.size(), b->values.size());
      if ((a->values.size() != n && a->values.size() != 1) ||
          (b->values.size() != n && b->values.size() != 1))
        return std::nullopt;
      IntTensor v;
      v.scalar = a->scalar && b->scalar;
      v.dtype = a->dtype;
      for (size_t i = 0; i < n; ++i) {
        int64_t x = a->values[a->values.size() == 1 ? 0 : i];
        int64_t y = b->values[b->values.size() == 1 ? 0 : i];
        if (op == "Div" && y == 0)
          return std::nullopt;
        int64_t r = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
        v.values.push_back(a->dtype == onnx::TensorProto::INT32 ? (int32_t)r : r);
      }
      return v;
    }
    return std::nullopt;
  }

  onnx::GraphProto &graph;
  int64_t opset;
  std::map<std::string, IntTensor> constants;
  std::map<std::string, std::vector<int64_t>> shapes;
};

} // namespace

void foldShapeComputations(onnx::ModelProto &model, int64_t opset) {
  Folder folder(*model.mutable_graph(), opset);
  for (int round = 0; round < 16; ++round) {
    try {
      onnx::ShapeInferenceOptions lenient(/*check_type=*/false, /*strict_mode=*/0,
                                          /*data_prop=*/true);
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), lenient);
    } catch (const std::exception &) {
    }
    if (!folder.run())
      return;
  }
}

} // namespace kiln::onnx_import
