//===- InferenceGuards.cpp - Rank checks around libonnx inference -*- C++ -*-===//
//
// Some of libonnx's shape-inference functions index input dimensions
// without checking the input's rank first: convTransposeShapeInference
// dereferences a null pointer for a rank-2 ConvTranspose input (found by
// kiln-fuzz-onnx). Kiln wraps the inference function of every version of
// the convolution and pooling ops with the checks those functions need,
// raising libonnx's own shape-inference error instead, which the importer
// turns into a diagnostic like any other.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>

#include <mutex>
#include <set>

namespace kiln::onnx_import {

namespace {

struct Guard {
  const char *op;
  /// The least rank of input 0 (N, C and the spatial dimensions).
  int minRank;
  /// Whether input 1 (the weight) must have input 0's rank.
  bool weightMatchesRank;
};

constexpr Guard kGuards[] = {
    {"Conv", 3, true},          {"ConvTranspose", 3, true},      {"ConvInteger", 3, true},
    {"MaxPool", 3, false},      {"AveragePool", 3, false},       {"LpPool", 3, false},
    {"MaxUnpool", 3, false},    {"GlobalAveragePool", 2, false}, {"GlobalMaxPool", 2, false},
    {"GlobalLpPool", 2, false}, {"MaxRoiPool", 3, false},
};

void checkRanks(onnx::InferenceContext &ctx, const Guard &guard) {
  if (!onnx::hasInputShape(ctx, 0))
    return;
  int rank = onnx::getInputShape(ctx, 0).dim_size();
  if (rank < guard.minRank)
    fail_shape_inference(guard.op, " input 0 has rank ", rank, "; it needs at least ",
                         guard.minRank, " (batch, channels and spatial dimensions)");
  if (guard.weightMatchesRank && ctx.getNumInputs() > 1 && onnx::hasInputShape(ctx, 1)) {
    int weightRank = onnx::getInputShape(ctx, 1).dim_size();
    if (weightRank != rank)
      fail_shape_inference(guard.op, " weight has rank ", weightRank, " but input 0 has rank ",
                           rank, "; they must be equal");
  }
}

} // namespace

void installInferenceGuards() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const Guard &guard : kGuards) {
      std::set<const onnx::OpSchema *> seen;
      for (int version = 1; version <= onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
                                           .Map()
                                           .at(onnx::ONNX_DOMAIN)
                                           .second;
           ++version) {
        const onnx::OpSchema *schema =
            onnx::OpSchemaRegistry::Schema(guard.op, version, onnx::ONNX_DOMAIN);
        if (!schema || !seen.insert(schema).second)
          continue;
        onnx::InferenceFunction inner = schema->GetTypeAndShapeInferenceFunction();
        // The registry hands out const pointers to schemas it owns and
        // never moves; replacing the function is how a user registers one.
        const_cast<onnx::OpSchema *>(schema)->TypeAndShapeInferenceFunction(
            [inner, guard](onnx::InferenceContext &ctx) {
              checkRanks(ctx, guard);
              if (inner)
                inner(ctx);
            });
      }
    }
  });
}

} // namespace kiln::onnx_import
