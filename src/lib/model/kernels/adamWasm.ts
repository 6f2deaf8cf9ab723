/**
 * The fused Adam kernel (see `adamKernel.ts`) for the WebAssembly backend: the update runs
 * straight on the tensors' bytes in the WebAssembly heap, one pass, no copies: in our SIMD
 * build (float32, as PyTorch computes it) once it is bound to tfjs's memory, in JavaScript
 * (double precision in between) otherwise.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';
import { ADAM_KERNEL, adamUpdateArrays, type AdamKernelAttrs } from './adamKernel';
import { simdKernelsOn } from './simdKernels';
import { wasmMemory } from './hostKernels';

/** The slice of the WebAssembly backend this kernel uses. */
interface WasmBackendLike {
	dataIdMap: { get(id: tf.DataId): { memoryOffset: number } | undefined };
	wasm: { HEAPU8: Uint8Array; asm?: { memory?: WebAssembly.Memory } };
	makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

registerOnce(ADAM_KERNEL, 'wasm', ({ inputs, backend, attrs }) => {
	const wasm = backend as unknown as WasmBackendLike;
	const { x, g, m, v } = inputs as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
	const outs = [0, 1, 2].map(() => wasm.makeOutput(x.shape, 'float32'));
	const n = tf.util.sizeFromShape(x.shape);
	// Views are made after allocating: an allocation may grow (and move) the heap.
	const memory = wasmMemory(wasm);
	const heap = memory?.buffer ?? wasm.wasm.HEAPU8.buffer;
	const view = (t: tf.TensorInfo) => {
		const entry = wasm.dataIdMap.get(t.dataId);
		if (!entry) throw new Error('Adam: a tensor is not in the WebAssembly heap');
		return new Float32Array(heap, entry.memoryOffset, n);
	};
	const a = attrs as unknown as AdamKernelAttrs;
	const simd = simdKernelsOn(memory);
	if (simd && memory && simd.holds(heap)) {
		simd.call(
			'adam',
			{ in: view(x) },
			{ in: view(g) },
			{ in: view(m) },
			{ in: view(v) },
			n,
			a.beta1,
			a.beta2,
			// 1 − β in double, rounded once to float32 on the way in (as PyTorch does).
			1 - a.beta1,
			1 - a.beta2,
			a.stepSize,
			a.eps,
			{ out: view(outs[0]) },
			{ out: view(outs[1]) },
			{ out: view(outs[2]) }
		);
		return outs;
	}
	adamUpdateArrays(
		view(x),
		view(g),
		view(m),
		view(v),
		view(outs[0]),
		view(outs[1]),
		view(outs[2]),
		a
	);
	return outs;
});
