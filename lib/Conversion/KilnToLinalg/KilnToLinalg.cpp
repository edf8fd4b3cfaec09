//===- KilnToLinalg.cpp - The convert-kiln-to-linalg pass -------*- C++ -*-===//
//
// Assembles the op-family patterns into one dialect conversion. Every kiln
// op is illegal afterwards, so an op without a lowering fails the pass with
// an error at that op's location.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALGPASS
#include "kiln/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct ConvertKilnToLinalgPass : impl::ConvertKilnToLinalgPassBase<ConvertKilnToLinalgPass> {
  using ConvertKilnToLinalgPassBase::ConvertKilnToLinalgPassBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect, func::FuncDialect, scf::SCFDialect,
                           bufferization::BufferizationDialect, LLVM::LLVMDialect>();
    target.addIllegalDialect<KilnDialect>();
    // Ops of other dialects (a target's codegen ops) are left as they are.
    RewritePatternSet patterns(ctx);
    populateKilnElementwiseToLinalgPatterns(patterns);
    populateKilnContractionToLinalgPatterns(patterns, guardedGroupedPadding);
    populateKilnPoolingToLinalgPatterns(patterns);
    populateKilnReductionToLinalgPatterns(patterns);
    populateKilnDataMovementToLinalgPatterns(patterns);
    populateKilnScatterToLoopsPatterns(patterns);
    populateKilnQuantizedToLinalgPatterns(patterns, inPlaceKernels, armDsp);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
