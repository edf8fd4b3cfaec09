//===- KilnOps.cpp - Kiln op verifiers and type inference -------*- C++ -*-===//
//
// Verifiers and result-type inference for the kiln ops. Folders live in
// KilnFolds.cpp. Verifiers name the offending values so that a bad model
// fails with a message a user can act on.
//
//===----------------------------------------------------------------------===//

#include "kiln/IR/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace kiln {

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = l == 1 ? r : l;
  }
  return result;
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                         int64_t padLow, int64_t padHigh) {
  int64_t effective = dilation * (kernel - 1) + 1;
  int64_t span = in + padLow + padHigh - effective;
  if (span < 0 || stride <= 0)
    return -1;
  return span / stride + 1;
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "x" : "") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferBroadcast(std::optional<Location> loc, Adaptor adaptor,
                                    SmallVectorImpl<Type> &types) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  auto shape = broadcastShapes(lhs.getShape(), rhs.getShape());
  if (!shape)
    return emitOptionalError(loc, "operand shapes " + shapeString(lhs.getShape()) + " and " +
                                      shapeString(rhs.getShape()) + " do not broadcast");
  types.push_back(RankedTensorType::get(*shape, lhs.getElementType()));
  return success();
}

template <typename OpTy> static LogicalResult verifyBinary(OpTy op) {
  Type lhs = getElementTypeOrSelf(op.getLhs().getType());
  Type rhs = getElementTypeOrSelf(op.getRhs().getType());
  if (lhs != rhs)
    return op.emitOpError() << "operand element types differ: " << lhs << " and " << rhs;
  return success();
}

#define KILN_BINARY_OP(Name)                                                                       \
  LogicalResult Name::inferReturnTypes(MLIRContext *, std::optional<Location> loc,                 \
                                       Adaptor adaptor, SmallVectorImpl<Type> &types) {            \
    return inferBroadcast(loc, adaptor, types);                                                    \
  }                                                                                                \
  LogicalResult Name::verify() { return verifyBinary(*this); }
KILN_BINARY_OP(AddOp)
KILN_BINARY_OP(SubOp)
KILN_BINARY_OP(MulOp)
KILN_BINARY_OP(DivOp)
KILN_BINARY_OP(MaxOp)
KILN_BINARY_OP(MinOp)
KILN_BINARY_OP(PowOp)
KILN_BINARY_OP(RemOp)
KILN_BINARY_OP(ShiftLeftOp)
KILN_BINARY_OP(ShiftRightOp)
KILN_BINARY_OP(AndOp)
KILN_BINARY_OP(OrOp)
KILN_BINARY_OP(XorOp)
#undef KILN_BINARY_OP

#define KILN_COMPARE_OP(Name)                                                                      \
  LogicalResult Name::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,              \
                                       Adaptor adaptor, SmallVectorImpl<Type> &types) {            \
    if (failed(inferBroadcast(loc, adaptor, types)))                                               \
      return failure();                                                                            \
    types[0] = cast<RankedTensorType>(types[0]).clone(IntegerType::get(ctx, 1));                   \
    return success();                                                                              \
  }                                                                                                \
  LogicalResult Name::verify() { return verifyBinary(*this); }
KILN_COMPARE_OP(EqualOp)
KILN_COMPARE_OP(LessOp)
KILN_COMPARE_OP(LessEqualOp)
#undef KILN_COMPARE_OP

LogicalResult SelectOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto c = cast<RankedTensorType>(adaptor.getCondition().getType());
  auto t = cast<RankedTensorType>(adaptor.getOnTrue().getType());
  auto f = cast<RankedTensorType>(adaptor.getOnFalse().getType());
  auto values = broadcastShapes(t.getShape(), f.getShape());
  std::optional<SmallVector<int64_t>> shape;
  if (values)
    shape = broadcastShapes(c.getShape(), *values);
  if (!shape)
    return emitOptionalError(loc, "operand shapes " + shapeString(c.getShape()) + ", " +
                                      shapeString(t.getShape()) + " and " +
                                      shapeString(f.getShape()) + " do not broadcast");
  types.push_back(RankedTensorType::get(*shape, t.getElementType()));
  return success();
}

LogicalResult SelectOp::verify() {
  Type t = getElementTypeOrSelf(getOnTrue().getType());
  Type f = getElementTypeOrSelf(getOnFalse().getType());
  if (t != f)
    return emitOpError() << "value element types differ: " << t << " and " << f;
  return success();
}

template <typename Adaptor>
static LogicalResult inferArgReduce(MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
                                    SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, "axis " + Twine(axis) + " is out of range for rank " +
                                      Twine(input.getRank()));
  if (input.getDimSize(axis) == 0)
    return emitOptionalError(loc, "cannot take the index of an empty axis");
  SmallVector<int64_t> shape(input.getShape());
  if (adaptor.getKeepDims())
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  types.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferArgReduce(ctx, loc, adaptor, types);
}

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferArgReduce(ctx, loc, adaptor, types);
}

LogicalResult ClampOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError() << "min " << llvm::formatv("{0}", getMin().convertToDouble())
                         << " is greater than max "
                         << llvm::formatv("{0}", getMax().convertToDouble());
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOptionalError(loc, "matmul operands need rank >= 2, got " +
                                      shapeString(lhs.getShape()) + " and " +
                                      shapeString(rhs.getShape()));
  ArrayRef<int64_t> l = lhs.getShape(), r = rhs.getShape();
  auto batch = broadcastShapes(l.drop_back(2), r.drop_back(2));
  if (!batch)
    return emitOptionalError(loc, "matmul batch dimensions of " + shapeString(l) + " and " +
                                      shapeString(r) + " do not broadcast");
  SmallVector<int64_t> shape = *batch;
  shape.push_back(l[l.size() - 2]);
  shape.push_back(r.back());
  types.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult MatmulOp::verify() {
  auto l = getLhs().getType().getShape(), r = getRhs().getType().getShape();
  if (l.back() != r[r.size() - 2])
    return emitOpError() << "contraction sizes differ: lhs " << shapeString(l)
                         << " has K=" << l.back() << ", rhs " << shapeString(r)
                         << " has K=" << r[r.size() - 2];
  if (getLhs().getType().getElementType() != getRhs().getType().getElementType())
    return emitOpError("operand element types differ");
  return success();
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto filter = cast<RankedTensorType>(adaptor.getFilter().getType());
  if (input.getRank() != 4 || filter.getRank() != 4)
    return emitOptionalError(loc, "conv2d needs rank-4 input and filter, got " +
                                      shapeString(input.getShape()) + " and " +
                                      shapeString(filter.getShape()));
  ArrayRef<int64_t> s = adaptor.getStrides(), d = adaptor.getDilations(), p = adaptor.getPads();
  if (s.size() != 2 || d.size() != 2 || p.size() != 4)
    return emitOptionalError(loc, "conv2d needs 2 strides, 2 dilations, 4 pads");
  int64_t oh = windowOutputSize(input.getDimSize(2), filter.getDimSize(2), s[0], d[0], p[0], p[2]);
  int64_t ow = windowOutputSize(input.getDimSize(3), filter.getDimSize(3), s[1], d[1], p[1], p[3]);
  if (oh <= 0 || ow <= 0)
    return emitOptionalError(loc, "conv2d window is larger than the padded input " +
                                      shapeString(input.getShape()));
  types.push_back(RankedTensorType::get({input.getDimSize(0), filter.getDimSize(0), oh, ow},
                                        input.getElementType()));
  return success();
}

LogicalResult Conv2DOp::verify() {
  auto in = getInput().getType().getShape();
  auto f = getFilter().getType().getShape();
  int64_t groups = getGroups();
  if (groups <= 0 || in[1] % groups != 0 || f[0] % groups != 0)
    return emitOpError() << "groups " << groups << " must divide input channels " << in[1]
                         << " and output channels " << f[0];
  if (f[1] * groups != in[1])
    return emitOpError() << "filter " << shapeString(f) << " expects " << f[1] * groups
                         << " input channels, input " << shapeString(in) << " has " << in[1];
  if (llvm::any_of(getStrides(), [](int64_t v) { return v <= 0; }) ||
      llvm::any_of(getDilations(), [](int64_t v) { return v <= 0; }) ||
      llvm::any_of(getPads(), [](int64_t v) { return v < 0; }))
    return emitOpError("strides and dilations must be positive, pads non-negative");
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

static LogicalResult inferPool(std::optional<Location> loc, Type inputType,
                               ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                               SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(inputType);
  if (input.getRank() != 4)
    return emitOptionalError(loc, "2-D pooling needs a rank-4 NCHW input, got " +
                                      shapeString(input.getShape()));
  if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4 || dilations.size() != 2)
    return emitOptionalError(loc, "pooling needs 2 kernel sizes, 2 strides, 4 pads");
  int64_t oh =
      windowOutputSize(input.getDimSize(2), kernel[0], strides[0], dilations[0], pads[0], pads[2]);
  int64_t ow =
      windowOutputSize(input.getDimSize(3), kernel[1], strides[1], dilations[1], pads[1], pads[3]);
  if (oh <= 0 || ow <= 0)
    return emitOptionalError(loc, "pooling window is larger than the padded input " +
                                      shapeString(input.getShape()));
  types.push_back(RankedTensorType::get({input.getDimSize(0), input.getDimSize(1), oh, ow},
                                        input.getElementType()));
  return success();
}

static LogicalResult verifyPoolAttrs(Operation *op, ArrayRef<int64_t> kernel,
                                     ArrayRef<int64_t> strides, ArrayRef<int64_t> pads) {
  if (llvm::any_of(kernel, [](int64_t v) { return v <= 0; }) ||
      llvm::any_of(strides, [](int64_t v) { return v <= 0; }) ||
      llvm::any_of(pads, [](int64_t v) { return v < 0; }))
    return op->emitOpError("kernel and strides must be positive, pads non-negative");
  if (pads.size() == 4 && kernel.size() == 2 &&
      (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] ||
       pads[3] >= kernel[1]))
    return op->emitOpError("padding must be smaller than the kernel");
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferPool(loc, adaptor.getInput().getType(), adaptor.getKernel(), adaptor.getStrides(),
                   adaptor.getDilations(), adaptor.getPads(), types);
}

LogicalResult MaxPool2DOp::verify() {
  if (llvm::any_of(getDilations(), [](int64_t v) { return v <= 0; }))
    return emitOpError("dilations must be positive");
  return verifyPoolAttrs(*this, getKernel(), getStrides(), getPads());
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  int64_t unit[2] = {1, 1};
  return inferPool(loc, adaptor.getInput().getType(), adaptor.getKernel(), adaptor.getStrides(),
                   unit, adaptor.getPads(), types);
}

LogicalResult AvgPool2DOp::verify() {
  return verifyPoolAttrs(*this, getKernel(), getStrides(), getPads());
}

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferReduce(std::optional<Location> loc, Adaptor adaptor,
                                 SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < input.getRank(); ++i) {
    if (!llvm::is_contained(axes, i))
      shape.push_back(input.getDimSize(i));
    else if (adaptor.getKeepDims())
      shape.push_back(1);
  }
  for (int64_t a : axes)
    if (a < 0 || a >= input.getRank())
      return emitOptionalError(loc, "reduction axis " + std::to_string(a) +
                                        " is out of range for rank " +
                                        std::to_string(input.getRank()));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

static LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes) {
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] <= axes[i - 1])
      return op->emitOpError("axes must be sorted and unique");
  return success();
}

#define KILN_REDUCE_OP(Name)                                                                       \
  LogicalResult Name::inferReturnTypes(MLIRContext *, std::optional<Location> loc,                 \
                                       Adaptor adaptor, SmallVectorImpl<Type> &types) {            \
    return inferReduce(loc, adaptor, types);                                                       \
  }                                                                                                \
  LogicalResult Name::verify() { return verifyAxes(*this, getAxes()); }
KILN_REDUCE_OP(ReduceSumOp)
KILN_REDUCE_OP(ReduceMeanOp)
KILN_REDUCE_OP(ReduceMaxOp)
KILN_REDUCE_OP(ReduceMinOp)
KILN_REDUCE_OP(ReduceProdOp)
#undef KILN_REDUCE_OP

template <typename OpTy> static LogicalResult verifySoftmax(OpTy op) {
  int64_t rank = op.getInput().getType().getRank();
  int64_t axis = op.getAxisAttr().getInt();
  if (axis < 0 || axis >= rank)
    return op.emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  return success();
}
LogicalResult SoftmaxOp::verify() { return verifySoftmax(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmax(*this); }

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

static bool isPermutation(ArrayRef<int64_t> perm) {
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t p : perm)
    if (p < 0 || p >= (int64_t)perm.size() || !seen.insert(p).second)
      return false;
  return true;
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if ((int64_t)perm.size() != input.getRank() || !isPermutation(perm))
    return emitOptionalError(loc, "perm is not a permutation of the input's " +
                                      std::to_string(input.getRank()) + " dimensions");
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(input.getDimSize(p));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ReshapeOp::verify() {
  if (getInput().getType().getNumElements() != getType().getNumElements())
    return emitOpError() << "cannot reshape " << shapeString(getInput().getType().getShape())
                         << " (" << getInput().getType().getNumElements() << " elements) to "
                         << shapeString(getType().getShape()) << " (" << getType().getNumElements()
                         << " elements)";
  return success();
}

LogicalResult BroadcastOp::verify() {
  auto in = getInput().getType().getShape();
  auto out = getType().getShape();
  auto shape = broadcastShapes(in, out);
  if (!shape || ArrayRef<int64_t>(*shape) != out)
    return emitOpError() << "cannot broadcast " << shapeString(in) << " to " << shapeString(out);
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "concat needs at least one input");
  auto first = cast<RankedTensorType>(adaptor.getInputs().front().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "concat axis " + std::to_string(axis) + " is out of range");
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : adaptor.getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != first.getRank())
      return emitOptionalError(loc, "concat inputs differ in rank");
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != axis && t.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "concat inputs " + shapeString(first.getShape()) + " and " +
                                          shapeString(t.getShape()) + " differ outside axis " +
                                          std::to_string(axis));
    shape[axis] += t.getDimSize(axis);
  }
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult ConcatOp::verify() {
  Type elt = getElementTypeOrSelf(getInputs().front().getType());
  for (Value v : getInputs())
    if (getElementTypeOrSelf(v.getType()) != elt)
      return emitOpError("concat inputs differ in element type");
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes(),
                    strides = adaptor.getStrides();
  int64_t rank = input.getRank();
  if ((int64_t)offsets.size() != rank || (int64_t)sizes.size() != rank ||
      (int64_t)strides.size() != rank)
    return emitOptionalError(loc, "slice needs one offset, size and stride per dimension");
  types.push_back(RankedTensorType::get(sizes, input.getElementType()));
  return success();
}

LogicalResult SliceOp::verify() {
  auto shape = getInput().getType().getShape();
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t off = getOffsets()[d], size = getSizes()[d], stride = getStrides()[d];
    if (stride <= 0 || off < 0 || size < 0 || (size > 0 && off + (size - 1) * stride >= shape[d]))
      return emitOpError() << "dimension " << d << ": window offset " << off << ", size " << size
                           << ", stride " << stride << " does not fit extent " << shape[d];
  }
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  if ((int64_t)low.size() != input.getRank() || (int64_t)high.size() != input.getRank())
    return emitOptionalError(loc, "pad needs low and high padding per dimension");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < input.getRank(); ++d)
    shape.push_back(input.getDimSize(d) + low[d] + high[d]);
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult PadOp::verify() {
  if (llvm::any_of(getLow(), [](int64_t v) { return v < 0; }) ||
      llvm::any_of(getHigh(), [](int64_t v) { return v < 0; }))
    return emitOpError("padding must be non-negative; negative pads are slices");
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, "gather axis " + std::to_string(axis) + " is out of range");
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult GatherOp::verify() {
  if (getInput().getType().getDimSize(getAxis()) == 0)
    return emitOpError("gather from an empty axis");
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                 Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, "axis " + Twine(axis) + " is out of range for rank " +
                                      Twine(input.getRank()));
  if (indices.getRank() != input.getRank())
    return emitOptionalError(loc, "indices of rank " + Twine(indices.getRank()) +
                                      " for an input of rank " + Twine(input.getRank()));
  for (int64_t d = 0; d < input.getRank(); ++d)
    if (d != axis && indices.getDimSize(d) > input.getDimSize(d))
      return emitOptionalError(loc, "indices " + shapeString(indices.getShape()) +
                                        " exceed the input " + shapeString(input.getShape()) +
                                        " off the axis");
  if (input.getDimSize(axis) == 0)
    return emitOptionalError(loc, "gather from an empty axis");
  types.push_back(RankedTensorType::get(indices.getShape(), input.getElementType()));
  return success();
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t b = adaptor.getBatchDims();
  if (indices.getRank() < 1)
    return emitOptionalError(loc, "indices must have rank 1 or more");
  int64_t k = indices.getShape().back();
  if (b < 0 || b >= indices.getRank() || k < 1 || b + k > input.getRank())
    return emitOptionalError(loc, "batch_dims " + Twine(b) + " and index tuples of " + Twine(k) +
                                      " do not fit input " + shapeString(input.getShape()) +
                                      " and indices " + shapeString(indices.getShape()));
  if (input.getShape().take_front(b) != indices.getShape().take_front(b))
    return emitOptionalError(loc, "the batch dimensions of the input and indices differ");
  for (int64_t j = 0; j < k; ++j)
    if (input.getDimSize(b + j) == 0)
      return emitOptionalError(loc, "gather from an empty axis");
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, input.getShape().drop_front(b + k));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

template <typename OpTy> static LogicalResult verifyScatterCommon(OpTy op) {
  if (op.getType() != op.getData().getType())
    return op.emitOpError() << "result type " << op.getType() << " differs from the data's "
                            << op.getData().getType();
  if (op.getUpdates().getType().getElementType() != op.getData().getType().getElementType())
    return op.emitOpError("updates and data differ in element type");
  StringRef r = op.getReduction();
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return op.emitOpError() << "unknown reduction '" << r << "'";
  if (op.getData().getType().getNumElements() == 0)
    return op.emitOpError("scatter into an empty tensor");
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  if (failed(verifyScatterCommon(*this)))
    return failure();
  auto data = getData().getType(), indices = getIndices().getType(),
       updates = getUpdates().getType();
  int64_t axis = getAxisAttr().getInt();
  if (axis < 0 || axis >= data.getRank())
    return emitOpError() << "axis " << axis << " is out of range for rank " << data.getRank();
  if (indices.getShape() != updates.getShape() || indices.getRank() != data.getRank())
    return emitOpError() << "indices " << shapeString(indices.getShape()) << " and updates "
                         << shapeString(updates.getShape())
                         << " must share one shape of the data's rank";
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != axis && indices.getDimSize(d) > data.getDimSize(d))
      return emitOpError() << "indices " << shapeString(indices.getShape()) << " exceed the data "
                           << shapeString(data.getShape()) << " off the axis";
  return success();
}

LogicalResult ScatterNDOp::verify() {
  if (failed(verifyScatterCommon(*this)))
    return failure();
  auto data = getData().getType(), indices = getIndices().getType(),
       updates = getUpdates().getType();
  if (indices.getRank() < 1)
    return emitOpError("indices must have rank 1 or more");
  int64_t k = indices.getShape().back();
  if (k < 1 || k > data.getRank())
    return emitOpError() << "index tuples of " << k << " for data of rank " << data.getRank();
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(k));
  if (updates.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError() << "updates must be " << shapeString(expected) << ", not "
                         << shapeString(updates.getShape());
  return success();
}

} // namespace kiln

#define GET_OP_CLASSES
#include "kiln/IR/KilnOps.cpp.inc"
