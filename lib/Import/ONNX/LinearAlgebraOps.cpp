//===- LinearAlgebraOps.cpp - ONNX Det to kiln ------------------*- C++ -*-===//
//
// Det: the determinant of each [M, M] matrix of a batch, by LU
// decomposition with partial pivoting, unrolled over the M columns (the
// size is static). Column k takes the row with the largest magnitude at or
// below the diagonal as its pivot (arg_max, then a row swap with
// gather_elements that flips the sign), multiplies the determinant by it,
// and subtracts multiples of the pivot row from the rows below. A zero
// pivot means a zero column below the diagonal: the determinant is zero,
// and dividing by 1 instead keeps the rest finite.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

Value sliceRows(NodeImporter &n, Value a, int64_t batch, int64_t first, int64_t rows,
                int64_t firstCol, int64_t cols) {
  return slice(n, a, {0, first, firstCol}, {batch, rows, cols}, {1, 1, 1});
}

LogicalResult importDet(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  Type elt = type.getElementType();
  if (rank < 2 || type.getDimSize(rank - 1) != type.getDimSize(rank - 2))
    return n.error("Det needs square matrices in its last two dimensions");
  if (!isa<FloatType>(elt))
    return n.error("Det needs floating-point input");
  int64_t m = type.getDimSize(rank - 1), batch = 1;
  SmallVector<int64_t> leading(type.getShape().drop_back(2));
  for (int64_t d : leading)
    batch *= d;
  if (m == 0) { // the empty product
    n.setResult(
        0, n.create<BroadcastOp>(RankedTensorType::get(leading, elt), n.scalarConstant(elt, 1.0)));
    return success();
  }
  Type i64 = n.builder.getI64Type();
  Value a = n.reshape(n.input(0), {batch, m, m});
  Value det =
      n.create<BroadcastOp>(RankedTensorType::get({batch}, elt), n.scalarConstant(elt, 1.0));
  SmallVector<int64_t> rowIds;
  for (int64_t i = 0; i < m; ++i)
    rowIds.push_back(i);
  Value rowIndex = n.intConstant(rowIds, {1, m});
  for (int64_t k = 0; k < m; ++k) {
    if (k + 1 < m) {
      // The pivot row p >= k, swapped with row k.
      Value column = n.reshape(sliceRows(n, a, batch, k, m - k, k, 1), {batch, m - k});
      Value p = n.create<ArgMaxOp>(n.create<AbsOp>(column), n.builder.getI64IntegerAttr(1),
                                   n.builder.getBoolAttr(true), n.builder.getBoolAttr(false));
      Value k64 = n.scalarConstant(i64, (double)k);
      p = n.create<AddOp>(p, k64); // [batch, 1]
      Value rows = n.create<SelectOp>(n.create<EqualOp>(rowIndex, k64), p,
                                      n.create<SelectOp>(n.create<EqualOp>(rowIndex, p), k64,
                                                         rowIndex)); // [batch, m]
      Value spread = n.create<BroadcastOp>(RankedTensorType::get({batch, m, m}, i64),
                                           n.reshape(rows, {batch, m, 1}));
      a = n.create<GatherElementsOp>(a, spread, n.builder.getI64IntegerAttr(1));
      Value swapped = n.reshape(
          n.create<XorOp>(n.create<EqualOp>(p, k64), n.scalarConstant(n.builder.getI1Type(), 1)),
          {batch});
      det = n.create<SelectOp>(swapped, n.create<NegOp>(det), det);
    }
    Value pivot = n.reshape(sliceRows(n, a, batch, k, 1, k, 1), {batch});
    det = n.create<MulOp>(det, pivot);
    if (k + 1 == m)
      break;
    Value zero = n.scalarConstant(elt, 0.0);
    Value safe =
        n.create<SelectOp>(n.create<EqualOp>(pivot, zero), n.scalarConstant(elt, 1.0), pivot);
    Value factors = n.create<DivOp>(sliceRows(n, a, batch, k + 1, m - k - 1, k, 1),
                                    n.reshape(safe, {batch, 1, 1}));
    Value lower = n.create<SubOp>(sliceRows(n, a, batch, k + 1, m - k - 1, 0, m),
                                  n.create<MulOp>(factors, sliceRows(n, a, batch, k, 1, 0, m)));
    a = n.create<ConcatOp>(ValueRange{sliceRows(n, a, batch, 0, k + 1, 0, m), lower},
                           n.builder.getI64IntegerAttr(1));
  }
  n.setResult(0, n.reshape(det, leading));
  return success();
}

} // namespace

void registerLinearAlgebraOps(OpRegistry &r) { r["Det"] = importDet; }

} // namespace kiln::onnx_import
