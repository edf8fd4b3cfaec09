#!/usr/bin/env bash
#===- scripts/build.sh - Configure and build Kiln -----------------------===#
#
# Configures build/ with Ninja and Clang 22 (ccache when present) against
# Debian's shared LLVM/MLIR 22, then builds everything. BUILD_DIR and
# KILN_JOBS override the defaults.
#
#===--------------------------------------------------------------------===#
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
JOBS="${KILN_JOBS:-$(nproc)}"
# ccache hashes paths relative to the checkout, so clones in other
# directories (CI's clean clone) reuse each other's objects.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}" CCACHE_NOHASHDIR=1

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
fi
cmake --build "$BUILD_DIR" -j "$JOBS"
