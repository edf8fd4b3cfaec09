//===- ImportContext.h - State shared by the ONNX op importers --*- C++ -*-===//
//
// NodeImporter gives each op-family file what it needs to turn one ONNX
// node into kiln ops: its inputs as values (and as constants when they are
// known at compile time), its attributes with defaults, a builder at the
// node's location, and a way to report what is unsupported.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_ONNX_IMPORTCONTEXT_H
#define KILN_LIB_IMPORT_ONNX_IMPORTCONTEXT_H

#include "kiln/IR/KilnOps.h"
#include "kiln/Import/CheckedBuilder.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <type_traits>

namespace kiln::onnx_import {

class NodeImporter;

/// Imports one ONNX node; returns failure after reporting an error.
using OpImportFn = std::function<mlir::LogicalResult(NodeImporter &)>;

/// Op type -> importer, filled by the op-family files.
using OpRegistry = llvm::StringMap<OpImportFn>;

void registerElementwiseOps(OpRegistry &registry);
void registerNNOps(OpRegistry &registry);
void registerShapeOps(OpRegistry &registry);
void registerReductionOps(OpRegistry &registry);
void registerLogicalOps(OpRegistry &registry);
void registerActivationOps(OpRegistry &registry);
void registerRecurrentOps(OpRegistry &registry);
void registerIndexingOps(OpRegistry &registry);
void registerNormalizationOps(OpRegistry &registry);
void registerLossOps(OpRegistry &registry);
void registerResizeOps(OpRegistry &registry);
void registerEinsumOps(OpRegistry &registry);
void registerQuantizationOps(OpRegistry &registry);
void registerDataDependentOps(OpRegistry &registry);
void registerUnpoolOps(OpRegistry &registry);
void registerTextOps(OpRegistry &registry);
void registerSpectralOps(OpRegistry &registry);
void registerGridSampleOps(OpRegistry &registry);
void registerAttentionOps(OpRegistry &registry);
void registerLinearAlgebraOps(OpRegistry &registry);
void registerRoiAlignOps(OpRegistry &registry);

class NodeImporter;
/// kiln.slice of `v` with static offsets, sizes and strides.
mlir::Value slice(NodeImporter &n, mlir::Value v, llvm::ArrayRef<int64_t> offsets,
                  llvm::ArrayRef<int64_t> sizes, llvm::ArrayRef<int64_t> strides);
/// kiln.transpose of `v` by `perm`.
mlir::Value transpose(NodeImporter &n, mlir::Value v, llvm::ArrayRef<int64_t> perm);

/// A 1-D or 2-D convolution of `x` by `w` (+ `bias`, may be null) with the
/// node's Conv attributes (strides, pads, auto_pad, dilations, group).
mlir::FailureOr<mlir::Value> buildConvolution(NodeImporter &n, mlir::Value x, mlir::Value w,
                                              mlir::Value bias);

/// MaxPool with its Indices output (node inputs and attributes from `n`;
/// pads resolved, begin values then end values).
mlir::LogicalResult importMaxPoolWithIndices(NodeImporter &n, llvm::ArrayRef<int64_t> kernel,
                                             llvm::ArrayRef<int64_t> strides,
                                             llvm::ArrayRef<int64_t> dilations,
                                             llvm::ArrayRef<int64_t> pads);

/// ONNX's float8 data types (TensorProto.DataType 17 to 20, ONNX 1.14),
/// which Debian's libonnx 1.12 does not name.
enum : int32_t {
  kOnnxFloat8E4M3FN = 17,
  kOnnxFloat8E4M3FNUZ = 18,
  kOnnxFloat8E5M2 = 19,
  kOnnxFloat8E5M2FNUZ = 20,
};

/// The MLIR element type of an ONNX TensorProto data type, or null.
/// Unsigned ONNX types map to signless integers of their width.
mlir::Type convertONNXElementType(mlir::MLIRContext *ctx, int32_t dataType);
/// An ONNX element type as --shape spells it: MLIR's names (f32,
/// f8E4M3FN, ...), u for unsigned; ONNX's name for types Kiln does not read.
std::string onnxElementTypeName(int32_t dataType);
/// Whether an ONNX data type is UINT8/16/32/64.
bool isUnsignedONNXElementType(int32_t dataType);

/// Turns the graph inputs named in `constants` (name -> comma-separated
/// values, or `@FILE` holding a TensorProto) into initializers; `shapes`
/// gives the shape of inline values where the model does not fix it.
mlir::LogicalResult bindConstantInputs(onnx::ModelProto &model, mlir::Location fileLoc,
                                       const std::map<std::string, std::string> &constants,
                                       const std::map<std::string, std::vector<int64_t>> &shapes);

/// The location of a node: its name (or `OpType_index`) and op type, which
/// the driver prints as `node 'name' (OpType)`.
mlir::Location onnxNodeLocation(mlir::MLIRContext *ctx, llvm::StringRef displayName,
                                const onnx::NodeProto &node, int index);

/// Structural checks libonnx takes for granted (ModelValidation.cpp): the IR
/// version, single assignment, defined inputs and outputs, no cycles. Puts
/// acyclic out-of-order nodes in dependency order.
mlir::LogicalResult validateModel(onnx::ModelProto &model, mlir::Location fileLoc,
                                  llvm::StringRef displayName);

/// Bytes per element of an ONNX data type, or 0 for types Kiln does not read.
size_t onnxElementBytes(int32_t dataType);

/// Every initializer's dimensions fit, its payload matches them, and all of
/// them together stay within `maxWeightBytes` (InitializerChecks.cpp).
mlir::LogicalResult checkInitializerSizes(const onnx::ModelProto &model, mlir::Location fileLoc,
                                          uint64_t maxWeightBytes);

/// Wraps the libonnx shape-inference functions that index input
/// dimensions without checking ranks (InferenceGuards.cpp); idempotent.
void installInferenceGuards();

/// Registers, once, the schemas of the ops new or changed in opsets 18 to
/// 23 in Kiln's domain for libonnx (NewerOpsetSchemas.cpp).
void registerNewerOpsetSchemas();
/// A copy of `model` (default-domain opset 18 to 23) that libonnx 1.12 can
/// check and infer: opset 17, with the newer ops in Kiln's domain.
onnx::ModelProto makeCheckableModel(const onnx::ModelProto &model, int64_t opset);
/// Copies the value_info that shape inference gave `from` (a checkable
/// model's graph) into `to` (the graph it was made from), subgraphs too.
void copyInferredValueInfo(const onnx::GraphProto &from, onnx::GraphProto &to);

/// Before shape inference on a checkable copy: gives each float8 type in
/// `model` a stand-in type that libonnx 1.12 knows and Kiln never compiles
/// (Float8Standins.cpp). Returns float8 type -> stand-in; empty when the
/// model has no float8 types, or when they cannot all be stood in for.
std::map<int32_t, int32_t> hideFloat8Types(onnx::ModelProto &model);
/// Gives the inferred types in `graph` their float8 types back.
void restoreFloat8Types(onnx::GraphProto &graph, const std::map<int32_t, int32_t> &standins);

/// Before opset conversion (opset < 17): evaluates the shape computations
/// that the bound input shapes make constant (Shape, Gather, Concat, ...)
/// into Constant nodes, alternating with lenient shape inference, so that
/// the converter's adapters see every shape (ShapeFolding.cpp).
void foldShapeComputations(onnx::ModelProto &model, int64_t opset);

/// Reads every external-data payload (relative to `modelDir`) into raw_data.
mlir::LogicalResult loadExternalData(onnx::ModelProto &model, mlir::Location fileLoc,
                                     llvm::StringRef modelDir);

/// Warns about initializers that hold NaN or infinity.
void warnNonFiniteWeights(const onnx::ModelProto &model, mlir::Location fileLoc,
                          llvm::StringRef displayName);

/// The graph inputs (by name) whose values `v` is computed from.
llvm::SmallVector<std::string> graphInputsFeeding(mlir::Value v);
/// "; it comes from graph input 'a' (...--const-input a=...)" for the graph
/// inputs feeding `values`, or "" when none does: the hint that lets a user
/// bind an operand Kiln needs at compile time.
std::string constInputHint(llvm::ArrayRef<mlir::Value> values);

/// A tensor initializer or Constant value as an attribute. Reports through
/// `error` when the tensor is malformed or uses unsupported storage.
mlir::FailureOr<mlir::DenseElementsAttr>
convertTensorProto(mlir::MLIRContext *ctx, const onnx::TensorProto &tensor,
                   llvm::function_ref<void(const llvm::Twine &)> error);

/// One ONNX node being imported: its inputs and attributes, with the
/// checked op builder both front ends share (CheckedBuilder).
class NodeImporter : public CheckedBuilder {
public:
  /// Static shape ONNX shape inference gave a value, if it gave one.
  using ShapeLookup = std::function<std::optional<llvm::SmallVector<int64_t>>(const std::string &)>;

  /// Whether a value (by name) has an unsigned ONNX element type.
  using UnsignedLookup = std::function<bool(const std::string &)>;

  NodeImporter(const onnx::NodeProto &node, mlir::OpBuilder &builder, mlir::Location loc,
               std::function<mlir::Value(const std::string &)> lookup, int64_t opset,
               ShapeLookup inferredShape = nullptr, UnsignedLookup isUnsigned = nullptr)
      : CheckedBuilder(builder, loc), node(node), lookup(std::move(lookup)),
        inferredShape(std::move(inferredShape)), isUnsigned(std::move(isUnsigned)), opset(opset) {}

  const onnx::NodeProto &node;

  int64_t getOpset() const { return opset; }

  /// Number of inputs named by the node (trailing optional ones may be absent).
  unsigned numInputs() const { return node.input_size(); }
  /// Whether input `i` is given (present and non-empty).
  bool hasInput(unsigned i) const {
    return i < (unsigned)node.input_size() && !node.input(i).empty();
  }
  /// Input `i` as a value, or null when the input is absent.
  mlir::Value input(unsigned i);
  /// Input `i` as a ranked tensor type (the input must be present).
  mlir::RankedTensorType inputType(unsigned i);
  /// Input `i` as a constant, when it is known at compile time.
  std::optional<mlir::DenseElementsAttr> constantInput(unsigned i);
  /// Input `i` as integers, when it is a constant integer tensor.
  std::optional<llvm::SmallVector<int64_t>> constantInts(unsigned i);

  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue) const;
  float floatAttr(llvm::StringRef name, float defaultValue) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef defaultValue) const;
  llvm::SmallVector<int64_t> intsAttr(llvm::StringRef name,
                                      llvm::ArrayRef<int64_t> defaultValue = {}) const;

  /// The static shape ONNX shape inference (or the model) gives output `i`:
  /// it lets ops whose shape operand is only known at run time, but whose
  /// result is fixed by its shape (Reshape, Expand, Unsqueeze, ...), import.
  std::optional<llvm::SmallVector<int64_t>> inferredOutputShape(unsigned i) const;

  /// Unsigned integers are signless in kiln; these say where ONNX means
  /// unsigned, so that order, division and conversion use it.
  bool inputIsUnsigned(unsigned i) const;
  bool outputIsUnsigned(unsigned i) const;
  /// x with its sign bit flipped: signed order on the result is unsigned
  /// order on x (max, min, comparisons, arg_max, ...).
  mlir::Value flipSignBit(mlir::Value x);
  /// Converts `x` to element type `to` (same shape), zero-extending when
  /// `fromUnsigned` and going through i64 for float to unsigned targets.
  /// `saturate` makes a float8 target's overflow its largest finite value.
  mlir::Value convert(mlir::Value x, bool fromUnsigned, mlir::Type to, bool toUnsigned,
                      bool saturate = false);

  /// Sets output `i` of the node.
  void setResult(unsigned i, mlir::Value value);
  llvm::ArrayRef<mlir::Value> results() const { return outputs; }

  /// "'x' (1x4 f32)": input `i`'s name, shape and element type.
  std::string describeInput(unsigned i);
  /// Reports that inputs `a` and `b` must have one element type, and
  /// fails; succeeds when they have.
  mlir::LogicalResult requireSameElementType(unsigned a, unsigned b);
  /// Reports that inputs `a` and `b` do not broadcast, and fails;
  /// succeeds when they do.
  mlir::LogicalResult requireBroadcastable(unsigned a, unsigned b);
  /// Reports that `what`, computed from inputs `inputs` at run time, is not
  /// supported, naming the graph inputs that could be bound at compile time
  /// with --const-input; returns failure().
  mlir::LogicalResult unsupportedAtRunTime(std::initializer_list<unsigned> inputs,
                                           const llvm::Twine &what);

  /// A constant integer tensor.
  mlir::Value intConstant(llvm::ArrayRef<int64_t> values, llvm::ArrayRef<int64_t> shape);
  /// Normalizes a possibly negative axis; reports an error when out of range.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

private:
  std::function<mlir::Value(const std::string &)> lookup;
  ShapeLookup inferredShape;
  UnsignedLookup isUnsigned;
  int64_t opset;
  llvm::SmallVector<mlir::Value> outputs;
};

} // namespace kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNX_IMPORTCONTEXT_H
