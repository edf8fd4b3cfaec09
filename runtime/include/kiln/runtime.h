/*===- kiln/runtime.h - Kiln runtime ABI --------------------------*- C -*-===*
 *
 * The versioned ABI shared by code that kilnc generates and the programs
 * that call it. Generated objects define, for a model named NAME:
 *
 *   kiln_status NAME_run(const NAME_inputs *in, NAME_outputs *out,
 *                        void *workspace);
 *   extern const kiln_model NAME_model;
 *
 * Every tensor is dense, row-major and owned by the caller; generated code
 * never allocates. This header is a schema: fields are only ever appended
 * and KILN_ABI_VERSION changes when the layout does. See docs/c-api.md.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Layout version of kiln_model / kiln_tensor_info. Version 2 appended
 *  kiln_model.fingerprint. */
#define KILN_ABI_VERSION 2u

/** Result of every Kiln entry point; KILN_OK is zero. */
typedef enum kiln_status {
  KILN_OK = 0,
  /** A required pointer (model, inputs, outputs, a tensor) was NULL. */
  KILN_ERROR_NULL_POINTER = 1,
  /** The workspace is NULL or not aligned to the model's workspace_align. */
  KILN_ERROR_BAD_WORKSPACE = 2,
  /** The descriptor was built for another ABI version of this header. */
  KILN_ERROR_ABI_MISMATCH = 3,
  /** An argument is out of range (an unknown name, a bad index). */
  KILN_ERROR_INVALID_ARGUMENT = 4,
  /** The descriptor is not the model version the caller was built against
   *  (its fingerprint differs from the header's NAME_FINGERPRINT). */
  KILN_ERROR_MODEL_MISMATCH = 5,
  /** The workspace is smaller than the model's workspace_size. */
  KILN_ERROR_WORKSPACE_TOO_SMALL = 6,
  /** No CUDA driver, or no GPU (libkiln_rt_cuda). */
  KILN_ERROR_NO_DEVICE = 7,
  /** The CUDA driver reported an error; kiln_cuda_last_error() says which
   *  (libkiln_rt_cuda). */
  KILN_ERROR_DEVICE = 8
} kiln_status;

/** Element types; the values are ONNX's TensorProto.DataType numbers. */
typedef int32_t kiln_dtype;
#define KILN_DTYPE_F32 1
#define KILN_DTYPE_U8 2
#define KILN_DTYPE_I8 3
#define KILN_DTYPE_U16 4
#define KILN_DTYPE_I16 5
#define KILN_DTYPE_I32 6
#define KILN_DTYPE_I64 7
#define KILN_DTYPE_BOOL 9
#define KILN_DTYPE_F16 10
#define KILN_DTYPE_F64 11
#define KILN_DTYPE_U32 12
#define KILN_DTYPE_U64 13
#define KILN_DTYPE_BF16 16
/* The float8 types (one byte each, ONNX's encodings): 4 exponent bits and
 * 3 mantissa bits without infinities, the same without -0 (FNUZ), 5 and 2
 * with infinities, and 5 and 2 without -0. */
#define KILN_DTYPE_F8E4M3FN 17
#define KILN_DTYPE_F8E4M3FNUZ 18
#define KILN_DTYPE_F8E5M2 19
#define KILN_DTYPE_F8E5M2FNUZ 20

/** One input or output of a compiled model. */
typedef struct kiln_tensor_info {
  const char *name;    /**< the model's own name for the tensor */
  kiln_dtype dtype;    /**< element type, KILN_DTYPE_* */
  uint32_t rank;       /**< number of dimensions */
  const int64_t *dims; /**< rank sizes, outermost first */
  uint64_t byte_size;  /**< bytes of the dense row-major buffer */
} kiln_tensor_info;

/** The generic entry point: inputs and outputs in descriptor order. */
typedef kiln_status (*kiln_run_fn)(const void *const *inputs, void *const *outputs,
                                   void *workspace);

/** Everything a generic tool needs to call a compiled model. */
typedef struct kiln_model {
  uint32_t abi_version; /**< KILN_ABI_VERSION at compile time */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t reserved;               /**< zero */
  const char *name;                /**< the C prefix given to kilnc */
  const kiln_tensor_info *inputs;  /**< num_inputs entries */
  const kiln_tensor_info *outputs; /**< num_outputs entries */
  uint64_t workspace_size;         /**< bytes; 0 means no workspace */
  uint64_t workspace_align;        /**< required alignment in bytes */
  kiln_run_fn run;                 /**< the model's generic entry */
  uint64_t fingerprint;            /**< identifies this compiled model
                                        (ABI 2); NAME_FINGERPRINT */
} kiln_model;

/** A short English description of a status code. */
const char *kiln_status_string(kiln_status status);

/** Bytes per element of a dtype, or 0 for an unknown dtype. */
size_t kiln_dtype_size(kiln_dtype dtype);

/** The dtype's short name ("f32", "i64", ...), or "unknown". */
const char *kiln_dtype_name(kiln_dtype dtype);

/** Runs any compiled model through its descriptor, checking the arguments
 *  first: NULL pointers, the ABI version and the workspace alignment. */
kiln_status kiln_run(const kiln_model *model, const void *const *inputs, void *const *outputs,
                     void *workspace);

/** kiln_run that also checks the workspace's size: workspace_bytes is how
 *  many bytes the caller's workspace holds; fewer than
 *  model->workspace_size gives KILN_ERROR_WORKSPACE_TOO_SMALL. */
kiln_status kiln_run_sized(const kiln_model *model, const void *const *inputs, void *const *outputs,
                           void *workspace, size_t workspace_bytes);

/** Checks that a descriptor is usable by this runtime (ABI version) and is
 *  the model version the caller was built against: pass the generated
 *  header's NAME_FINGERPRINT. Reads nothing else from the descriptor. */
kiln_status kiln_model_check(const kiln_model *model, uint64_t fingerprint);

/** Looks up an input by name; writes its index to *out_index. */
kiln_status kiln_model_find_input(const kiln_model *model, const char *name, uint32_t *out_index);

/** Looks up an output by name; writes its index to *out_index. */
kiln_status kiln_model_find_output(const kiln_model *model, const char *name, uint32_t *out_index);

/** A range of tasks for kiln_parallel_for: runs tasks [begin, end). */
typedef void (*kiln_task_fn)(void *ctx, int64_t begin, int64_t end);

/** Runs fn over tasks [0, n) on up to kiln_get_num_threads() threads and
 *  returns when all are done. Generated code calls it for the outer tiles
 *  of large convolutions and matrix products and for loops with enough
 *  work. Each thread takes one contiguous part of the tasks, the same part
 *  in every call, then helps with the others'. Serial on targets without
 *  threads, inside a task, and while another region is running. */
void kiln_parallel_for(int64_t n, kiln_task_fn fn, void *ctx);

/** Sets the number of threads models use (1 to 256, the caller included);
 *  returns 0, or -1 for a count out of range. Without a call the count is
 *  the KILN_NUM_THREADS environment variable at the first use, else 1.
 *  Always 1 where the runtime is built without threads. */
int kiln_set_num_threads(int threads);

/** The number of threads models use now. */
int kiln_get_num_threads(void);

/** Monotonic nanoseconds: the clock of models compiled with kilnc
 *  --profile, which time each op by its model node into the tables
 *  NAME_profile_ns and NAME_profile_calls (int64_t[NAME_profile_count]),
 *  named by NAME_profile_names ("node\top\0" per entry; kiln-run --profile
 *  prints them). 0 where the runtime has no operating-system clock. */
int64_t kiln_profile_clock(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
