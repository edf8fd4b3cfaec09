//===- ONNXFuzzer.cpp - libFuzzer target for the ONNX importer --*- C++ -*-===//
//
// One input is one model file: a binary ModelProto, or ONNX textual syntax
// when built with KILN_FUZZ_TEXTUAL=1. It is imported as kilnc would import
// it (checks, opset conversion, shape inference, the graph import), then
// verified, size-checked and taken through the kiln phase (folding and
// fusion). Errors are expected and swallowed; crashes, sanitizer reports,
// hangs and runaway memory are findings. See docs/testing.md.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Limits.h"
#include "kiln/Import/ONNXImporter.h"
#include "kiln/InitAll.h"
#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Target/TargetBackend.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstddef>
#include <cstdint>

#ifndef KILN_FUZZ_TEXTUAL
#define KILN_FUZZ_TEXTUAL 0
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    kiln::registerKilnPasses();
    auto *r = new mlir::DialectRegistry;
    kiln::registerKilnDialects(*r);
    return r;
  }();
  // The host's backend, for the phases (the kiln phase asks it nothing).
  static kiln::TargetBackend *target = [] {
    auto backend = kiln::createTargetBackend(kiln::TargetOptions{});
    if (!backend)
      llvm::report_fatal_error(backend.takeError());
    return backend->release();
  }();
  // A fresh context per input: attributes are uniqued for a context's
  // lifetime, so sharing one would grow without bound.
  mlir::MLIRContext ctx(*registry, mlir::MLIRContext::Threading::DISABLED);
  ctx.loadAllAvailableDialects();
  ctx.printOpOnDiagnostic(false);
  mlir::ScopedDiagnosticHandler quiet(&ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  kiln::ONNXImportOptions options;
  options.displayName = KILN_FUZZ_TEXTUAL ? "fuzz.onnxtxt" : "fuzz.onnx";
  // Small limits keep one input's memory bounded (libFuzzer's RSS limit).
  options.maxWeightBytes = uint64_t(16) << 20;
  // No external data: a directory that does not exist.
  auto module = kiln::importONNXModelFromBuffer(
      ctx, llvm::StringRef(reinterpret_cast<const char *>(data), size), KILN_FUZZ_TEXTUAL,
      "/nonexistent/kiln-fuzz", options);
  if (!module || mlir::failed(mlir::verify(*module)) ||
      mlir::failed(kiln::checkTensorSizes(*module, uint64_t(64) << 20)))
    return 0;
  kiln::PhaseOptions phaseOptions;
  (void)kiln::runPhases(*module, kiln::Phase::Import, kiln::Phase::Kiln, phaseOptions, *target);
  return 0;
}
