#!/bin/sh
# Builds the C policies into OUT_DIR (default: target/c-plugins) as wasm32
# modules, with Debian's clang and lld (packages clang, lld).
# Exit status 3: the compiler or linker is missing.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../target/c-plugins}"
if ! command -v clang >/dev/null 2>&1 || ! command -v wasm-ld >/dev/null 2>&1; then
  echo "clang and wasm-ld (lld) are needed to build the C policies: on Debian, apt-get install clang lld" >&2
  exit 3
fi
mkdir -p "$out"
for policy in fifo sieve; do
  clang --target=wasm32-unknown-unknown -O2 -std=c11 -Wall -Wextra -Werror \
    -ffreestanding -nostdlib -Wl,--no-entry -Wl,--strip-debug \
    -o "$out/c-$policy.wasm" "$here/$policy.c"
done
# The same FIFO speaking ABI versions 2 and 1, which wsim keeps running
# unchanged.
for version in 2 1; do
  clang --target=wasm32-unknown-unknown -O2 -std=c11 -Wall -Wextra -Werror \
    -ffreestanding -nostdlib -Wl,--no-entry -Wl,--strip-debug -DWSIM_ABI_VERSION=$version \
    -o "$out/c-fifo-v$version.wasm" "$here/fifo.c"
done
echo "built $out/c-fifo.wasm, $out/c-sieve.wasm, and $out/c-fifo-v2.wasm and $out/c-fifo-v1.wasm (ABI versions 2 and 1)"
