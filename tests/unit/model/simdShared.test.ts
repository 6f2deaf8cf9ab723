/**
 * Our SIMD kernels bound to a shared WebAssembly memory, as tfjs's threaded build has (a
 * cross-origin isolated page): the build with a shared import instantiates on it, works on arrays
 * in place and on copies, and gives what the plain build gives; the plain shared-import build
 * would refuse that memory.
 */
import { describe, expect, it } from 'vitest';
import { bindSimdKernels, loadSimdKernels } from '$lib/model/kernels/simdKernels';
import { KERNELS_SHARED_WASM_BASE64 } from '$lib/model/kernels/simd/kernelsWasm';

describe('SIMD kernels on a shared memory', () => {
	it('bind, compute in place and on copies, and match the own-memory build', async () => {
		const memory = new WebAssembly.Memory({ initial: 17, maximum: 32768, shared: true });
		expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
		// A bump allocator above the first 64 KiB, like tfjs's malloc would hand out.
		let top = 65536;
		const kernels = await bindSimdKernels(memory, {
			malloc: (bytes) => ((top += bytes), top - bytes),
			free: () => undefined
		});
		expect(kernels).not.toBeNull();
		const own = (await loadSimdKernels())!;

		const n = 1000;
		const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
		const want = new Float32Array(n);
		own.call('gelu_part', { in: x }, { out: want }, n, 0, n);

		// Copied in and out.
		const copied = new Float32Array(n);
		kernels!.call('gelu_part', { in: x }, { out: copied }, n, 0, n);
		expect(Array.from(copied)).toEqual(Array.from(want));

		// In place: input and output already in the shared memory.
		const inX = new Float32Array(memory.buffer, 4096, n);
		inX.set(x);
		const inY = new Float32Array(memory.buffer, 4096 + 4 * n, n);
		expect(kernels!.holds(memory.buffer)).toBe(true);
		kernels!.call('gelu_part', { in: inX }, { out: inY }, n, 0, n);
		expect(Array.from(inY)).toEqual(Array.from(want));
	});

	it('needs its own build: the plain shared-import one cannot take a shared memory', async () => {
		const memory = new WebAssembly.Memory({ initial: 17, maximum: 32768, shared: true });
		const bytes = Uint8Array.from(atob(KERNELS_SHARED_WASM_BASE64), (c) => c.charCodeAt(0));
		await expect(WebAssembly.instantiate(bytes, { env: { memory } })).rejects.toThrow();
	});
});
