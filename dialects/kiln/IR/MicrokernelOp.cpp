//===- MicrokernelOp.cpp - kiln.microkernel verifier and bufferization -*- C++ -*-===//
//
// kiln.microkernel is in destination style: on tensors its result is its
// output operand's new value; bufferization gives it the output's buffer
// and the inputs' buffers and drops the result.
//
//===----------------------------------------------------------------------===//

#include "kiln/IR/KilnOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace kiln {

namespace {
/// The flags bits kiln-select-microkernels sets (lib/Target/CPU/Kernels/Common.h).
constexpr int64_t kBiasRow = 4, kBiasCol = 8, kResidual = 16;
} // namespace

LogicalResult MicrokernelOp::verify() {
  int64_t expectedParams = llvm::StringSwitch<int64_t>(getKernel())
                               .Case("gemm", 13)
                               .Case("conv2d", 16)
                               .Case("dwconv2d", 15)
                               .Case("maxpool2d", 15)
                               .Case("winograd3x3", 10)
                               .Case("rowsum", 3)
                               .Default(-1);
  if (expectedParams < 0)
    return emitOpError("unknown kernel '") << getKernel() << "'";
  if ((int64_t)getParams().size() != expectedParams)
    return emitOpError("kernel '") << getKernel() << "' takes " << expectedParams
                                   << " params, got " << getParams().size();
  // The Winograd kernel's second output is its scratch space.
  size_t expectedOutputs = getKernel() == "winograd3x3" ? 2 : 1;
  if (getOutputs().size() != expectedOutputs)
    return emitOpError("kernel '") << getKernel() << "' has " << expectedOutputs
                                   << " outputs, got " << getOutputs().size();
  int64_t flags = getParams().back();
  // Two operands (a pooling kernel has one), then the optional bias and residual.
  bool unary = getKernel() == "maxpool2d" || getKernel() == "rowsum";
  size_t expectedInputs = (unary ? 1 : 2) +
                          ((flags & (kBiasRow | kBiasCol)) != 0) + ((flags & kResidual) != 0);
  if (getInputs().size() != expectedInputs)
    return emitOpError("flags ") << flags << " need " << expectedInputs << " inputs, got "
                                 << getInputs().size();
  bool tensors = isa<RankedTensorType>(getOutputs()[0].getType());
  for (Value operand : getOperands()) {
    auto shaped = cast<ShapedType>(operand.getType());
    if (isa<RankedTensorType>(shaped) != tensors)
      return emitOpError("mixes tensor and buffer operands");
    if (!shaped.getElementType().isF32())
      return emitOpError("operands must be f32, got ") << shaped;
  }
  if (tensors ? getResults().getTypes() != getOutputs().getTypes() : !getResults().empty())
    return emitOpError("has a result of each output's type on tensors, none on buffers");
  return success();
}

bool MicrokernelOp::bufferizesToMemoryRead(OpOperand &operand, const AnalysisState &) {
  // The output is read too: a kernel accumulates over K blocks in place.
  return true;
}

bool MicrokernelOp::bufferizesToMemoryWrite(OpOperand &operand, const AnalysisState &) {
  return isDpsInit(&operand);
}

AliasingValueList MicrokernelOp::getAliasingValues(OpOperand &operand, const AnalysisState &) {
  if (isDpsInit(&operand))
    return {{getTiedOpResult(&operand), BufferRelation::Equivalent}};
  return {};
}

/// A contiguous row-major buffer holding `buffer`'s value: `buffer` itself,
/// or a copy of a strided view (a slice of another tensor) into a new one.
static FailureOr<Value> contiguous(RewriterBase &rewriter, Location loc, Value buffer,
                                   const BufferizationOptions &options, bool copyIn) {
  auto type = cast<MemRefType>(buffer.getType());
  if (memref::isStaticShapeAndContiguousRowMajor(type))
    return buffer;
  auto dense = MemRefType::get(type.getShape(), type.getElementType());
  FailureOr<Value> alloc = options.createAlloc(rewriter, loc, dense, {});
  if (failed(alloc) ||
      (copyIn && failed(options.createMemCpy(rewriter, loc, buffer, *alloc))))
    return failure();
  return alloc;
}

LogicalResult MicrokernelOp::bufferize(RewriterBase &rewriter, const BufferizationOptions &options,
                                       BufferizationState &state) {
  // The kernels take each operand as one address: operands must be dense.
  Location loc = getLoc();
  SmallVector<Value> inputs;
  for (Value input : getInputs()) {
    FailureOr<Value> buffer = getBuffer(rewriter, input, options, state);
    if (failed(buffer) || failed(buffer = contiguous(rewriter, loc, *buffer, options, true)))
      return failure();
    inputs.push_back(*buffer);
  }
  SmallVector<Value> outputs, dense;
  for (Value init : getOutputs()) {
    FailureOr<Value> output = getBuffer(rewriter, init, options, state);
    if (failed(output))
      return failure();
    FailureOr<Value> buffer = contiguous(rewriter, loc, *output, options, false);
    if (failed(buffer))
      return failure();
    outputs.push_back(*output);
    dense.push_back(*buffer);
  }
  MicrokernelOp::create(rewriter, loc, TypeRange{}, getKernel(), getVariant(), inputs, dense,
                        getParams(), getLo(), getHi());
  for (auto [buffer, output] : llvm::zip(dense, outputs))
    if (buffer != output && failed(options.createMemCpy(rewriter, loc, buffer, output)))
      return failure();
  replaceOpWithBufferizedValues(rewriter, getOperation(), outputs);
  return success();
}

} // namespace kiln
