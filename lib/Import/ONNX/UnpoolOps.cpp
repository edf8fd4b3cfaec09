//===- UnpoolOps.cpp - ONNX MaxUnpool to kiln -------------------*- C++ -*-===//
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
    int64_t size = (xType.getDimSize(d + 2) - 1) * strides[d] + kernel[d] - pads[d] -
                   pads[d + spatial];
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
      n.create<CastOp>(RankedTensorType::get(iType.getShape(), n.builder.getI64Type()),
                       n.input(1)),
      {count});
  Value flat = n.create<ScatterElementsOp>(RankedTensorType::get({total}, elt), zeros, indices,
                                           n.reshape(n.input(0), {count}),
                                           n.builder.getI64IntegerAttr(0),
                                           n.builder.getStringAttr("none"));
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

void registerUnpoolOps(OpRegistry &r) { r["MaxUnpool"] = importMaxUnpool; }

} // namespace kiln::onnx_import
