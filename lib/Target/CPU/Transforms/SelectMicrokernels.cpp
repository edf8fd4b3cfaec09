//===- SelectMicrokernels.cpp - Contractions to CPU microkernels -*- C++ -*-===//
//
// The kiln-select-microkernels pass: f32 convolutions and matrix products,
// with the bias, residual add and activation that follow them, become
// kiln_cpu.microkernel ops; constant weights are packed into the kernels'
// blocked layout here, at compile time.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/Microkernels.h"
#include "kiln/Target/CPU/Transforms/Passes.h"

#include "kiln/IR/KilnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include <limits>

namespace kiln {
#define GEN_PASS_DEF_SELECTMICROKERNELSPASS
#include "kiln/Target/CPU/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The ops after a contraction that the kernel computes in its epilogue.
struct Epilogue {
  Value bias, residual;
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  bool silu = false;            ///< x * sigmoid(x) after the clamp
  SmallVector<Operation *> ops; ///< in order; the last one's result is replaced
};

/// `x * sigmoid(x)` (SiLU) on `x`, when those are x's only two uses:
/// returns the sigmoid and the multiply.
std::optional<std::pair<Operation *, Operation *>> matchSilu(Value x) {
  SmallVector<Operation *> users(x.getUsers());
  if (users.size() != 2 || users[0] == users[1])
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    auto sigmoid = dyn_cast<SigmoidOp>(users[i]);
    auto mul = dyn_cast<MulOp>(users[1 - i]);
    if (!sigmoid || !mul || !sigmoid->hasOneUse() || *sigmoid->getUsers().begin() != mul ||
        mul.getType() != x.getType())
      continue;
    Value s = sigmoid.getResult();
    if ((mul.getLhs() == x && mul.getRhs() == s) || (mul.getLhs() == s && mul.getRhs() == x))
      return std::make_pair(sigmoid.getOperation(), mul.getOperation());
  }
  return std::nullopt;
}

/// Follows single-use adds and a final relu, clamp or SiLU after `producer`.
/// `isBias` says whether an add's other operand is the kernel's bias.
Epilogue matchEpilogue(Operation *producer, llvm::function_ref<bool(Value)> isBias) {
  Epilogue e;
  Value current = producer->getResult(0);
  for (;;) {
    if (auto silu = matchSilu(current)) {
      e.silu = true;
      e.ops.push_back(silu->first);
      e.ops.push_back(silu->second);
      break;
    }
    if (!current.hasOneUse())
      break;
    Operation *user = *current.getUsers().begin();
    if (auto add = dyn_cast<AddOp>(user)) {
      if (add.getLhs() == add.getRhs() || add.getType() != current.getType())
        break;
      Value other = add.getLhs() == current ? add.getRhs() : add.getLhs();
      if (!e.bias && isBias(other))
        e.bias = other;
      else if (!e.residual && other.getType() == current.getType())
        e.residual = other;
      else
        break;
    } else if (isa<ReluOp>(user)) {
      e.lo = 0.0f;
    } else if (auto clamp = dyn_cast<ClampOp>(user)) {
      e.lo = (float)clamp.getMin().convertToDouble();
      e.hi = (float)clamp.getMax().convertToDouble();
    } else {
      break;
    }
    e.ops.push_back(user);
    current = user->getResult(0);
    // The activation ends the epilogue: a later add would come after it.
    if (isa<ReluOp, ClampOp>(user))
      break;
  }
  return e;
}

/// The float values of a kiln.constant, or nullopt when `value` is not one.
std::optional<std::vector<float>> constantFloats(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto values = constant.getValue().tryGetValues<float>();
  if (!values)
    return std::nullopt;
  return std::vector<float>(values->begin(), values->end());
}

/// Whether every dimension but the one at `axis` (counted from the end)
/// of `value`'s shape is 1 and that one has `extent` elements.
bool isVectorAlong(Value value, int64_t axisFromEnd, int64_t extent, int64_t maxRank) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.getElementType().isF32() || type.getRank() > maxRank ||
      type.getRank() < axisFromEnd + 1)
    return false;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t size = type.getDimSize(i);
    if (i == type.getRank() - 1 - axisFromEnd ? size != extent : size != 1)
      return false;
  }
  return true;
}

/// Packs a row-major m x k matrix into MR-row panels (Gemm.inc's A layout).
std::vector<float> packRowPanels(ArrayRef<float> a, int64_t m, int64_t k, int64_t mr) {
  int64_t panels = (m + mr - 1) / mr;
  std::vector<float> packed(panels * k * mr, 0.0f);
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t r = 0; r < mr && p * mr + r < m; ++r)
        packed[(p * k + kk) * mr + r] = a[(p * mr + r) * k + kk];
  return packed;
}

/// Packs a k x n matrix, element (kk, j) at kk*rowStride + j*colStride, into
/// NR-column panels (Gemm.inc's B layout).
std::vector<float> packColumnPanels(ArrayRef<float> b, int64_t k, int64_t n, int64_t rowStride,
                                    int64_t colStride, int64_t nr) {
  int64_t panels = (n + nr - 1) / nr;
  std::vector<float> packed(panels * k * nr, 0.0f);
  for (int64_t q = 0; q < panels; ++q)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < nr && q * nr + j < n; ++j)
        packed[(q * k + kk) * nr + j] = b[kk * rowStride + (q * nr + j) * colStride];
  return packed;
}

/// The 16 Winograd F(2x2, 3x3) filter matrices U[xi] = (G g G^T)[xi] of a
/// cout x cin x 3 x 3 filter, each packed into MR-row panels (Winograd.inc).
std::vector<float> packWinogradFilter(ArrayRef<float> filter, int64_t cout, int64_t cin, int64_t mr,
                                      int64_t tile) {
  // G of F(2x2, 3x3) (points 0, 1, -1, inf) and of F(4x4, 3x3) (0, 1, -1,
  // 2, -2, inf); U = G g G^T, component (i, j) the matrix at i * alpha + j.
  static const double G2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static const double G4[6][3] = {{0.25, 0, 0},
                                  {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                  {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                  {0, 0, 1}};
  const int alpha = tile + 2;
  auto G = [&](int i, int c) { return tile == 4 ? G4[i][c] : G2[i][c]; };
  std::vector<std::vector<float>> u(alpha * alpha, std::vector<float>(cout * cin));
  for (int64_t co = 0; co < cout; ++co)
    for (int64_t ci = 0; ci < cin; ++ci) {
      const float *g = &filter[(co * cin + ci) * 9];
      double gg[6][3]; // G g
      for (int i = 0; i < alpha; ++i)
        for (int c = 0; c < 3; ++c)
          gg[i][c] = G(i, 0) * g[c] + G(i, 1) * g[3 + c] + G(i, 2) * g[6 + c];
      for (int i = 0; i < alpha; ++i)
        for (int j = 0; j < alpha; ++j)
          u[alpha * i + j][co * cin + ci] =
              (float)(gg[i][0] * G(j, 0) + gg[i][1] * G(j, 1) + gg[i][2] * G(j, 2));
    }
  std::vector<float> packed;
  for (const std::vector<float> &matrix : u) {
    std::vector<float> panels = packRowPanels(matrix, cout, cin, mr);
    packed.insert(packed.end(), panels.begin(), panels.end());
  }
  return packed;
}

Value createPackedConstant(OpBuilder &b, Location loc, ArrayRef<float> data) {
  auto type = RankedTensorType::get({(int64_t)data.size()}, b.getF32Type());
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, data));
}

struct SelectMicrokernelsPass : impl::SelectMicrokernelsPassBase<SelectMicrokernelsPass> {
  using SelectMicrokernelsPassBase::SelectMicrokernelsPassBase;

  void runOnOperation() override {
    if (variant.empty())
      return;
    const kiln_uk_variant *config = lookupMicrokernelVariant(variant);
    if (!config) {
      getOperation().emitError() << "unknown microkernel variant '" << variant << "'";
      return signalPassFailure();
    }
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      // A row-band chain's convolutions are computed by its own lowering.
      if (isa<Conv2DOp, MatmulOp, MaxPool2DOp, ReduceSumOp, ReduceMeanOp>(op) &&
          !op->getParentOfType<RowBandsOp>())
        candidates.push_back(op);
    });
    for (Operation *op : candidates) {
      if (auto conv = dyn_cast<Conv2DOp>(op))
        selectConv(conv, *config);
      else if (isa<ReduceSumOp, ReduceMeanOp>(op))
        selectRowSum(op);
      else if (auto pool = dyn_cast<MaxPool2DOp>(op))
        selectMaxPool(pool, *config);
      else
        selectMatmul(cast<MatmulOp>(op), *config);
    }
  }

  /// Whether the window kernels' padded plane (Depthwise.inc) fits their
  /// stack buffers.
  static bool planeFits(const kiln_uk_variant &config, int64_t oh, int64_t ow, int64_t kh,
                        int64_t kw, ArrayRef<int64_t> s, ArrayRef<int64_t> d) {
    int64_t vw = config.vector_width;
    int64_t ph = (oh - 1) * s[0] + (kh - 1) * d[0] + 1;
    int64_t pw = ((ow + vw - 1) / vw * vw - 1) * s[1] + (kw - 1) * d[1] + 1;
    // The padded plane and, for stride 2, one padded row are on the stack.
    return ph * pw <= config.dw_plane && pw <= config.dw_plane / 16;
  }

  /// A sum or mean over a tensor's trailing axes: one per row of the
  /// leading axes.
  void selectRowSum(Operation *op) {
    auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
    ArrayRef<int64_t> axes =
        isa<ReduceSumOp>(op) ? cast<ReduceSumOp>(op).getAxes() : cast<ReduceMeanOp>(op).getAxes();
    int64_t rank = inType.getRank();
    if (!inType.getElementType().isF32() || axes.empty() || inType.getNumElements() == 0)
      return;
    for (size_t i = 0; i < axes.size(); ++i)
      if (axes[i] != rank - (int64_t)axes.size() + (int64_t)i)
        return;
    int64_t cols = 1;
    for (int64_t axis : axes)
      cols *= inType.getDimSize(axis);
    int64_t rows = inType.getNumElements() / cols;
    OpBuilder b(op);
    replaceWithKernel(op, Epilogue(), "rowsum", {op->getOperand(0)}, {rows, cols},
                      isa<ReduceMeanOp>(op) ? KILN_UK_MEAN : 0, b);
  }

  void selectMaxPool(MaxPool2DOp pool, const kiln_uk_variant &config) {
    auto inType = pool.getInput().getType();
    RankedTensorType outType = pool.getType();
    if (!inType.getElementType().isF32() || inType.getRank() != 4 ||
        outType.getNumElements() == 0 || inType.getNumElements() == 0)
      return;
    ArrayRef<int64_t> k = pool.getKernel(), s = pool.getStrides(), d = pool.getDilations(),
                      pads = pool.getPads();
    int64_t oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    if (!planeFits(config, oh, ow, k[0], k[1], s, d))
      return;
    Epilogue e = matchEpilogue(pool, [](Value) { return false; });
    OpBuilder b(e.ops.empty() ? pool.getOperation() : e.ops.back());
    SmallVector<int64_t> params = {inType.getDimSize(0),
                                   inType.getDimSize(1),
                                   inType.getDimSize(2),
                                   inType.getDimSize(3),
                                   oh,
                                   ow,
                                   k[0],
                                   k[1],
                                   s[0],
                                   s[1],
                                   d[0],
                                   d[1],
                                   pads[0],
                                   pads[1]};
    replaceWithKernel(pool, e, "maxpool2d", {pool.getInput()}, params, 0, b);
  }

  /// Creates the kernel op after the epilogue's last op and replaces the
  /// contraction and its epilogue with it.
  void replaceWithKernel(Operation *root, const Epilogue &e, StringRef kernel,
                         SmallVector<Value> inputs, SmallVector<int64_t> params, int64_t flags,
                         OpBuilder &b, int64_t scratchFloats = 0) {
    if (e.bias)
      inputs.push_back(e.bias);
    if (e.residual)
      inputs.push_back(e.residual);
    flags |= (e.residual ? KILN_UK_RESIDUAL : 0) | (e.silu ? KILN_UK_SILU : 0);
    params.push_back(flags);
    Location loc = root->getLoc();
    auto type = cast<RankedTensorType>(root->getResult(0).getType());
    SmallVector<Value> inits = {
        tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType())};
    if (scratchFloats)
      inits.push_back(tensor::EmptyOp::create(b, loc, {scratchFloats}, b.getF32Type()));
    auto op =
        cpu::MicrokernelOp::create(b, loc, ValueRange(inits).getTypes(), kernel, StringRef(variant),
                                   inputs, inits, params, llvm::APFloat(e.lo), llvm::APFloat(e.hi));
    Operation *last = e.ops.empty() ? root : e.ops.back();
    last->getResult(0).replaceAllUsesWith(op.getResult(0));
    for (Operation *dead : llvm::reverse(e.ops))
      dead->erase();
    root->erase();
  }

  void selectConv(Conv2DOp conv, const kiln_uk_variant &config) {
    auto inType = conv.getInput().getType();
    auto filterType = conv.getFilter().getType();
    RankedTensorType outType = conv.getType();
    if (!inType.getElementType().isF32() || inType.getRank() != 4)
      return;
    int64_t batch = inType.getDimSize(0), cin = inType.getDimSize(1), ih = inType.getDimSize(2),
            iw = inType.getDimSize(3);
    int64_t cout = outType.getDimSize(1), oh = outType.getDimSize(2), ow = outType.getDimSize(3);
    int64_t kh = filterType.getDimSize(2), kw = filterType.getDimSize(3);
    ArrayRef<int64_t> s = conv.getStrides(), d = conv.getDilations(), pads = conv.getPads();
    if (outType.getNumElements() == 0 || inType.getNumElements() == 0)
      return;
    bool depthwise = conv.getGroups() > 1 && (int64_t)conv.getGroups() == cin && cout == cin &&
                     filterType.getDimSize(1) == 1;
    if (conv.getGroups() != 1 && !depthwise)
      return;
    SmallVector<Value> inputs = {conv.getInput()};
    // 3x3 stride-1 convolutions with enough channels to amortize the
    // transforms: Winograd, F(4x4, 3x3) where its 4x4 tiles fill at least
    // one panel of the product, else F(2x2, 3x3). Below one panel of 2x2
    // tiles (a 7x7 output with AVX-512's 32-column panels) the products
    // would run half empty: the im2col product wastes less.
    int64_t tile = 0;
    if (!depthwise && kh == 3 && kw == 3 && s[0] == 1 && s[1] == 1 && d[0] == 1 && d[1] == 1 &&
        cin >= 16 && cout >= 16) {
      auto fits = [&](int64_t m) {
        int64_t tw = (ow + m - 1) / m, tiles = ((oh + m - 1) / m) * tw;
        int64_t row =
            (tw + config.vector_width - 1) / config.vector_width * config.vector_width * m +
            2 * config.vector_width + 2;
        return tiles >= config.nr && row <= KILN_UK_WINO_ROW;
      };
      if (winogradTile != 2 && fits(4))
        tile = 4;
      else if (fits(2))
        tile = 2;
    }
    if (tile) {
      std::optional<std::vector<float>> filter = constantFloats(conv.getFilter());
      if (!filter)
        return;
      OpBuilder b(conv);
      inputs.push_back(createPackedConstant(
          b, conv.getLoc(), packWinogradFilter(*filter, cout, cin, config.mr, tile)));
      Epilogue e = matchEpilogue(conv, [&](Value v) {
        return v.getDefiningOp<ConstantOp>() && isVectorAlong(v, 2, cout, 4);
      });
      OpBuilder after(e.ops.empty() ? conv.getOperation() : e.ops.back());
      int64_t tiles = ((oh + tile - 1) / tile) * ((ow + tile - 1) / tile);
      kiln_uk_wino_plan plan =
          kiln_uk_wino_make_plan(cin, cout, tiles, config.mr, config.nr, (tile + 2) * (tile + 2));
      int64_t scratch = plan.scratch;
      SmallVector<int64_t> params = {batch, cin, ih, iw, cout, oh, ow, pads[0], pads[1]};
      replaceWithKernel(conv, e, tile == 4 ? "winograd3x3f4" : "winograd3x3", inputs, params,
                        e.bias ? KILN_UK_BIAS_ROW : 0, after, scratch);
      return;
    }
    if (depthwise) {
      if (!planeFits(config, oh, ow, kh, kw, s, d))
        return;
      inputs.push_back(conv.getFilter());
    } else {
      std::optional<std::vector<float>> filter = constantFloats(conv.getFilter());
      if (!filter)
        return;
      OpBuilder b(conv);
      inputs.push_back(createPackedConstant(
          b, conv.getLoc(), packRowPanels(*filter, cout, cin * kh * kw, config.mr)));
    }
    Epilogue e = matchEpilogue(conv, [&](Value v) {
      return v.getDefiningOp<ConstantOp>() && isVectorAlong(v, 2, cout, 4);
    });
    OpBuilder b(e.ops.empty() ? conv.getOperation() : e.ops.back());
    int64_t flags = e.bias ? KILN_UK_BIAS_ROW : 0;
    SmallVector<int64_t> params = {batch, cin, ih, iw};
    if (!depthwise)
      params.push_back(cout);
    params.append({oh, ow, kh, kw, s[0], s[1], d[0], d[1], pads[0], pads[1]});
    replaceWithKernel(conv, e, depthwise ? "dwconv2d" : "conv2d", inputs, params, flags, b);
  }

  void selectMatmul(MatmulOp matmul, const kiln_uk_variant &config) {
    auto lhsType = matmul.getLhs().getType();
    auto rhsType = matmul.getRhs().getType();
    RankedTensorType outType = matmul.getType();
    if (!outType.getElementType().isF32() || lhsType.getRank() < 2 || rhsType.getRank() < 2 ||
        outType.getNumElements() == 0 || lhsType.getNumElements() == 0 ||
        rhsType.getNumElements() == 0)
      return;
    int64_t rank = outType.getRank();
    int64_t m = outType.getDimSize(rank - 2), n = outType.getDimSize(rank - 1);
    int64_t k = lhsType.getDimSize(lhsType.getRank() - 1);
    ArrayRef<int64_t> batchDims = outType.getShape().drop_back(2);
    int64_t batch = 1;
    for (int64_t dim : batchDims)
      batch *= dim;
    // A batch stride for an operand: its batch dims are the result's, or
    // all 1 (one matrix for every batch element); other broadcasts stay
    // with the generic lowering.
    auto batchStride = [&](RankedTensorType type, int64_t matrixSize) -> std::optional<int64_t> {
      ArrayRef<int64_t> dims = type.getShape().drop_back(2);
      if (llvm::all_of(dims, [](int64_t dim) { return dim == 1; }))
        return 0;
      if (dims.size() == batchDims.size() && dims == batchDims)
        return matrixSize;
      return std::nullopt;
    };
    std::optional<int64_t> aStride = batchStride(lhsType, m * k);
    if (!aStride)
      return;
    // The rhs may be a transpose of its last two dims: read it in place.
    Value rhs = matmul.getRhs();
    int64_t bRowStride = n, bColStride = 1;
    if (auto transpose = rhs.getDefiningOp<TransposeOp>()) {
      ArrayRef<int64_t> perm = transpose.getPerm();
      int64_t r = perm.size();
      bool swapsLastTwo = r >= 2 && perm[r - 2] == r - 1 && perm[r - 1] == r - 2;
      for (int64_t i = 0; i + 2 < r; ++i)
        swapsLastTwo &= perm[i] == i;
      if (swapsLastTwo) {
        rhs = transpose.getInput();
        bRowStride = 1;
        bColStride = k;
      }
    }
    std::optional<int64_t> bStride = batchStride(cast<RankedTensorType>(rhs.getType()), k * n);
    if (!bStride)
      return;
    int64_t flags = 0;
    OpBuilder b(matmul);
    SmallVector<Value> inputs = {matmul.getLhs()};
    SmallVector<int64_t> params;
    std::optional<std::vector<float>> weights;
    if (*bStride == 0 && (weights = constantFloats(rhs))) {
      // Constant weights: packed now. A row-major lhs with no batch of its
      // own is one tall matrix.
      inputs.push_back(createPackedConstant(
          b, matmul.getLoc(), packColumnPanels(*weights, k, n, bRowStride, bColStride, config.nr)));
      flags |= KILN_UK_B_PACKED;
      if (batch == 1 || *aStride == m * k)
        params = {1, batch * m, n, k, 0, k, 1, 0, 0, 0, 0, n};
      else
        params = {batch, m, n, k, 0, k, 1, 0, 0, 0, m * n, n};
    } else {
      inputs.push_back(rhs);
      params = {batch, m, n, k, *aStride, k, 1, *bStride, bRowStride, bColStride, m * n, n};
    }
    Epilogue e = matchEpilogue(matmul, [&](Value v) {
      return v.getDefiningOp<ConstantOp>() && isVectorAlong(v, 0, n, rank);
    });
    if (e.bias)
      flags |= KILN_UK_BIAS_COL;
    OpBuilder after(e.ops.empty() ? matmul.getOperation() : e.ops.back());
    replaceWithKernel(matmul, e, "gemm", inputs, params, flags, after);
  }
};

} // namespace
} // namespace kiln
