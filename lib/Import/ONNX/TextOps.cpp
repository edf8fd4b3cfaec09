//===- TextOps.cpp - ONNX TfIdfVectorizer to kiln ---------------*- C++ -*-===//
//
// TfIdfVectorizer counts, in each row of integer tokens, the n-grams of a
// constant pool (pool_int64s; string pools are out of Kiln's scope), with
// n from min_gram_length to max_gram_length and, for n > 1, every skip
// from 0 to max_skip_count (the n tokens are skip + 1 apart). Each count
// lands at its pool entry's ngram_indexes slot and is then weighted: TF
// keeps counts, IDF gives weight * (count > 0), TFIDF weight * count.
//
// With static shapes every (n, skip, start) triple is known at compile
// time: for each n and skip the row's n shifted slices are compared with
// the pool's n-grams at once ([rows, starts, pool] booleans), the matches
// ANDed over the n positions and summed over the starts. A constant
// one-hot matmul moves pool counts to their output slots.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {

namespace {

LogicalResult importTfIdfVectorizer(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  Type elt = xType.getElementType();
  if (!isa<IntegerType>(elt) || elt.isInteger(1))
    return n.unsupported("TfIdfVectorizer of " + Twine(isa<FloatType>(elt) ? "floats" : "bools"));
  if (n.attr("pool_strings"))
    return n.unsupported("TfIdfVectorizer with pool_strings");
  int64_t rank = xType.getRank();
  if (rank != 1 && rank != 2)
    return n.error("TfIdfVectorizer input must have rank 1 or 2");
  int64_t rows = rank == 2 ? xType.getDimSize(0) : 1, columns = xType.getDimSize(rank - 1);
  std::string mode = n.stringAttr("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return n.error("mode must be TF, IDF or TFIDF, not '" + mode + "'");
  int64_t minGram = n.intAttr("min_gram_length", 0), maxGram = n.intAttr("max_gram_length", 0);
  int64_t maxSkip = n.intAttr("max_skip_count", 0);
  if (minGram < 1 || maxGram < minGram || maxSkip < 0)
    return n.error("need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");
  SmallVector<int64_t> pool = n.intsAttr("pool_int64s");
  SmallVector<int64_t> counts = n.intsAttr("ngram_counts");
  SmallVector<int64_t> indexes = n.intsAttr("ngram_indexes");
  if ((int64_t)counts.size() < maxGram)
    return n.error("ngram_counts needs an entry per n-gram length up to " + Twine(maxGram));
  SmallVector<double> weights;
  if (const auto *w = n.attr("weights"))
    weights.assign(w->floats().begin(), w->floats().end());
  int64_t outputs = 0;
  for (int64_t i : indexes)
    outputs = std::max(outputs, i + 1);

  // Pool entry ranges per length n: [counts[n-1], counts[n] or the end).
  // Entries are numbered in pool order; entry e of length n starts at
  // counts[n-1] + (e - first) * n.
  auto f32 = n.builder.getF32Type();
  Value x = n.reshape(n.input(0), {rows, columns});
  SmallVector<Value> pieces;         // [rows, entries of length n], n ascending
  SmallVector<int64_t> pieceEntries; // the pool entry numbers, in that order
  int64_t entry = 0;
  for (int64_t len = 1; len <= (int64_t)counts.size(); ++len) {
    int64_t begin = counts[len - 1];
    int64_t end = len < (int64_t)counts.size() ? counts[len] : pool.size();
    if (begin < 0 || end < begin || end > (int64_t)pool.size() || (end - begin) % len)
      return n.error("ngram_counts do not split pool_int64s into whole n-grams");
    int64_t grams = (end - begin) / len;
    if (len < minGram || len > maxGram || grams == 0) {
      entry += grams;
      continue;
    }
    if (entry + grams > (int64_t)indexes.size())
      return n.error("ngram_indexes has fewer entries than the pool has n-grams");
    Value total;
    for (int64_t skip = 0; skip <= (len == 1 ? 0 : maxSkip); ++skip) {
      int64_t starts = columns - (len - 1) * (skip + 1);
      if (starts <= 0)
        break;
      Value match;
      for (int64_t j = 0; j < len; ++j) {
        Value tokens = n.create<SliceOp>(x, n.builder.getDenseI64ArrayAttr({0, j * (skip + 1)}),
                                         n.builder.getDenseI64ArrayAttr({rows, starts}),
                                         n.builder.getDenseI64ArrayAttr({1, 1}));
        SmallVector<Attribute> column;
        for (int64_t g = 0; g < grams; ++g)
          column.push_back(IntegerAttr::get(elt, pool[begin + g * len + j]));
        Value wanted = ConstantOp::create(
            n.builder, n.loc, DenseElementsAttr::get(RankedTensorType::get({grams}, elt), column));
        Value eq = n.create<EqualOp>(n.reshape(tokens, {rows, starts, 1}), wanted);
        match = match ? n.create<AndOp>(match, eq) : eq;
      }
      Value found = n.create<CastOp>(RankedTensorType::get({rows, starts, grams}, f32), match);
      Value sum = n.create<ReduceSumOp>(found, n.builder.getDenseI64ArrayAttr({1}),
                                        n.builder.getBoolAttr(false));
      total = total ? n.create<AddOp>(total, sum) : sum;
    }
    if (!total)
      total = n.create<BroadcastOp>(RankedTensorType::get({rows, grams}, f32),
                                    n.scalarConstant(f32, 0.0));
    pieces.push_back(total);
    for (int64_t g = 0; g < grams; ++g)
      pieceEntries.push_back(entry + g);
    entry += grams;
  }

  Value y;
  auto outType = RankedTensorType::get({rows, outputs}, f32);
  if (pieces.empty()) {
    y = n.create<BroadcastOp>(outType, n.scalarConstant(f32, 0.0));
  } else {
    Value all = pieces.size() == 1 ? pieces.front()
                                   : n.create<ConcatOp>(pieces, n.builder.getI64IntegerAttr(1));
    int64_t used = pieceEntries.size();
    SmallVector<float> slots(used * outputs, 0.0f);
    for (auto [p, e] : llvm::enumerate(pieceEntries)) {
      if (indexes[e] < 0)
        return n.error("ngram_indexes holds a negative index");
      slots[p * outputs + indexes[e]] = 1.0f;
    }
    Value oneHot = ConstantOp::create(
        n.builder, n.loc,
        DenseElementsAttr::get(RankedTensorType::get({used, outputs}, f32), ArrayRef(slots)));
    y = n.create<MatmulOp>(all, oneHot);
  }
  if (mode != "TF") {
    if (mode == "IDF")
      y = n.create<CastOp>(
          outType,
          n.create<CastOp>(RankedTensorType::get({rows, outputs}, n.builder.getI1Type()), y));
    if (!weights.empty()) {
      if ((int64_t)weights.size() < outputs)
        return n.error("weights needs an entry per output slot (" + Twine(outputs) + ")");
      SmallVector<float> w(weights.begin(), weights.begin() + outputs);
      y = n.create<MulOp>(
          y, ConstantOp::create(
                 n.builder, n.loc,
                 DenseElementsAttr::get(RankedTensorType::get({outputs}, f32), ArrayRef(w))));
    }
  }
  n.setResult(0, rank == 1 ? n.reshape(y, {outputs}) : y);
  return success();
}

} // namespace

void registerTextOps(OpRegistry &r) { r["TfIdfVectorizer"] = importTfIdfVectorizer; }

} // namespace kiln::onnx_import
