/**
 * The WebAssembly SIMD build of the transformer's hot loops (`./simd/kernels.c`), loaded once
 * per worker. Its module keeps a memory of its own: a call copies the input arrays in, runs, and
 * copies the results out. At the course's sizes the copies cost a few percent of the loops they
 * feed (about 3 MB a step for the larger transformer's attention, against milliseconds of
 * arithmetic), and they work the same whatever holds the tensors: the cpu backend's arrays or
 * tfjs's own WebAssembly heap. Where SIMD is missing, `simdKernels()` stays null and the
 * kernels run the scalar loops of `./transformerArrays.ts`.
 */
import { KERNELS_WASM_BASE64 } from './simd/kernelsWasm';

/** An argument of a SIMD call: an array copied in, an array filled on the way out, or a number. */
export type SimdArg = { in: Float32Array } | { out: Float32Array; zero?: boolean } | number;

/** The loaded module: call one of its exports on arrays. */
export interface SimdKernels {
	call(name: SimdExport, ...args: SimdArg[]): void;
}

export type SimdExport =
	'gelu' | 'gelu_grad' | 'layer_norm' | 'layer_norm_grad' | 'attention' | 'attention_grad';

let loaded: SimdKernels | null = null;
let loading: Promise<SimdKernels | null> | undefined;
let active = true;

/** The SIMD kernels once `loadSimdKernels()` has resolved with them (and while active), else null. */
export function simdKernels(): SimdKernels | null {
	return active ? loaded : null;
}

/** Turn the SIMD kernels off (the scalar loops run) or on again: for tests and benchmarks. */
export function setSimdActive(on: boolean): void {
	active = on;
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
	const bin = atob(base64);
	const out = new Uint8Array(bin.length);
	for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
	return out;
}

/**
 * Compile and instantiate the module; resolves null (never throws) where the runtime lacks
 * WebAssembly SIMD. Safe to call many times.
 */
export function loadSimdKernels(): Promise<SimdKernels | null> {
	loading ??= (async () => {
		try {
			const { instance } = await WebAssembly.instantiate(decode(KERNELS_WASM_BASE64));
			loaded = wrap(instance);
		} catch {
			loaded = null;
		}
		return loaded;
	})();
	return loading;
}

function wrap(instance: WebAssembly.Instance): SimdKernels {
	const exports = instance.exports as Record<string, unknown>;
	const memory = exports.memory as WebAssembly.Memory;
	const base = Math.ceil(Number((exports.__heap_base as WebAssembly.Global).value) / 16) * 16;
	return {
		call(name, ...args) {
			// Lay every array out from the heap base, 16-byte aligned, growing memory as needed.
			const offsets: number[] = [];
			let end = base;
			for (const a of args) {
				if (typeof a === 'number') {
					offsets.push(0);
					continue;
				}
				const arr = 'in' in a ? a.in : a.out;
				offsets.push(end);
				end += Math.ceil((arr.length * 4) / 16) * 16;
			}
			const short = end - memory.buffer.byteLength;
			if (short > 0) memory.grow(Math.ceil(short / 65536));
			const heap = new Float32Array(memory.buffer);
			const params = args.map((a, i) => {
				if (typeof a === 'number') return a;
				if ('in' in a) heap.set(a.in, offsets[i] / 4);
				else if (a.zero) heap.fill(0, offsets[i] / 4, offsets[i] / 4 + a.out.length);
				return offsets[i];
			});
			(exports[name] as (...p: number[]) => void)(...params);
			args.forEach((a, i) => {
				if (typeof a !== 'number' && 'out' in a) {
					a.out.set(heap.subarray(offsets[i] / 4, offsets[i] / 4 + a.out.length));
				}
			});
		}
	};
}
