//===- MicrokernelOp.cpp - kiln_cpu.microkernel verifier and bufferization -===//
//
// kiln_cpu.microkernel is in destination style: on tensors its results are
// its output operands' new values; bufferization gives it the outputs'
// buffers and the inputs' buffers and drops the results. The verifier
// checks the operands against the kernel's entry in MicrokernelABI.h.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/IR/KilnCPUDialect.h"
#include "kiln/Target/CPU/MicrokernelABI.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace kiln::cpu {

namespace {
/// The kernel's entry in the ABI's table, or null for an unknown kernel.
const kiln_uk_kernel_info *lookupKernel(StringRef name) {
  for (const kiln_uk_kernel_info &kernel : kiln_uk_kernels)
    if (name == kernel.name)
      return &kernel;
  return nullptr;
}
} // namespace

LogicalResult MicrokernelOp::verify() {
  const kiln_uk_kernel_info *kernel = lookupKernel(getKernel());
  if (!kernel)
    return emitOpError("unknown kernel '") << getKernel() << "'";
  if ((int64_t)getParams().size() != kernel->params)
    return emitOpError("kernel '")
           << getKernel() << "' takes " << kernel->params << " params, got " << getParams().size();
  if ((int64_t)getOutputs().size() != kernel->outputs)
    return emitOpError("kernel '")
           << getKernel() << "' has " << kernel->outputs << " outputs, got " << getOutputs().size();
  int64_t flags = getParams().back();
  // The kernel's operands, then the optional bias and residual.
  int64_t expectedInputs = kernel->inputs + ((flags & (KILN_UK_BIAS_ROW | KILN_UK_BIAS_COL)) != 0) +
                           ((flags & KILN_UK_RESIDUAL) != 0);
  if ((int64_t)getInputs().size() != expectedInputs)
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
  if (failed(alloc) || (copyIn && failed(options.createMemCpy(rewriter, loc, buffer, *alloc))))
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

} // namespace kiln::cpu
