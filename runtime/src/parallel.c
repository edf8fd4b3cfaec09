/*===- parallel.c - The runtime's parallel-for --------------------*- C -*-===*
 *
 * kiln_parallel_for, which generated code calls for the outer tiles of
 * large matrix products and convolutions, and the thread-count API.
 *
 * Hosted on a POSIX system (KILN_RT_THREADS, on by default there), a pool
 * of kiln_get_num_threads() - 1 workers is started on the first parallel
 * call and kept; the calling thread works too. Tasks are handed out one
 * index at a time from a shared counter. Workers spin briefly for the next
 * region, then sleep on a condition variable, so an idle model costs no
 * CPU. One parallel region runs at a time: a call made while another
 * region is running (from another thread, or from inside a task) runs its
 * tasks serially on the caller. Elsewhere (bare metal, or with
 * KILN_RT_THREADS=0) every call runs serially: the API is the same.
 *
 * The thread count is kiln_set_num_threads' value, else the environment
 * variable KILN_NUM_THREADS read at the first call, else 1.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "kiln/runtime.h"

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
static int64_t region_size;
static int64_t region_next;     /* atomic: next task index */
static int64_t region_pending;  /* atomic: workers still inside the region */
static int64_t region_wanted;   /* workers that take part in this region */
static int64_t generation;      /* atomic: bumped once per region */
static int64_t joined;          /* atomic: workers that joined this region */

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

static void run_tasks(void) {
  kiln_task_fn fn = region_fn;
  void *ctx = region_ctx;
  int64_t size = region_size;
  inside_task = 1;
  for (;;) {
    int64_t index = __atomic_fetch_add(&region_next, 1, __ATOMIC_RELAXED);
    if (index >= size)
      break;
    fn(ctx, index, index + 1);
  }
  inside_task = 0;
}

static void *worker_main(void *arg) {
  int64_t seen = (int64_t)(intptr_t)arg;
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
    /* Only the region's wanted number of workers take part; the others
     * (after kiln_set_num_threads lowered the count) stay idle. */
    if (__atomic_fetch_add(&joined, 1, __ATOMIC_ACQ_REL) < region_wanted) {
      run_tasks();
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
    int64_t seen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
    int failed = pthread_create(&thread, &attr, worker_main, (void *)(intptr_t)seen);
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
  region_size = n;
  region_wanted = workers;
  __atomic_store_n(&region_next, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&joined, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&region_pending, workers, __ATOMIC_RELEASE);
  pthread_mutex_lock(&pool_lock);
  __atomic_fetch_add(&generation, 1, __ATOMIC_ACQ_REL);
  pthread_cond_broadcast(&pool_wake);
  pthread_mutex_unlock(&pool_lock);
  run_tasks();
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
