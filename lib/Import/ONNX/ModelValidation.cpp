//===- ModelValidation.cpp - Structural checks before libonnx ---*- C++ -*-===//
//
// Checks what libonnx's checker, version converter and shape inference take
// for granted, so that a broken file gets one line naming its own node and
// never reaches code that crashes on it (the version converter dereferences
// a graph output no node produces): the IR version, that every tensor name
// is assigned once, that every node input and graph output is defined, and
// that the nodes form no cycle. Nodes that are merely out of order are put
// in dependency order, with a warning.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"
#include "kiln/Import/ONNXImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <set>

using namespace mlir;

namespace kiln::onnx_import {

Location onnxNodeLocation(MLIRContext *ctx, StringRef displayName, const onnx::NodeProto &node,
                          int index) {
  std::string name =
      node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
  Location file = FileLineColLoc::get(ctx, displayName, 0, 0);
  Location named = NameLoc::get(StringAttr::get(ctx, name), file);
  return FusedLoc::get(ctx, {named}, StringAttr::get(ctx, "onnx." + node.op_type()));
}

namespace {

std::string describe(const onnx::NodeProto &node, int index) {
  std::string name =
      node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
  return "'" + name + "' (" + node.op_type() + ")";
}

class GraphValidator {
public:
  GraphValidator(MLIRContext *ctx, StringRef displayName, Location fileLoc)
      : ctx(ctx), displayName(displayName), fileLoc(fileLoc) {}

  /// Checks `graph` with `outer` the names visible from enclosing graphs;
  /// reorders its nodes when they are acyclic but out of order.
  LogicalResult validate(onnx::GraphProto &graph, const llvm::StringSet<> &outer);

private:
  Location loc(const onnx::NodeProto &node, int index) {
    return onnxNodeLocation(ctx, displayName, node, index);
  }
  /// Puts the nodes in dependency order, or reports the cycle they form.
  LogicalResult sortNodes(onnx::GraphProto &graph, const llvm::StringMap<int> &producer);

  MLIRContext *ctx;
  StringRef displayName;
  Location fileLoc;
};

LogicalResult GraphValidator::validate(onnx::GraphProto &graph, const llvm::StringSet<> &outer) {
  bool ok = true;
  llvm::StringSet<> local; // graph inputs and initializers
  llvm::StringSet<> inputNames;
  for (const auto &input : graph.input()) {
    if (!inputNames.insert(input.name()).second) {
      emitError(fileLoc) << "graph input '" << input.name()
                         << "' is declared twice; every tensor name must be unique";
      ok = false;
    }
    local.insert(input.name());
  }
  llvm::StringSet<> initNames;
  for (const auto &init : graph.initializer()) {
    if (!initNames.insert(init.name()).second) {
      emitError(fileLoc) << "initializer '" << init.name()
                         << "' is declared twice; every tensor name must be unique";
      ok = false;
    }
    local.insert(init.name());
  }

  // Which node writes each tensor.
  llvm::StringMap<int> producer;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    for (const std::string &out : node.output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(out, (int)index);
      if (!inserted) {
        emitError(loc(node, index)) << "output '" << out << "' is already produced by node "
                                    << describe(graph.node(it->second), it->second)
                                    << "; every tensor name must be assigned once";
        ok = false;
      } else if (local.contains(out)) {
        emitError(loc(node, index)) << "output '" << out << "' reuses the name of a graph "
                                    << (initNames.contains(out) ? "initializer" : "input")
                                    << "; every tensor name must be assigned once";
        ok = false;
      }
    }
  }

  // Every input defined; note whether some come from later nodes.
  bool outOfOrder = false;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    for (const std::string &in : node.input()) {
      if (in.empty() || local.contains(in) || outer.contains(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        emitError(loc(node, index))
            << "input '" << in
            << "' is not a graph input, an initializer or the output of any node "
               "(is the initializer missing from the file?)";
        ok = false;
      } else if (it->second >= (int)index) {
        outOfOrder = true;
      }
    }
  }
  for (const auto &output : graph.output()) {
    if (!local.contains(output.name()) && !producer.count(output.name()) &&
        !outer.contains(output.name())) {
      emitError(fileLoc) << "graph output '" << output.name()
                         << "' is not produced by any node, graph input or initializer";
      ok = false;
    }
  }
  if (!ok)
    return failure();
  if (outOfOrder && failed(sortNodes(graph, producer)))
    return failure();

  // Subgraphs (If branches, Loop and Scan bodies) see everything above.
  llvm::StringSet<> visible = outer;
  for (const auto &entry : local)
    visible.insert(entry.getKey());
  for (const auto &entry : producer)
    visible.insert(entry.getKey());
  for (auto &node : *graph.mutable_node())
    for (auto &attr : *node.mutable_attribute()) {
      if (attr.has_g() && failed(validate(*attr.mutable_g(), visible)))
        return failure();
      for (auto &g : *attr.mutable_graphs())
        if (failed(validate(g, visible)))
          return failure();
    }
  return success();
}

LogicalResult GraphValidator::sortNodes(onnx::GraphProto &graph,
                                        const llvm::StringMap<int> &producer) {
  int n = graph.node_size();
  // deps[i]: the nodes whose outputs node i reads.
  std::vector<std::vector<int>> deps(n), users(n);
  std::vector<int> pending(n, 0);
  for (int i = 0; i < n; ++i)
    for (const std::string &in : graph.node(i).input()) {
      auto it = producer.find(in);
      if (in.empty() || it == producer.end())
        continue;
      deps[i].push_back(it->second);
      users[it->second].push_back(i);
      ++pending[i];
    }
  // Kahn's algorithm, always taking the lowest ready index: the result is
  // the file's order wherever the file's order is valid.
  std::vector<int> order;
  std::set<int> ready;
  for (int i = 0; i < n; ++i)
    if (pending[i] == 0)
      ready.insert(i);
  while (!ready.empty()) {
    int i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (int u : users[i])
      if (--pending[u] == 0)
        ready.insert(u);
  }
  if ((int)order.size() != n) {
    // Walk back along unfinished producers until a node repeats.
    int start = 0;
    while (pending[start] == 0)
      ++start;
    std::vector<int> path;
    std::vector<int> seen(n, -1);
    int at = start;
    while (seen[at] < 0) {
      seen[at] = (int)path.size();
      path.push_back(at);
      for (int d : deps[at])
        if (pending[d] > 0) {
          at = d;
          break;
        }
    }
    std::vector<int> cycle(path.begin() + seen[at], path.end());
    std::string chain;
    // `path` runs from users to producers; print it in dataflow order.
    for (auto it = cycle.rbegin(); it != cycle.rend(); ++it)
      chain += describe(graph.node(*it), *it) + " -> ";
    chain += describe(graph.node(cycle.back()), cycle.back());
    emitError(loc(graph.node(cycle.back()), cycle.back()))
        << "the graph has a cycle: " << chain << "; a node cannot depend on its own output";
    return failure();
  }
  int firstMoved = 0;
  while (order[firstMoved] == firstMoved)
    ++firstMoved;
  emitWarning(loc(graph.node(firstMoved), firstMoved))
      << "nodes are not in topological order; Kiln imports them in dependency order";
  google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
  for (int i : order)
    *sorted.Add() = graph.node(i);
  graph.mutable_node()->Swap(&sorted);
  return success();
}

} // namespace

LogicalResult validateModel(onnx::ModelProto &model, Location fileLoc, StringRef displayName) {
  int64_t ir = model.ir_version();
  if (ir <= 0)
    return emitError(fileLoc) << "the model has no IR version (ir_version is " << ir
                              << "); an ONNX file records the IR version it follows, "
                                 "1 to "
                              << kNewestIrVersion << " here";
  if (ir > kNewestIrVersion)
    return emitError(fileLoc) << "the model's IR version " << ir
                              << " is newer than this Kiln reads (1 to " << kNewestIrVersion
                              << "); export it for IR version " << kNewestIrVersion << " or older";
  GraphValidator validator(fileLoc->getContext(), displayName, fileLoc);
  return validator.validate(*model.mutable_graph(), {});
}

} // namespace kiln::onnx_import
