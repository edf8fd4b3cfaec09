//===- InitAll.h - Register every Kiln dialect, pass and pipeline -*- C++ -*-===//
//
// One place that registers what Kiln's tools use: upstream's dialects,
// extensions and passes; the kiln and kiln_cpu dialects; Kiln's passes of
// every library; and the kiln-phase-* pipelines for kiln-opt.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_INITALL_H
#define KILN_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace kiln {

/// Registers every dialect, interface and extension the phases use.
void registerKilnDialects(mlir::DialectRegistry &registry);

/// Registers Kiln's passes, the upstream ones, and the kiln-phase-*
/// pipelines (whose target passes are the host CPU backend's).
void registerKilnPasses();

} // namespace kiln

#endif // KILN_INITALL_H
