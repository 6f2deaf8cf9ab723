/**
 * The control block the SIMD helper threads and their caller share (`simdThreads.ts`,
 * `simdThread.worker.ts`), and the loop every thread runs on it. Kept apart so that the
 * helper's bundle carries nothing else.
 *
 * A call is cut into chunks of a range [0, total). Whoever is free takes the next chunk with a
 * compare-and-swap on `next`, which holds the job's number in its high bits and the next chunk
 * in its low 16; a thread that is slow to wake (a busy machine) finds every chunk taken and
 * does nothing, and the caller, which takes chunks too, never waits for a thread that has not
 * started. Chunks write disjoint floats, so who runs which changes nothing in the result.
 */
export const SLOT = {
	/** Number of the job last published (15 bits). */
	job: 0,
	/** (job << 16) | next chunk to take. */
	next: 1,
	/** Chunks finished in the current job. */
	finished: 2,
	fn: 3,
	nargs: 4,
	chunk: 5,
	total: 6,
	chunks: 7,
	/** Index of the argument that is per-thread scratch, or -1. */
	scratchArg: 8,
	/** Set when a chunk threw. */
	failed: 9,
	/** Scratch pointer of thread t at SCRATCH_AT + t. */
	scratchAt: 10
} as const;
export const MAX_THREADS = 8;
export const ARGS_AT = 4 * (SLOT.scratchAt + MAX_THREADS);
export const MAX_ARGS = 24;
export const BLOCK_BYTES = ARGS_AT + 8 * MAX_ARGS;

/** What a helper is sent to start. */
export interface HelperInit {
	module: WebAssembly.Module;
	memory: WebAssembly.Memory;
	control: SharedArrayBuffer;
	names: readonly string[];
	/** This helper's thread number (the caller is 0). */
	thread: number;
}

/**
 * Publish a job: export number `fn` on `args` (plus each chunk's [lo, hi)) over [0, total) in
 * chunks of `chunk`; argument `scratchArg` (or -1) takes `scratch[t]` on thread t. Returns the
 * job's number and its chunk count. Every thread may then `runChunks` it.
 */
export function publish(
	i32: Int32Array,
	f64: Float64Array,
	fn: number,
	args: number[],
	total: number,
	chunk: number,
	scratchArg: number,
	scratch: number[]
): { job: number; chunks: number } {
	if (args.length + 2 > MAX_ARGS) throw new Error('a split call has too many arguments');
	if (scratch.length > MAX_THREADS) throw new Error('too many threads');
	const chunks = Math.ceil(total / chunk);
	f64.set(args);
	i32[SLOT.fn] = fn;
	i32[SLOT.nargs] = args.length;
	i32[SLOT.chunk] = chunk;
	i32[SLOT.total] = total;
	i32[SLOT.chunks] = chunks;
	i32[SLOT.scratchArg] = scratchArg;
	for (let t = 0; t < MAX_THREADS; t++) i32[SLOT.scratchAt + t] = scratch[t] ?? 0;
	Atomics.store(i32, SLOT.failed, 0);
	Atomics.store(i32, SLOT.finished, 0);
	const job = (Atomics.load(i32, SLOT.job) + 1) & 0x7fff;
	Atomics.store(i32, SLOT.next, job << 16);
	// Last: a helper that sees the new number sees everything written above.
	Atomics.store(i32, SLOT.job, job);
	return { job, chunks };
}

/**
 * Take and run chunks of job `job` until none is left (or `limit` ran): thread `thread`'s share.
 * `fns` are the split exports by number. Returns the chunks this thread ran.
 */
export function runChunks(
	i32: Int32Array,
	f64: Float64Array,
	fns: ((...args: number[]) => void)[],
	job: number,
	thread: number,
	limit = Infinity
): number {
	const fn = fns[i32[SLOT.fn]];
	const args = Array.from(f64.subarray(0, i32[SLOT.nargs]));
	const scratchArg = i32[SLOT.scratchArg];
	if (scratchArg >= 0) args[scratchArg] = i32[SLOT.scratchAt + thread];
	const chunk = i32[SLOT.chunk];
	const total = i32[SLOT.total];
	const chunks = i32[SLOT.chunks];
	let ran = 0;
	while (ran < limit) {
		const c = Atomics.load(i32, SLOT.next);
		if (c >>> 16 !== job) return ran;
		const idx = c & 0xffff;
		if (idx >= chunks) return ran;
		if (Atomics.compareExchange(i32, SLOT.next, c, c + 1) !== c) continue;
		const lo = idx * chunk;
		try {
			fn(...args, lo, Math.min(total, lo + chunk));
		} catch {
			Atomics.store(i32, SLOT.failed, 1);
		}
		ran++;
		if (Atomics.add(i32, SLOT.finished, 1) + 1 === chunks) Atomics.notify(i32, SLOT.finished);
	}
	return ran;
}

/**
 * Exports that take a range [lo, hi) as their last two arguments, so that threads can share one
 * call out (`SimdKernels.split`): rows of a product, (batch row, head) pairs of attention,
 * elements of GELU (with or without its derivative) and of a product, rows of layer norm and its input gradient, columns of layer norm's parameter
 * gradients and of a column sum, rows of softmax cross-entropy, elements of a sum. Each range
 * writes floats no other range writes, and computes them exactly as the whole call would.
 */
export const SPLIT_EXPORTS = [
	'matmul_part',
	'attention_part',
	'attention_grad_part',
	'gelu_part',
	'gelu_d_part',
	'gelu_grad_part',
	'mul_part',
	'layer_norm_part',
	'layer_norm_grad_dx_part',
	'layer_norm_grad_dgds_part',
	'col_sum_part',
	'softmax_xent_part',
	'sum_part'
] as const;
export type SplitExport = (typeof SPLIT_EXPORTS)[number];

/** Helper threads that run chunks of a split call on the same memory (see `simdThreads.ts`). */
export interface SimdPool {
	/** Threads a call can be shared over, the calling one included. */
	readonly threads: number;
	/**
	 * Run `name` on `args` plus [lo, hi) for chunks (multiples of `grain`) of [0, total), on
	 * this thread and the helpers at once; returns when all are done. Argument `scratchArg` (if
	 * not -1) is scratch memory, `scratch[t]` for thread t.
	 */
	run(
		name: SplitExport,
		args: number[],
		total: number,
		grain: number,
		scratchArg: number,
		scratch: number[]
	): void;
	/** End the helper threads. */
	stop?(): void;
}
