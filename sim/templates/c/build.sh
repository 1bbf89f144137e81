#!/bin/sh
# Builds {{name}}.wasm from {{name}}.c with clang and lld (on Debian:
# apt-get install clang lld).
set -eu
cd "$(dirname "$0")"
if ! command -v clang >/dev/null 2>&1 || ! command -v wasm-ld >/dev/null 2>&1; then
  echo "clang and wasm-ld (lld) are needed: on Debian, apt-get install clang lld" >&2
  exit 3
fi
clang --target=wasm32-unknown-unknown -O2 -std=c11 -Wall -Wextra -Werror \
  -ffreestanding -nostdlib -Wl,--no-entry -Wl,--strip-debug \
  -o {{name}}.wasm {{name}}.c
echo "built {{name}}.wasm"
