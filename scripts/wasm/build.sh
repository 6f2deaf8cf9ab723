#!/usr/bin/env bash
# Rebuild the WebAssembly SIMD kernels (src/lib/model/kernels/simd/kernels.c) with Debian's clang
# and lld (apt-get install clang lld), in three builds: kernels.wasm keeps a memory of its own
# (the cpu backend copies arrays in and out), kernels-shared.wasm imports tfjs's WebAssembly
# memory and works on its tensors in place, and kernels-threads.wasm does the same with the
# shared memory of tfjs's threaded build (a cross-origin isolated page). Their bytes go as base64 into kernelsWasm.ts, which
# the worker imports. The outputs are committed, so nobody needs clang to run the course or its
# tests; rerun this after changing kernels.c.
#
# The shared build must never touch memory it was not handed: the build fails if the code uses
# the C stack (__stack_pointer, which would point into tfjs's heap) or has a data segment.
set -euo pipefail
cd "$(dirname "$0")/../../src/lib/model/kernels/simd"
FLAGS=(--target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding -fno-builtin)
if clang "${FLAGS[@]}" -S -o - kernels.c | grep -q '__stack_pointer\|\.section\s*\.data\|\.rodata'; then
	echo "kernels.c uses the C stack or static data: the shared build cannot have either" >&2
	exit 1
fi
clang "${FLAGS[@]}" -Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-all \
	-o kernels.wasm kernels.c
clang "${FLAGS[@]}" -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all \
	-o kernels-shared.wasm kernels.c
clang "${FLAGS[@]}" -matomics -mbulk-memory -Wl,--no-entry -Wl,--import-memory \
	-Wl,--shared-memory -Wl,--max-memory=4294967296 -Wl,--strip-all \
	-o kernels-threads.wasm kernels.c
node -e '
const fs = require("fs");
const crypto = require("crypto");
const out = ["kernels.wasm", "kernels-shared.wasm", "kernels-threads.wasm"].map((f) => {
	const bytes = fs.readFileSync(f);
	const hash = crypto.createHash("sha256").update(bytes).digest("hex");
	console.log(`${f}: ${bytes.length} bytes, sha256 ${hash}`);
	return { f, bytes, hash };
});
const [own, shared, threads] = out;
fs.writeFileSync("kernelsWasm.ts", `/**
 * The three builds of kernels.c (by scripts/wasm/build.sh; do not edit) as base64, so that the
 * worker bundles them with no extra request.
 * - kernels.wasm, ${own.bytes.length} bytes, sha256 ${own.hash}: its own memory.
 * - kernels-shared.wasm, ${shared.bytes.length} bytes, sha256 ${shared.hash}: imports env.memory.
 * - kernels-threads.wasm, ${threads.bytes.length} bytes, sha256 ${threads.hash}: imports a shared
 *   env.memory (the threaded build of tfjs).
 */
export const KERNELS_WASM_BASE64 =
\t\x27${own.bytes.toString("base64")}\x27;

export const KERNELS_SHARED_WASM_BASE64 =
\t\x27${shared.bytes.toString("base64")}\x27;

export const KERNELS_THREADS_WASM_BASE64 =
\t\x27${threads.bytes.toString("base64")}\x27;
`);
'
