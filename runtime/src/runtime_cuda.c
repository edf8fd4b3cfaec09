/*===- runtime_cuda.c - Kiln's CUDA runtime -------------------------*- C -*-===*
 *
 * libkiln_rt_cuda.a: loads a compiled model's device image and weights,
 * and launches its kernels on the caller's stream. The driver API comes
 * from dlopen("libcuda.so.1") at the first use, so programs link neither
 * the toolkit nor the driver. Every driver error becomes a kiln_status, and
 * its name and description are kept for kiln_cuda_last_error().
 *
 *===----------------------------------------------------------------------===*/

#include <kiln/runtime_cuda.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The driver API's types, as cuda.h declares them. */
typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef void *CUgraph;
typedef void *CUgraphExec;
typedef unsigned long long CUdeviceptr;

#define CUDA_SUCCESS 0
#define CU_STREAM_CAPTURE_MODE_THREAD_LOCAL 1

/* The driver functions Kiln calls, loaded by name. */
#define KILN_CUDA_DRIVER_FUNCTIONS(X)                                                              \
  X(cuInit, CUresult, (unsigned))                                                                  \
  X(cuDeviceGetCount, CUresult, (int *))                                                           \
  X(cuDeviceGet, CUresult, (CUdevice *, int))                                                      \
  X(cuDevicePrimaryCtxRetain, CUresult, (CUcontext *, CUdevice))                                   \
  X(cuDevicePrimaryCtxRelease_v2, CUresult, (CUdevice))                                            \
  X(cuCtxPushCurrent_v2, CUresult, (CUcontext))                                                    \
  X(cuCtxPopCurrent_v2, CUresult, (CUcontext *))                                                   \
  X(cuModuleLoadData, CUresult, (CUmodule *, const void *))                                        \
  X(cuModuleUnload, CUresult, (CUmodule))                                                          \
  X(cuModuleGetFunction, CUresult, (CUfunction *, CUmodule, const char *))                         \
  X(cuMemAlloc_v2, CUresult, (CUdeviceptr *, size_t))                                              \
  X(cuMemFree_v2, CUresult, (CUdeviceptr))                                                         \
  X(cuMemcpyHtoD_v2, CUresult, (CUdeviceptr, const void *, size_t))                                \
  X(cuMemcpyDtoH_v2, CUresult, (void *, CUdeviceptr, size_t))                                      \
  X(cuLaunchKernel, CUresult,                                                                      \
    (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream,   \
     void **, void **))                                                                            \
  X(cuGetErrorName, CUresult, (CUresult, const char **))                                           \
  X(cuGetErrorString, CUresult, (CUresult, const char **))                                         \
  X(cuStreamCreate, CUresult, (CUstream *, unsigned))                                              \
  X(cuStreamDestroy_v2, CUresult, (CUstream))                                                      \
  X(cuStreamSynchronize, CUresult, (CUstream))                                                     \
  X(cuStreamBeginCapture_v2, CUresult, (CUstream, int))                                            \
  X(cuStreamEndCapture, CUresult, (CUstream, CUgraph *))                                           \
  X(cuGraphInstantiateWithFlags, CUresult, (CUgraphExec *, CUgraph, unsigned long long))           \
  X(cuGraphLaunch, CUresult, (CUgraphExec, CUstream))                                              \
  X(cuGraphExecDestroy, CUresult, (CUgraphExec))                                                   \
  X(cuGraphDestroy, CUresult, (CUgraph))

static struct {
#define KILN_DECLARE(name, ret, args) ret(*name) args;
  KILN_CUDA_DRIVER_FUNCTIONS(KILN_DECLARE)
#undef KILN_DECLARE
} driver;

static pthread_once_t driver_once = PTHREAD_ONCE_INIT;
static kiln_status driver_status = KILN_ERROR_NO_DEVICE;
static char driver_message[256];

static __thread char last_error[512];

static void set_error(const char *message) {
  snprintf(last_error, sizeof last_error, "%s", message);
}

static void load_driver(void) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    snprintf(driver_message, sizeof driver_message, "cannot load the CUDA driver: %s",
             why ? why : "libcuda.so.1 not found");
    return;
  }
#define KILN_LOAD(name, ret, args)                                                                 \
  *(void **)(&driver.name) = dlsym(lib, #name);                                                    \
  if (!driver.name) {                                                                              \
    snprintf(driver_message, sizeof driver_message,                                                \
             "the CUDA driver has no %s; it is older than Kiln needs", #name);                     \
    return;                                                                                        \
  }
  KILN_CUDA_DRIVER_FUNCTIONS(KILN_LOAD)
#undef KILN_LOAD
  CUresult rc = driver.cuInit(0);
  if (rc != CUDA_SUCCESS) {
    const char *name = "?";
    driver.cuGetErrorName(rc, &name);
    snprintf(driver_message, sizeof driver_message, "cuInit: %s", name);
    return;
  }
  driver_status = KILN_OK;
}

/* KILN_OK once the driver is loaded and initialized. */
static kiln_status ensure_driver(void) {
  pthread_once(&driver_once, load_driver);
  if (driver_status != KILN_OK)
    set_error(driver_message);
  return driver_status;
}

/* Turns a driver result into a status, keeping its description. */
static kiln_status check(CUresult rc, const char *call) {
  if (rc == CUDA_SUCCESS)
    return KILN_OK;
  const char *name = "unknown error", *text = "";
  driver.cuGetErrorName(rc, &name);
  driver.cuGetErrorString(rc, &text);
  snprintf(last_error, sizeof last_error, "%s: %s: %s", call, name, text ? text : "");
  return KILN_ERROR_DEVICE;
}

#define KILN_CHECK(call)                                                                           \
  do {                                                                                             \
    kiln_status kiln_s_ = check(driver.call, #call);                                               \
    if (kiln_s_ != KILN_OK)                                                                        \
      return kiln_s_;                                                                              \
  } while (0)

struct kiln_cuda_context {
  const kiln_cuda_model *model;
  CUdevice device;
  CUcontext context;
  CUmodule module;
  CUdeviceptr weights;
  CUfunction *functions; /* model->num_kernels */
};

struct kiln_cuda_graph {
  CUcontext context;
  CUgraph graph;
  CUgraphExec exec;
};

const char *kiln_cuda_last_error(void) { return last_error; }

int kiln_cuda_available(void) {
  int count = 0;
  if (ensure_driver() != KILN_OK || check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return 0;
  return count > 0;
}

static kiln_status load_model(kiln_cuda_context *ctx) {
  const kiln_cuda_model *model = ctx->model;
  KILN_CHECK(cuModuleLoadData(&ctx->module, model->image));
  const char *name = model->kernel_names;
  for (uint32_t i = 0; i < model->num_kernels; ++i) {
    KILN_CHECK(cuModuleGetFunction(&ctx->functions[i], ctx->module, name));
    name += strlen(name) + 1;
  }
  if (model->weights_size > 0) {
    KILN_CHECK(cuMemAlloc_v2(&ctx->weights, model->weights_size));
    for (uint64_t i = 0; i < model->num_weights; ++i) {
      const kiln_cuda_weight *w = &model->weights[i];
      KILN_CHECK(cuMemcpyHtoD_v2(ctx->weights + w->offset, w->data, w->size));
    }
  }
  return KILN_OK;
}

kiln_status kiln_cuda_context_create(const kiln_cuda_model *model, int device_ordinal,
                                     kiln_cuda_context **out) {
  if (!model || !out)
    return KILN_ERROR_NULL_POINTER;
  *out = NULL;
  if (model->abi_version != KILN_CUDA_ABI_VERSION)
    return KILN_ERROR_ABI_MISMATCH;
  kiln_status s = ensure_driver();
  if (s != KILN_OK)
    return s;
  int count = 0;
  if ((s = check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount")) != KILN_OK)
    return s;
  if (device_ordinal < 0 || device_ordinal >= count) {
    snprintf(last_error, sizeof last_error, "no CUDA device %d: the driver sees %d", device_ordinal,
             count);
    return count == 0 ? KILN_ERROR_NO_DEVICE : KILN_ERROR_INVALID_ARGUMENT;
  }
  kiln_cuda_context *ctx = calloc(1, sizeof *ctx);
  CUfunction *functions = calloc(model->num_kernels ? model->num_kernels : 1, sizeof(CUfunction));
  if (!ctx || !functions) {
    free(ctx);
    free(functions);
    set_error("out of host memory");
    return KILN_ERROR_DEVICE;
  }
  ctx->model = model;
  ctx->functions = functions;
  if ((s = check(driver.cuDeviceGet(&ctx->device, device_ordinal), "cuDeviceGet")) != KILN_OK ||
      (s = check(driver.cuDevicePrimaryCtxRetain(&ctx->context, ctx->device),
                 "cuDevicePrimaryCtxRetain")) != KILN_OK) {
    free(functions);
    free(ctx);
    return s;
  }
  if ((s = check(driver.cuCtxPushCurrent_v2(ctx->context), "cuCtxPushCurrent")) == KILN_OK) {
    s = load_model(ctx);
    CUcontext popped;
    driver.cuCtxPopCurrent_v2(&popped);
  }
  if (s != KILN_OK) {
    char saved[sizeof last_error];
    memcpy(saved, last_error, sizeof saved);
    kiln_cuda_context_destroy(ctx);
    memcpy(last_error, saved, sizeof saved);
    return s;
  }
  *out = ctx;
  return KILN_OK;
}

void kiln_cuda_context_destroy(kiln_cuda_context *ctx) {
  if (!ctx)
    return;
  if (driver.cuCtxPushCurrent_v2(ctx->context) == CUDA_SUCCESS) {
    if (ctx->weights)
      driver.cuMemFree_v2(ctx->weights);
    if (ctx->module)
      driver.cuModuleUnload(ctx->module);
    CUcontext popped;
    driver.cuCtxPopCurrent_v2(&popped);
  }
  driver.cuDevicePrimaryCtxRelease_v2(ctx->device);
  free(ctx->functions);
  free(ctx);
}

const kiln_cuda_model *kiln_cuda_context_model(const kiln_cuda_context *ctx) {
  return ctx ? ctx->model : NULL;
}

static kiln_status check_arguments(const kiln_cuda_context *ctx, const void *const *inputs,
                                   void *const *outputs, void *workspace) {
  if (!ctx)
    return KILN_ERROR_NULL_POINTER;
  const kiln_cuda_model *model = ctx->model;
  if ((model->num_inputs && !inputs) || (model->num_outputs && !outputs))
    return KILN_ERROR_NULL_POINTER;
  for (uint32_t i = 0; i < model->num_inputs; ++i)
    if (!inputs[i])
      return KILN_ERROR_NULL_POINTER;
  for (uint32_t i = 0; i < model->num_outputs; ++i)
    if (!outputs[i])
      return KILN_ERROR_NULL_POINTER;
  if (model->workspace_size > 0 &&
      (!workspace || ((uintptr_t)workspace & (model->workspace_align - 1)) != 0))
    return KILN_ERROR_BAD_WORKSPACE;
  return KILN_OK;
}

kiln_status kiln_cuda_run(const kiln_cuda_context *ctx, const void *const *inputs,
                          void *const *outputs, void *workspace, void *stream) {
  kiln_status s = check_arguments(ctx, inputs, outputs, workspace);
  if (s != KILN_OK)
    return s;
  if ((s = check(driver.cuCtxPushCurrent_v2(ctx->context), "cuCtxPushCurrent")) != KILN_OK)
    return s;
  kiln_cuda_launch_state state = {ctx, stream, ctx->weights, KILN_OK};
  ctx->model->invoke(&state, inputs, outputs, workspace);
  CUcontext popped;
  driver.cuCtxPopCurrent_v2(&popped);
  return state.status;
}

void kiln_cuda_launch(kiln_cuda_launch_state *state, uint32_t kernel, uint32_t grid_x,
                      uint32_t grid_y, uint32_t grid_z, uint32_t block_x, uint32_t block_y,
                      uint32_t block_z, uint32_t shared_bytes, const uint64_t *params,
                      uint32_t num_params) {
  if (state->status != KILN_OK)
    return;
  const kiln_cuda_context *ctx = state->context;
  if (kernel >= ctx->model->num_kernels || num_params > 64) {
    set_error("kiln_cuda_launch: the generated code names a kernel or argument count that the "
              "model does not have");
    state->status = KILN_ERROR_INVALID_ARGUMENT;
    return;
  }
  /* The driver copies the arguments before cuLaunchKernel returns. */
  uint64_t values[64];
  void *args[64];
  for (uint32_t i = 0; i < num_params; ++i) {
    values[i] = params[i];
    args[i] = &values[i];
  }
  state->status =
      check(driver.cuLaunchKernel(ctx->functions[kernel], grid_x, grid_y, grid_z, block_x, block_y,
                                  block_z, shared_bytes, (CUstream)state->stream, args, NULL),
            "cuLaunchKernel");
}

kiln_status kiln_cuda_graph_create(const kiln_cuda_context *ctx, const void *const *inputs,
                                   void *const *outputs, void *workspace, void *stream,
                                   kiln_cuda_graph **out) {
  if (!out)
    return KILN_ERROR_NULL_POINTER;
  *out = NULL;
  kiln_status s = check_arguments(ctx, inputs, outputs, workspace);
  if (s != KILN_OK)
    return s;
  if (!stream) {
    set_error("kiln_cuda_graph_create: the legacy default stream cannot be captured; give a "
              "stream of your own");
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  kiln_cuda_graph *graph = calloc(1, sizeof *graph);
  if (!graph) {
    set_error("out of host memory");
    return KILN_ERROR_DEVICE;
  }
  graph->context = ctx->context;
  if ((s = check(driver.cuCtxPushCurrent_v2(ctx->context), "cuCtxPushCurrent")) != KILN_OK) {
    free(graph);
    return s;
  }
  s = check(driver.cuStreamBeginCapture_v2((CUstream)stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
            "cuStreamBeginCapture");
  if (s == KILN_OK) {
    kiln_cuda_launch_state state = {ctx, stream, ctx->weights, KILN_OK};
    ctx->model->invoke(&state, inputs, outputs, workspace);
    /* End the capture even after an error, so the stream is usable. */
    kiln_status end =
        check(driver.cuStreamEndCapture((CUstream)stream, &graph->graph), "cuStreamEndCapture");
    s = state.status != KILN_OK ? state.status : end;
  }
  if (s == KILN_OK)
    s = check(driver.cuGraphInstantiateWithFlags(&graph->exec, graph->graph, 0),
              "cuGraphInstantiate");
  CUcontext popped;
  driver.cuCtxPopCurrent_v2(&popped);
  if (s != KILN_OK) {
    kiln_cuda_graph_destroy(graph);
    return s;
  }
  *out = graph;
  return KILN_OK;
}

kiln_status kiln_cuda_graph_launch(kiln_cuda_graph *graph, void *stream) {
  if (!graph)
    return KILN_ERROR_NULL_POINTER;
  kiln_status s = check(driver.cuCtxPushCurrent_v2(graph->context), "cuCtxPushCurrent");
  if (s != KILN_OK)
    return s;
  s = check(driver.cuGraphLaunch(graph->exec, (CUstream)stream), "cuGraphLaunch");
  CUcontext popped;
  driver.cuCtxPopCurrent_v2(&popped);
  return s;
}

void kiln_cuda_graph_destroy(kiln_cuda_graph *graph) {
  if (!graph)
    return;
  if (graph->exec)
    driver.cuGraphExecDestroy(graph->exec);
  if (graph->graph)
    driver.cuGraphDestroy(graph->graph);
  free(graph);
}

/* The helpers' context: device 0's primary context, retained once. */
static pthread_once_t helper_once = PTHREAD_ONCE_INIT;
static CUcontext helper_context;
static kiln_status helper_status = KILN_ERROR_NO_DEVICE;
static char helper_message[512];

static void retain_helper_context(void) {
  if (ensure_driver() != KILN_OK) {
    snprintf(helper_message, sizeof helper_message, "%s", last_error);
    return;
  }
  CUdevice device;
  helper_status = check(driver.cuDeviceGet(&device, 0), "cuDeviceGet");
  if (helper_status == KILN_OK)
    helper_status =
        check(driver.cuDevicePrimaryCtxRetain(&helper_context, device), "cuDevicePrimaryCtxRetain");
  if (helper_status != KILN_OK)
    snprintf(helper_message, sizeof helper_message, "%s", last_error);
}

static kiln_status push_helper_context(void) {
  pthread_once(&helper_once, retain_helper_context);
  if (helper_status != KILN_OK) {
    set_error(helper_message);
    return helper_status;
  }
  return check(driver.cuCtxPushCurrent_v2(helper_context), "cuCtxPushCurrent");
}

static kiln_status pop_helper_context(kiln_status s) {
  CUcontext popped;
  driver.cuCtxPopCurrent_v2(&popped);
  return s;
}

kiln_status kiln_cuda_malloc(void **ptr, size_t bytes) {
  if (!ptr)
    return KILN_ERROR_NULL_POINTER;
  kiln_status s = push_helper_context();
  if (s != KILN_OK)
    return s;
  CUdeviceptr p = 0;
  s = check(driver.cuMemAlloc_v2(&p, bytes ? bytes : 1), "cuMemAlloc");
  *ptr = (void *)(uintptr_t)p;
  return pop_helper_context(s);
}

kiln_status kiln_cuda_free(void *ptr) {
  kiln_status s = push_helper_context();
  if (s != KILN_OK)
    return s;
  return pop_helper_context(
      ptr ? check(driver.cuMemFree_v2((CUdeviceptr)(uintptr_t)ptr), "cuMemFree") : KILN_OK);
}

kiln_status kiln_cuda_memcpy_to_device(void *dst, const void *src, size_t bytes) {
  kiln_status s = push_helper_context();
  if (s != KILN_OK)
    return s;
  return pop_helper_context(
      check(driver.cuMemcpyHtoD_v2((CUdeviceptr)(uintptr_t)dst, src, bytes), "cuMemcpyHtoD"));
}

kiln_status kiln_cuda_memcpy_to_host(void *dst, const void *src, size_t bytes) {
  kiln_status s = push_helper_context();
  if (s != KILN_OK)
    return s;
  return pop_helper_context(
      check(driver.cuMemcpyDtoH_v2(dst, (CUdeviceptr)(uintptr_t)src, bytes), "cuMemcpyDtoH"));
}

kiln_status kiln_cuda_stream_create(void **stream) {
  if (!stream)
    return KILN_ERROR_NULL_POINTER;
  kiln_status s = push_helper_context();
  if (s != KILN_OK)
    return s;
  /* CU_STREAM_NON_BLOCKING: no implicit sync with the legacy stream. */
  return pop_helper_context(check(driver.cuStreamCreate((CUstream *)stream, 1), "cuStreamCreate"));
}

kiln_status kiln_cuda_stream_synchronize(void *stream) {
  kiln_status s = push_helper_context();
  if (s != KILN_OK)
    return s;
  return pop_helper_context(
      check(driver.cuStreamSynchronize((CUstream)stream), "cuStreamSynchronize"));
}

kiln_status kiln_cuda_stream_destroy(void *stream) {
  kiln_status s = push_helper_context();
  if (s != KILN_OK)
    return s;
  return pop_helper_context(check(driver.cuStreamDestroy_v2((CUstream)stream), "cuStreamDestroy"));
}
