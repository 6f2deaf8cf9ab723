/**
 * The transformer's part of the kernel check page (`./page.ts`), on the active backend: each of
 * the eight fused kernels of `$lib/model/kernels/transformerOps` with ours registered and again
 * with it unregistered (tfjs's ops, the definition), at a small shape with odd sizes and at the
 * course's; the whole hand-written backward pass against tfjs's tape for full fine-tuning and
 * LoRA; and what one training step of the course's small transformer runs with and without our
 * kernels, counted by tf.profile (kernels) and at the backend (GPU programs, pack and unpack
 * passes included).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '$lib/math/rng';
import { createRng } from '$lib/math/rng';
import { assignValues } from '$lib/model/adam';
import {
	TRANSFORMER_KERNELS,
	causalAttention,
	causalAttentionGrad,
	embed,
	embedGrad,
	gelu,
	geluGrad,
	layerNorm,
	layerNormGrad
} from '$lib/model/kernels/transformerOps';
import { crossEntropy } from '$lib/model/losses';
import { prepare } from '$lib/model/methods';
import { initWeights, type Weights } from '$lib/model/params';
import { transformer } from '$lib/model/transformer';
import type { TuningConfig } from '$lib/model/tuned';
import { Trainer } from '$lib/trainer/worker/trainer';

/**
 * max|a − b| / (1e-6 + max|b|): the largest difference relative to the reference's largest
 * value, so a tolerance means the same for a gradient of 1e-3 and a probability of 1.
 */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	if (a.length !== b.length) return Infinity;
	let diff = 0;
	let scale = 0;
	for (let i = 0; i < a.length; i++) {
		diff = Math.max(diff, Math.abs(a[i] - b[i]));
		scale = Math.max(scale, Math.abs(b[i]));
	}
	return diff / (1e-6 + scale);
}

/** The transformer kernels of ours registered on `backend`. */
export function registeredTransformerKernels(backend: string): tf.KernelConfig[] {
	return TRANSFORMER_KERNELS.map((k) => tf.getKernel(k, backend)).filter(
		(k): k is tf.KernelConfig => k !== undefined
	);
}

/** Run `f` with `kernels` unregistered, so the op chains run; registers them again after. */
async function withoutKernels<T>(
	backend: string,
	kernels: tf.KernelConfig[],
	f: () => Promise<T>
): Promise<T> {
	kernels.forEach((k) => tf.unregisterKernel(k.kernelName, backend));
	try {
		return await f();
	} finally {
		kernels.forEach((k) => tf.registerKernel(k));
	}
}

interface Shape {
	name: string;
	b: number;
	t: number;
	heads: number;
	d: number;
	vocab: number;
}

/**
 * Odd sizes (WebGL's programs of one value a fragment), even ones (its 2×2-block programs), and
 * the course's.
 */
const SHAPES: Shape[] = [
	{ name: 'b3 t5 h2 d6', b: 3, t: 5, heads: 2, d: 6, vocab: 11 },
	{ name: 'b2 t6 h2 d12', b: 2, t: 6, heads: 2, d: 12, vocab: 7 },
	{ name: 'b16 t32 h4 d48', b: 16, t: 32, heads: 4, d: 48, vocab: 21 }
];

/**
 * Each transformer kernel against its op chain at each shape: relative difference per output,
 * keyed `kernel.output shape`.
 */
export async function transformerKernelDiffs(
	backend: string,
	rng: Rng
): Promise<Record<string, number>> {
	const normal = (n: number, std = 1, mean = 0) =>
		Float32Array.from({ length: n }, () => rng.normal(mean, std));
	/** [r, c] out of a product and a sum, so WebGL holds it packed as the step's tensors are. */
	const dev = (r: number, c: number, std = 1) =>
		tf.tidy(() =>
			tf.mul(
				tf.add(
					tf.matMul(tf.tensor2d(normal(r * 4), [r, 4]), tf.tensor2d(normal(4 * c), [4, c])),
					tf.tensor2d(normal(r * c), [r, c])
				),
				std / Math.sqrt(5)
			)
		) as tf.Tensor2D;
	const kernels = registeredTransformerKernels(backend);
	const diffs: Record<string, number> = {};
	for (const { name, b, t, heads, d, vocab } of SHAPES) {
		const n = b * t;
		const attrs = { b, t, heads };
		const ids = tf.tensor1d(
			Int32Array.from({ length: n }, () => rng.int(vocab)),
			'int32'
		);
		const [tok, pos, dH, x, dy, q, k, v, dCtx, up, dUp] = [
			dev(vocab, d),
			dev(t + 3, d),
			dev(n, d),
			dev(n, d, 2),
			dev(n, d),
			dev(n, d),
			dev(n, d),
			dev(n, d),
			dev(n, d),
			dev(n, 4 * d, 2),
			dev(n, 4 * d)
		];
		const g = tf.tensor1d(normal(d, 0.2, 1));
		const s = tf.tensor1d(normal(d, 0.2));
		// Inputs to the backward kernels, made once: both runs must see the same values.
		const ln = layerNorm(x, g, s);
		const att = causalAttention(q, k, v, attrs);
		const cases: [string, string[], () => tf.Tensor[]][] = [
			['embed', ['out'], () => [embed(ids, tok, pos, t)]],
			['embedGrad', ['dTok', 'dPos'], () => Object.values(embedGrad(ids, dH, vocab, t))],
			['layerNorm', ['y', 'xhat', 'rstd'], () => Object.values(layerNorm(x, g, s))],
			[
				'layerNormGrad',
				['dx', 'dg', 'ds'],
				() => Object.values(layerNormGrad(dy, ln.xhat, ln.rstd, g))
			],
			['attention', ['ctx', 'probs'], () => Object.values(causalAttention(q, k, v, attrs))],
			[
				'attentionGrad',
				['dq', 'dk', 'dv'],
				() => Object.values(causalAttentionGrad(dCtx, q, k, v, att.probs, attrs))
			],
			['gelu', ['y'], () => [gelu(up)]],
			['geluGrad', ['dx'], () => [geluGrad(dUp, up)]]
		];
		for (const [kernel, outputs, f] of cases) {
			const read = async () => {
				const out = f();
				try {
					return await Promise.all(out.map((o) => o.data()));
				} finally {
					tf.dispose(out);
				}
			};
			const ours = await read();
			const theirs = await withoutKernels(backend, kernels, read);
			outputs.forEach((o, i) => (diffs[`${kernel}.${o} ${name}`] = relDiff(ours[i], theirs[i])));
		}
		tf.dispose([ids, tok, pos, dH, x, dy, q, k, v, dCtx, up, dUp, g, s]);
		tf.dispose([ln.y, ln.xhat, ln.rstd, att.ctx, att.probs]);
	}
	return diffs;
}

/**
 * The hand-written backward pass (`model.gradients`, on our kernels where registered) against
 * tfjs's tape through `model.forward`, for a 2-layer transformer with weights large enough that
 * attention is far from uniform: relative difference per trainable variable, keyed
 * `method name`. The key bias's gradient is zero in exact arithmetic (softmax ignores a shift
 * shared by a row), so every gradient is measured against the largest of its method instead of
 * its own.
 */
export async function gradientDiffs(): Promise<Record<string, number>> {
	const cfg = { vocab: 11, context: 8, dModel: 16, heads: 4, layers: 2 };
	const model = transformer(cfg);
	const rng = createRng(7);
	const weights: Weights = {};
	for (const spec of model.params) {
		const size = spec.shape.reduce((a, b) => a * b, 1);
		const [mean, std] = spec.kind === 'gain' ? [1, 0.2] : [0, 0.4];
		weights[spec.name] = Float32Array.from({ length: size }, () => rng.normal(mean, std));
	}
	const [b, t] = [3, 7];
	const ids = tf.tensor2d(
		Int32Array.from({ length: b * t }, () => rng.int(cfg.vocab)),
		[b, t],
		'int32'
	);
	const labels = tf.tensor1d(
		Int32Array.from({ length: b * t }, () => rng.int(cfg.vocab)),
		'int32'
	);
	// tfjs's WebAssembly OneHot writes integer bits into a float32 output: cast instead.
	const targets = tf.tidy(() => tf.cast(tf.oneHot(labels, cfg.vocab), 'float32') as tf.Tensor2D);
	const invBatch = tf.scalar(1 / (b * t));
	const diffs: Record<string, number> = {};
	const methods: [string, TuningConfig][] = [
		['full', { method: 'full' }],
		['lora', { method: 'lora', rank: 2, alpha: 4 }]
	];
	for (const [label, config] of methods) {
		const tuned = prepare(model, weights, config, createRng(0));
		try {
			// LoRA's B starts at zero, which leaves A without a gradient: give every factor values.
			if (config.method === 'lora') {
				for (const { variable } of tuned.trainable) {
					assignValues(
						variable,
						Float32Array.from({ length: variable.size }, () => rng.normal(0, 0.3))
					);
				}
			}
			const vars = tuned.trainable.map((v) => v.variable);
			const tape = tf.variableGrads(
				() => tf.tidy(() => crossEntropy(model.forward(tuned, ids), labels)),
				vars
			);
			const hand = tf.tidy(() => {
				const r = model.gradients!(tuned, ids, targets, invBatch);
				return tuned.trainable.map(({ name }) => {
					const g = r.grads.get(name);
					if (!g) throw new Error(`no hand-written gradient for ${name}`);
					return g;
				});
			});
			const ref = await Promise.all(vars.map((v) => tape.grads[v.name].data()));
			const ours = await Promise.all(hand.map((g) => g.data()));
			tf.dispose([tape.value, ...Object.values(tape.grads), ...hand]);
			let scale = 0;
			for (const r of ref) for (const x of r) scale = Math.max(scale, Math.abs(x));
			tuned.trainable.forEach(({ name }, i) => {
				let diff = 0;
				for (let j = 0; j < ref[i].length; j++) {
					diff = Math.max(diff, Math.abs(ours[i][j] - ref[i][j]));
				}
				diffs[`${label} ${name}`] = diff / (1e-6 + scale);
			});
		} finally {
			tuned.dispose();
		}
	}
	tf.dispose([ids, labels, targets, invBatch]);
	return diffs;
}

/**
 * Backend programs `work` runs on a GPU backend, counted at `runWebGLProgram` or
 * `runWebGPUProgram` (so WebGL's pack, unpack and reshape passes count too); undefined off the
 * GPU. Not under tf.profile: where WebGL has no timer queries the profiler reads every kernel's
 * output back, which adds a decoding pass per output.
 */
async function countPrograms(work: () => Promise<unknown>): Promise<number | undefined> {
	const backend = tf.backend() as unknown as Record<string, unknown>;
	const method = ['runWebGLProgram', 'runWebGPUProgram'].find(
		(m) => typeof backend[m] === 'function'
	);
	if (!method) {
		await work();
		return undefined;
	}
	let programs = 0;
	const original = backend[method] as (...args: unknown[]) => unknown;
	backend[method] = function (this: unknown, ...args: unknown[]) {
		programs++;
		return original.apply(this, args);
	};
	try {
		await work();
		return programs;
	} finally {
		delete backend[method];
	}
}

/** Kernels `work` runs, by tf.profile. */
async function countKernels(work: () => Promise<unknown>): Promise<number> {
	const info = await tf.profile(async () => {
		await work();
		return [];
	});
	return info.kernels.length;
}

export interface StepCount {
	kernels: number;
	/** GPU programs, WebGL's pack and unpack passes included; absent off the GPU. */
	programs?: number;
}

/**
 * One `Trainer.run(1)` of the course's small transformer (vocab 21, context 32, d 48, 4 heads,
 * 2 layers, 16 sequences a batch, full fine-tuning), after one to warm up, with our transformer
 * kernels and with them unregistered.
 */
export async function stepCounts(backend: string): Promise<{ ours: StepCount; ops: StepCount }> {
	const rng = createRng(3);
	const model = transformer({ vocab: 21, context: 32, dModel: 48, heads: 4, layers: 2 });
	const n = 64;
	const tokens = () => Int32Array.from({ length: n * 32 }, () => rng.int(21));
	const split = { x: tokens(), y: tokens(), n };
	const trainer = new Trainer({
		model,
		base: initWeights(model.params, rng),
		tuning: { method: 'full' },
		task: { name: 'count', inWidth: 32, outWidth: 32, classes: 21, train: split, test: split },
		lr: 1e-3,
		batchSize: 16,
		seed: 1
	});
	try {
		const step = async (): Promise<StepCount> => {
			await trainer.run(1);
			const programs = await countPrograms(() => trainer.run(1));
			return { kernels: await countKernels(() => trainer.run(1)), programs };
		};
		const ours = await step();
		const ops = await withoutKernels(backend, registeredTransformerKernels(backend), step);
		return { ours, ops };
	} finally {
		trainer.dispose();
	}
}
