//===- CheckedBuilder.h - The op builder both front ends share --*- C++ -*-===//
//
// Both importers (ONNX and TorchScript) create every kiln op through
// CheckedBuilder::create. A malformed model can hand an op operands it
// cannot take: shapes that do not broadcast, a contraction whose inner
// dimensions differ, a reshape to another element count. Such an op is
// never built: for ops that infer their result types, the inference is
// tried first (the ODS builders abort when it fails); other ops are
// verified before they are folded. The first problem is reported once at
// the node's location, the node counts as failed (hadInvalidOp), and a
// stand-in value lets the importer run to the node's end without special
// cases. The caller then drops the node and fails the import: one located
// line, exit 1, never an abort.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_CHECKEDBUILDER_H
#define KILN_IMPORT_CHECKEDBUILDER_H

#include "kiln/IR/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include <tuple>
#include <type_traits>

namespace kiln {

class CheckedBuilder {
public:
  CheckedBuilder(mlir::OpBuilder &builder, mlir::Location loc) : builder(builder), loc(loc) {}

  mlir::OpBuilder &builder;
  mlir::Location loc;

  mlir::MLIRContext *getContext() { return builder.getContext(); }

  /// Creates `OpTy` and folds it when its operands are constants; for
  /// operands it cannot take, reports at `loc` and returns a stand-in.
  template <typename OpTy, typename... Args> mlir::Value create(Args &&...args) {
    // A caller that gives the result type uses a builder that infers
    // nothing; the verifier checks that one.
    if constexpr (OpTy::template hasTrait<mlir::InferTypeOpInterface::Trait>() &&
                  !startsWithType<Args...>()) {
      mlir::OperationState probe(loc, OpTy::getOperationName());
      OpTy::build(builder, probe, mlir::TypeRange(), args...);
      llvm::SmallVector<mlir::Type, 1> types;
      std::optional<mlir::Location> where;
      if (!invalidOp)
        where = loc;
      if (mlir::failed(OpTy::inferReturnTypes(getContext(), where, probe.operands,
                                              probe.attributes.getDictionary(getContext()),
                                              probe.getRawProperties(), probe.regions, types)) ||
          mlir::failed(checkResultSizes(types)))
        return standIn(probe.operands);
    }
    return verifyAndFold(OpTy::create(builder, loc, std::forward<Args>(args)...));
  }

  /// Whether an op this builder tried to create was invalid (and reported).
  bool hadInvalidOp() const { return invalidOp; }

  /// A rank-0 kiln.constant of `elementType` holding `value` (truncated for
  /// integer types), which broadcasts against any tensor.
  mlir::Value scalarConstant(mlir::Type elementType, double value);
  /// `value` reshaped to `shape` (checked and folded), or `value` itself
  /// when it already has that shape.
  mlir::Value reshape(mlir::Value value, llvm::ArrayRef<int64_t> shape);
  /// kiln.slice of `value` with static offsets, sizes and strides.
  mlir::Value slice(mlir::Value value, llvm::ArrayRef<int64_t> offsets,
                    llvm::ArrayRef<int64_t> sizes, llvm::ArrayRef<int64_t> strides);
  /// kiln.transpose of `value` by `perm`.
  mlir::Value transpose(mlir::Value value, llvm::ArrayRef<int64_t> perm);
  /// A kiln.constant of float type `elementType` and `shape` holding
  /// `values` (rounded to nearest).
  mlir::Value floatConstant(mlir::Type elementType, llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<double> values);

  /// Reports an error at the node; always returns failure().
  mlir::LogicalResult error(const llvm::Twine &message);
  /// Reports that `what` is not supported; always returns failure().
  mlir::LogicalResult unsupported(const llvm::Twine &what);

private:
  template <typename... Args> static constexpr bool startsWithType() {
    if constexpr (sizeof...(Args) == 0)
      return false;
    else
      return std::is_convertible_v<std::decay_t<std::tuple_element_t<0, std::tuple<Args...>>>,
                                   mlir::Type>;
  }

  /// Marks the node failed and returns a stand-in value, typed like the
  /// first tensor operand (f32[1] without one).
  mlir::Value standIn(mlir::ValueRange operands);
  /// Fails, reporting the first time, when a result type has more than
  /// 2^40 elements (the limit initializers have too): no importer or folder
  /// then multiplies dimensions that overflow.
  mlir::LogicalResult checkResultSizes(mlir::TypeRange types);
  /// Verifies a new op (reporting the first invalid one) and folds it.
  mlir::Value verifyAndFold(mlir::Operation *op);

  bool invalidOp = false;
};

} // namespace kiln

#endif // KILN_IMPORT_CHECKEDBUILDER_H
