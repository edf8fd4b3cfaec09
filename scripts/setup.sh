#!/usr/bin/env bash
#===- scripts/setup.sh - Install what Kiln needs on Debian 12 -----------===#
#
# Installs every Debian package the build, the tests and the examples use.
# Idempotent: packages already installed are left alone, and apt is not
# touched at all when nothing is missing. Runs as root or through sudo.
#
#===--------------------------------------------------------------------===#
set -euo pipefail

PACKAGES=(
  # Build
  build-essential cmake ninja-build ccache git pkgconf make
  # The pinned formatter (.clang-format; the format-check ctest)
  clang-format-22
  # LLVM, MLIR, Clang and LLD 22; lit and FileCheck come with llvm-22-tools
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22 libclang-rt-22-dev
  # ONNX: protobuf, libonnx (parser, checker, shape inference, version
  # converter) and the backend test data
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  # libtorch for the TorchScript front end (kilnc model.pt)
  libtorch-dev
  # Test models are made with Debian's PyTorch and ONNX (/usr/bin/python3)
  python3 python3-numpy python3-onnx python3-torch python3-torchvision
  # Firmware: the cross toolchains and QEMU that run models on Cortex-M4,
  # Cortex-M33 and RV32 boards and on AArch64 and RISC-V 64 Linux
  gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf
  picolibc-riscv64-unknown-elf gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  qemu-system-arm qemu-system-misc qemu-user
  # ONNX Runtime's references for the int8 models (onnxruntime-node, below)
  nodejs
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# npm comes with some Node.js packages and not with Debian's.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages are installed"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime for Node.js, from the npm registry, into bench/.node: the
# benchmark's peer and the int8 firmware tests' reference
# (test/firmware/check_int8.py). Its install script is not run: the
# package carries its prebuilt library.
ORT_VERSION=1.30.0
ORT_PREFIX="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bench/.node"
if [ ! -f "$ORT_PREFIX/node_modules/onnxruntime-node/package.json" ]; then
  echo "setup: installing onnxruntime-node@$ORT_VERSION into bench/.node"
  npm install --prefix "$ORT_PREFIX" --ignore-scripts --no-audit --no-fund \
    "onnxruntime-node@$ORT_VERSION" >/dev/null
fi
echo "setup: done"
