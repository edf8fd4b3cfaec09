//===- LowerMicrokernels.cpp - kiln_cpu.microkernel to calls --------*- C++ -*-===//
//
// The kiln-lower-microkernels pass: bufferized kiln_cpu.microkernel ops become
// calls of the C microkernels (lib/Target/CPU/Kernels), which kilnc links
// into the model's LLVM module.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/MicrokernelABI.h"
#include "kiln/Target/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_LOWERMICROKERNELSPASS
#include "kiln/Target/CPU/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The address of a dense buffer's first element, as an index.
Value address(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, metadata.getBaseBuffer());
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  Value offset = arith::MulIOp::create(b, loc, metadata.getOffset(),
                                       arith::ConstantIndexOp::create(b, loc, bytes));
  return arith::AddIOp::create(b, loc, base, offset);
}

struct LowerMicrokernelsPass : impl::LowerMicrokernelsPassBase<LowerMicrokernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cpu::MicrokernelOp> kernels;
    module.walk([&](cpu::MicrokernelOp op) { kernels.push_back(op); });
    for (cpu::MicrokernelOp op : kernels)
      if (failed(lower(module, op)))
        return signalPassFailure();
  }

  LogicalResult lower(ModuleOp module, cpu::MicrokernelOp op) {
    Location loc = op.getLoc();
    if (!op.getResults().empty())
      return op.emitOpError("must be bufferized before kiln-lower-microkernels");
    for (Value operand : op.getOperands())
      if (!memref::isStaticShapeAndContiguousRowMajor(cast<MemRefType>(operand.getType())))
        return op.emitOpError("operand is not a dense buffer: ") << operand.getType();
    OpBuilder b(op);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    ArrayRef<int64_t> params = op.getParams();
    int64_t flags = params.back();
    ValueRange inputs = op.getInputs();
    // Pooling and row sums have no second operand: its address is 0.
    size_t next = op.getKernel() == "maxpool2d" || op.getKernel() == "rowsum" ? 1 : 2;
    SmallVector<Value> args = {address(b, loc, inputs[0]),
                               next == 2 ? address(b, loc, inputs[1]) : zero,
                               address(b, loc, op.getOutputs()[0])};
    args.push_back(flags & (KILN_UK_BIAS_ROW | KILN_UK_BIAS_COL) ? address(b, loc, inputs[next++])
                                                                 : zero);
    args.push_back(flags & KILN_UK_RESIDUAL ? address(b, loc, inputs[next++]) : zero);
    // The Winograd kernel's scratch space follows the residual.
    if (op.getOutputs().size() == 2)
      args.push_back(address(b, loc, op.getOutputs()[1]));
    for (int64_t param : params)
      args.push_back(arith::ConstantIntOp::create(b, loc, b.getI64Type(), param));
    args.push_back(
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(op.getLo().convertToFloat())));
    args.push_back(
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(op.getHi().convertToFloat())));

    std::string name = ("kiln_uk_" + op.getKernel() + "_f32_" + op.getVariant()).str();
    auto callee = module.lookupSymbol<func::FuncOp>(name);
    auto type = FunctionType::get(op.getContext(), ValueRange(args).getTypes(), {});
    if (!callee) {
      OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
      callee = func::FuncOp::create(top, loc, name, type);
      callee.setPrivate();
    } else if (callee.getFunctionType() != type) {
      return op.emitOpError("conflicting declaration of ") << name;
    }
    func::CallOp::create(b, loc, callee, args);
    op.erase();
    return success();
  }
};

} // namespace
} // namespace kiln
