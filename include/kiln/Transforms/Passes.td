//===- Passes.td - Kiln target-neutral passes --------------*- tablegen -*-===//
//
// Passes on bufferized IR shared by every target.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PlanMemoryPass : Pass<"kiln-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Place every intermediate buffer at an offset of one workspace";
  let description = [{
    Replaces each `memref.alloc` of a bufferized model function with a
    `memref.view` into a new trailing function argument, the workspace
    (`memref<Nxi8>`, marked `kiln.workspace`). Buffers whose live ranges
    overlap get disjoint byte ranges; the others share memory. Live ranges
    run from the allocation to the last top-level op that uses the buffer or
    any view of it. Placement is greedy best-fit, largest buffer first, with
    every offset a multiple of `alignment`; the total is recorded as the
    function attribute `kiln.workspace_size`. Afterwards the function
    allocates nothing, so generated code never calls malloc.

    ```mlir
    %0 = memref.alloc() {alignment = 64 : i64} : memref<1x64xf32>
    // becomes
    %c0 = arith.constant 0 : index
    %0 = memref.view %ws[%c0][] : memref<256xi8> to memref<1x64xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of the workspace and of every buffer in it">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def LowerStridedCopiesPass : Pass<"kiln-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Turn copies between non-contiguous memrefs into linalg.copy";
  let description = [{
    Bufferization copies into and out of strided views (a padded tensor's
    interior, a concatenation's slice). `memref.copy` between such views
    would lower to a call into a support library that generated code must
    not depend on; as `linalg.copy` it becomes plain loops. Copies between
    contiguous buffers stay `memref.copy` and become `memcpy`.

    ```mlir
    memref.copy %a, %sub : memref<4x4xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
    // becomes
    linalg.copy ins(%a : memref<4x4xf32>) outs(%sub : memref<4x4xf32, strided<[6, 1], offset: 7>>)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def FlattenEmptyArgumentsPass : Pass<"kiln-flatten-empty-arguments", "mlir::func::FuncOp"> {
  let summary = "Retype zero-element memref arguments as memref<0xT>";
  let description = [{
    A model whose input or output has a zero dimension (a Slice that
    selects nothing, a Split part of size 0) gets a memref argument like
    `memref<20x0x5xf32>`. MLIR gives such a memref the constant layout 0, so
    it has no strides, and the bare-pointer calling convention cannot pass
    it. Nothing can be read or written through an empty buffer: the pass
    erases the copies and linalg ops that touch only empty arguments and
    retypes the arguments as rank-1 `memref<0xT>`, which pass as a plain
    pointer like any other. Any other use is an error.

    ```mlir
    func.func @main(%arg0: memref<4xf32>, %arg1: memref<2x0xf32>)
    // becomes
    func.func @main(%arg0: memref<4xf32>, %arg1: memref<0xf32>)
    ```
  }];
}

#endif // KILN_TRANSFORMS_PASSES_TD
