/**
 * One helper thread of `simdThreads.ts`: instantiates the shared-memory SIMD build on the page's
 * WebAssembly heap, says "ready", then waits for jobs and takes their chunks for ever (until the
 * page or the trainer terminates it). After each job it spins for about 100 µs before sleeping,
 * since a training step's next split call usually comes within that.
 */
import { ARGS_AT, SLOT, runChunks, type HelperInit } from './simdThreadProtocol';

const SPIN_MS = 0.1;

self.onmessage = (e: MessageEvent<HelperInit>) => {
	const { module, memory, control, names, thread } = e.data;
	let fns: ((...args: number[]) => void)[];
	try {
		const instance = new WebAssembly.Instance(module, { env: { memory } });
		const exports = instance.exports as Record<string, (...args: number[]) => void>;
		fns = names.map((n) => exports[n]);
	} catch (err) {
		self.postMessage(String((err as Error)?.message ?? err));
		return;
	}
	const i32 = new Int32Array(control, 0, ARGS_AT / 4);
	const f64 = new Float64Array(control, ARGS_AT);
	self.postMessage('ready');
	let seen = Atomics.load(i32, SLOT.job);
	for (;;) {
		let t0 = -1;
		for (let spin = 0; Atomics.load(i32, SLOT.job) === seen; spin++) {
			if ((spin & 255) !== 0) continue;
			const now = performance.now();
			if (t0 < 0) t0 = now;
			else if (now - t0 > SPIN_MS) Atomics.wait(i32, SLOT.job, seen);
		}
		seen = Atomics.load(i32, SLOT.job);
		runChunks(i32, f64, fns, seen, thread);
	}
};
