#!/usr/bin/env bash
# run_fuzzer.sh CORPUS_DIR FUZZER [libFuzzer args...] [SEED_DIRS...]
# Fuzzes into CORPUS_DIR (created if missing; it keeps what the fuzzer
# learns between runs). On a finding libFuzzer exits non-zero and writes
# the input as crash-*, leak-*, timeout-* or oom-* beside its
# -artifact_prefix; add that file to test/fuzz/regressions/ once fixed.
set -euo pipefail
corpus="$1"
shift
mkdir -p "$corpus"
# The corpus goes first: libFuzzer writes new inputs to the first directory.
fuzzer="$1"
shift
exec "$fuzzer" "$corpus" "$@"
