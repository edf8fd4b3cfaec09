//===- KilnBandOps.td - Row-band regions ------------------*- tablegen -*-===//
//
// kiln.row_bands computes a chain of convolutions a few output rows at a
// time: each intermediate is held as the band of rows the next op's band
// needs, never as a whole tensor. kiln-fuse-row-bands forms it where that
// lowers the workspace peak (patch-based inference).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BAND_OPS_TD
#define KILN_BAND_OPS_TD

def Kiln_RowBandsOp : Kiln_Op<"row_bands", [
    RecursiveMemoryEffects, SingleBlock]> {
  let summary = "A chain of convolutions computed band by band of output rows";
  let description = [{
    The body is a chain of convolutions on batch-1 NCHW tensors:
    `kiln.qconv2d` ops, or `kiln.conv2d` ops each followed by an optional
    per-channel bias `kiln.add` and an optional `kiln.relu` or
    `kiln.clamp`. The first reads the block argument (`input`), each next
    op reads the one before (and nothing else does), and the last is
    yielded. Filters and biases come from outside the region.

    Its meaning is the chain's. Its lowering computes `rows` rows of the
    result at a time (the last band starts `rows` before the end, so it
    may repeat rows): for each band, every op of the chain computes the
    rows the next op's band reads, from the band before it, with the halo
    rows recomputed. The intermediates take a band of rows each instead
    of a whole tensor.

    ```mlir
    %r = kiln.row_bands %x {rows = 2 : i64} : tensor<1x8x48x48xi8> -> tensor<1x16x48x48xi8> {
    ^bb0(%in: tensor<1x8x48x48xi8>):
      %d = kiln.qconv2d %in, %dw, %db {...} : (...) -> tensor<1x8x48x48xi8>
      %p = kiln.qconv2d %d, %pw, %pb {...} : (...) -> tensor<1x16x48x48xi8>
      kiln.yield %p : tensor<1x16x48x48xi8>
    }
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I8, F32]>:$input,
                       ConfinedAttr<I64Attr, [IntPositive]>:$rows);
  let results = (outs StaticShapeTensorOf<[I8, F32]>:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result) $body";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The chain's convolutions (kiln.qconv2d or kiln.conv2d), first to
    /// last.
    llvm::SmallVector<mlir::Operation *> getConvolutions();
  }];
}

def Kiln_YieldOp : Kiln_Op<"yield", [Pure, Terminator, HasParent<"RowBandsOp">]> {
  let summary = "The result of a kiln.row_bands body";
  let arguments = (ins StaticShapeTensorOf<[I8, F32]>:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

#endif // KILN_BAND_OPS_TD
