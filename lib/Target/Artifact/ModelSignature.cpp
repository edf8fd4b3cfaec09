//===- ModelSignature.cpp - Model inputs and outputs as C sees them -*- C++ -*-===//
//
// Builds a ModelSignature from the model function before bufferization.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/ModelSignature.h"

#include "llvm/ADT/StringSet.h"

#include <kiln/runtime.h>

using namespace mlir;

namespace kiln {

std::string sanitizeCIdentifier(llvm::StringRef text) {
  std::string out;
  for (char c : text)
    out += (isalnum((unsigned char)c) || c == '_') ? c : '_';
  if (out.empty() || isdigit((unsigned char)out[0]))
    out = "_" + out;
  return out;
}

static LogicalResult describe(Type type, bool isUnsigned, TensorSignature &sig, Location loc) {
  auto tensor = cast<ShapedType>(type);
  Type elt = tensor.getElementType();
  struct Mapping {
    int32_t dtype;
    const char *cType;
    unsigned bytes;
  } m;
  if (elt.isF32())
    m = {KILN_DTYPE_F32, "float", 4};
  else if (elt.isF64())
    m = {KILN_DTYPE_F64, "double", 8};
  else if (elt.isF16())
    m = {KILN_DTYPE_F16, "uint16_t", 2};
  else if (elt.isBF16())
    m = {KILN_DTYPE_BF16, "uint16_t", 2};
  else if (isa<Float8E4M3FNType>(elt))
    m = {KILN_DTYPE_F8E4M3FN, "uint8_t", 1};
  else if (isa<Float8E4M3FNUZType>(elt))
    m = {KILN_DTYPE_F8E4M3FNUZ, "uint8_t", 1};
  else if (isa<Float8E5M2Type>(elt))
    m = {KILN_DTYPE_F8E5M2, "uint8_t", 1};
  else if (isa<Float8E5M2FNUZType>(elt))
    m = {KILN_DTYPE_F8E5M2FNUZ, "uint8_t", 1};
  else if (isUnsigned && elt.isInteger(64))
    m = {KILN_DTYPE_U64, "uint64_t", 8};
  else if (isUnsigned && elt.isInteger(32))
    m = {KILN_DTYPE_U32, "uint32_t", 4};
  else if (isUnsigned && elt.isInteger(16))
    m = {KILN_DTYPE_U16, "uint16_t", 2};
  else if (isUnsigned && elt.isInteger(8))
    m = {KILN_DTYPE_U8, "uint8_t", 1};
  else if (elt.isInteger(64))
    m = {KILN_DTYPE_I64, "int64_t", 8};
  else if (elt.isInteger(32))
    m = {KILN_DTYPE_I32, "int32_t", 4};
  else if (elt.isInteger(16))
    m = {KILN_DTYPE_I16, "int16_t", 2};
  else if (elt.isInteger(8))
    m = {KILN_DTYPE_I8, "int8_t", 1};
  else if (elt.isInteger(1))
    m = {KILN_DTYPE_BOOL, "uint8_t", 1};
  else
    return emitError(loc) << "tensor '" << sig.name << "' has element type " << elt
                          << ", which has no C equivalent";
  sig.dtype = m.dtype;
  sig.cType = m.cType;
  sig.dims.assign(tensor.getShape().begin(), tensor.getShape().end());
  sig.byteSize = (uint64_t)tensor.getNumElements() * m.bytes;
  return success();
}

FailureOr<ModelSignature> getModelSignature(func::FuncOp func, llvm::StringRef name) {
  ModelSignature sig;
  sig.name = name.str();
  llvm::StringSet<> used;
  auto fieldFor = [&](llvm::StringRef tensorName) {
    std::string base = sanitizeCIdentifier(tensorName);
    std::string field = base;
    for (int i = 1; !used.insert(field).second; ++i)
      field = base + "_" + std::to_string(i);
    return field;
  };
  FunctionType type = func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    TensorSignature t;
    auto attr = func.getArgAttrOfType<StringAttr>(i, "kiln.name");
    t.name = attr ? attr.str() : "input" + std::to_string(i);
    t.fieldName = fieldFor(t.name);
    bool isUnsigned = func.getArgAttr(i, "kiln.unsigned") != nullptr;
    if (failed(describe(type.getInput(i), isUnsigned, t, func.getLoc())))
      return failure();
    sig.inputs.push_back(t);
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    TensorSignature t;
    auto attr = func.getResultAttrOfType<StringAttr>(i, "kiln.name");
    t.name = attr ? attr.str() : "output" + std::to_string(i);
    t.fieldName = fieldFor(t.name);
    bool isUnsigned = func.getResultAttr(i, "kiln.unsigned") != nullptr;
    if (failed(describe(type.getResult(i), isUnsigned, t, func.getLoc())))
      return failure();
    sig.outputs.push_back(t);
  }
  return sig;
}

} // namespace kiln
