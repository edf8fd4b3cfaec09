//===- Passes.td - Kiln target-neutral passes --------------*- tablegen -*-===//
//
// Passes shared by every target: the static memory plan and the other
// passes on bufferized IR, elementwise fusion and math approximations on
// linalg, and the check of each phase's IR contract. Target-specific
// passes live with their backend (include/kiln/Target/*/Transforms).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FuseQuantizedOpsPass : Pass<"kiln-fuse-quantized-ops", "mlir::func::FuncOp"> {
  let summary = "Turn dequantize -> float op -> quantize chains into int8 kernels";
  let description = [{
    Recognizes the QDQ form of quantized models (ONNX Runtime's static
    quantizer, PyTorch's fake-quantization export): a float op whose
    operands are `kiln.dequantize`d int8 values and whose result, after an
    optional ReLU or constant Clip, is `kiln.quantize`d. Each chain becomes
    one integer kernel that keeps int8 in memory and accumulates in int32:

    - `kiln.conv2d` (with its bias `kiln.add`) -> `kiln.qconv2d`;
    - rank-2 `kiln.matmul` (with its bias) -> `kiln.qmatmul`;
    - `kiln.add` of two same-shape tensors -> `kiln.qadd`;
    - `kiln.avg_pool2d` without padding, and `kiln.reduce_mean` over H
      and W -> `kiln.qavg_pool2d`;
    - a ReLU, a Clip or nothing -> `kiln.requantize` (nothing at all when
      the parameters match).

    Weights must be constant int8 with zero point 0, per tensor or per
    output channel; biases constant int32 (or float) and are rescaled to the
    accumulator's scale where their scale differs. Each real scale
    `s_in * s_w / s_out` becomes a 31-bit fixed-point multiplier and a
    right shift. The ReLU or Clip becomes the output bounds: quantization
    is monotonic, so clamping before it equals clamping after. Dequantize
    ops are moved past `kiln.reshape` so that a flatten between two
    quantized ops does not hide them. Chains that do not fit stay float.

    ```mlir
    %x = kiln.dequantize %xq {...} : tensor<1x8x4x4xi8> to tensor<1x8x4x4xf32>
    %w = kiln.dequantize %wq {axis = 0 : i64, ...} : tensor<8x8x1x1xi8> to tensor<8x8x1x1xf32>
    %c = kiln.conv2d %x, %w {...}
    %r = kiln.relu %c : tensor<1x8x4x4xf32>
    %y = kiln.quantize %r {...} : tensor<1x8x4x4xf32> to tensor<1x8x4x4xi8>
    // becomes
    %y = kiln.qconv2d %xq, %wq {...} : (tensor<1x8x4x4xi8>, tensor<8x8x1x1xi8>) -> tensor<1x8x4x4xi8>
    ```
  }];
}

def PlanMemoryPass : Pass<"kiln-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Place every intermediate buffer at an offset of one workspace";
  let description = [{
    Replaces each `memref.alloc` of a bufferized model function with a
    `memref.view` into a new trailing function argument, the workspace
    (`memref<Nxi8>`, marked `kiln.workspace`). Buffers whose live ranges
    overlap get disjoint byte ranges; the others share memory. Live ranges
    run from the first to the last top-level op that uses the buffer or any
    view of it. Placement is greedy, and tried in several orders (the
    buffers of the most crowded position first, largest first,
    longest-lived first, largest size x lifetime first, program order), each
    with best fit and first fit, then in 256 shuffles of the first order
    from a fixed seed; the smallest plan wins, the first of equals. Every offset is a multiple of `alignment`; the total is
    recorded as the function attribute `kiln.workspace_size`. Afterwards the function
    allocates nothing, so generated code never calls malloc.

    An allocation nested in a top-level loop is a temporary of each
    iteration and lives while that loop runs. A loop marked
    `kiln.writes_over` (an in-place kernel of convert-kiln-to-linalg) has
    the buffer it writes first and that outlives it placed at the offset of
    the one buffer it only reads, when that one dies in the loop; such
    chains are packed as one buffer whose size at each step is its largest
    member live then. Each buffer's record names the buffer it is placed
    `over` (-1 for none).

    The plan itself is recorded as the function attribute
    `kiln.memory_plan`: `steps`, the node and op of each top-level op that
    does work, in order, and `buffers`, each buffer's node and op, `offset`,
    padded `size`, own `bytes`, and the `first` and `last` step it is live
    in. `kilnc --memory-report` and `--ram-budget` read it.

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

def FuseRowBandsPass : Pass<"kiln-fuse-row-bands", "mlir::func::FuncOp"> {
  let summary = "Compute chains of convolutions band by band of rows";
  let description = [{
    Patch-based inference (MCUNetV2) for the workspace peak. A chain of
    batch-1 stages, each the only reader of the one before, can be
    computed a band of output rows at a time: every intermediate then
    holds the rows the next stage's band reads (its halo recomputed by
    neighbouring bands), not a whole tensor, and no padded copy is made. A
    stage is a `kiln.qconv2d`, or an f32 `kiln.conv2d` with its
    per-channel constant bias `kiln.add`, `kiln.relu` or `kiln.clamp`. The
    pass wraps segments of such chains, and their band heights, into
    `kiln.row_bands` ops.

    The choice comes from a model of the workspace: an int8 stage needs
    its input and result (the larger of the two for convolutions that
    write over their input, with `in-place-kernels`); a float stage its
    input as it reads it (padded, unless it is a grouped convolution that
    reads small planes unpadded) and its result (padded for the next
    stage); a banded segment needs its input, its result and one band per
    intermediate (and one of the quantized model input it reads); the
    peak is the largest need of any op in the function. Model inputs,
    constants and the quantize of a model input that kernels read unstored
    take no workspace. Each round looks at the chain that holds the peak:
    among its segments and heights whose recomputed multiply-accumulates
    stay within what is left of `max-recompute` times the function's own,
    the lowest peak wins, then the least recomputation. The rounds end
    when banding no longer lowers the peak.

    ```mlir
    %d = kiln.qconv2d %x, %dw, %db {...} : (...) -> tensor<1x8x48x48xi8>
    %p = kiln.qconv2d %d, %pw, %pb {...} : (...) -> tensor<1x16x48x48xi8>
    // becomes
    %p = kiln.row_bands %x {rows = 3 : i64} : tensor<1x8x48x48xi8> -> tensor<1x16x48x48xi8> {
    ^bb0(%in: tensor<1x8x48x48xi8>):
      %d = kiln.qconv2d %in, %dw, %db {...} : (...) -> tensor<1x8x48x48xi8>
      %p = kiln.qconv2d %d, %pw, %pb {...} : (...) -> tensor<1x16x48x48xi8>
      kiln.yield %p : tensor<1x16x48x48xi8>
    }
    ```

    Kiln runs it for bare-metal targets (`--row-bands`, on by default
    there).
  }];
  let options = [
    Option<"inPlaceKernels", "in-place-kernels", "bool", /*default=*/"false",
           "Depthwise and pointwise convolutions write over their input "
           "(convert-kiln-to-linalg's in-place-kernels)">,
    Option<"maxRecompute", "max-recompute", "double", /*default=*/"0.1",
           "The most multiply-accumulates banding may add, as a fraction of "
           "the function's own">
  ];
}

def ElementwiseInPlacePass : Pass<"kiln-elementwise-in-place", "mlir::func::FuncOp"> {
  let summary = "Let elementwise ops write their result over a dead input";
  let description = [{
    An elementwise `linalg.generic` (every loop parallel, one result) whose
    destination is a `tensor.empty` that its payload does not read, and
    one of whose inputs has the result's type and indexing map and is used
    by nothing else, takes that input as its destination. One-shot
    bufferization then writes the result over the input's buffer, so the
    two never need memory at the same time.

    The input must own a writable buffer: a function argument (the
    caller's input) or a constant (the weights) does not, and neither does
    a reshape of a tensor that something else reads.

    ```mlir
    %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%conv : tensor<64xf32>) outs(%empty : tensor<64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %m = arith.maximumf %in, %zero : f32
      linalg.yield %m : f32
    } -> tensor<64xf32>
    // becomes
    %r = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]}
        outs(%conv : tensor<64xf32>) {
    ^bb0(%out: f32):
      %m = arith.maximumf %out, %zero : f32
      linalg.yield %m : f32
    } -> tensor<64xf32>
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CloneSharedInitsPass : Pass<"kiln-clone-shared-inits", "mlir::func::FuncOp"> {
  let summary = "Give every destination-passing op a destination of its own";
  let description = [{
    CSE merges identical destinations, such as the zero-filled
    accumulators of two convolutions of the same shape. Each op writes
    into its destination, so one-shot bufferization keeps a shared one
    alive from its first user to its last and copies it for every other
    user. This pass, run just before bufferization, clones a destination
    that is a `linalg.fill` of a `tensor.empty` for every user but the
    first, right before that user. Each then gets a buffer of its own that
    lives only as long as its result, and no copy. A shared `tensor.empty`
    stays shared: its contents are undefined, so bufferization allocates
    afresh where its users conflict, and writes in place where they do not.

    ```mlir
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
    %a = linalg.matvec ins(%m, %x : ...) outs(%z : tensor<8xf32>) -> tensor<8xf32>
    %b = linalg.matvec ins(%m, %y : ...) outs(%z : tensor<8xf32>) -> tensor<8xf32>
    // becomes
    %a = linalg.matvec ins(%m, %x : ...) outs(%z : tensor<8xf32>) -> tensor<8xf32>
    %e2 = tensor.empty() : tensor<8xf32>
    %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8xf32>) -> tensor<8xf32>
    %b = linalg.matvec ins(%m, %y : ...) outs(%z2 : tensor<8xf32>) -> tensor<8xf32>
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def DecomposePadsPass : Pass<"kiln-decompose-pads", "mlir::func::FuncOp"> {
  let summary = "Turn tensor.pad into a fill and an insertion into its interior";
  let description = [{
    Each `tensor.pad` becomes a `linalg.fill` of the padded shape with the
    padding value and a `tensor.insert_slice` of the source into the
    interior (upstream's DecomposePadOpPattern). Run before
    `eliminate-empty-tensors`, it lets the op that computes the source
    write straight into the padded buffer's interior, where bufferizing
    `tensor.pad` would allocate the padded buffer beside the source's and
    copy one into the other. Other readers of the source read the
    interior. Kiln runs it when ops work in place (`--in-place`, on by
    default for bare-metal targets).

    ```mlir
    %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i: index, %j: index, %k: index, %l: index):
      tensor.yield %zero : f32
    } : tensor<1x8x4x4xf32> to tensor<1x8x6x6xf32>
    // becomes
    %e = tensor.empty() : tensor<1x8x6x6xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
    %p = tensor.insert_slice %x into %f[0, 0, 1, 1] [1, 8, 4, 4] [1, 1, 1, 1]
        : tensor<1x8x4x4xf32> into tensor<1x8x6x6xf32>
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def LowerStridedCopiesPass : Pass<"kiln-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Turn copies between non-contiguous memrefs into linalg.copy";
  let description = [{
    Bufferization copies into and out of strided views (a padded tensor's
    interior, a concatenation's slice). `memref.copy` between such views
    would lower to a call into a support library that generated code must
    not depend on; as `linalg.copy` it becomes plain loops. Copies between
    contiguous buffers stay `memref.copy` and become `memcpy`, unless `all`
    is set: then every copy becomes `linalg.copy`, so that it runs where the
    other loops run (in a kernel, for CUDA).

    ```mlir
    memref.copy %a, %sub : memref<4x4xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
    // becomes
    linalg.copy ins(%a : memref<4x4xf32>) outs(%sub : memref<4x4xf32, strided<[6, 1], offset: 7>>)
    ```
  }];
  let options = [
    Option<"all", "all", "bool", /*default=*/"false",
           "Turn every copy into linalg.copy, contiguous ones too: for targets "
           "where host code cannot touch the buffers (CUDA)">
  ];
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

def ApproximateMathPass : Pass<"kiln-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Polynomial approximations of f32 exp, expm1, tanh, erf and logs";
  let description = [{
    Replaces f32 `math.exp`, `math.expm1`, `math.tanh`, `math.erf`,
    `math.log`, `math.log1p` and `math.log2` with MLIR's polynomial
    approximations (range reduction and a minimax polynomial, within a few
    ulp over the whole f32 range, infinities and NaN included). They are
    plain arithmetic, so LLVM vectorizes the loops holding them, where a
    libm call keeps every element scalar. kilnc runs it from -O1 on. The
    trigonometric functions keep their libm calls: the approximations lose
    accuracy on large arguments.

    ```mlir
    %y = math.exp %x : f32
    // becomes arith and math.fma ops, with no call
    ```
  }];
  // The approximations of vector operands build vector.broadcast ops.
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def ExpandFloat8Pass : Pass<"kiln-expand-float8", "mlir::func::FuncOp"> {
  let summary = "Conversions to and from the float8 types as integer code";
  let description = [{
    LLVM has no 8-bit float types. Its type converter stores f8E4M3FN,
    f8E4M3FNUZ, f8E5M2 and f8E5M2FNUZ values as i8, but nothing lowers the
    conversions. This pass rewrites every `arith.truncf` to a float8 type
    and every `arith.extf` from one into integer code on the f32 bit
    pattern: round to nearest even, subnormals, NaN, infinity (f8E5M2 only;
    the other types give NaN on overflow) and the FNUZ encodings (no -0,
    0x80 is NaN). Float8 `arith.constant`s become i8 constants of their
    bits. Scalars and vectors alike. Saturation is not this pass's job: a
    saturating `kiln.cast` clamps before its truncation.

    ```mlir
    %y = arith.truncf %x : f32 to f8E4M3FN
    // becomes i32 arithmetic on the bits of %x, arith.trunci to i8 and
    // arith.bitcast to f8E4M3FN
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def FuseElementwisePass : Pass<"kiln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops, never recomputing a broadcast value";
  let description = [{
    Upstream's elementwise fusion (with its reshape propagation and
    constant folding), with one rule of Kiln's: a producer is fused into a
    consumer only when the consumer reads it through a permutation, so
    that each of the producer's values is computed once. Fusing a
    broadcast producer would compute it again for every element it is
    broadcast to: a squeeze-and-excitation block's per-channel sigmoid,
    fused into the multiply by the feature map, costs one exp per pixel
    instead of one per channel.

    ```mlir
    %s = linalg.generic ... ins(%c : tensor<1x32x1x1xf32>) { sigmoid }
    %y = linalg.generic {indexing_maps = [#broadcast, #id, #id]} ins(%s, %x ...) { mulf }
    // %s stays its own loop: 32 sigmoids, not 32 x 112 x 112
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect"];
}

def VerifyPhaseContractPass : Pass<"kiln-verify-phase-contract", "mlir::ModuleOp"> {
  let summary = "Check the IR contract at the end of a phase";
  let description = [{
    Every phase of the pipeline ends with this pass (lib/Pipelines), so
    that each phase hands the next exactly the IR that
    docs/architecture.md promises. It changes nothing; a violation is an
    internal error at the offending op and fails the compilation.

    - `import`, `kiln`: `func.func @main` takes and returns statically
      shaped tensors, and its body holds only kiln ops and `func.return`.
    - `linalg`: no kiln op remains (a target's own codegen ops, such as
      the CPU backend's `kiln_cpu` ops, may); every tensor is statically shaped.
    - `bufferized`: no tensor operand or result anywhere, no
      `memref.alloc`, `alloca` or `dealloc`; `@main` has
      `kiln.workspace_size` and its last argument is the workspace.
    - `llvm`: only ops of the LLVM dialect.

    ```mlir
    // After -kiln-verify-phase-contract{phase=linalg}:
    %0 = kiln.relu %x : tensor<4xf32>
    // error: internal error: the IR after the linalg phase breaks its
    // contract: 'kiln.relu' was not lowered
    ```
  }];
  let options = [
    Option<"phase", "phase", "std::string", /*default=*/"\"llvm\"",
           "The phase whose end this is: import, kiln, linalg, bufferized, llvm">
  ];
}

#endif // KILN_TRANSFORMS_PASSES_TD
