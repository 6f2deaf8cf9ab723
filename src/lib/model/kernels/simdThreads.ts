/**
 * Helper threads for our WebAssembly SIMD kernels. On a cross-origin isolated page tfjs runs its
 * threaded build, whose heap is a shared memory; its thread pool serves only tfjs's own kernels,
 * and ours (`./simd/kernels.c`, which do almost all of a training step's arithmetic) ran on the
 * calling thread alone. Here each helper is a worker that instantiates the same compiled build
 * on that same memory. A split call (`SimdKernels.split`) publishes one job in a shared control
 * block, cut into chunks (`simdThreadProtocol.ts`); the caller and every awake helper take
 * chunks until none is left, then the caller waits for the chunks still running. A helper slow
 * to wake simply finds nothing left to do: on a busy machine the caller is never held up by a
 * thread that did not start.
 *
 * Waking a sleeping thread costs tens of microseconds, so a helper spins briefly after each job
 * before it sleeps again: a training step's calls come in quick succession. The caller sleeps
 * with `Atomics.wait` where it may (a worker: the trainer's) and spins elsewhere (a page's main
 * thread, which only the benchmark page trains on).
 */
import {
	SPLIT_EXPORTS,
	type SimdPool,
	type SplitExport,
	ARGS_AT,
	BLOCK_BYTES,
	MAX_THREADS,
	SLOT,
	publish,
	runChunks,
	type HelperInit
} from './simdThreadProtocol';

/** How long the caller waits for a chunk a helper took before calling the helper lost. */
const LOST_MS = 10_000;

/** Whether this thread may block in `Atomics.wait` (workers may; a page's main thread may not). */
function mayBlock(): boolean {
	return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
}

/**
 * Chunk size for `total` items shared by `threads`: about eight chunks a thread (so a late thread
 * costs little), in multiples of `grain`, under 65,536 chunks.
 */
export function chunkSize(total: number, grain: number, threads: number): number {
	const per = Math.ceil(total / (8 * threads) / grain) * grain;
	return Math.max(per, grain, Math.ceil(total / 0xffff));
}

/**
 * Start `helpers` helper threads on `memory` with `module` (the shared-memory build), resolving a
 * pool once every helper has instantiated it, or null where workers or shared memory are
 * unavailable or a helper fails to start within five seconds. `instance` is the caller's own.
 */
export async function startSimdPool(
	module: WebAssembly.Module,
	memory: WebAssembly.Memory,
	helpers: number,
	instance: WebAssembly.Instance
): Promise<(SimdPool & { stop(): void }) | null> {
	helpers = Math.min(helpers, MAX_THREADS - 1);
	if (helpers < 1 || typeof Worker === 'undefined' || typeof SharedArrayBuffer === 'undefined')
		return null;
	const control = new SharedArrayBuffer(BLOCK_BYTES);
	const i32 = new Int32Array(control, 0, ARGS_AT / 4);
	const f64 = new Float64Array(control, ARGS_AT);
	const workers: Worker[] = [];
	try {
		for (let h = 1; h <= helpers; h++) {
			// Vite bundles the helper only from this exact `new Worker(new URL(…))` form.
			const worker = new Worker(new URL('./simdThread.worker.ts', import.meta.url), {
				type: 'module'
			});
			workers.push(worker);
			const ready = new Promise<void>((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error('helper did not start')), 5000);
				worker.onmessage = (e) => {
					clearTimeout(timer);
					if (e.data === 'ready') resolve();
					else reject(new Error(String(e.data)));
				};
				worker.onerror = (e) => {
					clearTimeout(timer);
					reject(new Error(e.message));
				};
			});
			const init: HelperInit = { module, memory, control, names: SPLIT_EXPORTS, thread: h };
			worker.postMessage(init);
			await ready;
		}
	} catch {
		for (const w of workers) w.terminate();
		return null;
	}
	const exports = instance.exports as Record<string, (...args: number[]) => void>;
	const fns = SPLIT_EXPORTS.map((n) => exports[n]);
	const block = mayBlock();
	const threads = helpers + 1;
	let lost = false;
	return {
		threads,
		run(name: SplitExport, args, total, grain, scratchArg, scratch) {
			if (lost) throw new Error('a SIMD helper thread was lost');
			const chunk = chunkSize(total, grain, threads);
			const fn = SPLIT_EXPORTS.indexOf(name);
			const { job, chunks } = publish(i32, f64, fn, args, total, chunk, scratchArg, scratch);
			Atomics.notify(i32, SLOT.job);
			runChunks(i32, f64, fns, job, 0);
			const t0 = performance.now();
			let done = Atomics.load(i32, SLOT.finished);
			for (let spin = 0; done < chunks; spin++) {
				if (block && spin > 2000) Atomics.wait(i32, SLOT.finished, done, 20);
				done = Atomics.load(i32, SLOT.finished);
				if (done < chunks && (spin & 1023) === 0 && performance.now() - t0 > LOST_MS) {
					lost = true;
					throw new Error('a SIMD helper thread stopped answering');
				}
			}
			if (Atomics.load(i32, SLOT.failed)) throw new Error(`${name} failed in a chunk`);
		},
		stop() {
			for (const w of workers) w.terminate();
		}
	};
}
