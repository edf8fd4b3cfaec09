/*===- kiln/runtime_cuda.h - Kiln's CUDA runtime ABI ---------------*- C -*-===*
 *
 * Objects that `kilnc --device=cuda` generates define, for a model NAME:
 *
 *   kiln_status NAME_run_cuda(kiln_cuda_context *ctx, const NAME_inputs *in,
 *                             NAME_outputs *out, void *workspace,
 *                             void *stream);
 *   extern const kiln_cuda_model NAME_cuda_model;
 *
 * and libkiln_rt_cuda.a implements the rest. Every tensor and the workspace
 * are device memory the caller owns. The runtime reaches the CUDA driver
 * through dlopen("libcuda.so.1"): neither it nor the program links the
 * toolkit. A context loads the model's kernels once and holds its weights
 * in device memory; running the model launches the kernels in graph order
 * on the caller's stream and never allocates or synchronizes.
 * See docs/cuda.md.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_RUNTIME_CUDA_H
#define KILN_RUNTIME_CUDA_H

#include <kiln/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Layout version of kiln_cuda_model and kiln_cuda_launch_state. */
#define KILN_CUDA_ABI_VERSION 1u

typedef struct kiln_cuda_context kiln_cuda_context;

/** What generated code carries through one run; the runtime sets it up.
 *  Generated code reads `weights` and passes the state to
 *  kiln_cuda_launch. */
typedef struct kiln_cuda_launch_state {
  const kiln_cuda_context *context;
  void *stream;       /**< the caller's CUstream */
  uint64_t weights;   /**< device address of the model's weights */
  kiln_status status; /**< the first error of the run */
} kiln_cuda_launch_state;

/** The generic entry: inputs and outputs (device pointers) in descriptor
 *  order; launches every kernel through kiln_cuda_launch. */
typedef void (*kiln_cuda_invoke_fn)(kiln_cuda_launch_state *state, const void *const *inputs,
                                    void *const *outputs, void *workspace);

/** One weight tensor: `size` bytes at `data` (host memory, in the object),
 *  placed at `offset` in the device copy of the weights. */
typedef struct kiln_cuda_weight {
  const void *data;
  uint64_t offset;
  uint64_t size;
} kiln_cuda_weight;

/** Everything the runtime needs to load and run a compiled model. */
typedef struct kiln_cuda_model {
  uint32_t abi_version; /**< KILN_CUDA_ABI_VERSION at compile time */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t num_kernels;
  const char *name;                /**< the C prefix given to kilnc */
  const char *device;              /**< "cuda" */
  const char *gpu_archs;           /**< "sm_80,sm_90": the cubins inside */
  const kiln_tensor_info *inputs;  /**< num_inputs entries */
  const kiln_tensor_info *outputs; /**< num_outputs entries */
  uint64_t workspace_size;         /**< bytes of device memory; 0: none */
  uint64_t workspace_align;        /**< required alignment in bytes */
  uint64_t fingerprint;            /**< NAME_FINGERPRINT */
  const void *image;               /**< fatbin (or PTX text) */
  uint64_t image_size;             /**< bytes */
  const char *kernel_names;        /**< num_kernels names, each NUL-ended */
  const kiln_cuda_weight *weights; /**< num_weights entries */
  uint64_t num_weights;
  uint64_t weights_size; /**< bytes of the device copy */
  kiln_cuda_invoke_fn invoke;
} kiln_cuda_model;

/** Loads `model` on CUDA device `device_ordinal`: retains the device's
 *  primary context, loads the image, looks up every kernel once and copies
 *  the weights to device memory. Returns KILN_ERROR_NO_DEVICE without a
 *  driver or a GPU, KILN_ERROR_DEVICE for any other driver error; see
 *  kiln_cuda_last_error(). */
kiln_status kiln_cuda_context_create(const kiln_cuda_model *model, int device_ordinal,
                                     kiln_cuda_context **out);

/** Frees the weights, unloads the module and releases the context. */
void kiln_cuda_context_destroy(kiln_cuda_context *ctx);

/** The model a context was created for. */
const kiln_cuda_model *kiln_cuda_context_model(const kiln_cuda_context *ctx);

/** Runs the model through its descriptor on `stream` (a CUstream; NULL is
 *  the legacy default stream). Checks the pointers and the workspace's
 *  alignment, then enqueues every kernel and returns without waiting. */
kiln_status kiln_cuda_run(const kiln_cuda_context *ctx, const void *const *inputs,
                          void *const *outputs, void *workspace, void *stream);

/** A captured run: the kernels of one run on fixed buffers, replayed with
 *  one launch (a CUDA graph). */
typedef struct kiln_cuda_graph kiln_cuda_graph;

/** Captures one run on `stream` (not the legacy default stream) into a
 *  graph; nothing runs until kiln_cuda_graph_launch. */
kiln_status kiln_cuda_graph_create(const kiln_cuda_context *ctx, const void *const *inputs,
                                   void *const *outputs, void *workspace, void *stream,
                                   kiln_cuda_graph **out);
kiln_status kiln_cuda_graph_launch(kiln_cuda_graph *graph, void *stream);
void kiln_cuda_graph_destroy(kiln_cuda_graph *graph);

/** The last error's description on this thread ("cuModuleLoadData:
 *  CUDA_ERROR_NO_BINARY_FOR_GPU: no kernel image is available ..."), or ""
 *  when there was none. */
const char *kiln_cuda_last_error(void);

/** Whether a CUDA driver and at least one GPU are present (cuInit and
 *  cuDeviceGetCount succeed with a count above zero). */
int kiln_cuda_available(void);

/* Memory helpers for programs that do not link the CUDA runtime: device
 * allocations and copies through the driver, on the current thread's
 * device 0 primary context. Synchronous. */
kiln_status kiln_cuda_malloc(void **ptr, size_t bytes);
kiln_status kiln_cuda_free(void *ptr);
kiln_status kiln_cuda_memcpy_to_device(void *dst, const void *src, size_t bytes);
kiln_status kiln_cuda_memcpy_to_host(void *dst, const void *src, size_t bytes);
kiln_status kiln_cuda_stream_create(void **stream);
kiln_status kiln_cuda_stream_synchronize(void *stream);
kiln_status kiln_cuda_stream_destroy(void *stream);

/** Called by generated code only: launches kernel `kernel` of the state's
 *  model with the given grid and block, `params` holding each argument in
 *  the low bytes of a 64-bit word. Does nothing once the state has an
 *  error; records the first one. */
void kiln_cuda_launch(kiln_cuda_launch_state *state, uint32_t kernel, uint32_t grid_x,
                      uint32_t grid_y, uint32_t grid_z, uint32_t block_x, uint32_t block_y,
                      uint32_t block_z, uint32_t shared_bytes, const uint64_t *params,
                      uint32_t num_params);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_CUDA_H */
