//===- TorchGraph.h - A TorchScript graph, free of libtorch types -*- C++ -*-===//
//
// The TorchScript front end has two halves. TorchGraphLoader.cpp is the only
// code that includes libtorch (which needs RTTI and exceptions, and whose
// headers are slow to compile): it loads a module, freezes it and copies its
// forward graph into the plain structures below. The kiln side
// (TorchScriptImporter.cpp and the Aten*.cpp op families) builds kiln ops
// from these structures with MLIR alone.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_TORCHSCRIPT_TORCHGRAPH_H
#define KILN_LIB_IMPORT_TORCHSCRIPT_TORCHGRAPH_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::torchscript {

/// Element types of constant tensors and graph inputs.
enum class DType { Float32, Float64, Float16, Int64, Int32, Int16, Int8, UInt8, Bool, Other };

/// A constant tensor's contents, contiguous and little-endian.
struct ConstantTensor {
  DType dtype = DType::Other;
  std::string dtypeName; ///< libtorch's name, for messages about Other
  std::vector<int64_t> shape;
  std::string bytes;
};

/// One value of the graph. Constants (prim::Constant) carry their payload.
struct TSValue {
  enum class Kind { Tensor, Int, Float, Bool, None, String, Device, List, Tuple, Other };
  Kind kind = Kind::Other;
  std::string type; ///< the TorchScript type, for messages
  std::string name; ///< the debug name
  bool isConstant = false;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  /// Constant lists of ints, floats or bools (kind List).
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::shared_ptr<ConstantTensor> tensor;               ///< a constant tensor
  std::vector<std::shared_ptr<ConstantTensor>> tensors; ///< a constant tensor list
};

struct TSNode;

/// A nested block (the branches of prim::If, the body of prim::Loop).
struct TSBlock {
  std::vector<int> inputs, outputs; ///< value ids
  std::vector<TSNode> nodes;
};

/// One operation: `kind` is the qualified name (aten::conv2d, prim::If).
struct TSNode {
  std::string kind;
  std::vector<int> inputs, outputs; ///< value ids
  std::vector<TSBlock> blocks;
  /// Where the op came from in the user's Python source, when known.
  std::string file;
  int64_t line = 0;
};

struct TSGraph {
  std::vector<TSValue> values; ///< indexed by value id
  TSBlock body;                ///< inputs: forward's arguments without self
  std::vector<std::string> inputNames;
};

/// Loads `path` with torch::jit::load, freezes it (parameters become
/// constants), inlines calls and simplifies the forward graph, and copies
/// it into `graph`. On failure returns false with a message in `error`.
/// Implemented by the kiln_torchscript module (TorchGraphPlugin.cpp loads
/// it on first use).
bool loadTorchScriptGraph(const std::string &path, TSGraph &graph, std::string &error);

/// The module's entry point, looked up by name after dlopen.
using LoadGraphFn = bool (*)(const std::string &path, TSGraph &graph, std::string &error);
constexpr const char *kLoadGraphSymbol = "kiln_torchscript_load_graph";

} // namespace kiln::torchscript

#endif // KILN_LIB_IMPORT_TORCHSCRIPT_TORCHGRAPH_H
