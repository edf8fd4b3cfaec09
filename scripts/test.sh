#!/usr/bin/env bash
#===- scripts/test.sh - Build Kiln and run the whole test suite ---------===#
#
# The README's second command, and what CI runs: installs what is missing,
# builds, then runs every ctest suite (lit, end-to-end numerics, the ONNX
# backend conformance suite). Extra arguments go to ctest, e.g.
# `scripts/test.sh -L lit` or `scripts/test.sh -LE slow`.
#
#===--------------------------------------------------------------------===#
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 1800 -j "${KILN_TEST_JOBS:-1}" "$@"
