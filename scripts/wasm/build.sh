#!/usr/bin/env bash
# Rebuild the WebAssembly SIMD kernels (src/lib/model/kernels/simd/kernels.c) with Debian's clang
# 16 and lld (apt-get install clang-16 lld-16; clang 14 lacks relaxed SIMD), in five builds:
# kernels.wasm keeps a memory of its own (the cpu backend copies arrays in and out),
# kernels-shared.wasm imports tfjs's WebAssembly memory and works on its tensors in place, and
# kernels-threads.wasm does the same with the shared memory of tfjs's threaded build (a
# cross-origin isolated page). kernels-shared-relaxed.wasm and kernels-threads-relaxed.wasm are
# the same two with relaxed SIMD (fused multiply-add in the products), for runtimes that have it
# (Chromium since 114; Node 20 only behind --experimental-wasm-relaxed-simd). Their bytes go as
# base64 into kernelsWasm.ts, which the worker imports. The outputs are committed, so nobody needs clang to run the course or its
# tests; rerun this after changing kernels.c.
#
# The shared build must never touch memory it was not handed: the build fails if the code uses
# the C stack (__stack_pointer, which would point into tfjs's heap) or has a data segment.
set -euo pipefail
cd "$(dirname "$0")/../../src/lib/model/kernels/simd"
CLANG=${CLANG:-clang-16}
FLAGS=(--target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding -fno-builtin)
if $CLANG "${FLAGS[@]}" -S -o - kernels.c | grep -q '__stack_pointer\|\.section\s*\.data\|\.rodata'; then
	echo "kernels.c uses the C stack or static data: the shared build cannot have either" >&2
	exit 1
fi
$CLANG "${FLAGS[@]}" -Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-all \
	-o kernels.wasm kernels.c
for variant in "" -relaxed; do
	extra=()
	[[ -n $variant ]] && extra=(-mrelaxed-simd)
	if $CLANG "${FLAGS[@]}" "${extra[@]}" -S -o - kernels.c | grep -q '__stack_pointer\|\.section\s*\.data\|\.rodata'; then
		echo "kernels.c uses the C stack or static data in the ${variant:-plain} build" >&2
		exit 1
	fi
	$CLANG "${FLAGS[@]}" "${extra[@]}" -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all \
		-o "kernels-shared$variant.wasm" kernels.c
	$CLANG "${FLAGS[@]}" "${extra[@]}" -matomics -mbulk-memory -Wl,--no-entry -Wl,--import-memory \
		-Wl,--shared-memory -Wl,--max-memory=4294967296 -Wl,--strip-all \
		-o "kernels-threads$variant.wasm" kernels.c
done
node -e '
const fs = require("fs");
const crypto = require("crypto");
const out = ["kernels.wasm", "kernels-shared.wasm", "kernels-threads.wasm", "kernels-shared-relaxed.wasm", "kernels-threads-relaxed.wasm"].map((f) => {
	const bytes = fs.readFileSync(f);
	const hash = crypto.createHash("sha256").update(bytes).digest("hex");
	console.log(`${f}: ${bytes.length} bytes, sha256 ${hash}`);
	return { f, bytes, hash };
});
const [own, shared, threads, sharedRelaxed, threadsRelaxed] = out;
fs.writeFileSync("kernelsWasm.ts", `/**
 * The five builds of kernels.c (by scripts/wasm/build.sh; do not edit) as base64, so that the
 * worker bundles them with no extra request.
 * - kernels.wasm, ${own.bytes.length} bytes, sha256 ${own.hash}: its own memory.
 * - kernels-shared.wasm, ${shared.bytes.length} bytes, sha256 ${shared.hash}: imports env.memory.
 * - kernels-threads.wasm, ${threads.bytes.length} bytes, sha256 ${threads.hash}: imports a shared
 *   env.memory (the threaded build of tfjs).
 * - kernels-shared-relaxed.wasm, ${sharedRelaxed.bytes.length} bytes, sha256 ${sharedRelaxed.hash},
 *   and kernels-threads-relaxed.wasm, ${threadsRelaxed.bytes.length} bytes, sha256
 *   ${threadsRelaxed.hash}: the same two with relaxed SIMD (fused multiply-add).
 */
export const KERNELS_WASM_BASE64 =
\t\x27${own.bytes.toString("base64")}\x27;

export const KERNELS_SHARED_WASM_BASE64 =
\t\x27${shared.bytes.toString("base64")}\x27;

export const KERNELS_THREADS_WASM_BASE64 =
\t\x27${threads.bytes.toString("base64")}\x27;

export const KERNELS_SHARED_RELAXED_WASM_BASE64 =
\t\x27${sharedRelaxed.bytes.toString("base64")}\x27;

export const KERNELS_THREADS_RELAXED_WASM_BASE64 =
\t\x27${threadsRelaxed.bytes.toString("base64")}\x27;
`);
'
