#!/usr/bin/env bash
#===- scripts/test.sh - Build Kiln and run the whole test suite ---------===#
#
# The README's second command, and what CI runs: installs what is missing,
# builds, then runs every ctest suite (lit, end-to-end numerics, the ONNX
# backend conformance suite), then the sanitizer suite (scripts/sanitize.sh:
# ASan + UBSan build, lit and core e2e under it, the fuzzers for a bounded
# time). Extra arguments go to the main ctest run only, e.g.
# `scripts/test.sh -L lit` or `scripts/test.sh -LE slow`, and skip the
# sanitizer suite; KILN_SKIP_SANITIZE=1 skips it too.
#
#===--------------------------------------------------------------------===#
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 1800 -j "${KILN_TEST_JOBS:-1}" "$@"

if [ $# -eq 0 ] && [ -z "${KILN_SKIP_SANITIZE:-}" ]; then
  "$ROOT/scripts/sanitize.sh"
fi
