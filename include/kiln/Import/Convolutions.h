//===- Convolutions.h - The convolutions kiln.conv2d does not cover -*- C++ -*-===//
//
// kiln has one convolution op, 2-D. Both front ends import 3-D and
// transposed convolutions, and build them here, once, from kiln.conv2d,
// pads, slices and gathers.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_CONVOLUTIONS_H
#define KILN_IMPORT_CONVOLUTIONS_H

#include "kiln/Import/CheckedBuilder.h"

namespace kiln {

/// A 3-D convolution of `x` [N, C, D, H, W] by `w` [F, C/groups, kd, kh, kw]
/// (+ `bias` [F], may be null), pads {d0, h0, w0, d1, h1, w1}: a sum over
/// the kernel depth of 2-D convolutions, where kernel plane k sees the
/// (depth-padded) input's slices k * dilation + stride * i moved into the
/// batch. Reports a filter that does not match the channels, or an empty
/// output, and fails.
mlir::FailureOr<mlir::Value> buildConv3D(CheckedBuilder &b, mlir::Value x, mlir::Value w,
                                         mlir::Value bias, llvm::ArrayRef<int64_t> strides,
                                         llvm::ArrayRef<int64_t> dilations,
                                         llvm::ArrayRef<int64_t> pads, int64_t groups);

/// A transposed convolution of `x` [N, C, spatial...] by `w` [C,
/// F/groups, k...] (+ `bias` [F], may be null) with 1, 2 or 3 spatial
/// dimensions: the input with stride - 1 zeros inserted between elements,
/// convolved (stride 1) with the spatially flipped filter whose channel
/// axes are swapped per group, padded by dilation * (k - 1) - pad, plus
/// `outputPadding` at the end; negative amounts crop instead. `pads` holds
/// the begins, then the ends. Reports mismatched shapes or an empty output
/// and fails.
mlir::FailureOr<mlir::Value> buildConvTranspose(CheckedBuilder &b, mlir::Value x, mlir::Value w,
                                                mlir::Value bias, llvm::ArrayRef<int64_t> strides,
                                                llvm::ArrayRef<int64_t> dilations,
                                                llvm::ArrayRef<int64_t> pads,
                                                llvm::ArrayRef<int64_t> outputPadding,
                                                int64_t groups);

} // namespace kiln

#endif // KILN_IMPORT_CONVOLUTIONS_H
