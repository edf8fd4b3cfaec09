#!/usr/bin/env bash
#===- scripts/sanitize.sh - The sanitizer suite -------------------------===#
#
# Builds Kiln with AddressSanitizer and UBSan (CMake preset `sanitize`, in
# build-sanitize/, with the libFuzzer targets), then runs its test preset:
# the lit suite, the core end-to-end tests with the generated code itself
# instrumented (kilnc --sanitize=address) and run with every tensor and the
# workspace in its own heap block, and each fuzz target for
# KILN_FUZZ_SECONDS (default 60). scripts/test.sh runs this after the main
# suite; extra arguments go to ctest.
#
#===--------------------------------------------------------------------===#
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$ROOT/build-sanitize"
JOBS="${KILN_JOBS:-$(nproc)}"

cd "$ROOT"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake --preset sanitize -DKILN_FUZZ_SECONDS="${KILN_FUZZ_SECONDS:-60}"
elif [ -n "${KILN_FUZZ_SECONDS:-}" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DKILN_FUZZ_SECONDS="$KILN_FUZZ_SECONDS" >/dev/null
fi
# ccache hits across checkouts in other directories: paths relative to the
# source root, and the working directory left out of the hash (this build
# has line tables, which would otherwise put it in).
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
cmake --build "$BUILD_DIR" -j "$JOBS"
# Any report fails the test that triggered it: halt on the first error,
# leaks included; UBSan prints a stack for every report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --preset sanitize -j "${KILN_TEST_JOBS:-1}" "$@"
