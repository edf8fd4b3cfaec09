//===- PoolIndexOps.cpp - MaxPool's Indices and MaxUnpool -------*- C++ -*-===//
//
// MaxPool with its Indices output reads every window through one gather of
// constant indices: X is flattened per (batch, channel) with a lowest-value
// sentinel appended for padding, gathered into [N, C, outputs, taps], and
// arg_max over the taps picks the first maximum (as the reference does);
// the value and the flat input index (row-major, or column-major with
// storage_order 1, plus the batch and channel offset) are read with
// gather_elements from the gathered values and a constant index table.
//
// MaxUnpool scatters each value of X to the position MaxPool's Indices
// output recorded for it: indices are flat over the whole unpooled tensor
// (batch and channel included) of the default shape, (in - 1) * stride +
// kernel - pads per spatial axis. An output_shape larger than the default
// pads the result with zeros at the end of each axis.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {

namespace {

LogicalResult importMaxUnpool(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0), iType = n.inputType(1);
  int64_t spatial = xType.getRank() - 2;
  if (spatial < 1)
    return n.error("MaxUnpool needs an input of rank 3 or more");
  if (iType.getShape() != xType.getShape())
    return n.error("the indices must have the shape of X");
  SmallVector<int64_t> kernel = n.intsAttr("kernel_shape");
  SmallVector<int64_t> strides = n.intsAttr("strides", SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads = n.intsAttr("pads", SmallVector<int64_t>(2 * spatial, 0));
  if ((int64_t)kernel.size() != spatial || (int64_t)strides.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return n.error("kernel_shape, strides and pads must match the " + Twine(spatial) +
                   " spatial axes");
  SmallVector<int64_t> shape(xType.getShape().take_front(2));
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t size =
        (xType.getDimSize(d + 2) - 1) * strides[d] + kernel[d] - pads[d] - pads[d + spatial];
    if (size <= 0)
      return n.error("the unpooled axis " + Twine(d + 2) + " would be empty");
    shape.push_back(size);
  }
  SmallVector<int64_t> outShape = shape;
  if (n.hasInput(2)) {
    auto given = n.constantInts(2);
    if (!given)
      return n.unsupportedAtRunTime({2}, "MaxUnpool with an output_shape computed at run time");
    if (given->size() != shape.size())
      return n.error("output_shape must have " + Twine(shape.size()) + " entries");
    for (auto [d, v] : llvm::enumerate(*given))
      if (v < shape[d] || (d < 2 && v != shape[d]))
        return n.error("output_shape " + Twine(v) + " at axis " + Twine(d) +
                       " is smaller than the unpooled size " + Twine(shape[d]));
    outShape.assign(given->begin(), given->end());
  }

  Type elt = xType.getElementType();
  int64_t total = 1;
  for (int64_t s : shape)
    total *= s;
  int64_t count = xType.getNumElements();
  auto zeros = ConstantOp::create(
      n.builder, n.loc,
      DenseElementsAttr::get(RankedTensorType::get({total}, elt),
                             isa<FloatType>(elt) ? Attribute(FloatAttr::get(elt, 0.0))
                                                 : Attribute(IntegerAttr::get(elt, 0))));
  Value indices = n.reshape(
      n.create<CastOp>(RankedTensorType::get(iType.getShape(), n.builder.getI64Type()), n.input(1)),
      {count});
  Value flat = n.create<ScatterElementsOp>(
      RankedTensorType::get({total}, elt), zeros, indices, n.reshape(n.input(0), {count}),
      n.builder.getI64IntegerAttr(0), n.builder.getStringAttr("none"));
  Value y = n.reshape(flat, shape);
  if (outShape != shape) {
    SmallVector<int64_t> low(shape.size(), 0), high;
    for (auto [d, s] : llvm::enumerate(shape))
      high.push_back(outShape[d] - s);
    y = n.create<PadOp>(RankedTensorType::get(outShape, elt), y,
                        n.builder.getDenseI64ArrayAttr(low), n.builder.getDenseI64ArrayAttr(high),
                        n.builder.getF64FloatAttr(0.0));
  }
  n.setResult(0, y);
  return success();
}

} // namespace

LogicalResult importMaxPoolWithIndices(NodeImporter &n, ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                                       ArrayRef<int64_t> pads) {
  RankedTensorType xType = n.inputType(0);
  Type elt = xType.getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported("MaxPool's Indices output for integer inputs");
  int64_t rank = xType.getRank() - 2;
  int64_t N = xType.getDimSize(0), C = xType.getDimSize(1);
  ArrayRef<int64_t> in = xType.getShape().drop_front(2);
  bool columnMajor = n.intAttr("storage_order", 0) != 0;
  SmallVector<int64_t> out;
  int64_t outCount = 1, inCount = 1, taps = 1;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t eff = dilations[d] * (kernel[d] - 1) + 1;
    out.push_back((in[d] + pads[d] + pads[d + rank] - eff) / strides[d] + 1);
    outCount *= out[d];
    inCount *= in[d];
    taps *= kernel[d];
  }
  // For every output position and tap: the row-major flat input position
  // (inCount for padding) and the index reported (storage order).
  SmallVector<int64_t> gatherIdx, reported;
  SmallVector<int64_t> o(rank, 0), k(rank, 0);
  for (int64_t oi = 0; oi < outCount; ++oi) {
    int64_t rest = oi;
    for (int64_t d = rank - 1; d >= 0; --d) {
      o[d] = rest % out[d];
      rest /= out[d];
    }
    for (int64_t ki = 0; ki < taps; ++ki) {
      int64_t r = ki;
      for (int64_t d = rank - 1; d >= 0; --d) {
        k[d] = r % kernel[d];
        r /= kernel[d];
      }
      bool inside = true;
      int64_t flat = 0, column = 0, stride = 1;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t pos = o[d] * strides[d] - pads[d] + k[d] * dilations[d];
        inside &= pos >= 0 && pos < in[d];
        flat = flat * in[d] + pos;
        column += pos * stride; // first axis fastest
        stride *= in[d];
      }
      gatherIdx.push_back(inside ? flat : inCount);
      reported.push_back(inside ? (columnMajor ? column : flat) : 0);
    }
  }
  auto f = cast<FloatType>(elt);
  Value lowest = n.create<BroadcastOp>(
      RankedTensorType::get({N, C, 1}, elt),
      ConstantOp::create(n.builder, n.loc,
                         DenseElementsAttr::get(RankedTensorType::get({}, elt),
                                                APFloat::getInf(f.getFloatSemantics(),
                                                                /*Negative=*/true))));
  Value flat = n.create<ConcatOp>(ValueRange{n.reshape(n.input(0), {N, C, inCount}), lowest},
                                  n.builder.getI64IntegerAttr(2));
  Value windows = n.create<GatherOp>(RankedTensorType::get({N, C, outCount * taps}, elt), flat,
                                     n.intConstant(gatherIdx, {outCount * taps}),
                                     n.builder.getI64IntegerAttr(2));
  windows = n.reshape(windows, {N, C, outCount, taps});
  auto i64 = n.builder.getI64Type();
  Value best = n.create<ArgMaxOp>(windows, n.builder.getI64IntegerAttr(3),
                                  n.builder.getBoolAttr(true), n.builder.getBoolAttr(false));
  Value values = n.create<GatherElementsOp>(windows, best, n.builder.getI64IntegerAttr(3));
  Value table = n.create<BroadcastOp>(RankedTensorType::get({N, C, outCount, taps}, i64),
                                      n.intConstant(reported, {outCount, taps}));
  Value index = n.create<GatherElementsOp>(table, best, n.builder.getI64IntegerAttr(3));
  SmallVector<int64_t> offsets;
  for (int64_t i = 0; i < N * C; ++i)
    offsets.push_back(i * inCount);
  index = n.create<AddOp>(index, n.intConstant(offsets, {N, C, 1, 1}));
  SmallVector<int64_t> shape{N, C};
  shape.append(out.begin(), out.end());
  n.setResult(0, n.reshape(values, shape));
  n.setResult(1, n.reshape(index, shape));
  return success();
}

void registerUnpoolOps(OpRegistry &r) { r["MaxUnpool"] = importMaxUnpool; }

} // namespace kiln::onnx_import
