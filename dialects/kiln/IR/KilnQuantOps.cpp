//===- KilnQuantOps.cpp - Verifiers of the quantized kiln ops ---*- C++ -*-===//
//
// Checks quantization parameters (one per tensor or one per channel of
// `axis`), requantization parameters (multiplier in [0, 2^31), shift in
// [0, 63], int8 zero points and bounds) and the shapes of the integer
// kernels.
//
//===----------------------------------------------------------------------===//

#include "kiln/IR/KilnOps.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

bool isInt8(int64_t v) { return v >= -128 && v <= 127; }

template <typename Op> LogicalResult verifyQuantParams(Op op, bool int8Storage) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  ArrayRef<float> scale = op.getScale();
  ArrayRef<int64_t> zp = op.getZeroPoint();
  if (scale.size() != zp.size())
    return op.emitOpError() << "has " << scale.size() << " scales and " << zp.size()
                            << " zero points";
  if (scale.size() != 1) {
    int64_t axis = (int64_t)op.getAxis();
    if (axis < 0 || axis >= type.getRank())
      return op.emitOpError() << "axis " << axis << " is out of range for rank " << type.getRank();
    if ((int64_t)scale.size() != type.getDimSize(axis))
      return op.emitOpError() << "has " << scale.size() << " scales for axis " << axis
                              << " of size " << type.getDimSize(axis);
  }
  for (float s : scale)
    if (!(s > 0) || !std::isfinite(s))
      return op.emitOpError() << "scale " << s << " must be positive and finite";
  if (int8Storage)
    for (int64_t z : zp)
      if (!isInt8(z))
        return op.emitOpError() << "zero point " << z << " does not fit int8";
  return success();
}

/// The output zero point and bounds (I64Attr getters return uint64_t).
template <typename Op> LogicalResult verifyOutput(Op op) {
  int64_t zp = op.getOutputZeroPoint(), lo = op.getOutputMin(), hi = op.getOutputMax();
  if (!isInt8(zp) || !isInt8(lo) || !isInt8(hi) || lo > hi)
    return op.emitOpError() << "output zero point " << zp << " and bounds [" << lo << ", " << hi
                            << "] must be int8 with min <= max";
  return success();
}

/// The requantization every integer kernel ends with; `channels` is the
/// number of output channels a per-channel multiplier may have.
template <typename Op> LogicalResult verifyRequant(Op op, int64_t channels) {
  ArrayRef<int32_t> m = op.getMultiplier(), s = op.getShift();
  if (m.size() != s.size())
    return op.emitOpError() << "has " << m.size() << " multipliers and " << s.size() << " shifts";
  if (m.size() != 1 && (int64_t)m.size() != channels)
    return op.emitOpError() << "has " << m.size() << " multipliers; expected 1 or " << channels;
  for (size_t i = 0; i < m.size(); ++i)
    if (m[i] < 0 || s[i] < 0 || s[i] > 63)
      return op.emitOpError() << "multiplier " << m[i] << " and shift " << s[i]
                              << " must be in [0, 2^31) and [0, 63]";
  return verifyOutput(op);
}

LogicalResult expectShape(Operation *op, StringRef what, RankedTensorType type,
                          ArrayRef<int64_t> shape) {
  if (type.getShape() == shape)
    return success();
  std::string got, want;
  llvm::raw_string_ostream g(got), w(want);
  llvm::interleave(type.getShape(), g, "x");
  llvm::interleave(shape, w, "x");
  return op->emitOpError() << what << " has shape [" << got << "], expected [" << want << "]";
}

} // namespace

LogicalResult QuantizeOp::verify() { return verifyQuantParams(*this, true); }

LogicalResult DequantizeOp::verify() {
  return verifyQuantParams(*this, getInput().getType().getElementType().isInteger(8));
}

LogicalResult QConv2DOp::verify() {
  auto in = getInput().getType().getShape();
  auto f = getFilter().getType().getShape();
  if (in.size() != 4 || f.size() != 4)
    return emitOpError("needs a rank-4 NCHW input and a rank-4 OIHW filter");
  int64_t groups = getGroups();
  if (groups <= 0 || in[1] % groups != 0 || f[0] % groups != 0 || f[1] * groups != in[1])
    return emitOpError() << "groups " << groups << " do not fit input channels " << in[1]
                         << " and filter channels " << f[0] << "x" << f[1];
  auto s = getStrides(), d = getDilations(), p = getPads();
  if (s.size() != 2 || d.size() != 2 || p.size() != 4)
    return emitOpError("needs 2 strides, 2 dilations and 4 pads");
  int64_t oh = windowOutputSize(in[2], f[2], s[0], d[0], p[0], p[2]);
  int64_t ow = windowOutputSize(in[3], f[3], s[1], d[1], p[1], p[3]);
  if (oh <= 0 || ow <= 0 || llvm::any_of(p, [](int64_t v) { return v < 0; }))
    return emitOpError("window does not fit the padded input");
  if (failed(expectShape(*this, "result", getType(), {in[0], f[0], oh, ow})))
    return failure();
  if (getBias() && failed(expectShape(*this, "bias", getBias().getType(), {f[0]})))
    return failure();
  if (!isInt8(getInputZeroPoint()))
    return emitOpError("input zero point must fit int8");
  return verifyRequant(*this, f[0]);
}

LogicalResult QMatmulOp::verify() {
  auto l = getLhs().getType().getShape(), r = getRhs().getType().getShape();
  if (l.size() != 2 || r.size() != 2 || l[1] != r[0])
    return emitOpError("needs [M, K] x [K, N] operands");
  if (failed(expectShape(*this, "result", getType(), {l[0], r[1]})))
    return failure();
  if (getBias() && failed(expectShape(*this, "bias", getBias().getType(), {r[1]})))
    return failure();
  if (!isInt8(getLhsZeroPoint()))
    return emitOpError("lhs zero point must fit int8");
  return verifyRequant(*this, r[1]);
}

LogicalResult QAddOp::verify() {
  if (getLhs().getType() != getType() || getRhs().getType() != getType())
    return emitOpError("operands and result must have the same type");
  ArrayRef<int32_t> m = getMultiplier(), s = getShift();
  if (getInputZeroPoints().size() != 2 || m.size() != 3 || s.size() != 3)
    return emitOpError("needs 2 input zero points and 3 multipliers and shifts");
  if (!llvm::all_of(getInputZeroPoints(), isInt8))
    return emitOpError("input zero points must fit int8");
  if ((int64_t)getLeftShift() < 0 || getLeftShift() > 24)
    return emitOpError("left shift must be in [0, 24]");
  for (size_t i = 0; i < 3; ++i)
    if (m[i] < 0 || s[i] < 0 || s[i] > 63)
      return emitOpError() << "multiplier " << m[i] << " and shift " << s[i]
                           << " must be in [0, 2^31) and [0, 63]";
  return verifyOutput(*this);
}

LogicalResult QAvgPool2DOp::verify() {
  auto in = getInput().getType().getShape();
  auto k = getKernel(), s = getStrides();
  if (in.size() != 4 || k.size() != 2 || s.size() != 2)
    return emitOpError("needs a rank-4 NCHW input, 2 kernel sizes and 2 strides");
  int64_t oh = windowOutputSize(in[2], k[0], s[0], 1, 0, 0);
  int64_t ow = windowOutputSize(in[3], k[1], s[1], 1, 0, 0);
  if (oh <= 0 || ow <= 0)
    return emitOpError("window does not fit the input");
  if (failed(expectShape(*this, "result", getType(), {in[0], in[1], oh, ow})))
    return failure();
  if (!isInt8(getInputZeroPoint()))
    return emitOpError("input zero point must fit int8");
  return verifyRequant(*this, 1);
}

LogicalResult RequantizeOp::verify() {
  if (getInput().getType() != getType())
    return emitOpError("input and result must have the same type");
  if (!isInt8(getInputZeroPoint()))
    return emitOpError("input zero point must fit int8");
  return verifyRequant(*this, 1);
}

} // namespace kiln
