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
#include "QuantizedKernels.h"
#include "kiln/Conversion/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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

} // namespace

Value lowering::quantizeValue(OpBuilder &b, Location l, Value x, Value scale, Value zeroPoint) {
  Value y = createRoundHalfEven(b, l, arith::DivFOp::create(b, l, x, scale));
  y = arith::AddFOp::create(b, l, y, zeroPoint);
  y = createMax(b, l, y, scalarConstant(b, l, y.getType(), -128.0));
  y = createMin(b, l, y, scalarConstant(b, l, y.getType(), 127.0));
  return arith::FPToSIOp::create(b, l, b.getI8Type(), y);
}

namespace {

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

/// Builds the all-parallel generic over `type` whose inputs are the
/// per-channel tensors `inputs` (read at `channelDim`), with `body`
/// computing one int8 element from the loop indices and those inputs;
/// `init` is its destination (a new tensor.empty by default).
Value channelGeneric(OpBuilder &b, Location l, RankedTensorType type, ValueRange inputs,
                     unsigned channelDim,
                     function_ref<Value(OpBuilder &, Location, ValueRange, ValueRange)> body,
                     Value init = {}) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(inputs.size(),
                              AffineMap::get(rank, 0, getAffineDimExpr(channelDim, ctx)));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, l, type, inputs, init ? init : createEmpty(b, l, type), maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> idx;
        for (unsigned i = 0; i < rank; ++i)
          idx.push_back(linalg::IndexOp::create(nb, nl, i));
        linalg::YieldOp::create(nb, nl, body(nb, nl, idx, args.drop_back()));
      });
  return generic.getResult(0);
}

/// The int32 accumulator of output (n, f, oh, ow) of a convolution: `init`
/// plus the products of the window's taps inside the input with the
/// filter. `channelBase` is the first input channel of f's group.
Value convAccumulator(OpBuilder &b, Location l, QConv2DOp op, const InputReader &in, Value filter,
                      Value n, Value channelBase, Value f, Value oh, Value ow, Value init,
                      bool clampRows = false) {
  RankedTensorType type = op.getType();
  auto inType = op.getInput().getType();
  auto fShape = op.getFilter().getType().getShape();
  ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(), p = op.getPads();
  auto rows = tapRange(b, l, oh, type.getDimSize(2), inType.getDimSize(2), fShape[2], s[0], d[0],
                       p[0], clampRows);
  auto cols =
      tapRange(b, l, ow, type.getDimSize(3), inType.getDimSize(3), fShape[3], s[1], d[1], p[1]);
  std::pair<Value, Value> chans = {indexConstant(b, l, 0), indexConstant(b, l, fShape[1])};
  return accumulate(
      b, l, {chans, rows, cols}, init, [&](OpBuilder &ib, Location il, ValueRange iv, Value sum) {
        auto at = [&](Value o, int64_t stride, Value k, int64_t dil, int64_t pad) {
          Value v = arith::AddIOp::create(
              ib, il, arith::MulIOp::create(ib, il, o, indexConstant(ib, il, stride)),
              arith::MulIOp::create(ib, il, k, indexConstant(ib, il, dil)));
          return arith::SubIOp::create(ib, il, v, indexConstant(ib, il, pad));
        };
        Value ch = arith::AddIOp::create(ib, il, channelBase, iv[0]);
        Value x = in.read(
            ib, il, {n, ch, at(oh, s[0], iv[1], d[0], p[0]), at(ow, s[1], iv[2], d[1], p[1])});
        Value w = tensor::ExtractOp::create(ib, il, filter, ValueRange{f, iv[0], iv[1], iv[2]});
        Value product = arith::MulIOp::create(ib, il, x, toI32(ib, il, w));
        return Value(arith::AddIOp::create(ib, il, sum, product));
      });
}

} // namespace

namespace lowering {

Value InputReader::read(OpBuilder &b, Location l, ValueRange index) const {
  SmallVector<Value> at(index);
  if (rowOrigin)
    at[2] = arith::SubIOp::create(b, l, at[2], rowOrigin);
  Value x = tensor::ExtractOp::create(b, l, source, at);
  if (quantize) {
    Type f32 = b.getF32Type();
    x = quantizeValue(b, l, x, scalarConstant(b, l, f32, quantize.getScale()[0]),
                      scalarConstant(b, l, f32, quantize.getZeroPoint()[0]));
  }
  return arith::SubIOp::create(b, l, toI32(b, l, x),
                               arith::ConstantOp::create(b, l, b.getI32IntegerAttr(zeroPoint)));
}

InputReader makeReader(Value original, Value converted, int64_t zeroPoint, bool unstored) {
  auto q = original.getDefiningOp<QuantizeOp>();
  if (unstored && q && q->hasOneUse() && q.getScale().size() == 1 &&
      isa<BlockArgument>(q.getInput()))
    return {q.getInput(), q, zeroPoint};
  return {converted, QuantizeOp(), zeroPoint};
}

Value lowerConvRows(OpBuilder &b, Location loc, QConv2DOp op, Value filter, Value bias,
                    const InputReader &in, RankedTensorType type, Value firstRow, Value init,
                    bool outside) {
  int64_t channels = type.getDimSize(1);
  SmallVector<Value> inputs;
  bool hasBias = (bool)bias;
  if (hasBias)
    inputs.push_back(bias);
  ArrayRef<int32_t> mult = op.getMultiplier(), shift = op.getShift();
  if (mult.size() > 1) {
    inputs.push_back(i32Tensor(b, loc, mult, {channels}));
    inputs.push_back(i32Tensor(b, loc, shift, {channels}));
  }
  int64_t outPerGroup = channels / (int64_t)op.getGroups();
  int64_t inPerGroup = op.getFilter().getType().getDimSize(1);
  return channelGeneric(
      b, loc, type, inputs, 1,
      [&](OpBuilder &gb, Location l, ValueRange idx, ValueRange args) {
        Value init =
            hasBias ? args[0] : Value(arith::ConstantOp::create(gb, l, gb.getI32IntegerAttr(0)));
        Value group = arith::DivUIOp::create(gb, l, idx[1], indexConstant(gb, l, outPerGroup));
        Value base = arith::MulIOp::create(gb, l, group, indexConstant(gb, l, inPerGroup));
        Value row = firstRow ? Value(arith::AddIOp::create(gb, l, idx[2], firstRow)) : idx[2];
        Value acc = convAccumulator(gb, l, op, in, filter, idx[0], base, idx[1], row, idx[3], init,
                                    /*clampRows=*/outside);
        auto [m, sh] = channelRequant(gb, l, mult, shift, args.drop_front(hasBias ? 1 : 0));
        return requantize(gb, l, acc, m, sh, op.getOutputZeroPoint(), op.getOutputMin(),
                          op.getOutputMax());
      },
      init);
}

} // namespace lowering

namespace {

/// The bias, multiplier and shift of output channel `f` as scalars: from
/// constants, or extracted from the per-channel tensors.
struct ChannelParams {
  Value bias, multiplier, shift;
};

ChannelParams channelParams(OpBuilder &b, Location l, Value bias, ArrayRef<int32_t> mult,
                            ArrayRef<int32_t> shift, Value f) {
  ChannelParams c;
  c.bias = bias ? Value(tensor::ExtractOp::create(b, l, bias, f))
                : Value(arith::ConstantOp::create(b, l, b.getI32IntegerAttr(0)));
  if (mult.size() == 1) {
    c.multiplier = i64Constant(b, l, mult[0]);
    c.shift = i64Constant(b, l, shift[0]);
  } else {
    c.multiplier =
        tensor::ExtractOp::create(b, l, i32Tensor(b, l, mult, {(int64_t)mult.size()}), f);
    c.shift = tensor::ExtractOp::create(b, l, i32Tensor(b, l, shift, {(int64_t)shift.size()}), f);
  }
  return c;
}

/// Marks `loop` as writing its first result over its second iteration
/// operand (kiln-plan-memory may place them at one offset).
void markWritesOver(scf::ForOp loop) {
  loop->setAttr("kiln.writes_over", DenseI64ArrayAttr::get(loop.getContext(), {0, 1}));
}

struct QConv2DLowering : OpConversionPattern<QConv2DOp> {
  QConv2DLowering(MLIRContext *ctx, bool inPlace, bool armDsp)
      : OpConversionPattern(ctx), inPlace(inPlace), armDsp(armDsp) {}

  LogicalResult matchAndRewrite(QConv2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    InputReader in = makeReader(op.getInput(), adaptor.getInput(), op.getInputZeroPoint(), inPlace);
    Value result;
    if (inPlace && !in.quantize && isDepthwise(op))
      result = lowerDepthwiseInPlace(op, adaptor, rewriter, in);
    else if (inPlace && !in.quantize && isPointwise(op) && armDsp && packedFilter(op, rewriter))
      result = lowerPointwiseDsp(op, adaptor, rewriter, in, packedFilter(op, rewriter));
    else if (inPlace && !in.quantize && isPointwise(op))
      result = lowerPointwiseInPlace(op, adaptor, rewriter, in);
    else
      result = lowerConvRows(rewriter, op.getLoc(), op, adaptor.getFilter(), adaptor.getBias(), in,
                             op.getType(), Value(), Value());
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  /// One filter per input channel, output planes no larger than the input's.
  static bool isDepthwise(QConv2DOp op) {
    auto in = op.getInput().getType(), out = op.getType();
    return in.getDimSize(0) == 1 && (int64_t)op.getGroups() == in.getDimSize(1) &&
           out.getDimSize(1) == in.getDimSize(1) &&
           out.getDimSize(2) * out.getDimSize(3) <= in.getDimSize(2) * in.getDimSize(3);
  }

  /// 1x1, stride 1, no padding: output pixel p reads input pixel p only.
  static bool isPointwise(QConv2DOp op) {
    auto f = op.getFilter().getType();
    auto in = op.getInput().getType(), out = op.getType();
    return in.getDimSize(0) == 1 && op.getGroups() == 1 && f.getDimSize(2) == 1 &&
           f.getDimSize(3) == 1 && in.getDimSize(2) == out.getDimSize(2) &&
           in.getDimSize(3) == out.getDimSize(3) &&
           llvm::all_of(op.getStrides(), [](int64_t v) { return v == 1; }) &&
           llvm::all_of(op.getPads(), [](int64_t v) { return v == 0; });
  }

  /// Whether output plane c can be computed straight into the output when
  /// the output starts where the input does: in loop order (channel, row,
  /// column), every output element must land below the lowest input
  /// element any later output reads. True for strided depthwise
  /// convolutions, whose output planes shrink; false where a plane has the
  /// input's size (the row below is still to be read).
  static bool directWriteSafe(QConv2DOp op) {
    auto in = op.getInput().getType(), out = op.getType();
    auto f = op.getFilter().getType();
    int64_t c = in.getDimSize(1), h = in.getDimSize(2), w = in.getDimSize(3);
    int64_t oh = out.getDimSize(2), ow = out.getDimSize(3);
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(), p = op.getPads();
    auto firstTap = [](int64_t o, int64_t stride, int64_t dil, int64_t pad, int64_t kernel,
                       int64_t size) -> int64_t {
      for (int64_t k = 0; k < kernel; ++k) {
        int64_t i = o * stride - pad + k * dil;
        if (i >= 0 && i < size)
          return i;
      }
      return -1;
    };
    int64_t n = c * oh * ow, lowestLater = INT64_MAX;
    for (int64_t i = n - 1; i >= 0; --i) {
      if (i >= 0 && i < c * h * w && i >= lowestLater)
        return false;
      int64_t ch = i / (oh * ow), y = i / ow % oh, x = i % ow;
      int64_t iy = firstTap(y, s[0], d[0], p[0], f.getDimSize(2), h);
      int64_t ix = firstTap(x, s[1], d[1], p[1], f.getDimSize(3), w);
      if (iy >= 0 && ix >= 0)
        lowestLater = std::min(lowestLater, ch * h * w + iy * w + ix);
    }
    return true;
  }

  /// scf.for over channels. Where output planes shrink enough, plane c is
  /// computed straight into the output; otherwise input plane c is first
  /// copied into a temporary and read from there. Placed over the input,
  /// output plane c then only lands on input already read.
  Value lowerDepthwiseInPlace(QConv2DOp op, OpAdaptor adaptor, ConversionPatternRewriter &rewriter,
                              const InputReader &in) const {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto inType = op.getInput().getType();
    int64_t channels = type.getDimSize(1), oh = type.getDimSize(2), ow = type.getDimSize(3);
    Type i8 = rewriter.getI8Type();
    auto planeType = RankedTensorType::get({1, 1, oh, ow}, i8);
    auto inPlaneType =
        RankedTensorType::get({1, 1, inType.getDimSize(2), inType.getDimSize(3)}, i8);
    bool direct = directWriteSafe(op);
    // The copy is an allocation made outside the loop: kiln-plan-memory
    // places top-level allocations only, and CSE must not share it with
    // another loop's (its buffer would outlive the loop).
    Value inPlaneInit =
        direct
            ? Value()
            : Value(bufferization::AllocTensorOp::create(rewriter, loc, inPlaneType, ValueRange{}));
    Value planeInit = createEmpty(rewriter, loc, planeType);
    // An allocation, not tensor.empty, that CSE cannot share with another op.
    Value dest = bufferization::AllocTensorOp::create(rewriter, loc, type, ValueRange{});
    Value filter = adaptor.getFilter(), bias = adaptor.getBias();
    auto loop = scf::ForOp::create(
        rewriter, loc, indexConstant(rewriter, loc, 0), indexConstant(rewriter, loc, channels),
        indexConstant(rewriter, loc, 1),
        direct ? ValueRange{dest, in.source} : ValueRange{dest, in.source, inPlaneInit},
        [&](OpBuilder &b, Location l, Value c, ValueRange iter) {
          InputReader reader = in;
          reader.source = iter[1];
          Value channel = c;
          if (!direct) {
            Value source = iter[1];
            reader.source = channelGeneric(
                b, l, inPlaneType, {}, 1,
                [&](OpBuilder &cb, Location cl, ValueRange idx, ValueRange) {
                  return Value(tensor::ExtractOp::create(cb, cl, source,
                                                         ValueRange{idx[0], c, idx[2], idx[3]}));
                },
                iter[2]);
            channel = indexConstant(b, l, 0);
          }
          ChannelParams params = channelParams(b, l, bias, op.getMultiplier(), op.getShift(), c);
          Value plane = channelGeneric(
              b, l, planeType, {}, 1,
              [&](OpBuilder &pb, Location pl, ValueRange idx, ValueRange) {
                Value acc = convAccumulator(pb, pl, op, reader, filter, idx[0], channel, c, idx[2],
                                            idx[3], params.bias);
                return requantize(pb, pl, acc, params.multiplier, params.shift,
                                  op.getOutputZeroPoint(), op.getOutputMin(), op.getOutputMax());
              },
              planeInit);
          SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), c, b.getIndexAttr(0),
                                               b.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                             b.getIndexAttr(oh), b.getIndexAttr(ow)};
          SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
          Value stored =
              tensor::InsertSliceOp::create(b, l, plane, iter[0], offsets, sizes, strides);
          SmallVector<Value> yielded = {stored, iter[1]};
          if (!direct)
            yielded.push_back(reader.source);
          scf::YieldOp::create(b, l, yielded);
        });
    markWritesOver(loop);
    return loop.getResult(0);
  }

  /// One element of a pixel's packed input channels: `source` is the
  /// input, (y, x) the pixel, `index` the element.
  using PackFn =
      function_ref<Value(OpBuilder &, Location, Value source, Value y, Value x, Value index)>;
  /// One step of an output channel's accumulator: `column` is the packed
  /// pixel, `f` the output channel, `step` the step.
  using StepFn =
      function_ref<Value(OpBuilder &, Location, Value column, Value f, Value step, Value sum)>;

  /// scf.for over pixels: pixel p's input channels are packed into a
  /// temporary of `columnType` (`pack`), then every output channel's
  /// accumulator is `steps` steps over it, requantized and stored at p.
  /// Output (f, p) lands on input (f, p) at most, which is already packed.
  Value pointwiseLoop(QConv2DOp op, OpAdaptor adaptor, ConversionPatternRewriter &rewriter,
                      const InputReader &in, RankedTensorType columnType, int64_t steps,
                      PackFn pack, StepFn step) const {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t outChannels = type.getDimSize(1), h = type.getDimSize(2), w = type.getDimSize(3);
    Type i8 = rewriter.getI8Type();
    auto outColumnType = RankedTensorType::get({outChannels}, i8);
    // Allocations, not tensor.empty, that CSE cannot share with another op.
    Value dest = bufferization::AllocTensorOp::create(rewriter, loc, type, ValueRange{});
    Value columnInit =
        bufferization::AllocTensorOp::create(rewriter, loc, columnType, ValueRange{});
    Value outInit = createEmpty(rewriter, loc, outColumnType);
    Value bias = adaptor.getBias();
    ArrayRef<int32_t> mult = op.getMultiplier(), shift = op.getShift();
    auto loop = scf::ForOp::create(
        rewriter, loc, indexConstant(rewriter, loc, 0), indexConstant(rewriter, loc, h * w),
        indexConstant(rewriter, loc, 1), ValueRange{dest, in.source, columnInit},
        [&](OpBuilder &b, Location l, Value pixel, ValueRange iter) {
          Value y = arith::DivUIOp::create(b, l, pixel, indexConstant(b, l, w));
          Value x = arith::RemUIOp::create(b, l, pixel, indexConstant(b, l, w));
          Value source = iter[1];
          Value column = channelGeneric(
              b, l, columnType, {}, 0,
              [&](OpBuilder &cb, Location cl, ValueRange idx, ValueRange) {
                return pack(cb, cl, source, y, x, idx[0]);
              },
              iter[2]);
          Value outs = channelGeneric(
              b, l, outColumnType, {}, 0,
              [&](OpBuilder &ob, Location ol, ValueRange idx, ValueRange) {
                ChannelParams params = channelParams(ob, ol, bias, mult, shift, idx[0]);
                std::pair<Value, Value> range = {indexConstant(ob, ol, 0),
                                                 indexConstant(ob, ol, steps)};
                Value acc = accumulate(ob, ol, {range}, params.bias,
                                       [&](OpBuilder &ib, Location il, ValueRange iv, Value sum) {
                                         return step(ib, il, column, idx[0], iv[0], sum);
                                       });
                return requantize(ob, ol, acc, params.multiplier, params.shift,
                                  op.getOutputZeroPoint(), op.getOutputMin(), op.getOutputMax());
              },
              outInit);
          Value outs4 =
              createReshape(b, l, outs, RankedTensorType::get({1, outChannels, 1, 1}, i8));
          SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0), y, x};
          SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(outChannels),
                                             b.getIndexAttr(1), b.getIndexAttr(1)};
          SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
          Value stored =
              tensor::InsertSliceOp::create(b, l, outs4, iter[0], offsets, sizes, strides);
          scf::YieldOp::create(b, l, ValueRange{stored, iter[1], column});
        });
    markWritesOver(loop);
    return loop.getResult(0);
  }

  /// The pixel's input channels copied as they are; one product per step.
  Value lowerPointwiseInPlace(QConv2DOp op, OpAdaptor adaptor, ConversionPatternRewriter &rewriter,
                              const InputReader &in) const {
    int64_t inChannels = op.getInput().getType().getDimSize(1);
    auto columnType = RankedTensorType::get({inChannels}, rewriter.getI8Type());
    Value filter = adaptor.getFilter();
    int64_t zp = op.getInputZeroPoint();
    return pointwiseLoop(
        op, adaptor, rewriter, in, columnType, inChannels,
        [&](OpBuilder &b, Location l, Value source, Value y, Value x, Value c) {
          return Value(
              tensor::ExtractOp::create(b, l, source, ValueRange{indexConstant(b, l, 0), c, y, x}));
        },
        [&](OpBuilder &b, Location l, Value column, Value f, Value c, Value sum) {
          Value zero = indexConstant(b, l, 0);
          Value v = tensor::ExtractOp::create(b, l, column, c);
          Value wv = tensor::ExtractOp::create(b, l, filter, ValueRange{f, c, zero, zero});
          Value centred = arith::SubIOp::create(
              b, l, toI32(b, l, v), arith::ConstantOp::create(b, l, b.getI32IntegerAttr(zp)));
          Value product = arith::MulIOp::create(b, l, centred, toI32(b, l, wv));
          return Value(arith::AddIOp::create(b, l, sum, product));
        });
  }

  /// The constant filter of a pointwise convolution with a multiple of 4
  /// input channels as one little-endian word per 4 weights: [F, C / 4].
  static DenseElementsAttr packedFilter(QConv2DOp op, OpBuilder &b) {
    auto cst = op.getFilter().getDefiningOp<ConstantOp>();
    auto type = op.getFilter().getType();
    int64_t f = type.getDimSize(0), c = type.getDimSize(1);
    if (!cst || c % 4 != 0)
      return {};
    auto values = dyn_cast<DenseIntElementsAttr>(cst.getValue());
    if (!values)
      return {};
    SmallVector<int8_t> bytes;
    for (const APInt &v : values.getValues<APInt>())
      bytes.push_back((int8_t)v.getSExtValue());
    SmallVector<int32_t> words;
    for (int64_t i = 0; i < f * c; i += 4)
      words.push_back((int32_t)((uint32_t)(uint8_t)bytes[i] | (uint32_t)(uint8_t)bytes[i + 1] << 8 |
                                (uint32_t)(uint8_t)bytes[i + 2] << 16 |
                                (uint32_t)(uint8_t)bytes[i + 3] << 24));
    return DenseElementsAttr::get(RankedTensorType::get({f, c / 4}, b.getI32Type()),
                                  ArrayRef<int32_t>(words));
  }

  /// With the Arm DSP extension: pixel p's centred input channels are
  /// packed as 16-bit pairs (4g, 4g+2) and (4g+1, 4g+3) into words 2g and
  /// 2g+1 of the temporary; filter word g of output f holds weights
  /// 4g..4g+3, and SXTB16 of it (and of it rotated by 8) gives the
  /// matching pairs, which SMLAD multiplies and adds.
  Value lowerPointwiseDsp(QConv2DOp op, OpAdaptor adaptor, ConversionPatternRewriter &rewriter,
                          const InputReader &in, DenseElementsAttr packed) const {
    int64_t inChannels = op.getInput().getType().getDimSize(1);
    auto columnType = RankedTensorType::get({inChannels / 2}, rewriter.getI32Type());
    Value filter = arith::ConstantOp::create(rewriter, op.getLoc(), packed);
    int64_t zp = op.getInputZeroPoint();
    auto i32Constant = [](OpBuilder &b, Location l, int32_t v) {
      return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(v));
    };
    auto intrinsic = [&](OpBuilder &b, Location l, StringRef name, ValueRange args) {
      return LLVM::CallIntrinsicOp::create(b, l, b.getI32Type(), b.getStringAttr(name), args)
          .getResult(0);
    };
    return pointwiseLoop(
        op, adaptor, rewriter, in, columnType, inChannels / 4,
        [&](OpBuilder &b, Location l, Value source, Value y, Value x, Value q) {
          // Word q holds channels 4(q/2) + q%2 (low half) and that + 2 (high).
          Value group = arith::DivUIOp::create(b, l, q, indexConstant(b, l, 2));
          Value half = arith::RemUIOp::create(b, l, q, indexConstant(b, l, 2));
          Value low = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, group, indexConstant(b, l, 4)), half);
          Value high = arith::AddIOp::create(b, l, low, indexConstant(b, l, 2));
          auto centred = [&](Value channel) {
            Value v = tensor::ExtractOp::create(b, l, source,
                                                ValueRange{indexConstant(b, l, 0), channel, y, x});
            return arith::SubIOp::create(b, l, toI32(b, l, v), i32Constant(b, l, zp));
          };
          return Value(arith::OrIOp::create(
              b, l, arith::AndIOp::create(b, l, centred(low), i32Constant(b, l, 0xffff)),
              arith::ShLIOp::create(b, l, centred(high), i32Constant(b, l, 16))));
        },
        [&](OpBuilder &b, Location l, Value column, Value f, Value g, Value sum) {
          Value word = tensor::ExtractOp::create(b, l, filter, ValueRange{f, g});
          Value first = arith::MulIOp::create(b, l, g, indexConstant(b, l, 2));
          Value second = arith::AddIOp::create(b, l, first, indexConstant(b, l, 1));
          Value even = tensor::ExtractOp::create(b, l, column, first);
          Value odd = tensor::ExtractOp::create(b, l, column, second);
          Value rotated =
              arith::OrIOp::create(b, l, arith::ShRUIOp::create(b, l, word, i32Constant(b, l, 8)),
                                   arith::ShLIOp::create(b, l, word, i32Constant(b, l, 24)));
          Value evenWeights = intrinsic(b, l, "llvm.arm.sxtb16", {word});
          Value oddWeights = intrinsic(b, l, "llvm.arm.sxtb16", {rotated});
          Value next = intrinsic(b, l, "llvm.arm.smlad", {even, evenWeights, sum});
          return intrinsic(b, l, "llvm.arm.smlad", {odd, oddWeights, next});
        });
  }

  bool inPlace, armDsp;
};

struct QMatmulLowering : OpConversionPattern<QMatmulOp> {
  QMatmulLowering(MLIRContext *ctx, bool inPlace) : OpConversionPattern(ctx), inPlace(inPlace) {}

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
    Value rhs = adaptor.getRhs();
    InputReader in = makeReader(op.getLhs(), adaptor.getLhs(), op.getLhsZeroPoint(), inPlace);
    Value result = channelGeneric(
        rewriter, loc, type, inputs, 1,
        [&](OpBuilder &b, Location l, ValueRange idx, ValueRange args) {
          Value init =
              hasBias ? args[0] : Value(arith::ConstantOp::create(b, l, b.getI32IntegerAttr(0)));
          std::pair<Value, Value> ks = {indexConstant(b, l, 0), indexConstant(b, l, depth)};
          Value acc = accumulate(
              b, l, {ks}, init, [&](OpBuilder &ib, Location il, ValueRange iv, Value sum) {
                Value x = in.read(ib, il, {idx[0], iv[0]});
                Value w = tensor::ExtractOp::create(ib, il, rhs, ValueRange{iv[0], idx[1]});
                Value product = arith::MulIOp::create(ib, il, x, toI32(ib, il, w));
                return Value(arith::AddIOp::create(ib, il, sum, product));
              });
          auto [m, sh] = channelRequant(b, l, mult, shift, args.drop_front(hasBias ? 1 : 0));
          return requantize(b, l, acc, m, sh, op.getOutputZeroPoint(), op.getOutputMin(),
                            op.getOutputMax());
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  bool inPlace;
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
template <typename Op> SmallVector<Value> quantParamTensors(OpBuilder &b, Location l, Op op) {
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

/// kiln.quantize and kiln.dequantize: one elementwise generic, with the
/// per-axis parameters as broadcast constant inputs.
template <typename Op> struct QuantParamsLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename Op::Adaptor;

  LogicalResult matchAndRewrite(Op op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> inputs = {adaptor.getInput()};
    llvm::append_range(inputs, quantParamTensors(rewriter, loc, op));
    Value result = createElementwise(
        rewriter, loc, op.getType(), inputs, [&](OpBuilder &b, Location l, ValueRange args) {
          auto [scale, zp] = quantParams(b, l, op, args);
          if constexpr (std::is_same_v<Op, QuantizeOp>) {
            return quantizeValue(b, l, args[0], scale, zp);
          } else {
            // ONNX: (x - zero_point) * scale.
            Value x = arith::SIToFPOp::create(b, l, b.getF32Type(), args[0]);
            return Value(arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, x, zp), scale));
          }
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateKilnQuantizedToLinalgPatterns(RewritePatternSet &patterns, bool inPlaceKernels,
                                           bool armDsp) {
  patterns.add<QuantParamsLowering<QuantizeOp>, QuantParamsLowering<DequantizeOp>,
               QAvgPool2DLowering, QAddLowering, RequantizeLowering>(patterns.getContext());
  patterns.add<QConv2DLowering>(patterns.getContext(), inPlaceKernels, armDsp);
  patterns.add<QMatmulLowering>(patterns.getContext(), inPlaceKernels);
  lowering::populateRowBandsToLinalgPatterns(patterns, inPlaceKernels);
}

} // namespace kiln
