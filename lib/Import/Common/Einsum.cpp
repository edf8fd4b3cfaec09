//===- Einsum.cpp - Einsum as reductions and batched matmuls ----*- C++ -*-===//
//
// Einsum as reductions, transposes, reshapes and batched matmuls, for both
// front ends. Operands are contracted left to right; for each pair,
// letters found in one operand only and needed nowhere later are summed
// away first, then the operands are arranged as [batch, free, contracted]
// x [batch, contracted, free], multiplied with kiln.matmul, and the result
// is laid out in the order the next step (or the output) wants. Ellipses
// stand for letters of their own, aligned from the right. A letter repeated
// within one operand takes that operand's diagonal first (a strided slice
// of the two axes flattened).
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/Einsum.h"

#include <map>

using namespace mlir;

namespace kiln {
namespace {

/// A value with one letter per dimension.
struct Term {
  Value value;
  std::string letters;
};

class EinsumImporter {
public:
  EinsumImporter(CheckedBuilder &n, StringRef equation, ArrayRef<Value> operands)
      : n(n), equation(equation), operands(operands) {}
  FailureOr<Value> run();

private:
  ArrayRef<int64_t> shape(const Term &t) {
    return cast<RankedTensorType>(t.value.getType()).getShape();
  }
  /// Takes the diagonal over every letter `t` repeats: the two axes moved
  /// last, flattened, and read with a stride of n + 1.
  FailureOr<Term> diagonals(Term t);
  /// Sums away the letters of `t` not in `keep`.
  Term reduce(Term t, StringRef keep);
  /// Transposes `t` so that its letters read `order`.
  Term arrange(Term t, StringRef order);
  /// Contracts a and b into a term holding the letters in `keep`.
  FailureOr<Term> contract(Term a, Term b, StringRef keep);

  CheckedBuilder &n;
  StringRef equation;
  ArrayRef<Value> operands;
};

Term EinsumImporter::reduce(Term t, StringRef keep) {
  SmallVector<int64_t> axes;
  std::string rest;
  for (auto [i, c] : llvm::enumerate(t.letters)) {
    if (keep.contains(c))
      rest.push_back(c);
    else
      axes.push_back(i);
  }
  if (axes.empty())
    return t;
  Value v = n.create<ReduceSumOp>(t.value, n.builder.getDenseI64ArrayAttr(axes),
                                  n.builder.getBoolAttr(false));
  return {v, rest};
}

Term EinsumImporter::arrange(Term t, StringRef order) {
  if (t.letters == order)
    return t;
  SmallVector<int64_t> perm;
  for (char c : order)
    perm.push_back(t.letters.find(c));
  return {n.create<TransposeOp>(t.value, n.builder.getDenseI64ArrayAttr(perm)), order.str()};
}

FailureOr<Term> EinsumImporter::contract(Term a, Term b, StringRef keep) {
  // Letters only one side has, and that nothing later needs, go first.
  a = reduce(a, (b.letters + keep).str());
  b = reduce(b, (a.letters + keep).str());
  std::string batch, left, right, summed;
  for (char c : a.letters) {
    bool inB = b.letters.find(c) != std::string::npos, kept = keep.contains(c);
    if (inB && kept)
      batch.push_back(c);
    else if (inB)
      summed.push_back(c);
    else
      left.push_back(c);
  }
  for (char c : b.letters)
    if (a.letters.find(c) == std::string::npos)
      right.push_back(c);
  auto sizeOf = [&](const Term &t, char c) { return shape(t)[t.letters.find(c)]; };
  for (char c : batch + summed) {
    if (sizeOf(a, c) != sizeOf(b, c)) {
      (void)n.unsupported("Einsum with broadcast dimension '" + std::string(1, c) + "'");
      return failure();
    }
  }
  auto product = [&](const Term &t, StringRef letters) {
    int64_t p = 1;
    for (char c : letters)
      p *= sizeOf(t, c);
    return p;
  };
  int64_t B = product(a, batch), L = product(a, left), K = product(a, summed),
          R = product(b, right);
  Term ta = arrange(a, batch + left + summed), tb = arrange(b, batch + summed + right);
  Value lhs = n.reshape(ta.value, {B, L, K}), rhs = n.reshape(tb.value, {B, K, R});
  Value product3 = n.create<MatmulOp>(lhs, rhs);
  SmallVector<int64_t> dims;
  for (char c : batch)
    dims.push_back(sizeOf(a, c));
  for (char c : left)
    dims.push_back(sizeOf(a, c));
  for (char c : right)
    dims.push_back(sizeOf(b, c));
  return Term{n.reshape(product3, dims), batch + left + right};
}

FailureOr<Term> EinsumImporter::diagonals(Term t) {
  for (;;) {
    size_t p = 0, q = std::string::npos;
    for (; p < t.letters.size() && q == std::string::npos; ++p)
      q = t.letters.find(t.letters[p], p + 1);
    if (q == std::string::npos)
      return t;
    --p;
    ArrayRef<int64_t> s = shape(t);
    int64_t size = s[p], rank = s.size();
    if (s[q] != size)
      return (void)n.error("index '" + std::string(1, t.letters[p]) + "' has sizes " + Twine(size) +
                           " and " + Twine(s[q]) + " in one operand"),
             failure();
    SmallVector<int64_t> perm, rest;
    std::string letters;
    for (int64_t d = 0; d < rank; ++d)
      if (d != (int64_t)p && d != (int64_t)q) {
        perm.push_back(d);
        rest.push_back(s[d]);
        letters.push_back(t.letters[d]);
      }
    perm.append({(int64_t)p, (int64_t)q});
    Value v = n.transpose(t.value, perm);
    SmallVector<int64_t> flat(rest), offsets(rank - 1, 0), strides(rank - 1, 1);
    flat.push_back(size * size);
    strides.back() = size + 1;
    SmallVector<int64_t> sizes(rest);
    sizes.push_back(size);
    v = n.slice(n.reshape(v, flat), offsets, sizes, strides);
    letters.push_back(t.letters[p]);
    t = {v, letters};
  }
}

FailureOr<Value> EinsumImporter::run() {
  std::string equation;
  for (char c : this->equation)
    if (c != ' ')
      equation.push_back(c);
  size_t arrow = equation.find("->");
  std::string lhs = equation.substr(0, arrow);
  std::optional<std::string> out;
  if (arrow != std::string::npos)
    out = equation.substr(arrow + 2);
  SmallVector<StringRef> specs;
  StringRef(lhs).split(specs, ',');
  if ((unsigned)specs.size() != operands.size())
    return (void)n.error("the equation names " + Twine(specs.size()) + " operands, not " +
                         Twine(operands.size())),
           failure();
  // Expand ellipses into letters of their own ('A', 'B', ...), right-aligned.
  int64_t ellipsisRank = 0;
  SmallVector<Term> terms;
  for (auto [i, spec] : llvm::enumerate(specs)) {
    int64_t rank = cast<RankedTensorType>(operands[i].getType()).getRank();
    std::string letters = spec.str();
    size_t dots = letters.find("...");
    if (dots != std::string::npos)
      ellipsisRank = std::max<int64_t>(ellipsisRank, rank - (int64_t)(letters.size() - 3));
    terms.push_back({operands[i], letters});
  }
  auto ellipsisLetters = [&](int64_t count) {
    std::string s;
    for (int64_t i = ellipsisRank - count; i < ellipsisRank; ++i)
      s.push_back('A' + i);
    return s;
  };
  for (auto [i, t] : llvm::enumerate(terms)) {
    int64_t rank = cast<RankedTensorType>(operands[i].getType()).getRank();
    size_t dots = t.letters.find("...");
    if (dots != std::string::npos)
      t.letters.replace(dots, 3, ellipsisLetters(rank - (int64_t)(t.letters.size() - 3)));
    if ((int64_t)t.letters.size() != rank)
      return (void)n.error("operand " + Twine(i) + " has rank " + Twine(rank) + " but '" +
                           specs[i] + "' in the equation"),
             failure();
    if (!isa<FloatType>(cast<RankedTensorType>(operands[i].getType()).getElementType()))
      return (void)n.unsupported("Einsum of integers"), failure();
  }
  std::string output;
  if (out) {
    output = *out;
    size_t dots = output.find("...");
    if (dots != std::string::npos)
      output.replace(dots, 3, ellipsisLetters(ellipsisRank));
  } else {
    // Implicit output: the ellipsis, then the letters used once, sorted.
    std::map<char, int> uses;
    for (const Term &t : terms)
      for (char c : t.letters)
        ++uses[c];
    output = ellipsisLetters(ellipsisRank);
    for (auto [c, count] : uses)
      if (count == 1 && output.find(c) == std::string::npos)
        output.push_back(c);
  }
  // A letter repeated within one operand takes that operand's diagonal
  // (after the implicit output, which counts every occurrence, is known).
  for (Term &t : terms) {
    auto d = diagonals(t);
    if (failed(d))
      return failure();
    t = *d;
  }
  Term acc = terms[0];
  for (size_t i = 1; i < terms.size(); ++i) {
    std::string needed = output;
    for (size_t j = i + 1; j < terms.size(); ++j)
      needed += terms[j].letters;
    auto next = contract(acc, terms[i], needed);
    if (failed(next))
      return failure();
    acc = *next;
  }
  acc = reduce(acc, output);
  for (char c : output)
    if (acc.letters.find(c) == std::string::npos)
      return (void)n.error("output index '" + std::string(1, c) + "' appears in no operand"),
             failure();
  return arrange(acc, output).value;
}

} // namespace

FailureOr<Value> buildEinsum(CheckedBuilder &b, StringRef equation, ArrayRef<Value> operands) {
  if (operands.empty())
    return (void)b.error("Einsum needs at least one operand"), failure();
  return EinsumImporter(b, equation, operands).run();
}

} // namespace kiln
