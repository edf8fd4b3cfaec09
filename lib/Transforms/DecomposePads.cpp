//===- DecomposePads.cpp - Padding as a fill and an insertion -----*- C++ -*-===//
//
// The kiln-decompose-pads pass: tensor.pad becomes a linalg.fill of the
// padded shape and a tensor.insert_slice of the source into its interior.
// Empty-tensor elimination then lets the op that computes the source
// write straight into that interior, so the unpadded tensor never has a
// buffer of its own and no copy is made.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_DECOMPOSEPADSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct DecomposePadsPass : impl::DecomposePadsPassBase<DecomposePadsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateDecomposePadPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
