//===- ShapeOps.cpp - ONNX shape and data-movement ops to kiln --*- C++ -*-===//
//
// Reshape, Flatten, Squeeze/Unsqueeze, Transpose, Concat, Slice, Gather,
// Pad, Expand, Cast, and the shape arithmetic (Shape, Size, Constant,
// ConstantOfShape) that static shapes resolve at compile time. Shape inputs
// must be constants by the time they are used; computed shapes fold as the
// graph is imported.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "kiln/Import/Padding.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Ops whose result is fixed by its static shape (Reshape, Squeeze,
/// Unsqueeze) import with a run-time shape operand when shape inference
/// knows the result's shape: the operand can only agree with it.
bool reshapeToInferred(NodeImporter &n) {
  auto shape = n.inferredOutputShape(0);
  RankedTensorType xType = n.inputType(0);
  if (!shape || RankedTensorType::get(*shape, xType.getElementType()).getNumElements() !=
                    xType.getNumElements())
    return false;
  n.setResult(0, n.reshape(n.input(0), *shape));
  return true;
}

LogicalResult importReshape(NodeImporter &n) {
  auto shapeValues = n.constantInts(1);
  if (!shapeValues) {
    if (reshapeToInferred(n))
      return success();
    return n.unsupportedAtRunTime({1}, "Reshape to a shape computed at run time");
  }
  RankedTensorType xType = n.inputType(0);
  bool allowZero = n.intAttr("allowzero", 0);
  SmallVector<int64_t> shape;
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*shapeValues)) {
    if (d == 0 && !allowZero) {
      if ((int64_t)i >= xType.getRank())
        return n.error("Reshape copies dimension " + Twine(i) + " that the input lacks");
      d = xType.getDimSize(i);
    }
    if (d == -1) {
      if (inferred >= 0)
        return n.error("Reshape shape has more than one -1");
      inferred = i;
      shape.push_back(1);
      continue;
    }
    if (d < 0)
      return n.error("Reshape shape has negative dimension " + Twine(d));
    if (d > 0 && known > (int64_t(1) << 40) / d)
      return n.error("Reshape to " + Twine(d) +
                     " and the other dimensions gives more elements than Kiln accepts (2^40)");
    known *= d;
    shape.push_back(d);
  }
  int64_t total = xType.getNumElements();
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return n.error("cannot infer the -1 dimension of Reshape");
    shape[inferred] = total / known;
  }
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  if (count != total)
    return n.error("Reshape of " + Twine(total) + " elements to a shape of " + Twine(count) +
                   " elements");
  n.setResult(0, n.reshape(n.input(0), shape));
  return success();
}

LogicalResult importFlatten(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  int64_t rank = xType.getRank();
  int64_t axis = n.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return n.error("Flatten axis out of range");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? outer : inner) *= xType.getDimSize(d);
  n.setResult(0, n.reshape(n.input(0), {outer, inner}));
  return success();
}

/// Axes from the `axes` input (opset >= 13) or attribute.
std::optional<SmallVector<int64_t>> axesOf(NodeImporter &n, unsigned inputIndex) {
  if (n.hasInput(inputIndex))
    return n.constantInts(inputIndex);
  return n.intsAttr("axes");
}

LogicalResult importSqueeze(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  auto axes = axesOf(n, 1);
  if (!axes) {
    if (reshapeToInferred(n))
      return success();
    return n.unsupportedAtRunTime({1}, "Squeeze axes computed at run time");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < xType.getRank(); ++d) {
    bool listed =
        llvm::any_of(*axes, [&](int64_t a) { return a == d || a + xType.getRank() == d; });
    if (axes->empty() ? xType.getDimSize(d) == 1 : listed) {
      if (xType.getDimSize(d) != 1)
        return n.error("Squeeze of dimension " + Twine(d) + " of size " +
                       Twine(xType.getDimSize(d)));
      continue;
    }
    shape.push_back(xType.getDimSize(d));
  }
  n.setResult(0, n.reshape(n.input(0), shape));
  return success();
}

LogicalResult importUnsqueeze(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  auto axes = axesOf(n, 1);
  if (!axes) {
    if (reshapeToInferred(n))
      return success();
    return n.unsupportedAtRunTime({1}, "Unsqueeze axes computed at run time");
  }
  int64_t outRank = xType.getRank() + axes->size();
  SmallVector<bool> isNew(outRank, false);
  for (int64_t a : *axes) {
    int64_t axis = a < 0 ? a + outRank : a;
    if (axis < 0 || axis >= outRank || isNew[axis])
      return n.error("Unsqueeze axis " + Twine(a) + " is out of range or repeated");
    isNew[axis] = true;
  }
  SmallVector<int64_t> shape;
  int64_t src = 0;
  for (int64_t d = 0; d < outRank; ++d)
    shape.push_back(isNew[d] ? 1 : xType.getDimSize(src++));
  n.setResult(0, n.reshape(n.input(0), shape));
  return success();
}

LogicalResult importTranspose(NodeImporter &n) {
  int64_t rank = n.inputType(0).getRank();
  SmallVector<int64_t> perm = n.intsAttr("perm");
  if (perm.empty())
    perm = llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
  if ((int64_t)perm.size() != rank)
    return n.error("Transpose perm has " + Twine(perm.size()) + " entries for rank " + Twine(rank));
  llvm::SmallVector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return n.error("Transpose perm is not a permutation");
    seen[p] = true;
  }
  n.setResult(0, n.create<TransposeOp>(n.input(0), n.builder.getDenseI64ArrayAttr(perm)));
  return success();
}

/// Row-major strides of a shape.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

LogicalResult importConcat(NodeImporter &n) {
  int64_t rank = n.inputType(0).getRank();
  auto axis = n.normalizeAxis(n.intAttr("axis", 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<Value> inputs;
  SmallVector<DenseElementsAttr> constants;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    if (!n.hasInput(i))
      continue;
    if (n.inputType(i).getNumElements() == 0)
      continue; // empty pieces contribute nothing
    RankedTensorType t = n.inputType(i), first = n.inputType(0);
    if (t.getRank() != rank || t.getElementType() != first.getElementType())
      return n.error("Concat inputs differ in rank or element type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && t.getDimSize(d) != first.getDimSize(d))
        return n.error("Concat inputs differ in dimension " + Twine(d));
    inputs.push_back(n.input(i));
    if (auto c = n.constantInput(i))
      constants.push_back(*c);
  }
  if (inputs.empty()) {
    n.setResult(0, n.input(0));
    return success();
  }
  Value y = n.create<ConcatOp>(inputs, n.builder.getI64IntegerAttr(*axis));
  // Shape arithmetic: concatenations of constants fold right away.
  auto type = cast<RankedTensorType>(y.getType());
  if (constants.size() == inputs.size() && type.getNumElements() <= 4096) {
    SmallVector<Attribute> out(type.getNumElements());
    SmallVector<int64_t> outStrides = stridesOf(type.getShape());
    int64_t offset = 0;
    for (DenseElementsAttr c : constants) {
      auto shape = c.getType().getShape();
      SmallVector<int64_t> strides = stridesOf(shape);
      auto values = llvm::to_vector(c.getValues<Attribute>());
      for (int64_t linear = 0; linear < (int64_t)values.size(); ++linear) {
        int64_t dst = 0;
        for (size_t d = 0; d < shape.size(); ++d) {
          int64_t idx = (linear / strides[d]) % shape[d];
          dst += (d == (size_t)*axis ? idx + offset : idx) * outStrides[d];
        }
        out[dst] = values[linear];
      }
      offset += shape[*axis];
    }
    y = ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(type, out));
  }
  n.setResult(0, y);
  return success();
}

LogicalResult importSlice(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  int64_t rank = xType.getRank();
  std::optional<SmallVector<int64_t>> starts, ends, axes, steps;
  if (n.getOpset() < 10) {
    starts = n.intsAttr("starts");
    ends = n.intsAttr("ends");
    axes = n.intsAttr("axes");
  } else {
    starts = n.constantInts(1);
    ends = n.constantInts(2);
    axes = n.hasInput(3) ? n.constantInts(3) : SmallVector<int64_t>{};
    steps = n.hasInput(4) ? n.constantInts(4) : SmallVector<int64_t>{};
  }
  if (!starts || !ends || !axes || (n.getOpset() >= 10 && !steps))
    return n.unsupportedAtRunTime({1, 2, 3, 4}, "Slice bounds computed at run time");
  if (axes->empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts->size()));
  if (!steps || steps->empty())
    steps = SmallVector<int64_t>(starts->size(), 1);
  if (ends->size() != starts->size() || axes->size() != starts->size() ||
      steps->size() != starts->size())
    return n.error("Slice starts, ends, axes and steps differ in length");
  SmallVector<int64_t> offsets(rank, 0), sizes(xType.getShape()), strides(rank, 1);
  // Negative steps become gathers of the explicit index lists, after the
  // positive-step slice.
  SmallVector<std::pair<int64_t, SmallVector<int64_t>>> reversed;
  for (size_t i = 0; i < starts->size(); ++i) {
    auto axis = n.normalizeAxis((*axes)[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = xType.getDimSize(*axis), step = (*steps)[i];
    if (step == 0)
      return n.error("Slice step is zero");
    if (step < 0) {
      int64_t start = (*starts)[i], end = (*ends)[i];
      if (start < 0)
        start += dim;
      if (end < 0)
        end += dim;
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      SmallVector<int64_t> indices;
      for (int64_t k = start; k > end; k += step)
        indices.push_back(k);
      if (indices.empty()) {
        offsets[*axis] = 0;
        sizes[*axis] = 0;
        continue;
      }
      reversed.push_back({*axis, indices});
      // Recorded as a negative stride for constant folding below.
      offsets[*axis] = start;
      sizes[*axis] = indices.size();
      strides[*axis] = step;
      continue;
    }
    int64_t start = (*starts)[i], end = (*ends)[i];
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    offsets[*axis] = start;
    sizes[*axis] = end > start ? (end - start + step - 1) / step : 0;
    strides[*axis] = step;
    if (sizes[*axis] == 0)
      offsets[*axis] = 0;
  }
  auto &b = n.builder;
  if (llvm::is_contained(sizes, 0)) {
    // An empty result is the same whatever the input: a constant, which
    // shape arithmetic (Concat of an empty prefix, say) consumes at compile
    // time. Kiln has no empty tensors at run time.
    auto type = RankedTensorType::get(sizes, xType.getElementType());
    n.setResult(0, ConstantOp::create(n.builder, n.loc,
                                      DenseElementsAttr::get(type, ArrayRef<Attribute>{})));
    return success();
  }
  auto constantInput = n.constantInput(0);
  if (!reversed.empty() && !(constantInput && constantInput->getNumElements() <= 4096)) {
    for (auto &[axis, indices] : reversed) {
      offsets[axis] = 0;
      sizes[axis] = xType.getDimSize(axis);
      strides[axis] = 1;
    }
    Value y = n.input(0);
    if (llvm::any_of(llvm::seq<int64_t>(0, rank), [&](int64_t d) {
          return offsets[d] != 0 || sizes[d] != xType.getDimSize(d) || strides[d] != 1;
        }))
      y = n.create<SliceOp>(y, b.getDenseI64ArrayAttr(offsets), b.getDenseI64ArrayAttr(sizes),
                            b.getDenseI64ArrayAttr(strides));
    for (auto &[axis, indices] : reversed)
      y = n.create<GatherOp>(y, n.intConstant(indices, {(int64_t)indices.size()}),
                             b.getI64IntegerAttr(axis));
    n.setResult(0, y);
    return success();
  }
  // Shape arithmetic: slices of small constants fold right away.
  if (auto c = constantInput; c && c->getNumElements() <= 4096) {
    auto type = RankedTensorType::get(sizes, xType.getElementType());
    SmallVector<int64_t> inStrides = stridesOf(xType.getShape());
    SmallVector<int64_t> outStrides = stridesOf(sizes);
    auto values = llvm::to_vector(c->getValues<Attribute>());
    SmallVector<Attribute> out(type.getNumElements());
    for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
      int64_t src = 0;
      for (int64_t d = 0; d < rank; ++d)
        src += (offsets[d] + ((linear / outStrides[d]) % sizes[d]) * strides[d]) * inStrides[d];
      out[linear] = values[src];
    }
    n.setResult(0, ConstantOp::create(b, n.loc, DenseElementsAttr::get(type, out)));
    return success();
  }
  n.setResult(0, n.create<SliceOp>(n.input(0), b.getDenseI64ArrayAttr(offsets),
                                   b.getDenseI64ArrayAttr(sizes), b.getDenseI64ArrayAttr(strides)));
  return success();
}

/// Split: consecutive slices along `axis`, sized by the `split` input
/// (opset 13+) or attribute, or equal parts, one per output; from opset 18,
/// `num_outputs` parts of ceil(size / num_outputs), the last one smaller.
LogicalResult importSplit(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  auto axis = n.normalizeAxis(n.intAttr("axis", 0), xType.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = xType.getDimSize(*axis);
  int64_t outputs = n.node.output_size();
  std::optional<SmallVector<int64_t>> split;
  if (n.getOpset() >= 13)
    split = n.hasInput(1) ? n.constantInts(1) : SmallVector<int64_t>{};
  else
    split = n.intsAttr("split");
  if (!split) {
    // Sizes known only at run time: the outputs' static shapes (inferred,
    // or declared by the model) are the sizes, which the run-time values
    // must match for the model to be valid at all.
    split.emplace();
    for (int64_t i = 0; i < outputs && split; ++i) {
      auto shape = n.inferredOutputShape(i);
      if (shape && (int64_t)shape->size() == xType.getRank())
        split->push_back((*shape)[*axis]);
      else
        split.reset();
    }
    if (!split)
      return n.unsupportedAtRunTime({1}, "Split sizes computed at run time");
  }
  if (const onnx::AttributeProto *numOutputs = n.attr("num_outputs");
      numOutputs && n.getOpset() >= 18) {
    if (!split->empty())
      return n.error("Split has both the split input and num_outputs");
    int64_t parts = numOutputs->i();
    if (parts != outputs)
      return n.error("Split has " + Twine(outputs) + " outputs but num_outputs is " + Twine(parts));
    if (parts > dim)
      return n.error("Split of axis " + Twine(*axis) + " of size " + Twine(dim) + " into " +
                     Twine(parts) + " parts leaves a part empty");
    int64_t part = (dim + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i)
      split->push_back(std::max<int64_t>(0, std::min(part, dim - part * i)));
  }
  if (split->empty()) {
    if (dim % outputs != 0)
      return n.error("axis " + Twine(*axis) + " of size " + Twine(dim) + " does not split into " +
                     Twine(outputs) + " equal parts");
    split = SmallVector<int64_t>(outputs, dim / outputs);
  }
  if ((int64_t)split->size() != outputs)
    return n.error("Split gives " + Twine(split->size()) + " sizes for " + Twine(outputs) +
                   " outputs");
  int64_t total = 0;
  for (int64_t s : *split) {
    if (s < 0)
      return n.error("Split size " + Twine(s) + " is negative");
    total += s;
  }
  if (total != dim)
    return n.error("Split sizes add up to " + Twine(total) + ", not the axis size " + Twine(dim));
  auto &b = n.builder;
  SmallVector<int64_t> offsets(xType.getRank(), 0), sizes(xType.getShape()),
      strides(xType.getRank(), 1);
  for (int64_t i = 0; i < outputs; ++i) {
    sizes[*axis] = (*split)[i];
    if (sizes[*axis] == 0) {
      // An empty part is a constant (Kiln has no empty tensors at run time).
      auto type = RankedTensorType::get(sizes, xType.getElementType());
      n.setResult(i, ConstantOp::create(n.builder, n.loc,
                                        DenseElementsAttr::get(type, ArrayRef<Attribute>{})));
    } else if (sizes[*axis] == dim) {
      n.setResult(i, n.input(0));
    } else {
      n.setResult(i, n.create<SliceOp>(n.input(0), b.getDenseI64ArrayAttr(offsets),
                                       b.getDenseI64ArrayAttr(sizes),
                                       b.getDenseI64ArrayAttr(strides)));
    }
    offsets[*axis] += sizes[*axis];
  }
  return success();
}

LogicalResult importGather(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  auto axis = n.normalizeAxis(n.intAttr("axis", 0), xType.getRank());
  if (failed(axis))
    return failure();
  Value y = n.create<GatherOp>(n.input(0), n.input(1), n.builder.getI64IntegerAttr(*axis));
  // Shape arithmetic: gathers from small constants fold right away.
  auto data = n.constantInput(0);
  auto indices = n.constantInts(1);
  auto type = cast<RankedTensorType>(y.getType());
  if (data && indices && type.getNumElements() <= 4096) {
    ArrayRef<int64_t> inShape = xType.getShape();
    int64_t dim = inShape[*axis];
    int64_t inner = 1, outer = 1;
    for (int64_t d = *axis + 1; d < xType.getRank(); ++d)
      inner *= inShape[d];
    for (int64_t d = 0; d < *axis; ++d)
      outer *= inShape[d];
    auto values = llvm::to_vector(data->getValues<Attribute>());
    SmallVector<Attribute> out;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t idx : *indices) {
        if (idx < -dim || idx >= dim)
          return n.error("Gather index " + Twine(idx) + " is out of range for extent " +
                         Twine(dim));
        int64_t i = idx < 0 ? idx + dim : idx;
        for (int64_t k = 0; k < inner; ++k)
          out.push_back(values[(o * dim + i) * inner + k]);
      }
    y = ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(type, out));
  }
  n.setResult(0, y);
  return success();
}

/// Pad: constant mode is kiln.pad; reflect, edge and wrap (opset 19) are
/// one gather per padded axis with the source index of every output
/// position. Negative pads crop (a slice) first. From opset 18 the pads may
/// cover only the axes listed in input 3.
LogicalResult importPad(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  int64_t rank = xType.getRank();
  std::string mode = n.stringAttr("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      !(mode == "wrap" && n.getOpset() >= 19))
    return n.unsupported("Pad mode '" + mode + "'");
  std::optional<SmallVector<int64_t>> pads =
      n.getOpset() < 11 ? std::optional(n.intsAttr("pads")) : n.constantInts(1);
  if (!pads)
    return n.unsupportedAtRunTime({1, 3}, "Pad amounts computed at run time");
  if (n.getOpset() >= 18 && n.hasInput(3)) {
    auto axes = n.constantInts(3);
    if (!axes)
      return n.unsupportedAtRunTime({3}, "Pad axes computed at run time");
    if (pads->size() != 2 * axes->size())
      return n.error("Pad needs " + Twine(2 * axes->size()) + " pads for its " +
                     Twine(axes->size()) + " axes, got " + Twine(pads->size()));
    SmallVector<int64_t> full(2 * rank, 0);
    SmallVector<bool> seen(rank, false);
    for (auto [i, a] : llvm::enumerate(*axes)) {
      auto axis = n.normalizeAxis(a, rank);
      if (failed(axis))
        return failure();
      if (seen[*axis])
        return n.error("Pad axes list axis " + Twine(*axis) + " twice");
      seen[*axis] = true;
      full[*axis] = (*pads)[i];
      full[*axis + rank] = (*pads)[i + axes->size()];
    }
    pads = full;
  }
  if ((int64_t)pads->size() != 2 * rank)
    return n.error("Pad needs " + Twine(2 * rank) + " pads, got " + Twine(pads->size()));
  double value = n.getOpset() < 11 ? n.floatAttr("value", 0.0f) : 0.0;
  if (n.hasInput(2) && mode == "constant") {
    auto c = n.constantInput(2);
    if (!c || c->getNumElements() != 1)
      return n.unsupportedAtRunTime({2}, "Pad value computed at run time");
    Attribute v = *c->getValues<Attribute>().begin();
    if (auto f = dyn_cast<FloatAttr>(v))
      value = f.getValueAsDouble();
    else
      value = (double)cast<IntegerAttr>(v).getInt();
  }
  FailureOr<Value> y = buildPad(n, n.input(0), *pads, mode, value);
  if (failed(y))
    return failure();
  n.setResult(0, *y);
  return success();
}

/// CenterCropPad (opset 18): each listed axis cropped to, or zero-padded
/// to, its size in input 1, centered (the extra element of an odd
/// difference goes to the end).
LogicalResult importCenterCropPad(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  int64_t rank = xType.getRank();
  auto sizes = n.constantInts(1);
  if (!sizes)
    return n.unsupportedAtRunTime({1}, "CenterCropPad shape computed at run time");
  SmallVector<int64_t> axes = n.intsAttr("axes", llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  if (sizes->size() != axes.size())
    return n.error("CenterCropPad has " + Twine(sizes->size()) + " sizes for " +
                   Twine(axes.size()) + " axes");
  SmallVector<int64_t> offsets(rank, 0), cropped(xType.getShape()), strides(rank, 1);
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  bool crop = false, pad = false;
  for (auto [i, a] : llvm::enumerate(axes)) {
    auto axis = n.normalizeAxis(a, rank);
    if (failed(axis))
      return failure();
    int64_t d = xType.getDimSize(*axis), t = (*sizes)[i];
    if (t <= 0)
      return n.error("CenterCropPad size " + Twine(t) + " is not positive");
    if (t < d) {
      offsets[*axis] = (d - t) / 2;
      cropped[*axis] = t;
      crop = true;
    } else if (t > d) {
      low[*axis] = (t - d) / 2;
      high[*axis] = t - d - low[*axis];
      pad = true;
    }
  }
  auto &b = n.builder;
  Value x = n.input(0);
  if (crop)
    x = n.create<SliceOp>(x, b.getDenseI64ArrayAttr(offsets), b.getDenseI64ArrayAttr(cropped),
                          b.getDenseI64ArrayAttr(strides));
  if (pad)
    x = n.create<PadOp>(x, b.getDenseI64ArrayAttr(low), b.getDenseI64ArrayAttr(high),
                        b.getF64FloatAttr(0.0));
  n.setResult(0, x);
  return success();
}

/// Tile: one gather per repeated axis (index i mod size).
LogicalResult importTile(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  auto repeats = n.constantInts(1);
  if (!repeats) {
    // The inferred result shape fixes the repeat counts.
    if (auto shape = n.inferredOutputShape(0); shape && (int64_t)shape->size() == xType.getRank()) {
      repeats = SmallVector<int64_t>{};
      for (int64_t d = 0; d < xType.getRank(); ++d) {
        if ((*shape)[d] % xType.getDimSize(d) != 0) {
          repeats.reset();
          break;
        }
        repeats->push_back((*shape)[d] / xType.getDimSize(d));
      }
    }
  }
  if (!repeats)
    return n.unsupportedAtRunTime({1}, "Tile repeats computed at run time");
  if ((int64_t)repeats->size() != xType.getRank())
    return n.error("Tile needs one repeat count per axis");
  Value x = n.input(0);
  for (int64_t d = 0; d < xType.getRank(); ++d) {
    int64_t r = (*repeats)[d], size = xType.getDimSize(d);
    if (r < 0)
      return n.error("Tile repeat " + Twine(r) + " is negative");
    if (r == 0)
      return n.unsupported("Tile producing an empty tensor");
    if (r == 1)
      continue;
    SmallVector<int64_t> indices;
    for (int64_t i = 0; i < r * size; ++i)
      indices.push_back(i % size);
    x = n.create<GatherOp>(x, n.intConstant(indices, {r * size}), n.builder.getI64IntegerAttr(d));
  }
  n.setResult(0, x);
  return success();
}

LogicalResult importExpand(NodeImporter &n) {
  auto shape = n.constantInts(1);
  if (!shape)
    shape = n.inferredOutputShape(0); // the run-time shape must broadcast to it
  if (!shape)
    return n.unsupportedAtRunTime({1}, "Expand to a shape computed at run time");
  RankedTensorType xType = n.inputType(0);
  auto result = broadcastShapes(xType.getShape(), *shape);
  if (!result)
    return n.error("Expand shape does not broadcast with the input");
  n.setResult(
      0, n.create<BroadcastOp>(RankedTensorType::get(*result, xType.getElementType()), n.input(0)));
  return success();
}

LogicalResult importCast(NodeImporter &n) {
  Type elt = convertONNXElementType(n.getContext(), n.intAttr("to", 0));
  if (!elt)
    return n.unsupported("Cast to element type " + Twine(n.intAttr("to", 0)));
  RankedTensorType xType = n.inputType(0);
  auto type = RankedTensorType::get(xType.getShape(), elt);
  if (auto c = n.constantInts(0);
      c && !n.inputIsUnsigned(0) && isa<IntegerType>(elt) && elt.getIntOrFloatBitWidth() > 1) {
    SmallVector<APInt> values;
    for (int64_t v : *c)
      values.emplace_back(elt.getIntOrFloatBitWidth(), (uint64_t)v, true, true);
    n.setResult(0, ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(type, values)));
    return success();
  }
  // To a float8 type, out-of-range values saturate unless `saturate` is 0.
  n.setResult(0,
              n.convert(n.input(0), n.inputIsUnsigned(0), elt,
                        isUnsignedONNXElementType(n.intAttr("to", 0)), n.intAttr("saturate", 1)));
  return success();
}

LogicalResult importCastLike(NodeImporter &n) {
  Type elt = n.inputType(1).getElementType();
  n.setResult(0, n.convert(n.input(0), n.inputIsUnsigned(0), elt, n.inputIsUnsigned(1),
                           n.intAttr("saturate", 1)));
  return success();
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth: a reshape to rank 6, a
/// transpose and a reshape back.
template <bool ToSpace> LogicalResult importSpaceDepth(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (type.getRank() != 4)
    return n.error("the input must be N x C x H x W");
  int64_t b = n.intAttr("blocksize", 0);
  if (b <= 0)
    return n.error("blocksize must be positive");
  int64_t N = type.getDimSize(0), C = type.getDimSize(1), H = type.getDimSize(2),
          W = type.getDimSize(3);
  SmallVector<int64_t> split, perm, result;
  if (ToSpace) {
    if (C % (b * b) != 0)
      return n.error("channels " + Twine(C) + " are not a multiple of blocksize^2");
    bool crd = n.stringAttr("mode", "DCR") == "CRD";
    if (crd) {
      split = {N, C / (b * b), b, b, H, W};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      split = {N, b, b, C / (b * b), H, W};
      perm = {0, 3, 4, 1, 5, 2};
    }
    result = {N, C / (b * b), H * b, W * b};
  } else {
    if (H % b != 0 || W % b != 0)
      return n.error("height and width must be multiples of blocksize");
    split = {N, C, H / b, b, W / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    result = {N, C * b * b, H / b, W / b};
  }
  Value v = n.reshape(n.input(0), split);
  v = n.create<TransposeOp>(v, n.builder.getDenseI64ArrayAttr(perm));
  n.setResult(0, n.reshape(v, result));
  return success();
}

LogicalResult importShape(NodeImporter &n) {
  ArrayRef<int64_t> shape = n.inputType(0).getShape();
  int64_t rank = shape.size();
  int64_t start = n.intAttr("start", 0), end = n.intAttr("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  SmallVector<int64_t> dims(shape.begin() + start, shape.begin() + end);
  n.setResult(0, n.intConstant(dims, {(int64_t)dims.size()}));
  return success();
}

LogicalResult importSize(NodeImporter &n) {
  n.setResult(0, n.intConstant({n.inputType(0).getNumElements()}, {}));
  return success();
}

LogicalResult importConstant(NodeImporter &n) {
  auto &b = n.builder;
  if (const auto *a = n.attr("value")) {
    auto attr =
        convertTensorProto(n.getContext(), a->t(), [&](const Twine &msg) { (void)n.error(msg); });
    if (failed(attr))
      return failure();
    n.setResult(0, ConstantOp::create(b, n.loc, *attr));
    return success();
  }
  if (const auto *a = n.attr("value_float")) {
    n.setResult(0, n.scalarConstant(b.getF32Type(), a->f()));
    return success();
  }
  if (const auto *a = n.attr("value_int")) {
    n.setResult(0, n.intConstant({a->i()}, {}));
    return success();
  }
  if (const auto *a = n.attr("value_ints")) {
    SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
    n.setResult(0, n.intConstant(v, {(int64_t)v.size()}));
    return success();
  }
  if (const auto *a = n.attr("value_floats")) {
    SmallVector<float> v(a->floats().begin(), a->floats().end());
    auto type = RankedTensorType::get({(int64_t)v.size()}, b.getF32Type());
    n.setResult(0, ConstantOp::create(b, n.loc, DenseElementsAttr::get(type, ArrayRef<float>(v))));
    return success();
  }
  return n.unsupported("Constant without a tensor, float or int value");
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  auto shape = n.constantInts(0);
  if (!shape)
    shape = n.inferredOutputShape(0);
  if (!shape)
    return n.unsupportedAtRunTime({0}, "ConstantOfShape with a shape computed at run time");
  DenseElementsAttr value;
  if (const auto *a = n.attr("value")) {
    auto attr =
        convertTensorProto(n.getContext(), a->t(), [&](const Twine &msg) { (void)n.error(msg); });
    if (failed(attr))
      return failure();
    value = *attr;
  } else {
    value = DenseElementsAttr::get(RankedTensorType::get({1}, n.builder.getF32Type()), 0.0f);
  }
  auto type = RankedTensorType::get(*shape, value.getElementType());
  n.setResult(
      0, ConstantOp::create(n.builder, n.loc,
                            DenseElementsAttr::get(type, *value.getValues<Attribute>().begin())));
  return success();
}

} // namespace

void registerShapeOps(OpRegistry &r) {
  r["Reshape"] = importReshape;
  r["CenterCropPad"] = importCenterCropPad;
  r["Flatten"] = importFlatten;
  r["Squeeze"] = importSqueeze;
  r["Unsqueeze"] = importUnsqueeze;
  r["Transpose"] = importTranspose;
  r["Concat"] = importConcat;
  r["Slice"] = importSlice;
  r["Split"] = importSplit;
  r["Gather"] = importGather;
  r["Pad"] = importPad;
  r["Tile"] = importTile;
  r["Expand"] = importExpand;
  r["Cast"] = importCast;
  r["CastLike"] = importCastLike;
  r["DepthToSpace"] = importSpaceDepth<true>;
  r["SpaceToDepth"] = importSpaceDepth<false>;
  r["Shape"] = importShape;
  r["Size"] = importSize;
  r["Constant"] = importConstant;
  r["ConstantOfShape"] = importConstantOfShape;
}

} // namespace kiln::onnx_import
