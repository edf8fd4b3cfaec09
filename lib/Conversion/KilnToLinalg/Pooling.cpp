//===- Pooling.cpp - Lower kiln pooling ops to linalg -----------*- C++ -*-===//
//
// Max pooling is linalg.pooling_nchw_max over an input padded with -inf;
// average pooling is linalg.pooling_nchw_sum over a zero-padded input,
// divided by the window size or, without count_include_pad, by the number
// of real elements each window covers (computed here, at compile time).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"

using namespace mlir;

namespace kiln {
namespace {
using namespace lowering;

struct MaxPool2DLowering : OpConversionPattern<MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elt = type.getElementType();
    ArrayRef<int64_t> pads = op.getPads(), kernel = op.getKernel();
    Value lowest = lowestValue(rewriter, loc, elt);
    Value input = createPad(rewriter, loc, adaptor.getInput(), {0, 0, pads[0], pads[1]},
                            {0, 0, pads[2], pads[3]}, lowest);
    Value init = createFilled(rewriter, loc, type, lowest);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, elt);
    auto pool = linalg::PoolingNchwMaxOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{input, window}, ValueRange{init},
        rewriter.getI64TensorAttr(op.getStrides()), rewriter.getI64TensorAttr(op.getDilations()));
    rewriter.replaceOp(op, pool.getResult(0));
    return success();
  }
};

struct AvgPool2DLowering : OpConversionPattern<AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elt = type.getElementType();
    ArrayRef<int64_t> pads = op.getPads(), kernel = op.getKernel(), strides = op.getStrides();
    Value zero = scalarConstant(rewriter, loc, elt, 0.0);
    Value input = createPad(rewriter, loc, adaptor.getInput(), {0, 0, pads[0], pads[1]},
                            {0, 0, pads[2], pads[3]}, zero);
    Value init = createFilled(rewriter, loc, type, zero);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, elt);
    Value sum = linalg::PoolingNchwSumOp::create(
                    rewriter, loc, TypeRange{type}, ValueRange{input, window}, ValueRange{init},
                    rewriter.getI64TensorAttr(strides), rewriter.getI64TensorAttr({1, 1}))
                    .getResult(0);
    bool padded = llvm::any_of(pads, [](int64_t p) { return p != 0; });
    Value divisor;
    if (op.getCountIncludePad() || !padded) {
      divisor = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get({}, elt),
                                 rewriter.getFloatAttr(elt, kernel[0] * kernel[1])));
    } else {
      // Count the real input elements under each window.
      int64_t inH = op.getInput().getType().getDimSize(2);
      int64_t inW = op.getInput().getType().getDimSize(3);
      int64_t oh = type.getDimSize(2), ow = type.getDimSize(3);
      SmallVector<APFloat> counts;
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          int64_t y0 = y * strides[0] - pads[0], x0 = x * strides[1] - pads[1];
          int64_t h = std::min(y0 + kernel[0], inH) - std::max<int64_t>(y0, 0);
          int64_t w = std::min(x0 + kernel[1], inW) - std::max<int64_t>(x0, 0);
          APFloat v((double)std::max<int64_t>(h * w, 1));
          bool lost;
          v.convert(cast<FloatType>(elt).getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
          counts.push_back(v);
        }
      divisor = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(RankedTensorType::get({oh, ow}, elt), counts));
    }
    Value result = createElementwise(rewriter, loc, type, ValueRange{sum, divisor},
                                     [](OpBuilder &b, Location l, ValueRange args) {
                                       return arith::DivFOp::create(b, l, args[0], args[1]);
                                     });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateKilnPoolingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPool2DLowering, AvgPool2DLowering>(patterns.getContext());
}

} // namespace kiln
