#!/usr/bin/env bash
#===- scripts/quickstart.sh - Set up, build, compile and run the example -===#
#
# The README's first command: installs what is missing, builds Kiln,
# compiles the bundled example model with kilnc, links the object with a
# small C program and libkiln_rt.a, and runs it.
#
#===--------------------------------------------------------------------===#
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"

OUT="$BUILD_DIR/quickstart"
mkdir -p "$OUT"
echo "quickstart: kilnc examples/quickstart/classifier.onnxtxt -o $OUT/classifier.o"
"$BUILD_DIR/bin/kilnc" "$ROOT/examples/quickstart/classifier.onnxtxt" -o "$OUT/classifier.o"
cc -std=c11 -O2 -I"$OUT" -I"$ROOT/runtime/include" \
  "$ROOT/examples/quickstart/main.c" "$OUT/classifier.o" \
  "$BUILD_DIR/runtime/libkiln_rt.a" -lm -o "$OUT/classifier"
echo "quickstart: running $OUT/classifier"
"$OUT/classifier"
