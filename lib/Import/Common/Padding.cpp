//===- Padding.cpp - Padding in every mode ----------------------*- C++ -*-===//
//
// Both importers' padding: constant padding is kiln.pad; edge, reflect and
// wrap padding gather each padded axis through constant indices; negative
// amounts crop first.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/Padding.h"

using namespace mlir;

namespace kiln {

FailureOr<Value> buildPad(CheckedBuilder &n, Value x, ArrayRef<int64_t> pads, StringRef mode,
                          double value) {
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return (void)n.unsupported("padding mode '" + mode + "'"), failure();
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank();
  if ((int64_t)pads.size() != 2 * rank)
    return (void)n.error("a pad needs " + Twine(2 * rank) + " amounts, got " + Twine(pads.size())),
           failure();
  auto &b = n.builder;
  // Negative pads remove elements.
  SmallVector<int64_t> offsets(rank, 0), sizes(xType.getShape()), strides(rank, 1);
  bool crop = false;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t lo = pads[d], hi = pads[d + rank];
    if (lo < 0) {
      offsets[d] = -lo;
      sizes[d] += lo;
      crop = true;
    }
    if (hi < 0) {
      sizes[d] += hi;
      crop = true;
    }
    if (sizes[d] <= 0)
      return (void)n.unsupported("padding that leaves an empty tensor"), failure();
  }
  if (crop)
    x = n.create<SliceOp>(x, b.getDenseI64ArrayAttr(offsets), b.getDenseI64ArrayAttr(sizes),
                          b.getDenseI64ArrayAttr(strides));
  SmallVector<int64_t> low, high;
  for (int64_t d = 0; d < rank; ++d) {
    low.push_back(std::max<int64_t>(pads[d], 0));
    high.push_back(std::max<int64_t>(pads[d + rank], 0));
  }
  if (mode == "constant")
    return n.create<PadOp>(x, b.getDenseI64ArrayAttr(low), b.getDenseI64ArrayAttr(high),
                           b.getF64FloatAttr(value));
  for (int64_t d = 0; d < rank; ++d) {
    if (low[d] == 0 && high[d] == 0)
      continue;
    int64_t size = sizes[d];
    if (mode == "reflect" && (low[d] >= size || high[d] >= size))
      return (void)n.error("reflect padding of " + Twine(std::max(low[d], high[d])) +
                           " needs an axis longer than its " + Twine(size) + " elements"),
             failure();
    SmallVector<int64_t> indices;
    for (int64_t i = -low[d]; i < size + high[d]; ++i) {
      int64_t src = i;
      if (mode == "edge")
        src = std::clamp<int64_t>(i, 0, size - 1);
      else if (mode == "wrap")
        src = ((i % size) + size) % size;
      else if (i < 0)
        src = -i;
      else if (i >= size)
        src = 2 * (size - 1) - i;
      indices.push_back(src);
    }
    auto indexType = RankedTensorType::get({(int64_t)indices.size()}, b.getI64Type());
    Value at = ConstantOp::create(b, n.loc, DenseIntElementsAttr::get(indexType, indices));
    x = n.create<GatherOp>(x, at, b.getI64IntegerAttr(d));
  }
  return x;
}

} // namespace kiln
