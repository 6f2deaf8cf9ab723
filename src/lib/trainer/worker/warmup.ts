/**
 * The warm-up that ranks backends, shared by the trainer's worker and the probe worker that
 * measures in the background while a run has already started.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '$lib/math/rng';
import { matMul } from '$lib/model/kernels/linalg';

/**
 * Milliseconds per layer-sized unit of work on the active backend: relu(x·W + b) with x [64, 128]
 * and W [128, 128], the shape of the digits model's hidden layer, ten times in a row and read back
 * once, after two untimed rounds that compile the kernels; the best of three timed rounds counts,
 * or one round when it is already twice as slow as `beat` (the best backend so far). One small
 * program, so even a software GPU answers in well under a second, and the ranking
 * follows the backends' matmul throughput and per-op overhead, which is what a training step is
 * made of.
 */
export async function warmupProbe(beat = Infinity): Promise<number> {
	const rng = createRng(0);
	const x = tf.tensor2d(
		Float32Array.from({ length: 64 * 128 }, () => rng.normal()),
		[64, 128]
	);
	const W = tf.tensor2d(
		Float32Array.from({ length: 128 * 128 }, () => rng.normal(0, 0.09)),
		[128, 128]
	);
	const b = tf.zeros([128]);
	const round = async (n: number) => {
		let h = x;
		for (let i = 0; i < n; i++) {
			// The kernel a training step uses (on a software WebGPU adapter, our own).
			const next = matMul(h, W, { bias: b, relu: true });
			if (h !== x) h.dispose();
			h = next;
		}
		await h.data();
		if (h !== x) h.dispose();
	};
	try {
		await round(2);
		// The best of three rounds: a busy CPU only ever makes a round slower. A backend already
		// twice as slow as the best so far cannot win, so it gets one round only.
		let best = Infinity;
		for (let r = 0; r < 3 && (r === 0 || best < 2 * beat); r++) {
			const t0 = performance.now();
			await round(10);
			best = Math.min(best, (performance.now() - t0) / 10);
		}
		return best;
	} finally {
		tf.dispose([x, W, b]);
	}
}
