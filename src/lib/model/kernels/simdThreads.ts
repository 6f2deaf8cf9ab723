/**
 * Helper threads for our WebAssembly SIMD kernels. On a cross-origin isolated page tfjs runs its
 * threaded build, whose heap is a shared memory; its thread pool serves only tfjs's own kernels,
 * and ours (`./simd/kernels.c`, which now do almost all of a training step's arithmetic) ran on
 * the calling thread alone. Here each helper is a worker that instantiates the same compiled
 * build on that same memory and waits on a small control block; a split call
 * (`SimdKernels.split`) writes one range's arguments into each helper's block, wakes it, runs
 * the first range itself and waits for the rest. Ranges write disjoint floats and compute them
 * exactly as one call would, so the result does not depend on the number of threads.
 *
 * Waking a sleeping thread costs tens of microseconds, so a helper spins briefly after each job
 * before it sleeps again: a training step's calls come in quick succession. The calling thread
 * sleeps with `Atomics.wait` where it may (a worker: the trainer's) and spins elsewhere (a
 * page's main thread, which only the benchmark page trains on).
 */
import { SPLIT_EXPORTS, type SimdPool, type SplitExport } from './simdKernels';
import { ARGS_AT, BLOCK_BYTES, MAX_ARGS, SLOT, type HelperInit } from './simdThreadProtocol';
/** How long the caller waits for a helper before calling it lost. */
const LOST_MS = 10_000;

/** Whether this thread may block in `Atomics.wait` (workers may; a page's main thread may not). */
function mayBlock(): boolean {
	return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
}

/**
 * Start `helpers` helper threads on `memory` with `module` (the shared-memory build), resolving a
 * pool once every helper has instantiated it, or null where workers, shared memory or the module
 * are unavailable or a helper fails to start within five seconds.
 */
export async function startSimdPool(
	module: WebAssembly.Module,
	memory: WebAssembly.Memory,
	helpers: number,
	instance: WebAssembly.Instance
): Promise<(SimdPool & { stop(): void }) | null> {
	if (helpers < 1 || typeof Worker === 'undefined' || typeof SharedArrayBuffer === 'undefined')
		return null;
	const workers: Worker[] = [];
	const blocks: { i32: Int32Array; f64: Float64Array }[] = [];
	try {
		for (let h = 0; h < helpers; h++) {
			const control = new SharedArrayBuffer(BLOCK_BYTES);
			// Vite bundles the helper only from this exact `new Worker(new URL(…))` form.
			const worker = new Worker(new URL('./simdThread.worker.ts', import.meta.url), {
				type: 'module'
			});
			workers.push(worker);
			blocks.push({
				i32: new Int32Array(control, 0, ARGS_AT / 4),
				f64: new Float64Array(control, ARGS_AT)
			});
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
			const init: HelperInit = { module, memory, control, names: SPLIT_EXPORTS };
			worker.postMessage(init);
			await ready;
		}
	} catch {
		for (const w of workers) w.terminate();
		return null;
	}
	const exports = instance.exports as Record<string, (...args: number[]) => void>;
	const block = mayBlock();
	let lost = false;
	return {
		threads: helpers + 1,
		run(name: SplitExport, calls: number[][]) {
			if (lost) throw new Error('a SIMD helper thread was lost');
			const fn = SPLIT_EXPORTS.indexOf(name);
			const started: number[] = [];
			for (let c = 1; c < calls.length; c++) {
				const { i32, f64 } = blocks[c - 1];
				const args = calls[c];
				if (args.length > MAX_ARGS) throw new Error(`${name}: too many arguments`);
				f64.set(args);
				i32[SLOT.fn] = fn;
				i32[SLOT.nargs] = args.length;
				const job = Atomics.load(i32, SLOT.job) + 1;
				Atomics.store(i32, SLOT.job, job);
				Atomics.notify(i32, SLOT.job);
				started.push(job);
			}
			exports[name](...calls[0]);
			for (let c = 1; c < calls.length; c++) {
				const { i32 } = blocks[c - 1];
				const job = started[c - 1];
				const t0 = performance.now();
				let done = Atomics.load(i32, SLOT.done);
				for (let spin = 0; done !== job; spin++) {
					if (block && spin > 2000) Atomics.wait(i32, SLOT.done, done, 50);
					done = Atomics.load(i32, SLOT.done);
					if (done !== job && (spin & 1023) === 0 && performance.now() - t0 > LOST_MS) {
						lost = true;
						throw new Error('a SIMD helper thread stopped answering');
					}
				}
				if (Atomics.load(i32, SLOT.failed)) {
					lost = true;
					throw new Error(`${name} failed on a helper thread`);
				}
			}
		},
		stop() {
			for (const w of workers) w.terminate();
		}
	};
}
