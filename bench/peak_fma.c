/* peak_fma.c - the single-thread FP32 FMA throughput of this machine.
 *
 * Twelve independent vector accumulators, each updated by a fused
 * multiply-add per iteration, keep both FMA pipes busy whatever their
 * latency. Built with -O2 -march=native: AVX-512 (16 lanes) when the CPU
 * has it, else AVX2 (8 lanes). Prints {"gflops": ..., "isa": ...}. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define STORE _mm512_storeu_ps
#define ISA "avx512"
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
#define STORE _mm256_storeu_ps
#define ISA "avx2"
#else
#error "peak_fma.c needs AVX2+FMA or AVX-512"
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  const long iters = 200000000L;
  vec a = SET1(0.999999f), b = SET1(1e-7f);
  vec c0 = SET1(0), c1 = SET1(1), c2 = SET1(2), c3 = SET1(3), c4 = SET1(4), c5 = SET1(5);
  vec c6 = SET1(6), c7 = SET1(7), c8 = SET1(8), c9 = SET1(9), c10 = SET1(10), c11 = SET1(11);
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    double t0 = now();
    for (long i = 0; i < iters / 12; ++i) {
      c0 = FMA(c0, a, b);
      c1 = FMA(c1, a, b);
      c2 = FMA(c2, a, b);
      c3 = FMA(c3, a, b);
      c4 = FMA(c4, a, b);
      c5 = FMA(c5, a, b);
      c6 = FMA(c6, a, b);
      c7 = FMA(c7, a, b);
      c8 = FMA(c8, a, b);
      c9 = FMA(c9, a, b);
      c10 = FMA(c10, a, b);
      c11 = FMA(c11, a, b);
    }
    double secs = now() - t0;
    double gflops = (double)(iters / 12) * 12 * LANES * 2 / secs / 1e9;
    if (gflops > best)
      best = gflops;
  }
  vec sum = ADD(ADD(ADD(c0, c1), ADD(c2, c3)), ADD(ADD(c4, c5), ADD(c6, c7)));
  sum = ADD(sum, ADD(ADD(c8, c9), ADD(c10, c11)));
  float out[LANES];
  STORE(out, sum);
  printf("{\"gflops\": %.1f, \"isa\": \"%s\", \"checksum\": %g}\n", best, ISA, out[0]);
  return 0;
}
