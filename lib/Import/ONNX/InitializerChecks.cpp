//===- InitializerChecks.cpp - Weights: sizes, limit, non-finite -*- C++ -*-===//
//
// Before any weight is read or converted: every initializer's dimensions
// give a byte count that fits (checked arithmetic), its stored payload
// matches that count, and the weights together stay under the
// `--max-weights` limit, so that a hostile file cannot make kilnc allocate
// without bound. After external data is loaded, weights holding NaN or
// infinity get a warning naming the node that reads them.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "kiln/Support/ByteSize.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstring>

using namespace mlir;

namespace kiln::onnx_import {

/// Kiln never accepts a tensor of more elements than this (2^40).
constexpr uint64_t kMaxElements = uint64_t(1) << 40;

size_t onnxElementBytes(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return 8;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
  case kOnnxFloat8E4M3FN:
  case kOnnxFloat8E4M3FNUZ:
  case kOnnxFloat8E5M2:
  case kOnnxFloat8E5M2FNUZ:
    return 1;
  default:
    return 0;
  }
}

namespace {

std::string shapeText(const onnx::TensorProto &t) {
  std::string s;
  for (int i = 0; i < t.dims_size(); ++i)
    s += (i ? "x" : "") + std::to_string(t.dims(i));
  return s.empty() ? "scalar" : s;
}

/// How many values the typed repeated field of `t` holds.
int64_t storedValues(const onnx::TensorProto &t) {
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return t.float_data_size();
  case onnx::TensorProto::DOUBLE:
    return t.double_data_size();
  case onnx::TensorProto::INT64:
    return t.int64_data_size();
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return t.uint64_data_size();
  default:
    return t.int32_data_size();
  }
}

/// Every initializer of `graph` and its subgraphs, with the graph holding it.
void collectInitializers(const onnx::GraphProto &graph,
                         std::vector<const onnx::TensorProto *> &out) {
  for (const auto &init : graph.initializer())
    out.push_back(&init);
  for (const auto &node : graph.node())
    for (const auto &attr : node.attribute()) {
      if (attr.has_g())
        collectInitializers(attr.g(), out);
      for (const auto &g : attr.graphs())
        collectInitializers(g, out);
    }
}

/// The first node of `graph` (or its subgraphs) that reads `name`.
const onnx::NodeProto *firstUser(const onnx::GraphProto &graph, const std::string &name,
                                 int &index) {
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    for (const std::string &in : node.input())
      if (in == name) {
        index = (int)i;
        return &node;
      }
    for (const auto &attr : node.attribute())
      if (attr.has_g())
        if (const auto *user = firstUser(attr.g(), name, index))
          return user;
  }
  return nullptr;
}

} // namespace

LogicalResult checkInitializerSizes(const onnx::ModelProto &model, Location fileLoc,
                                    uint64_t maxWeightBytes) {
  std::vector<const onnx::TensorProto *> inits;
  collectInitializers(model.graph(), inits);
  uint64_t total = 0;
  for (const onnx::TensorProto *t : inits) {
    size_t elementBytes = onnxElementBytes(t->data_type());
    if (elementBytes == 0)
      return emitError(fileLoc)
             << "initializer '" << t->name() << "' has unsupported element type "
             << onnx::TensorProto::DataType_Name((onnx::TensorProto::DataType)t->data_type())
             << "; Kiln compiles float, float16, double, integer and bool tensors";
    uint64_t count = 1;
    for (int64_t d : t->dims()) {
      bool overflow = d < 0 || (d > 0 && count > kMaxElements / (uint64_t)d);
      if (overflow)
        return emitError(fileLoc) << "initializer '" << t->name() << "' has shape " << shapeText(*t)
                                  << (d < 0 ? ", with a negative dimension"
                                            : ", more elements than Kiln accepts (2^40)");
      count *= (uint64_t)d;
    }
    uint64_t bytes = count * elementBytes;
    if (t->data_location() != onnx::TensorProto::EXTERNAL) {
      if (t->has_raw_data()) {
        if (t->raw_data().size() != bytes)
          return emitError(fileLoc)
                 << "initializer '" << t->name() << "' holds " << t->raw_data().size()
                 << " bytes of raw data, but its shape " << shapeText(*t) << " of "
                 << onnx::TensorProto::DataType_Name((onnx::TensorProto::DataType)t->data_type())
                 << " needs " << bytes << " (is the file truncated?)";
      } else if ((uint64_t)storedValues(*t) != count) {
        return emitError(fileLoc) << "initializer '" << t->name() << "' holds " << storedValues(*t)
                                  << " values, but its shape " << shapeText(*t) << " needs "
                                  << count;
      }
    }
    total += bytes; // at most 2^40 * 8 per tensor: no overflow in practice
    if (total > maxWeightBytes)
      return emitError(fileLoc) << "the model's weights reach " << formatByteSize(total)
                                << " at initializer '" << t->name()
                                << "', over the --max-weights limit of "
                                << formatByteSize(maxWeightBytes)
                                << "; raise the limit with --max-weights=BYTES";
  }
  return success();
}

void warnNonFiniteWeights(const onnx::ModelProto &model, Location fileLoc, StringRef displayName) {
  std::vector<const onnx::TensorProto *> inits;
  collectInitializers(model.graph(), inits);
  for (const onnx::TensorProto *t : inits) {
    int64_t nans = 0, infs = 0, first = -1, index = 0;
    auto visit = [&](double v) {
      if (std::isnan(v))
        ++nans;
      else if (std::isinf(v))
        ++infs;
      else {
        ++index;
        return;
      }
      if (first < 0)
        first = index;
      ++index;
    };
    const std::string &raw = t->raw_data();
    switch (t->data_type()) {
    case onnx::TensorProto::FLOAT:
      if (t->has_raw_data())
        for (size_t i = 0; i + 4 <= raw.size(); i += 4) {
          float f;
          std::memcpy(&f, raw.data() + i, 4);
          visit(f);
        }
      else
        for (float f : t->float_data())
          visit(f);
      break;
    case onnx::TensorProto::DOUBLE:
      if (t->has_raw_data())
        for (size_t i = 0; i + 8 <= raw.size(); i += 8) {
          double d;
          std::memcpy(&d, raw.data() + i, 8);
          visit(d);
        }
      else
        for (double d : t->double_data())
          visit(d);
      break;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: {
      // Exponent all ones: infinity (mantissa 0) or NaN.
      bool bf16 = t->data_type() == onnx::TensorProto::BFLOAT16;
      uint16_t exponent = bf16 ? 0x7f80 : 0x7c00, mantissa = bf16 ? 0x7f : 0x3ff;
      auto half = [&](uint16_t bits) {
        if ((bits & exponent) == exponent)
          visit((bits & mantissa) ? NAN : INFINITY);
        else
          visit(0);
      };
      if (t->has_raw_data())
        for (size_t i = 0; i + 2 <= raw.size(); i += 2)
          half((uint16_t)((uint8_t)raw[i] | ((uint8_t)raw[i + 1] << 8)));
      else
        for (int32_t b : t->int32_data())
          half((uint16_t)b);
      break;
    }
    default:
      continue;
    }
    if (nans == 0 && infs == 0)
      continue;
    int userIndex = 0;
    const onnx::NodeProto *user = firstUser(model.graph(), t->name(), userIndex);
    Location loc =
        user ? onnxNodeLocation(fileLoc->getContext(), displayName, *user, userIndex) : fileLoc;
    auto diag = emitWarning(loc) << "initializer '" << t->name() << "' holds ";
    if (nans)
      diag << nans << " NaN" << (infs ? " and " : "");
    if (infs)
      diag << infs << " infinite";
    diag << " value" << (nans + infs > 1 ? "s" : "") << " (the first at flat index " << first
         << "); the compiled model will compute with them as given";
  }
}

} // namespace kiln::onnx_import
