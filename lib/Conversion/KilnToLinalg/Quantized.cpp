//===- Quantized.cpp - Lower quantize, dequantize and int8 kernels -*- C++ -*-===//
//
// kiln.quantize and kiln.dequantize are elementwise f32 arithmetic, the same
// operations ONNX's reference performs. The int8 kernels are all-parallel
// linalg.generic ops over their int8 outputs: each output element's int32
// accumulator is an scf.for nest in the payload that reads the inputs with
// tensor.extract, so no int32 tensor is ever stored, and the
// requantization (64-bit multiply, rounding shift, zero point, clamp) ends
// the payload. Convolution windows that would cross the padding get loop
// bounds that skip it, so no padded copy of the input is made either.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln {
namespace {
using namespace lowering;

Value i64Constant(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v));
}

Value indexConstant(OpBuilder &b, Location l, int64_t v) {
  return arith::ConstantIndexOp::create(b, l, v);
}

/// (v * multiplier + 2^(shift-1)) >> shift in i64; multiplier and shift
/// are i64 values.
Value multiplyShift(OpBuilder &b, Location l, Value v, Value multiplier, Value shift) {
  Value one = i64Constant(b, l, 1);
  Value round = arith::ShRUIOp::create(b, l, arith::ShLIOp::create(b, l, one, shift), one);
  Value product = arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, v, multiplier), round);
  return arith::ShRSIOp::create(b, l, product, shift);
}

/// The end of every int8 kernel: an i64 value rescaled, offset by the
/// output zero point, clamped and narrowed to i8.
Value requantize(OpBuilder &b, Location l, Value acc, Value multiplier, Value shift,
                 int64_t zeroPoint, int64_t lo, int64_t hi) {
  Type i64 = b.getI64Type();
  auto widen = [&](Value v) {
    return v.getType() == i64 ? v : Value(arith::ExtSIOp::create(b, l, i64, v));
  };
  Value y = multiplyShift(b, l, widen(acc), widen(multiplier), widen(shift));
  y = arith::AddIOp::create(b, l, y, i64Constant(b, l, zeroPoint));
  y = arith::MaxSIOp::create(b, l, y, i64Constant(b, l, lo));
  y = arith::MinSIOp::create(b, l, y, i64Constant(b, l, hi));
  return arith::TruncIOp::create(b, l, b.getI8Type(), y);
}

Value toI32(OpBuilder &b, Location l, Value v) {
  return arith::ExtSIOp::create(b, l, b.getI32Type(), v);
}

/// The multiplier and shift of output channel `channel`: constants when
/// there is one pair, else the generic's inputs `perChannel[0..1]`.
std::pair<Value, Value> channelRequant(OpBuilder &b, Location l, ArrayRef<int32_t> multiplier,
                                       ArrayRef<int32_t> shift, ValueRange perChannel) {
  if (multiplier.size() == 1)
    return {i64Constant(b, l, multiplier[0]), i64Constant(b, l, shift[0])};
  return {perChannel[0], perChannel[1]};
}

/// An int32 constant tensor of `values` with `shape`.
Value i32Tensor(OpBuilder &b, Location l, ArrayRef<int32_t> values, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, b.getI32Type());
  return arith::ConstantOp::create(b, l, DenseElementsAttr::get(type, values));
}

/// A loop nest of scf.for ops with an i32 accumulator: `bounds` are
/// (lower, upper) pairs; `body` adds one term given the induction values.
Value accumulate(OpBuilder &b, Location l, ArrayRef<std::pair<Value, Value>> bounds, Value init,
                 function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body,
                 SmallVector<Value> ivs = {}) {
  if (bounds.empty())
    return body(b, l, ivs, init);
  Value step = indexConstant(b, l, 1);
  auto loop = scf::ForOp::create(
      b, l, bounds[0].first, bounds[0].second, step, ValueRange{init},
      [&](OpBuilder &nb, Location nl, Value iv, ValueRange iter) {
        SmallVector<Value> inner = ivs;
        inner.push_back(iv);
        Value next = accumulate(nb, nl, bounds.drop_front(), iter[0], body, inner);
        scf::YieldOp::create(nb, nl, next);
      });
  return loop.getResult(0);
}

/// The taps [lower, upper) of a window dimension that land inside an input
/// of `size`, for the output position `out`: the input index out * stride -
/// pad + k * dilation must be in [0, size). Constant [0, kernel) where no
/// output position's window crosses the padding.
std::pair<Value, Value> tapRange(OpBuilder &b, Location l, Value out, int64_t outSize,
                                 int64_t size, int64_t kernel, int64_t stride, int64_t dilation,
                                 int64_t pad) {
  if (pad == 0 && (outSize - 1) * stride + (kernel - 1) * dilation < size)
    return {indexConstant(b, l, 0), indexConstant(b, l, kernel)};
  // start = out * stride - pad; lower = ceil(-start / d), upper = ceil((size - start) / d).
  Value start = arith::SubIOp::create(
      b, l, arith::MulIOp::create(b, l, out, indexConstant(b, l, stride)), indexConstant(b, l, pad));
  Value negStart = arith::SubIOp::create(b, l, indexConstant(b, l, 0), start);
  Value room = arith::SubIOp::create(b, l, indexConstant(b, l, size), start);
  Value d = indexConstant(b, l, dilation);
  Value lower = dilation == 1 ? negStart : Value(arith::CeilDivSIOp::create(b, l, negStart, d));
  Value upper = dilation == 1 ? room : Value(arith::CeilDivSIOp::create(b, l, room, d));
  lower = arith::MaxSIOp::create(b, l, lower, indexConstant(b, l, 0));
  upper = arith::MinSIOp::create(b, l, upper, indexConstant(b, l, kernel));
  return {lower, upper};
}

/// Builds the all-parallel generic over `type` whose inputs are the
/// per-channel tensors `inputs` (read at `channelDim`), with `body`
/// computing one int8 element from the loop indices and those inputs.
Value channelGeneric(OpBuilder &b, Location l, RankedTensorType type, ValueRange inputs,
                     unsigned channelDim,
                     function_ref<Value(OpBuilder &, Location, ValueRange, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(inputs.size(),
                              AffineMap::get(rank, 0, getAffineDimExpr(channelDim, ctx)));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, l, type, inputs, createEmpty(b, l, type), maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> idx;
        for (unsigned i = 0; i < rank; ++i)
          idx.push_back(linalg::IndexOp::create(nb, nl, i));
        linalg::YieldOp::create(nb, nl, body(nb, nl, idx, args.drop_back()));
      });
  return generic.getResult(0);
}

struct QConv2DLowering : OpConversionPattern<QConv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(QConv2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto inType = op.getInput().getType();
    auto fShape = op.getFilter().getType().getShape();
    int64_t channels = type.getDimSize(1);
    SmallVector<Value> inputs;
    bool hasBias = (bool)adaptor.getBias();
    if (hasBias)
      inputs.push_back(adaptor.getBias());
    ArrayRef<int32_t> mult = op.getMultiplier(), shift = op.getShift();
    if (mult.size() > 1) {
      inputs.push_back(i32Tensor(rewriter, loc, mult, {channels}));
      inputs.push_back(i32Tensor(rewriter, loc, shift, {channels}));
    }
    Value input = adaptor.getInput(), filter = adaptor.getFilter();
    int64_t outPerGroup = channels / (int64_t)op.getGroups(), inPerGroup = fShape[1];
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(), p = op.getPads();
    int64_t zp = op.getInputZeroPoint();
    Value result = channelGeneric(
        rewriter, loc, type, inputs, 1,
        [&](OpBuilder &b, Location l, ValueRange idx, ValueRange args) {
          Value init = hasBias ? args[0] : Value(arith::ConstantOp::create(b, l, b.getI32IntegerAttr(0)));
          Value group = arith::DivUIOp::create(b, l, idx[1], indexConstant(b, l, outPerGroup));
          Value base = arith::MulIOp::create(b, l, group, indexConstant(b, l, inPerGroup));
          auto rows = tapRange(b, l, idx[2], type.getDimSize(2), inType.getDimSize(2), fShape[2],
                               s[0], d[0], p[0]);
          auto cols = tapRange(b, l, idx[3], type.getDimSize(3), inType.getDimSize(3), fShape[3],
                               s[1], d[1], p[1]);
          std::pair<Value, Value> chans = {indexConstant(b, l, 0), indexConstant(b, l, inPerGroup)};
          Value zpValue = arith::ConstantOp::create(b, l, b.getI32IntegerAttr(zp));
          Value acc = accumulate(
              b, l, {chans, rows, cols}, init,
              [&](OpBuilder &ib, Location il, ValueRange iv, Value sum) {
                auto affine = [&](Value o, int64_t stride, Value k, int64_t dil, int64_t pad) {
                  Value v = arith::AddIOp::create(
                      ib, il, arith::MulIOp::create(ib, il, o, indexConstant(ib, il, stride)),
                      arith::MulIOp::create(ib, il, k, indexConstant(ib, il, dil)));
                  return arith::SubIOp::create(ib, il, v, indexConstant(ib, il, pad));
                };
                Value ch = arith::AddIOp::create(ib, il, base, iv[0]);
                Value ih = affine(idx[2], s[0], iv[1], d[0], p[0]);
                Value iw = affine(idx[3], s[1], iv[2], d[1], p[1]);
                Value x = tensor::ExtractOp::create(ib, il, input, ValueRange{idx[0], ch, ih, iw});
                Value w = tensor::ExtractOp::create(ib, il, filter,
                                                    ValueRange{idx[1], iv[0], iv[1], iv[2]});
                Value centred = arith::SubIOp::create(ib, il, toI32(ib, il, x), zpValue);
                Value product = arith::MulIOp::create(ib, il, centred, toI32(ib, il, w));
                return Value(arith::AddIOp::create(ib, il, sum, product));
              });
          auto [m, sh] = channelRequant(b, l, mult, shift, args.drop_front(hasBias ? 1 : 0));
          return requantize(b, l, acc, m, sh, op.getOutputZeroPoint(), op.getOutputMin(),
                            op.getOutputMax());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QMatmulLowering : OpConversionPattern<QMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(QMatmulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t columns = type.getDimSize(1), depth = op.getLhs().getType().getDimSize(1);
    SmallVector<Value> inputs;
    bool hasBias = (bool)adaptor.getBias();
    if (hasBias)
      inputs.push_back(adaptor.getBias());
    ArrayRef<int32_t> mult = op.getMultiplier(), shift = op.getShift();
    if (mult.size() > 1) {
      inputs.push_back(i32Tensor(rewriter, loc, mult, {columns}));
      inputs.push_back(i32Tensor(rewriter, loc, shift, {columns}));
    }
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    int64_t zp = op.getLhsZeroPoint();
    Value result = channelGeneric(
        rewriter, loc, type, inputs, 1,
        [&](OpBuilder &b, Location l, ValueRange idx, ValueRange args) {
          Value init = hasBias ? args[0] : Value(arith::ConstantOp::create(b, l, b.getI32IntegerAttr(0)));
          Value zpValue = arith::ConstantOp::create(b, l, b.getI32IntegerAttr(zp));
          std::pair<Value, Value> ks = {indexConstant(b, l, 0), indexConstant(b, l, depth)};
          Value acc = accumulate(b, l, {ks}, init,
                                 [&](OpBuilder &ib, Location il, ValueRange iv, Value sum) {
                                   Value x = tensor::ExtractOp::create(ib, il, lhs,
                                                                       ValueRange{idx[0], iv[0]});
                                   Value w = tensor::ExtractOp::create(ib, il, rhs,
                                                                       ValueRange{iv[0], idx[1]});
                                   Value centred =
                                       arith::SubIOp::create(ib, il, toI32(ib, il, x), zpValue);
                                   Value product =
                                       arith::MulIOp::create(ib, il, centred, toI32(ib, il, w));
                                   return Value(arith::AddIOp::create(ib, il, sum, product));
                                 });
          auto [m, sh] = channelRequant(b, l, mult, shift, args.drop_front(hasBias ? 1 : 0));
          return requantize(b, l, acc, m, sh, op.getOutputZeroPoint(), op.getOutputMin(),
                            op.getOutputMax());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QAvgPool2DLowering : OpConversionPattern<QAvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(QAvgPool2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides();
    Value input = adaptor.getInput();
    int64_t zp = op.getInputZeroPoint();
    Value result = channelGeneric(
        rewriter, loc, op.getType(), {}, 1,
        [&](OpBuilder &b, Location l, ValueRange idx, ValueRange) {
          // The window sum, less the zero point of each of its elements.
          Value init = arith::ConstantOp::create(b, l, b.getI32IntegerAttr(-zp * k[0] * k[1]));
          std::pair<Value, Value> rows = {indexConstant(b, l, 0), indexConstant(b, l, k[0])};
          std::pair<Value, Value> cols = {indexConstant(b, l, 0), indexConstant(b, l, k[1])};
          Value acc = accumulate(
              b, l, {rows, cols}, init, [&](OpBuilder &ib, Location il, ValueRange iv, Value sum) {
                auto at = [&](Value o, int64_t stride, Value kk) {
                  return arith::AddIOp::create(
                      ib, il, arith::MulIOp::create(ib, il, o, indexConstant(ib, il, stride)), kk);
                };
                Value x = tensor::ExtractOp::create(
                    ib, il, input,
                    ValueRange{idx[0], idx[1], at(idx[2], s[0], iv[0]), at(idx[3], s[1], iv[1])});
                return Value(arith::AddIOp::create(ib, il, sum, toI32(ib, il, x)));
              });
          return requantize(b, l, acc, i64Constant(b, l, op.getMultiplier()[0]),
                            i64Constant(b, l, op.getShift()[0]), op.getOutputZeroPoint(),
                            op.getOutputMin(), op.getOutputMax());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QAddLowering : OpConversionPattern<QAddOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(QAddOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    ArrayRef<int32_t> m = op.getMultiplier(), s = op.getShift();
    ArrayRef<int64_t> zps = op.getInputZeroPoints();
    Value result = createElementwise(
        rewriter, op.getLoc(), op.getType(), {adaptor.getLhs(), adaptor.getRhs()},
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto scaled = [&](Value x, unsigned i) {
            Value v = arith::ExtSIOp::create(b, l, b.getI64Type(), x);
            v = arith::SubIOp::create(b, l, v, i64Constant(b, l, zps[i]));
            v = arith::ShLIOp::create(b, l, v, i64Constant(b, l, op.getLeftShift()));
            return multiplyShift(b, l, v, i64Constant(b, l, m[i]), i64Constant(b, l, s[i]));
          };
          Value sum = arith::AddIOp::create(b, l, scaled(args[0], 0), scaled(args[1], 1));
          return requantize(b, l, sum, i64Constant(b, l, m[2]), i64Constant(b, l, s[2]),
                            op.getOutputZeroPoint(), op.getOutputMin(), op.getOutputMax());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RequantizeLowering : OpConversionPattern<RequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value result = createElementwise(
        rewriter, op.getLoc(), op.getType(), {adaptor.getInput()},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = arith::ExtSIOp::create(b, l, b.getI64Type(), args[0]);
          v = arith::SubIOp::create(b, l, v, i64Constant(b, l, op.getInputZeroPoint()));
          return requantize(b, l, v, i64Constant(b, l, op.getMultiplier()[0]),
                            i64Constant(b, l, op.getShift()[0]), op.getOutputZeroPoint(),
                            op.getOutputMin(), op.getOutputMax());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The scale and zero point of a quantize or dequantize as f32 values
/// inside an elementwise payload: constants per tensor, else inputs
/// `args[1]` and `args[2]` (tensors along the axis).
template <typename Op>
SmallVector<Value> quantParamTensors(OpBuilder &b, Location l, Op op) {
  ArrayRef<float> scale = op.getScale();
  if (scale.size() == 1)
    return {};
  auto type = cast<RankedTensorType>(op.getInput().getType());
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape[op.getAxis()] = scale.size();
  auto ft = RankedTensorType::get(shape, b.getF32Type());
  SmallVector<float> zps(op.getZeroPoint().begin(), op.getZeroPoint().end());
  return {arith::ConstantOp::create(b, l, DenseElementsAttr::get(ft, scale)),
          arith::ConstantOp::create(b, l, DenseElementsAttr::get(ft, ArrayRef<float>(zps)))};
}

template <typename Op>
std::pair<Value, Value> quantParams(OpBuilder &b, Location l, Op op, ValueRange args) {
  if (op.getScale().size() == 1)
    return {scalarConstant(b, l, b.getF32Type(), op.getScale()[0]),
            scalarConstant(b, l, b.getF32Type(), (double)op.getZeroPoint()[0])};
  return {args[1], args[2]};
}

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> inputs = {adaptor.getInput()};
    llvm::append_range(inputs, quantParamTensors(rewriter, loc, op));
    Value result = createElementwise(
        rewriter, loc, op.getType(), inputs, [&](OpBuilder &b, Location l, ValueRange args) {
          auto [scale, zp] = quantParams(b, l, op, args);
          // ONNX: saturate(round_half_even(x / scale) + zero_point).
          Value y = createRoundHalfEven(b, l, arith::DivFOp::create(b, l, args[0], scale));
          y = arith::AddFOp::create(b, l, y, zp);
          y = createMax(b, l, y, scalarConstant(b, l, y.getType(), -128.0));
          y = createMin(b, l, y, scalarConstant(b, l, y.getType(), 127.0));
          return arith::FPToSIOp::create(b, l, b.getI8Type(), y);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> inputs = {adaptor.getInput()};
    llvm::append_range(inputs, quantParamTensors(rewriter, loc, op));
    Value result = createElementwise(
        rewriter, loc, op.getType(), inputs, [&](OpBuilder &b, Location l, ValueRange args) {
          auto [scale, zp] = quantParams(b, l, op, args);
          Value x = arith::SIToFPOp::create(b, l, b.getF32Type(), args[0]);
          return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, x, zp), scale);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateKilnQuantizedToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<QuantizeLowering, DequantizeLowering, QConv2DLowering, QMatmulLowering,
               QAvgPool2DLowering, QAddLowering, RequantizeLowering>(patterns.getContext());
}

} // namespace kiln
