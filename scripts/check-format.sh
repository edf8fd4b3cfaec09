#!/usr/bin/env bash
#===- scripts/check-format.sh - Check (or fix) the C and C++ formatting --===#
#
# Runs the pinned clang-format-22 (.clang-format: LLVM style, 100 columns)
# over every tracked .c, .h, .cpp and .inc file. Without arguments it
# fails, listing the files, when any is not formatted; with --fix it
# formats them in place. Exits 77 (ctest's skip) when clang-format-22 is
# missing: scripts/setup.sh installs it.
#
#===--------------------------------------------------------------------===#
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG_FORMAT="${CLANG_FORMAT:-clang-format-22}"
if ! command -v "$CLANG_FORMAT" >/dev/null; then
  echo "check-format: $CLANG_FORMAT not found (scripts/setup.sh installs it); skipped"
  exit 77
fi
cd "$ROOT"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp' '*.inc')
else
  mapfile -t files < <(find dialects include lib runtime tools test examples bench \
    -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.inc' \) | sort)
fi
if [ "${1:-}" = "--fix" ]; then
  "$CLANG_FORMAT" -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  if ! "$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if [ ${#bad[@]} -ne 0 ]; then
  echo "check-format: not formatted (run scripts/check-format.sh --fix):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
