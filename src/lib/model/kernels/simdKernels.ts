/**
 * The WebAssembly SIMD build of the hot loops (`./simd/kernels.c`), in two instances:
 *
 * - on tfjs's WebAssembly backend, one that imports that backend's memory and works on its
 *   tensors in place (`bindSimdKernels`), no copies at all; on its threaded build (a cross-origin
 *   isolated page) the memory is shared, and a build with a shared import takes it;
 * - everywhere else (the cpu backend), one with a memory of its own (`loadSimdKernels`): a call copies the input
 *   arrays in and the results out. At the course's sizes the copies cost a few percent of the
 *   loops they feed.
 *
 * The in-place instance takes the relaxed-SIMD build where the runtime validates it (Chromium
 * since 114): its products and attention use fused multiply-add, about a third faster on the
 * course's reference machine, with sums that differ from the plain build's in the last bits.
 *
 * Where the runtime lacks WebAssembly SIMD both stay null and the kernels run the scalar loops
 * of `./transformerArrays.ts`.
 */
import { SPLIT_EXPORTS, type SimdPool, type SplitExport } from './simdThreadProtocol';
import {
	KERNELS_SHARED_RELAXED_WASM_BASE64,
	KERNELS_SHARED_WASM_BASE64,
	KERNELS_THREADS_RELAXED_WASM_BASE64,
	KERNELS_THREADS_WASM_BASE64,
	KERNELS_WASM_BASE64
} from './simd/kernelsWasm';

// The split exports and the pool's shape live with the thread protocol (no import cycle with
// simdThreads.ts); re-exported for the kernels that name them.
export { SPLIT_EXPORTS, type SimdPool, type SplitExport };

/**
 * An argument of a SIMD call: an array read, an array written (zeroed first if asked), scratch
 * space of n floats, or a number.
 */
export type SimdArg =
	| { in: Float32Array | Int32Array }
	| { out: Float32Array | Int32Array; zero?: boolean }
	| { scratch: number }
	| number;

export type SimdExport = SplitExport | 'transpose' | 'relu_grad' | 'gather_rows' | 'adam';

/**
 * The grain for splitting `items` (rows, columns, pairs) that hold `floats` floats in all: 1 when
 * there is enough work to share between threads (about 32,768 floats touched: some tens of
 * microseconds), else `items`, which keeps the call whole.
 */
export function splitGrain(items: number, floats: number): number {
	return floats >= 32768 ? 1 : Math.max(1, items);
}

/** A loaded instance: call one of its exports on arrays. */
export interface SimdKernels {
	/** Whether arrays in this buffer are passed in place (no copy). */
	holds(buffer: ArrayBufferLike): boolean;
	call(name: SimdExport, ...args: SimdArg[]): void;
	/**
	 * Call `name` on `args` plus a range [lo, hi) of [0, total): once over everything, or, where
	 * helper threads share this memory (a cross-origin isolated page) and there are at least two
	 * pieces of `grain`, in ranges (multiples of `grain`) run at once. The result is the same bit
	 * for bit. `zero` outputs are zeroed once, whole; each range gets its own scratch.
	 */
	split(name: SplitExport, total: number, grain: number, ...args: SimdArg[]): void;
	/** Threads `split` shares a call over (1 without helpers). */
	threads(): number;
	/** Whether this is the relaxed-SIMD build (fused multiply-add in products and attention). */
	readonly fused: boolean;
}

/** Allocation in a memory the instance does not own (tfjs's `_malloc` and `_free`). */
export interface HeapAllocator {
	malloc(bytes: number): number;
	free(ptr: number): void;
}

let own: SimdKernels | null = null;
let loading: Promise<SimdKernels | null> | undefined;
const bound = new WeakMap<WebAssembly.Memory, SimdKernels | null>();
const modules = new WeakMap<
	WebAssembly.Memory,
	{ module: WebAssembly.Module; instance: WebAssembly.Instance }
>();
const pools = new WeakMap<WebAssembly.Memory, SimdPool>();
let active = true;

/** The own-memory instance once `loadSimdKernels()` has resolved with it (and while active). */
export function simdKernels(): SimdKernels | null {
	return active ? own : null;
}

/** The instance bound to `memory` by `bindSimdKernels`, else the own-memory one, else null. */
export function simdKernelsOn(memory: WebAssembly.Memory | undefined): SimdKernels | null {
	if (!active) return null;
	return (memory && bound.get(memory)) || own;
}

/** Let split calls use the helper threads (default), or not: for the benchmark's comparison. */
export function setSimdThreadsActive(on: boolean): void {
	threadsActive = on;
}
let threadsActive = true;

/**
 * Let `bindSimdKernels` take the relaxed-SIMD build where the runtime has it (default), or keep
 * to the plain one: for tests and the benchmark's comparison. Applies to memories bound later.
 */
export function setRelaxedSimdAllowed(on: boolean): void {
	relaxedAllowed = on;
}
let relaxedAllowed = true;

/** Whether the runtime compiles WebAssembly relaxed SIMD (checked once, on the real build). */
export function hasRelaxedSimd(): boolean {
	relaxedSupported ??= (() => {
		try {
			return WebAssembly.validate(decode(KERNELS_SHARED_RELAXED_WASM_BASE64));
		} catch {
			return false;
		}
	})();
	return relaxedSupported;
}
let relaxedSupported: boolean | undefined;

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
 * Compile and instantiate the own-memory build; resolves null (never throws) where the runtime
 * lacks WebAssembly SIMD. Safe to call many times.
 */
export function loadSimdKernels(): Promise<SimdKernels | null> {
	loading ??= (async () => {
		try {
			const { instance } = await WebAssembly.instantiate(decode(KERNELS_WASM_BASE64));
			const memory = instance.exports.memory as WebAssembly.Memory;
			const base = Number((instance.exports.__heap_base as WebAssembly.Global).value);
			let top = Math.ceil(base / 16) * 16;
			const start = top;
			own = wrap(instance, memory, false, {
				// A bump allocator over the module's own memory, reset after every call.
				malloc(bytes) {
					const at = top;
					top += Math.ceil(bytes / 16) * 16;
					const short = top - memory.buffer.byteLength;
					if (short > 0) memory.grow(Math.ceil(short / 65536));
					return at;
				},
				free() {},
				reset: () => (top = start)
			});
		} catch {
			own = null;
		}
		return own;
	})();
	return loading;
}

/**
 * Instantiate the shared build on `memory` (tfjs's WebAssembly heap), allocating scratch with
 * `heap`. Resolves null where that fails (no SIMD, or a shared memory the import cannot take);
 * callers then fall back to the own-memory instance.
 */
export async function bindSimdKernels(
	memory: WebAssembly.Memory,
	heap: HeapAllocator
): Promise<SimdKernels | null> {
	if (bound.has(memory)) return bound.get(memory)!;
	let kernels: SimdKernels | null;
	try {
		// A threaded tfjs build's heap is a shared memory, which only a shared import can take.
		const shared =
			typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
		const fused = relaxedAllowed && hasRelaxedSimd();
		const build = shared
			? fused
				? KERNELS_THREADS_RELAXED_WASM_BASE64
				: KERNELS_THREADS_WASM_BASE64
			: fused
				? KERNELS_SHARED_RELAXED_WASM_BASE64
				: KERNELS_SHARED_WASM_BASE64;
		const { instance, module } = await WebAssembly.instantiate(decode(build), {
			env: { memory }
		});
		if (shared) modules.set(memory, { module, instance });
		kernels = wrap(instance, memory, fused, { ...heap, reset() {} });
	} catch {
		kernels = null;
	}
	bound.set(memory, kernels);
	return kernels;
}

/**
 * Start `threads - 1` helper threads for the instance bound to `memory`, so that split calls
 * share their work: only where `bindSimdKernels` bound the shared-memory build (tfjs's threaded
 * heap, a cross-origin isolated page). Resolves the threads a split call now uses (1: none
 * started). Starting again with the same count keeps the running helpers.
 */
export async function startSimdThreads(
	memory: WebAssembly.Memory,
	threads: number
): Promise<number> {
	const bound = modules.get(memory);
	const running = pools.get(memory);
	if (running?.threads === threads) return threads;
	running?.stop?.();
	pools.delete(memory);
	if (!bound || threads < 2) return 1;
	const { startSimdPool } = await import('./simdThreads');
	const pool = await startSimdPool(bound.module, memory, threads - 1, bound.instance);
	if (pool) pools.set(memory, pool);
	return pool?.threads ?? 1;
}

/** Let `split` calls on `memory`'s instance share their work with `pool` (null: stop). */
export function setSimdPool(memory: WebAssembly.Memory, pool: SimdPool | null): void {
	if (pool) pools.set(memory, pool);
	else pools.delete(memory);
}

function wrap(
	instance: WebAssembly.Instance,
	memory: WebAssembly.Memory,
	fused: boolean,
	alloc: HeapAllocator & { reset(): void }
): SimdKernels {
	const exports = instance.exports as Record<string, unknown>;
	const kernels: SimdKernels = {
		holds: (buffer) => buffer === memory.buffer,
		fused,
		threads: () => pools.get(memory)?.threads ?? 1,
		split(name, total, grain, ...args) {
			const pool = threadsActive ? pools.get(memory) : undefined;
			const arrays = args.filter((a) => typeof a !== 'number' && !('scratch' in a)) as (
				{ in: Float32Array | Int32Array } | { out: Float32Array | Int32Array; zero?: boolean }
			)[];
			const inPlace = arrays.every((a) => ('in' in a ? a.in : a.out).buffer === memory.buffer);
			if (!pool || total < 2 * grain || !inPlace) {
				kernels.call(name, ...args, 0, total);
				return;
			}
			// Offsets first: nothing allocated yet, so no view can have moved.
			const fixed = args.map((a) =>
				typeof a === 'number' ? a : 'scratch' in a ? 0 : ('in' in a ? a.in : a.out).byteOffset
			);
			for (const a of arrays) if ('out' in a && a.zero) a.out.fill(0);
			const scratchArg = args.findIndex((a) => typeof a !== 'number' && 'scratch' in a);
			const scratch: number[] = [];
			try {
				if (scratchArg >= 0) {
					const n = (args[scratchArg] as { scratch: number }).scratch;
					for (let t = 0; t < pool.threads; t++) scratch.push(alloc.malloc(n * 4));
				}
				pool.run(name, fixed, total, grain, scratchArg, scratch);
			} finally {
				for (const at of scratch) alloc.free(at);
				alloc.reset();
			}
		},
		call(name, ...args) {
			// Offsets of arrays already in this memory are read before anything is allocated:
			// an allocation may grow the memory, which detaches views of its old buffer.
			const inPlace = args.map((a) =>
				typeof a !== 'number' && !('scratch' in a)
					? ('in' in a ? a.in : a.out).buffer === memory.buffer
						? ('in' in a ? a.in : a.out).byteOffset
						: -1
					: -1
			);
			const copies: { at: number; bytes: number }[] = [];
			const params = args.map((a, i) => {
				if (typeof a === 'number') return a;
				if (inPlace[i] >= 0) return inPlace[i];
				const n = 'scratch' in a ? a.scratch : ('in' in a ? a.in : a.out).length;
				const at = alloc.malloc(n * 4);
				copies.push({ at, bytes: n * 4 });
				return at;
			});
			try {
				// Views are made after every allocation, on the memory's current buffer; an int32
				// array is copied through an Int32Array view, so its bits arrive unchanged.
				const view = (arr: Float32Array | Int32Array) =>
					arr instanceof Int32Array
						? new Int32Array(memory.buffer)
						: new Float32Array(memory.buffer);
				args.forEach((a, i) => {
					if (typeof a === 'number') return;
					const at = params[i] / 4;
					if ('in' in a) {
						if (inPlace[i] < 0) view(a.in).set(a.in, at);
					} else if ('out' in a && a.zero) view(a.out).fill(0, at, at + a.out.length);
				});
				(exports[name] as (...p: number[]) => void)(...params);
				args.forEach((a, i) => {
					if (typeof a === 'number' || !('out' in a) || inPlace[i] >= 0) return;
					const at = params[i] / 4;
					a.out.set(view(a.out).subarray(at, at + a.out.length));
				});
			} finally {
				for (const c of copies) alloc.free(c.at);
				alloc.reset();
			}
		}
	};
	return kernels;
}
