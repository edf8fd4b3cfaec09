/* The runtime's thread API and parallel-for, driven directly: counts out
 * of range are refused, every task of a region runs exactly once at every
 * thread count, nested and concurrent regions run serially on their own
 * thread, and an empty region calls nothing. */
#include <kiln/runtime.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define TASKS 1000

static int hits[TASKS];

static void count(void *ctx, int64_t begin, int64_t end) {
  (void)ctx;
  for (int64_t i = begin; i < end; ++i)
    __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
}

static int check_once(const char *what) {
  for (int i = 0; i < TASKS; ++i)
    if (hits[i] != 1) {
      printf("%s: task %d ran %d times\n", what, i, hits[i]);
      return 1;
    }
  return 0;
}

static void nested(void *ctx, int64_t begin, int64_t end) {
  (void)ctx;
  for (int64_t i = begin; i < end; ++i) {
    /* A region inside a task runs on this thread: ten tasks, ten hits. */
    kiln_parallel_for(10, count, 0);
  }
}

static void never(void *ctx, int64_t begin, int64_t end) {
  (void)ctx;
  (void)begin;
  (void)end;
  abort();
}

static void *other_thread(void *arg) {
  (void)arg;
  kiln_parallel_for(TASKS, count, 0);
  return 0;
}

int main(void) {
  printf("default: %d\n", kiln_get_num_threads());
  printf("set 0: %d, set 257: %d, count still %d\n", kiln_set_num_threads(0),
         kiln_set_num_threads(257), kiln_get_num_threads());
  for (int threads = 1; threads <= 4; ++threads) {
    if (kiln_set_num_threads(threads) != 0)
      return 1;
    for (int round = 0; round < 50; ++round) {
      for (int i = 0; i < TASKS; ++i)
        hits[i] = 0;
      kiln_parallel_for(TASKS, count, 0);
      if (check_once("region"))
        return 1;
    }
  }
  printf("every task once at 1 to 4 threads\n");
  for (int i = 0; i < TASKS; ++i)
    hits[i] = 0;
  kiln_parallel_for(100, nested, 0);
  for (int i = 0; i < 10; ++i)
    if (hits[i] != 100)
      return 1;
  printf("nested regions run serially\n");
  kiln_parallel_for(0, never, 0);
  kiln_parallel_for(-5, never, 0);
  printf("empty regions call nothing\n");
  /* Two threads starting regions at once: each region still runs every
   * task once (one of them on its own thread). */
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < TASKS; ++i)
      hits[i] = 0;
    pthread_t t;
    pthread_create(&t, 0, other_thread, 0);
    kiln_parallel_for(TASKS, count, 0);
    pthread_join(t, 0);
    for (int i = 0; i < TASKS; ++i)
      if (hits[i] != 2) {
        printf("concurrent regions: task %d ran %d times\n", i, hits[i]);
        return 1;
      }
  }
  printf("concurrent regions each run every task once\n");
  return 0;
}
