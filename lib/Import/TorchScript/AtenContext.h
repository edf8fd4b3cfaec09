//===- AtenContext.h - State shared by the aten:: op importers --*- C++ -*-===//
//
// During import every TorchScript value is an Item: a kiln tensor, or a
// value known at compile time (int, float, bool, None, string, or a list or
// tuple of items). Shapes are static, so aten::size, integer arithmetic
// and list construction are evaluated while importing, and an op that needs
// an int list (view's shape, conv's padding) reads it as a constant.
// NodeImporter gives each op-family file a node's inputs as items, a
// builder at the node's location and a way to report errors.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_TORCHSCRIPT_ATENCONTEXT_H
#define KILN_LIB_IMPORT_TORCHSCRIPT_ATENCONTEXT_H

#include "TorchGraph.h"

#include "kiln/IR/KilnOps.h"
#include "kiln/Import/CheckedBuilder.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>

namespace kiln::torchscript {

struct Item {
  enum class Kind { Unknown, Tensor, Int, Float, Bool, None, String, List };
  Kind kind = Kind::Unknown;
  mlir::Value tensor;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  std::vector<Item> list; ///< lists and tuples

  static Item ofTensor(mlir::Value v) {
    Item item;
    item.kind = Kind::Tensor;
    item.tensor = v;
    return item;
  }
  static Item ofInt(int64_t v) {
    Item item;
    item.kind = Kind::Int;
    item.i = v;
    return item;
  }
  static Item ofFloat(double v) {
    Item item;
    item.kind = Kind::Float;
    item.f = v;
    return item;
  }
  static Item ofBool(bool v) {
    Item item;
    item.kind = Kind::Bool;
    item.b = v;
    return item;
  }
  static Item none() {
    Item item;
    item.kind = Kind::None;
    return item;
  }
};

/// One TorchScript node being imported: its inputs (tensors, scalars and
/// lists), with the checked op builder both front ends share
/// (CheckedBuilder).
class NodeImporter : public CheckedBuilder {
public:
  NodeImporter(const TSNode &node, mlir::OpBuilder &builder, mlir::Location loc,
               std::vector<Item> inputs)
      : CheckedBuilder(builder, loc), node(node), inputs(std::move(inputs)) {}

  const TSNode &node;
  unsigned numInputs() const { return inputs.size(); }
  const Item &item(unsigned i) const { return inputs[i]; }

  /// Input `i` as a tensor; reports an error and returns null otherwise.
  mlir::Value tensor(unsigned i);
  mlir::RankedTensorType tensorType(unsigned i);
  /// Whether input `i` is absent or None.
  bool isNone(unsigned i) const { return i >= inputs.size() || inputs[i].kind == Item::Kind::None; }
  /// Compile-time scalars and lists; report an error when not known.
  std::optional<int64_t> getInt(unsigned i);
  std::optional<double> getFloat(unsigned i); ///< ints convert
  std::optional<bool> getBool(unsigned i);
  /// An int list (a single int repeats `repeat` times when repeat > 0).
  std::optional<llvm::SmallVector<int64_t>> getInts(unsigned i, unsigned repeat = 0);

  void setResult(unsigned i, Item item);
  void setTensor(unsigned i, mlir::Value v) { setResult(i, Item::ofTensor(v)); }
  const std::vector<Item> &results() const { return outputs; }

  /// A scalar operand (Python number) or tensor, as a tensor of `like`'s
  /// element type.
  mlir::Value asTensor(unsigned i, mlir::Type elementType);
  /// A dimension index, negative ones counted from the end.
  std::optional<int64_t> getDim(unsigned i, int64_t rank);

private:
  std::vector<Item> inputs;
  std::vector<Item> outputs;
};

using AtenImportFn = std::function<mlir::LogicalResult(NodeImporter &)>;
using AtenRegistry = llvm::StringMap<AtenImportFn>;

void registerAtenElementwiseOps(AtenRegistry &registry);
void registerAtenNNOps(AtenRegistry &registry);
void registerAtenShapeOps(AtenRegistry &registry);
void registerPrimOps(AtenRegistry &registry);
void registerAtenRecurrentOps(AtenRegistry &registry);
void registerAtenTransformerOps(AtenRegistry &registry);

/// The MLIR element type of a TorchGraph dtype, or null.
mlir::Type convertDType(mlir::MLIRContext *ctx, DType dtype);
/// The element type of a c10::ScalarType code as ops take it (`dtype=`):
/// 1 int8, 2 int16, 3 int32, 4 int64, 5 half, 6 float, 7 double, 11 bool;
/// null for the others (unsigned and complex types, bfloat16).
mlir::Type scalarTypeFromCode(mlir::MLIRContext *ctx, int64_t code);

} // namespace kiln::torchscript

#endif // KILN_LIB_IMPORT_TORCHSCRIPT_ATENCONTEXT_H
