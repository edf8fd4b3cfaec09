/*===- runtime.c - Kiln runtime ABI helpers ------------------------*- C -*-===*
 *
 * The small support library behind kiln/runtime.h: status and dtype names,
 * the checked generic entry point kiln_run, and tensor lookup by name. It is
 * plain C99 with no allocation and no libc calls at all, so the
 * same source builds freestanding for microcontrollers and hosted for tools
 * such as kiln-run. Every function is safe to call with NULL arguments; it
 * reports them through a kiln_status instead of dereferencing them.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/runtime.h"

const char *kiln_status_string(kiln_status status) {
  switch (status) {
  case KILN_OK:
    return "success";
  case KILN_ERROR_NULL_POINTER:
    return "a required pointer was NULL";
  case KILN_ERROR_BAD_WORKSPACE:
    return "the workspace is NULL or misaligned";
  case KILN_ERROR_ABI_MISMATCH:
    return "the model was compiled for another Kiln ABI version";
  case KILN_ERROR_INVALID_ARGUMENT:
    return "an argument is out of range";
  case KILN_ERROR_MODEL_MISMATCH:
    return "the model is not the version the caller was built against";
  case KILN_ERROR_WORKSPACE_TOO_SMALL:
    return "the workspace is smaller than the model needs";
  case KILN_ERROR_NO_DEVICE:
    return "no CUDA driver or no GPU";
  case KILN_ERROR_DEVICE:
    return "the CUDA driver reported an error";
  }
  return "unknown status";
}

size_t kiln_dtype_size(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_U8:
  case KILN_DTYPE_I8:
  case KILN_DTYPE_BOOL:
  case KILN_DTYPE_F8E4M3FN:
  case KILN_DTYPE_F8E4M3FNUZ:
  case KILN_DTYPE_F8E5M2:
  case KILN_DTYPE_F8E5M2FNUZ:
    return 1;
  case KILN_DTYPE_U16:
  case KILN_DTYPE_I16:
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
    return 2;
  case KILN_DTYPE_F32:
  case KILN_DTYPE_I32:
  case KILN_DTYPE_U32:
    return 4;
  case KILN_DTYPE_I64:
  case KILN_DTYPE_F64:
  case KILN_DTYPE_U64:
    return 8;
  default:
    return 0;
  }
}

const char *kiln_dtype_name(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return "f32";
  case KILN_DTYPE_U8:
    return "u8";
  case KILN_DTYPE_I8:
    return "i8";
  case KILN_DTYPE_U16:
    return "u16";
  case KILN_DTYPE_I16:
    return "i16";
  case KILN_DTYPE_I32:
    return "i32";
  case KILN_DTYPE_I64:
    return "i64";
  case KILN_DTYPE_BOOL:
    return "bool";
  case KILN_DTYPE_F16:
    return "f16";
  case KILN_DTYPE_BF16:
    return "bf16";
  case KILN_DTYPE_F8E4M3FN:
    return "f8e4m3fn";
  case KILN_DTYPE_F8E4M3FNUZ:
    return "f8e4m3fnuz";
  case KILN_DTYPE_F8E5M2:
    return "f8e5m2";
  case KILN_DTYPE_F8E5M2FNUZ:
    return "f8e5m2fnuz";
  case KILN_DTYPE_F64:
    return "f64";
  case KILN_DTYPE_U32:
    return "u32";
  case KILN_DTYPE_U64:
    return "u64";
  default:
    return "unknown";
  }
}

/* Checks that `count` pointers are present: the array itself when count is
 * non-zero, and each of its elements. */
static kiln_status check_pointer_array(const void *const *array, uint32_t count) {
  uint32_t i;
  if (count == 0)
    return KILN_OK;
  if (array == NULL)
    return KILN_ERROR_NULL_POINTER;
  for (i = 0; i < count; ++i)
    if (array[i] == NULL)
      return KILN_ERROR_NULL_POINTER;
  return KILN_OK;
}

/* Every check of kiln_run but the call; the workspace size is checked
 * when `workspace_bytes` is not NULL. */
static kiln_status check_run(const kiln_model *model, const void *const *inputs,
                             void *const *outputs, void *workspace, const size_t *workspace_bytes) {
  kiln_status status;
  if (model == NULL)
    return KILN_ERROR_NULL_POINTER;
  if (model->abi_version != KILN_ABI_VERSION)
    return KILN_ERROR_ABI_MISMATCH;
  if (model->run == NULL)
    return KILN_ERROR_NULL_POINTER;

  status = check_pointer_array(inputs, model->num_inputs);
  if (status != KILN_OK)
    return status;
  status = check_pointer_array((const void *const *)outputs, model->num_outputs);
  if (status != KILN_OK)
    return status;

  if (model->workspace_size > 0) {
    /* An alignment of 0 or 1 imposes nothing. Alignments are powers of
     * two, so a mask suffices (no 64-bit division helper is needed on small
     * targets); a descriptor with any other alignment cannot be satisfied. */
    uint64_t align = model->workspace_align;
    if (workspace == NULL)
      return KILN_ERROR_BAD_WORKSPACE;
    if (align > 1) {
      if ((align & (align - 1)) != 0)
        return KILN_ERROR_BAD_WORKSPACE;
      if (((uint64_t)(uintptr_t)workspace & (align - 1)) != 0)
        return KILN_ERROR_BAD_WORKSPACE;
    }
    if (workspace_bytes != NULL && (uint64_t)*workspace_bytes < model->workspace_size)
      return KILN_ERROR_WORKSPACE_TOO_SMALL;
  }
  return KILN_OK;
}

kiln_status kiln_run(const kiln_model *model, const void *const *inputs, void *const *outputs,
                     void *workspace) {
  kiln_status status = check_run(model, inputs, outputs, workspace, NULL);
  if (status != KILN_OK)
    return status;
  return model->run(inputs, outputs, workspace);
}

kiln_status kiln_run_sized(const kiln_model *model, const void *const *inputs, void *const *outputs,
                           void *workspace, size_t workspace_bytes) {
  kiln_status status = check_run(model, inputs, outputs, workspace, &workspace_bytes);
  if (status != KILN_OK)
    return status;
  return model->run(inputs, outputs, workspace);
}

kiln_status kiln_model_check(const kiln_model *model, uint64_t fingerprint) {
  if (model == NULL)
    return KILN_ERROR_NULL_POINTER;
  if (model->abi_version != KILN_ABI_VERSION)
    return KILN_ERROR_ABI_MISMATCH;
  if (model->fingerprint != fingerprint)
    return KILN_ERROR_MODEL_MISMATCH;
  return KILN_OK;
}

/* strcmp(a, b) == 0, written out so that the library needs nothing beyond
 * the freestanding headers <stddef.h> and <stdint.h>. */
static int names_equal(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

/* Shared body of kiln_model_find_input and kiln_model_find_output. */
static kiln_status find_tensor(const kiln_tensor_info *tensors, uint32_t count, const char *name,
                               uint32_t *out_index) {
  uint32_t i;
  if (count > 0 && tensors == NULL)
    return KILN_ERROR_NULL_POINTER;
  for (i = 0; i < count; ++i) {
    if (tensors[i].name != NULL && names_equal(tensors[i].name, name)) {
      *out_index = i;
      return KILN_OK;
    }
  }
  return KILN_ERROR_INVALID_ARGUMENT;
}

kiln_status kiln_model_find_input(const kiln_model *model, const char *name, uint32_t *out_index) {
  if (model == NULL || name == NULL || out_index == NULL)
    return KILN_ERROR_NULL_POINTER;
  if (model->abi_version != KILN_ABI_VERSION)
    return KILN_ERROR_ABI_MISMATCH;
  return find_tensor(model->inputs, model->num_inputs, name, out_index);
}

kiln_status kiln_model_find_output(const kiln_model *model, const char *name, uint32_t *out_index) {
  if (model == NULL || name == NULL || out_index == NULL)
    return KILN_ERROR_NULL_POINTER;
  if (model->abi_version != KILN_ABI_VERSION)
    return KILN_ERROR_ABI_MISMATCH;
  return find_tensor(model->outputs, model->num_outputs, name, out_index);
}
