#!/usr/bin/env bash
# Rebuild src/lib/model/kernels/simd/kernels.wasm from kernels.c with Debian's clang and lld
# (apt-get install clang lld), then write its bytes as base64 into kernelsWasm.ts, which the
# trainer's worker imports. The .wasm and .ts are committed, so nobody needs clang to run the
# course or its tests; rerun this after changing kernels.c.
set -euo pipefail
cd "$(dirname "$0")/../../src/lib/model/kernels/simd"
clang --target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding -fno-builtin \
	-Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-all \
	-o kernels.wasm kernels.c
node -e '
const fs = require("fs");
const bytes = fs.readFileSync("kernels.wasm");
const hash = require("crypto").createHash("sha256").update(bytes).digest("hex");
fs.writeFileSync("kernelsWasm.ts", `/**
 * kernels.wasm (built from kernels.c by scripts/wasm/build.sh; do not edit), ${bytes.length} bytes,
 * sha256 ${hash}, as base64 so that the worker bundles it with no extra request.
 */
export const KERNELS_WASM_BASE64 =
\t"${bytes.toString("base64")}";
`);
console.log(`kernels.wasm: ${bytes.length} bytes, sha256 ${hash}`);
'
