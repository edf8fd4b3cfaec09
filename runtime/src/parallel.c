/*===- parallel.c - The runtime's parallel-for --------------------*- C -*-===*
 *
 * kiln_parallel_for, which generated code calls for the outer tiles of
 * large matrix products and convolutions, and the thread-count API.
 *
 * Hosted on a POSIX system (KILN_RT_THREADS, on by default there), a pool
 * of kiln_get_num_threads() - 1 workers is started on the first parallel
 * call and kept; the calling thread works too. The tasks [0, n) are split
 * into one contiguous part per taking-part thread, the same part to the
 * same thread in every region (the caller the first, worker w part w+1),
 * so that a thread keeps working on the data it produced in the previous
 * region: the kernels order their tasks so that a part is the same region
 * of the image from one layer to the next, and a cache line written by
 * another core, on another core complex, costs hundreds of nanoseconds.
 * A thread takes its own part's tasks one index at a time, then helps
 * with what is left of the others', so a slow thread delays no one.
 * Workers spin briefly for the next
 * region, then sleep on a condition variable, so an idle model costs no
 * CPU. One parallel region runs at a time: a call made while another
 * region is running (from another thread, or from inside a task) runs its
 * tasks serially on the caller. Elsewhere (bare metal, or with
 * KILN_RT_THREADS=0) every call runs serially: the API is the same.
 *
 * The thread count is kiln_set_num_threads' value, else the environment
 * variable KILN_NUM_THREADS read at the first call, else 1.
 *
 * kiln_profile_clock, the monotonic clock of models compiled with kilnc
 * --profile, lives here too: like the pool, it needs the operating system.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "kiln/runtime.h"

#if defined(__unix__) || defined(__APPLE__)
#include <time.h>

int64_t kiln_profile_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
#else
int64_t kiln_profile_clock(void) { return 0; }
#endif

#ifndef KILN_RT_THREADS
#if defined(__unix__) || defined(__APPLE__)
#define KILN_RT_THREADS 1
#else
#define KILN_RT_THREADS 0
#endif
#endif

#if !KILN_RT_THREADS

static int serial_threads = 1;

int kiln_set_num_threads(int threads) {
  if (threads < 1)
    return -1;
  serial_threads = 1;
  return 0;
}

int kiln_get_num_threads(void) { return serial_threads; }

void kiln_parallel_for(int64_t n, kiln_task_fn fn, void *ctx) {
  if (n > 0)
    fn(ctx, 0, n);
}

#else

#include <pthread.h>
#include <stdlib.h>

#define KILN_RT_MAX_THREADS 256
/* Spins before a waiting worker sleeps: long enough to catch the next
 * operator's region, short next to any model's run time. */
#define KILN_RT_SPIN 20000

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;

static int requested_threads; /* 0: not set yet */
static int started_workers;

/* The current region; written under region_lock before `generation` moves. */
static kiln_task_fn region_fn;
static void *region_ctx;
static int64_t region_parts; /* threads taking part: workers + the caller */

/* Part p of a region: tasks [next, end), next taken atomically. One cache
 * line each, so that threads taking from their own parts share nothing. */
static struct {
  int64_t next, end;
  char pad[64 - 2 * sizeof(int64_t)];
} parts[KILN_RT_MAX_THREADS] __attribute__((aligned(64)));
static int64_t worker_start[KILN_RT_MAX_THREADS]; /* generation a worker starts from */
static int64_t region_pending;                    /* atomic: workers still inside the region */
static int64_t region_wanted;                     /* workers that take part in this region */
static int64_t generation;                        /* atomic: bumped once per region */
static int64_t joined;                            /* atomic: workers that joined this region */

static __thread int inside_task;

static int env_threads(void) {
  const char *text = getenv("KILN_NUM_THREADS");
  if (!text || !*text)
    return 1;
  long value = 0;
  for (const char *p = text; *p; ++p) {
    if (*p < '0' || *p > '9')
      return 1;
    value = value * 10 + (*p - '0');
    if (value > KILN_RT_MAX_THREADS)
      return KILN_RT_MAX_THREADS;
  }
  return value < 1 ? 1 : (int)value;
}

int kiln_set_num_threads(int threads) {
  if (threads < 1 || threads > KILN_RT_MAX_THREADS)
    return -1;
  pthread_mutex_lock(&pool_lock);
  requested_threads = threads;
  pthread_mutex_unlock(&pool_lock);
  return 0;
}

int kiln_get_num_threads(void) {
  pthread_mutex_lock(&pool_lock);
  if (!requested_threads)
    requested_threads = env_threads();
  int threads = requested_threads;
  pthread_mutex_unlock(&pool_lock);
  return threads;
}

/* Runs the tasks of part `own`, then what is left of the other parts. */
static void run_tasks(int64_t own) {
  kiln_task_fn fn = region_fn;
  void *ctx = region_ctx;
  int64_t count = region_parts;
  inside_task = 1;
  for (int64_t k = 0; k < count; ++k) {
    int64_t p = (own + k) % count;
    for (;;) {
      int64_t index = __atomic_fetch_add(&parts[p].next, 1, __ATOMIC_RELAXED);
      if (index >= parts[p].end)
        break;
      fn(ctx, index, index + 1);
    }
  }
  inside_task = 0;
}

static void *worker_main(void *arg) {
  int64_t id = (int64_t)(intptr_t)arg;
  int64_t seen = worker_start[id];
  for (;;) {
    int64_t now = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    for (int spin = 0; now == seen && spin < KILN_RT_SPIN; ++spin) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      now = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    }
    if (now == seen) {
      pthread_mutex_lock(&pool_lock);
      while ((now = __atomic_load_n(&generation, __ATOMIC_ACQUIRE)) == seen)
        pthread_cond_wait(&pool_wake, &pool_lock);
      pthread_mutex_unlock(&pool_lock);
    }
    seen = now;
    /* Only the region's wanted number of workers take part, the first
     * ones, each with its own part; the others (after
     * kiln_set_num_threads lowered the count) stay idle. */
    int64_t wanted = region_wanted;
    __atomic_fetch_add(&joined, 1, __ATOMIC_ACQ_REL);
    if (id < wanted) {
      run_tasks(id + 1);
      __atomic_fetch_sub(&region_pending, 1, __ATOMIC_ACQ_REL);
    }
  }
  return 0;
}

/* Starts workers up to `wanted`; returns how many there are. */
static int ensure_workers(int wanted) {
  pthread_mutex_lock(&pool_lock);
  while (started_workers < wanted) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* The microkernels keep their packing buffers on the stack. */
    pthread_attr_setstacksize(&attr, (size_t)4 << 20);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    worker_start[started_workers] = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    int failed = pthread_create(&thread, &attr, worker_main, (void *)(intptr_t)started_workers);
    pthread_attr_destroy(&attr);
    if (failed)
      break;
    ++started_workers;
  }
  int workers = started_workers < wanted ? started_workers : wanted;
  pthread_mutex_unlock(&pool_lock);
  return workers;
}

void kiln_parallel_for(int64_t n, kiln_task_fn fn, void *ctx) {
  if (n <= 0)
    return;
  int threads = kiln_get_num_threads();
  if (threads <= 1 || n == 1 || inside_task || pthread_mutex_trylock(&region_lock) != 0) {
    fn(ctx, 0, n);
    return;
  }
  int64_t workers = ensure_workers((int)(n < threads ? n : threads) - 1);
  if (workers == 0) {
    pthread_mutex_unlock(&region_lock);
    fn(ctx, 0, n);
    return;
  }
  region_fn = fn;
  region_ctx = ctx;
  region_wanted = workers;
  region_parts = workers + 1;
  for (int64_t p = 0; p <= workers; ++p) {
    parts[p].next = p * n / (workers + 1);
    parts[p].end = (p + 1) * n / (workers + 1);
  }
  __atomic_store_n(&joined, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&region_pending, workers, __ATOMIC_RELEASE);
  pthread_mutex_lock(&pool_lock);
  __atomic_fetch_add(&generation, 1, __ATOMIC_ACQ_REL);
  pthread_cond_broadcast(&pool_wake);
  pthread_mutex_unlock(&pool_lock);
  run_tasks(0);
  /* Every started worker sees each generation: wait for those that joined
   * this region to leave it, and for the rest to have passed the join. */
  while (__atomic_load_n(&region_pending, __ATOMIC_ACQUIRE) != 0 ||
         __atomic_load_n(&joined, __ATOMIC_ACQUIRE) < started_workers) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  pthread_mutex_unlock(&region_lock);
}

#endif /* KILN_RT_THREADS */
