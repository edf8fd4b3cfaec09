//===- InPlaceWrites.h - In-place writes through views ----------*- C++ -*-===//
//
// libtorch's RemoveTensorMutation makes an in-place op functional unless
// its target aliases another tensor. What it leaves are writes through
// views: `mask[0:7, 3:] = 1` traces to aten::slice, aten::slice and
// aten::fill_. ViewTracker records, for each tensor made by a view op
// (slice, narrow, select, view/reshape/squeeze/unsqueeze/flatten,
// permute/transpose, contiguous/detach), the tensor it views and how.
// An in-place op then computes the view's new value and writes it back
// through each view step to the root (slices become concatenations of the
// untouched parts and the new values, reshapes and permutations are
// inverted), so that later reads of the root and of the chain see the
// write. Other views of the same root taken before the write would still
// hold the old value: reading one afterwards is an error, never a silent
// wrong answer.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_TORCHSCRIPT_INPLACEWRITES_H
#define KILN_LIB_IMPORT_TORCHSCRIPT_INPLACEWRITES_H

#include "AtenContext.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace kiln::torchscript {

/// How a view was taken from its parent.
struct ViewStep {
  enum class Kind { Slice, Select, Reshape, Permute, Opaque };
  Kind kind = Kind::Opaque;
  int parent = -1; ///< the viewed value's id
  int64_t dim = 0, start = 0, end = 0, step = 1;
  llvm::SmallVector<int64_t> perm; ///< Permute: output dim i is input dim perm[i]
  std::string op;                  ///< the op that made it, for messages
};

class ViewTracker {
public:
  explicit ViewTracker(size_t numValues) : steps(numValues) {}

  /// After `node` is imported with `inputs`: records its output as a view
  /// when the node is a view op on a tensor.
  void recordView(const TSNode &node, llvm::ArrayRef<Item> inputs);
  /// Records value `id` as the same tensor as `parent` (an in-place op's
  /// result is its target).
  void recordAlias(int id, int parent, llvm::StringRef op);

  /// Whether value `id` is a view made stale by a later in-place write.
  bool isStale(int id) const { return stale.contains(id); }
  /// The root written to when value `id` went stale, for messages.
  int staleRoot(int id) const { return staleRoots.lookup(id); }

  /// Writes `value` (the new value of view or tensor `id`) back through
  /// the view steps: items[id] and every value up to the root get their new
  /// values, and the root's other views go stale.
  mlir::LogicalResult writeBack(int id, mlir::Value value, std::vector<std::optional<Item>> &items,
                                CheckedBuilder &b, mlir::Location loc);

private:
  int rootOf(int id) const;
  void recordStep(int id, ViewStep step);

  std::vector<std::optional<ViewStep>> steps;
  llvm::DenseMap<int, llvm::SmallVector<int>> views; ///< root -> every view of it
  llvm::DenseSet<int> stale;
  llvm::DenseMap<int, int> staleRoots;
};

/// Whether `kind` is an in-place op the importer functionalizes
/// (aten::fill_, aten::zero_, aten::copy_, and aten::X_ where aten::X is
/// imported).
bool isInPlaceOp(llvm::StringRef kind, const AtenRegistry &registry);

/// The new value of an in-place op's target (input 0): fill_, zero_ and
/// copy_ broadcast their value; the others run aten::X's importer, whose
/// result keeps the target's shape and element type.
mlir::FailureOr<mlir::Value> importInPlaceValue(NodeImporter &n, const AtenRegistry &registry);

} // namespace kiln::torchscript

#endif // KILN_LIB_IMPORT_TORCHSCRIPT_INPLACEWRITES_H
