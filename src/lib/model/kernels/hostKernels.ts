/**
 * Kernels that run as JavaScript loops on the tensors' own memory, registered once for both
 * backends whose tensors live in memory JavaScript can address: the plain-JavaScript `cpu`
 * backend (each tensor a typed array) and WebAssembly (each tensor a range of the module's
 * heap). A kernel is written once over typed arrays and sees no copies on either backend; the
 * fused Adam and gather-sum kernels do the same by hand.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';
import {
	bindSimdKernels,
	simdKernels,
	simdKernelsOn,
	startSimdThreads,
	type SimdKernels
} from './simdKernels';

/** A typed view of one tensor's values. */
export type HostArray = Float32Array | Int32Array;

/** A kernel over typed arrays. */
export interface HostKernel {
	/** Shapes of the outputs from the inputs' shapes and the attributes. */
	outputs(shapes: Record<string, number[]>, attrs: Record<string, unknown>): number[][];
	/** The outputs' dtypes from the inputs' (default: all float32). */
	dtypes?(dtypes: Record<string, tf.DataType>): ('float32' | 'int32')[];
	/**
	 * Fill `outs` (fresh, not necessarily zeroed) from `ins`. The arrays are views of backend
	 * memory, valid only during the call. `simd` is the WebAssembly SIMD build to use, if any:
	 * on the WebAssembly backend one that works on these very arrays in place.
	 */
	run(
		ins: Record<string, HostArray>,
		/** Float32Array views, or Int32Array where `dtypes` says int32. */
		outs: Float32Array[],
		attrs: Record<string, unknown>,
		simd: SimdKernels | null,
		/** The inputs' shapes, by name. */
		shapes: Record<string, number[]>
	): void;
}

interface CpuBackendLike {
	data: { get(id: tf.DataId): { values: unknown } };
	makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}
interface WasmBackendLike {
	dataIdMap: { get(id: tf.DataId): { memoryOffset: number } | undefined };
	wasm: {
		HEAPU8: Uint8Array;
		/** The module's memory, exported by tfjs's single-threaded Emscripten builds… */
		asm?: { memory?: WebAssembly.Memory };
		/** …and imported, shared, by its threaded build (a cross-origin isolated page). */
		wasmMemory?: WebAssembly.Memory;
		_malloc(bytes: number): number;
		_free(ptr: number): void;
	};
	makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The WebAssembly memory of tfjs's wasm backend `backend`, whichever build it runs. */
export function wasmMemory(backend: unknown): WebAssembly.Memory | undefined {
	const wasm = (backend as Partial<WasmBackendLike> | undefined)?.wasm;
	const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
	return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/**
 * Bind the SIMD kernels to tfjs's WebAssembly backend `backend`, so that they work on its
 * tensors in place, and where its heap is shared (the threaded build of a cross-origin isolated
 * page) give them `threads - 1` helper threads of their own. Resolves whether binding worked; if
 * not, the kernels copy, or run scalar loops.
 */
export async function bindSimdToWasmBackend(backend: unknown, threads = 1): Promise<boolean> {
	const wasm = (backend as WasmBackendLike).wasm;
	const memory = wasmMemory(backend);
	if (!(memory instanceof WebAssembly.Memory)) return false;
	const kernels = await bindSimdKernels(memory, {
		malloc: (bytes) => wasm._malloc(bytes),
		free: (ptr) => wasm._free(ptr)
	});
	if (kernels && threads > 1) await startSimdThreads(memory, threads);
	return kernels !== null;
}

function shapes(inputs: tf.NamedTensorInfoMap): Record<string, number[]> {
	return Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t!.shape]));
}

function outputDtypes(kernel: HostKernel, inputs: tf.NamedTensorInfoMap, n: number) {
	const dtypes = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t!.dtype]));
	return kernel.dtypes?.(dtypes) ?? new Array<'float32'>(n).fill('float32');
}

/** Register `kernel` as `name` on the cpu and wasm backends (once each). */
export function registerHostKernel(name: string, kernel: HostKernel): void {
	registerOnce(name, 'cpu', ({ inputs, backend, attrs = {} }) => {
		const cpu = backend as unknown as CpuBackendLike;
		const ins: Record<string, HostArray> = {};
		for (const [k, t] of Object.entries(inputs)) {
			ins[k] = cpu.data.get(t!.dataId).values as HostArray;
		}
		const outShapes = kernel.outputs(shapes(inputs), attrs);
		const types = outputDtypes(kernel, inputs, outShapes.length);
		const outs = outShapes.map((s, i) =>
			types[i] === 'int32'
				? new Int32Array(tf.util.sizeFromShape(s))
				: new Float32Array(tf.util.sizeFromShape(s))
		);
		kernel.run(ins, outs as Float32Array[], attrs, simdKernels(), shapes(inputs));
		const infos = outShapes.map((s, i) => cpu.makeTensorInfo(s, types[i], outs[i] as Float32Array));
		return infos.length === 1 ? infos[0] : infos;
	});
	registerOnce(name, 'wasm', ({ inputs, backend, attrs = {} }) => {
		const wasm = backend as unknown as WasmBackendLike;
		const outShapes = kernel.outputs(shapes(inputs), attrs);
		const types = outputDtypes(kernel, inputs, outShapes.length);
		const infos = outShapes.map((s, i) => wasm.makeOutput(s, types[i]));
		// Views are made after allocating: an allocation may grow (and move) the heap.
		const memory = wasmMemory(wasm);
		const heap = memory?.buffer ?? wasm.wasm.HEAPU8.buffer;
		const view = (t: tf.TensorInfo): HostArray => {
			const entry = wasm.dataIdMap.get(t.dataId);
			if (!entry) throw new Error(`${name}: a tensor is not in the WebAssembly heap`);
			const n = tf.util.sizeFromShape(t.shape);
			if (t.dtype !== 'int32' && t.dtype !== 'float32')
				throw new Error(`${name}: ${t.dtype} tensors are not supported`);
			return t.dtype === 'int32'
				? new Int32Array(heap, entry.memoryOffset, n)
				: new Float32Array(heap, entry.memoryOffset, n);
		};
		const ins: Record<string, HostArray> = {};
		for (const [k, t] of Object.entries(inputs)) ins[k] = view(t!);
		kernel.run(
			ins,
			infos.map((t) => view(t) as Float32Array),
			attrs,
			simdKernelsOn(memory),
			shapes(inputs)
		);
		return infos.length === 1 ? infos[0] : infos;
	});
}
