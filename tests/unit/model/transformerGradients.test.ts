/**
 * The transformer's hand-written backward pass (`transformer().gradients`) against tfjs's
 * gradient tape, for every fine-tuning method, on the cpu and WebAssembly backends in Node, each
 * three ways: through tfjs's ops alone (our kernels unregistered), through the scalar loops of
 * our fused kernels, and through their WebAssembly SIMD build; and the tape-free inference pass
 * (`infer`) against `forward`. Also: each SIMD kernel against
 * the scalar reference on odd and full-size shapes, and a training run whose loss curve follows
 * the tape's step by step.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { crossEntropy } from '$lib/model/losses';
import { prepare } from '$lib/model/methods';
import { initWeights, type Weights } from '$lib/model/params';
import { transformer } from '$lib/model/transformer';
import type { Tuned, TuningConfig } from '$lib/model/tuned';
import '$lib/model/kernels/linalgHost';
import '$lib/model/kernels/transformerHost';
import { TRANSFORMER_KERNELS } from '$lib/model/kernels/transformerOps';
import {
	attentionArrays,
	attentionGradArrays,
	geluArrays,
	geluDerivativeArrays,
	geluGradArrays,
	layerNormArrays,
	layerNormGradArrays
} from '$lib/model/kernels/transformerArrays';
import {
	loadSimdKernels,
	setSimdActive,
	simdKernelsOn,
	type SimdKernels
} from '$lib/model/kernels/simdKernels';
import { bindSimdToWasmBackend } from '$lib/model/kernels/hostKernels';
import { Trainer } from '$lib/trainer/worker/trainer';

const cfg = { vocab: 11, context: 8, dModel: 16, heads: 4, layers: 2 };
const model = transformer(cfg);
const b = 3;
const t = 6; // shorter than the context, so the position gradient is padded

/** Base weights with non-trivial norms and biases (the defaults are 1 and 0). */
function baseWeights(): Weights {
	const rng = createRng(3);
	const w = initWeights(model.params, rng);
	for (const spec of model.params) {
		if (spec.kind === 'weight' || spec.kind === 'embedding') continue;
		for (let i = 0; i < w[spec.name].length; i++) w[spec.name][i] += rng.normal(0, 0.3);
	}
	return w;
}
const weights = baseWeights();

const configs: [string, TuningConfig][] = [
	['full', { method: 'full' }],
	['lora on every block linear', { method: 'lora', rank: 2, alpha: 4 }],
	['lora on h1.up only', { method: 'lora', rank: 2, targets: ['h1.up'] }],
	['lora on h0.q and h1.v', { method: 'lora', rank: 2, targets: ['h0.q', 'h1.v'] }],
	['lora on h1.o only', { method: 'lora', rank: 1, targets: ['h1.o'] }],
	['head', { method: 'head' }],
	['bitfit', { method: 'bitfit' }],
	['subspace', { method: 'subspace', dim: 40 }]
];

/** Give every trainable variable random values, so no gradient vanishes by symmetry (B = 0). */
function perturb(tuned: Tuned, seed: number): void {
	const rng = createRng(seed);
	for (const { name, variable } of tuned.trainable) {
		if (!name.endsWith('.B') && name !== 'z') continue;
		const v = Float32Array.from({ length: variable.size }, () => rng.normal(0, 0.05));
		const x = tf.tensor(v, variable.shape);
		variable.assign(x);
		x.dispose();
	}
}

/**
 * Largest |a − b| over max |b| (so a tolerance reads as a fraction of the gradient's scale), with
 * max |b| taken as at least `floor`: some gradients are zero in exact arithmetic (a key's bias
 * shifts every score of a query alike, which softmax ignores) or near it (1e-8), and there both
 * float32 computations return rounding noise.
 */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-5): number {
	expect(a.length).toBe(b.length);
	let scale = floor;
	for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
	let worst = 0;
	for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
	return worst;
}

let simd: SimdKernels | null = null;
beforeAll(async () => {
	setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
	simd = await loadSimdKernels();
});
afterAll(() => setSimdActive(true));

type Mode = 'ops' | 'scalar' | 'simd';

/** Run `fn` with our transformer kernels unregistered (mode 'ops'), or SIMD off ('scalar'). */
function inMode<T>(backend: string, mode: Mode, fn: () => T): T {
	const saved = TRANSFORMER_KERNELS.map((k) => tf.getKernel(k, backend)!);
	if (mode === 'ops') saved.forEach((k) => tf.unregisterKernel(k.kernelName, backend));
	setSimdActive(mode === 'simd');
	try {
		return fn();
	} finally {
		if (mode === 'ops') saved.forEach((k) => tf.registerKernel(k));
		setSimdActive(true);
	}
}

describe.each(['cpu', 'wasm'])('on %s', (backend) => {
	beforeAll(async () => {
		expect(await tf.setBackend(backend)).toBe(true);
		for (const k of TRANSFORMER_KERNELS) expect(tf.getKernel(k, backend), k).toBeDefined();
		if (backend === 'wasm') expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
	});

	it('has the SIMD build loaded: copying on cpu, in place on tfjs’s WebAssembly heap', () => {
		expect(simd).not.toBeNull();
		const heap = (tf.backend() as unknown as { wasm?: { asm: { memory: WebAssembly.Memory } } })
			.wasm?.asm.memory;
		const kernels = simdKernelsOn(heap);
		expect(kernels).not.toBeNull();
		expect(kernels!.holds(heap?.buffer ?? new ArrayBuffer(0))).toBe(backend === 'wasm');
	});

	describe.each(['ops', 'scalar', 'simd'] as Mode[])('through %s', (mode) => {
		it.each(configs)('%s: inference gives the forward pass’s logits', (_name, config) => {
			const before = tf.memory().numTensors;
			const tuned = prepare(model, weights, config, createRng(5));
			perturb(tuned, 9);
			const rng = createRng(6);
			const ids = tf.tensor2d(
				Int32Array.from({ length: b * t }, () => rng.int(cfg.vocab)),
				[b, t],
				'int32'
			);
			const want = tf.tidy(() => model.forward(tuned, ids));
			const got = inMode(backend, mode, () => tf.tidy(() => model.infer!(tuned, ids)));
			expect(got.shape).toEqual([b * t, cfg.vocab]);
			expect(relDiff(got.dataSync(), want.dataSync(), 1e-2)).toBeLessThan(1e-5);
			tf.dispose([want, got, ids]);
			tuned.dispose();
			expect(tf.memory().numTensors).toBe(before);
		});

		it.each(configs)('%s: the loss and every gradient equal the tape’s', (_name, config) => {
			const before = tf.memory().numTensors;
			const tuned = prepare(model, weights, config, createRng(5));
			perturb(tuned, 9);
			const rng = createRng(4);
			const ids = tf.tensor2d(
				Int32Array.from({ length: b * t }, () => rng.int(cfg.vocab)),
				[b, t],
				'int32'
			);
			const labels = tf.tensor1d(
				Int32Array.from({ length: b * t }, () => rng.int(cfg.vocab)),
				'int32'
			);
			const vars = tuned.trainable.map((v) => v.variable);
			const tape = tf.variableGrads(() => crossEntropy(model.forward(tuned, ids), labels), vars);
			const hand = inMode(backend, mode, () =>
				tf.tidy(() => {
					const targets = tf.cast(tf.oneHot(labels, cfg.vocab), 'float32') as tf.Tensor2D;
					const r = model.gradients!(tuned, ids, targets, tf.scalar(1 / (b * t)));
					return [r.loss, ...tuned.trainable.map(({ name }) => r.grads.get(name) ?? r.loss)];
				})
			);
			expect(hand[0].dataSync()[0]).toBeCloseTo(tape.value.dataSync()[0], 5);
			tuned.trainable.forEach(({ name, variable }, i) => {
				expect(hand[i + 1], `a gradient for ${name}`).not.toBe(hand[0]);
				const diff = relDiff(hand[i + 1].dataSync(), tape.grads[variable.name].dataSync());
				expect(diff, name).toBeLessThan(1e-4);
			});
			tf.dispose([tape.value, ...Object.values(tape.grads), ...hand, ids, labels]);
			tuned.dispose();
			expect(tf.memory().numTensors).toBe(before);
		});
	});
});

describe('the SIMD kernels against the scalar loops', () => {
	const rng = createRng(21);
	const rand = (n: number, s = 1) => Float32Array.from({ length: n }, () => rng.normal(0, s));

	it.each([
		[1, 1, 1, 4],
		[2, 5, 2, 8],
		[3, 7, 4, 48],
		[2, 64, 4, 128],
		// Every head width the kernels hold in registers (8, 12, 16, 24, 32) and one they do not (20).
		[1, 6, 1, 8],
		[2, 9, 2, 32],
		[2, 11, 4, 96],
		[2, 7, 2, 40]
	])('attention b %i, t %i, heads %i, d %i, forward and backward', (bb, tt, heads, d) => {
		const n = bb * tt * d;
		const [q, k, v, dCtx] = [rand(n), rand(n), rand(n), rand(n)];
		const out = () => ({ ctx: new Float32Array(n), probs: new Float32Array(bb * heads * tt * tt) });
		const ref = out();
		const got = out();
		attentionArrays(q, k, v, bb, tt, heads, d, ref.ctx, ref.probs);
		simd!.split(
			'attention_part',
			bb * heads,
			bb * heads,
			{ in: q },
			{ in: k },
			{ in: v },
			bb,
			tt,
			heads,
			d,
			{ out: got.ctx },
			{
				out: got.probs
			}
		);
		expect(relDiff(got.ctx, ref.ctx, 1e-3)).toBeLessThan(1e-5);
		expect(relDiff(got.probs, ref.probs, 1e-3)).toBeLessThan(1e-5);
		const grads = () => [0, 1, 2].map(() => new Float32Array(n));
		const [rq, rk, rv] = grads();
		const [gq, gk, gv] = grads();
		attentionGradArrays(
			dCtx,
			q,
			k,
			v,
			ref.probs,
			bb,
			tt,
			heads,
			d,
			rq,
			rk,
			rv,
			new Float32Array(tt)
		);
		simd!.split(
			'attention_grad_part',
			bb * heads,
			bb * heads,
			{ in: dCtx },
			{ in: q },
			{ in: k },
			{ in: v },
			{ in: ref.probs },
			bb,
			tt,
			heads,
			d,
			{ out: gq, zero: true },
			{ out: gk, zero: true },
			{ out: gv, zero: true },
			{ scratch: tt * tt }
		);
		// At t = 1 dq and dk are zero in exact arithmetic; the scalar loops leave ~1e-9 of rounding.
		expect(relDiff(gq, rq, 1e-2)).toBeLessThan(1e-5);
		expect(relDiff(gk, rk, 1e-2)).toBeLessThan(1e-5);
		expect(relDiff(gv, rv, 1e-3)).toBeLessThan(1e-5);
	});

	it.each([
		[4, 4],
		[7, 16],
		[64, 128]
	])('layer norm %i×%i, forward and backward', (rows, d) => {
		const [x, dy] = [rand(rows * d, 3), rand(rows * d)];
		const [g, s] = [rand(d), rand(d)];
		const ref = [rows * d, rows * d, rows].map((n) => new Float32Array(n));
		const got = [rows * d, rows * d, rows].map((n) => new Float32Array(n));
		layerNormArrays(x, g, s, d, 1e-5, ref[0], ref[1], ref[2]);
		simd!.split(
			'layer_norm_part',
			rows,
			rows,
			{ in: x },
			{ in: g },
			{ in: s },
			rows,
			d,
			1e-5,
			...got.map((o) => ({ out: o }))
		);
		ref.forEach((r, i) => expect(relDiff(got[i], r, 1e-3), `output ${i}`).toBeLessThan(1e-5));
		const rg = [rows * d, d, d].map((n) => new Float32Array(n));
		const gg = [rows * d, d, d].map((n) => new Float32Array(n));
		layerNormGradArrays(dy, ref[1], ref[2], g, d, rg[0], rg[1], rg[2]);
		simd!.split(
			'layer_norm_grad_dx_part',
			rows,
			rows,
			{ in: dy },
			{ in: ref[1] },
			{ in: ref[2] },
			{ in: g },
			rows,
			d,
			{ out: gg[0] }
		);
		simd!.split(
			'layer_norm_grad_dgds_part',
			d / 4,
			d / 4,
			{ in: dy },
			{ in: ref[1] },
			rows,
			d,
			{ out: gg[1] },
			{ out: gg[2] }
		);
		rg.forEach((r, i) => expect(relDiff(gg[i], r, 1e-3), `gradient ${i}`).toBeLessThan(1e-5));
	});

	it('GELU and its derivative, from −12 to 12 and on odd lengths', () => {
		for (const n of [1, 7, 4099]) {
			const x = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / Math.max(1, n - 1));
			const dy = rand(n);
			const [ry, gy, rdx, gdx] = [0, 1, 2, 3].map(() => new Float32Array(n));
			geluArrays(x, ry);
			geluGradArrays(dy, x, rdx);
			simd!.split('gelu_part', n, n, { in: x }, { out: gy }, n);
			simd!.split('gelu_grad_part', n, n, { in: dy }, { in: x }, { out: gdx }, n);
			for (let i = 0; i < n; i++) {
				expect(Math.abs(gy[i] - ry[i]), `gelu(${x[i]})`).toBeLessThan(1e-6 * (1 + Math.abs(ry[i])));
				expect(Math.abs(gdx[i] - rdx[i]), `gelu′(${x[i]})`).toBeLessThan(
					1e-6 * (1 + Math.abs(rdx[i]))
				);
			}
			// GELU with its derivative kept, then dy·GELU′: the same floats as the two kernels above,
			// word for word, so a step that keeps GELU′ trains exactly as one that recomputes it.
			const [ky, kd, kdx, jd] = [0, 1, 2, 3].map(() => new Float32Array(n));
			simd!.split('gelu_d_part', n, n, { in: x }, { out: ky }, { out: kd }, n);
			simd!.split('mul_part', n, n, { in: dy }, { in: kd }, { out: kdx }, n);
			expect(new Uint32Array(ky.buffer)).toEqual(new Uint32Array(gy.buffer));
			expect(new Uint32Array(kdx.buffer)).toEqual(new Uint32Array(gdx.buffer));
			// The JavaScript derivative (where SIMD is missing) agrees with the loop's to float rounding.
			geluDerivativeArrays(x, jd);
			for (let i = 0; i < n; i++)
				expect(Math.abs(jd[i] - kd[i]), `gelu′(${x[i]})`).toBeLessThan(
					1e-6 * (1 + Math.abs(kd[i]))
				);
		}
	});
});

describe('training with the hand-written step', () => {
	it.each(['cpu', 'wasm'])(
		'%s: follows the tape’s loss curve for 30 steps, full and LoRA, and frees everything',
		async (backend) => {
			await tf.setBackend(backend);
			const rng = createRng(8);
			const n = 24;
			const tt = cfg.context;
			const x = Int32Array.from({ length: n * tt }, () => rng.int(cfg.vocab));
			const y = Int32Array.from({ length: n * tt }, (_, i) => (x[i] * 3 + 1) % cfg.vocab);
			const task = {
				name: 'test',
				inWidth: tt,
				outWidth: tt,
				classes: cfg.vocab,
				train: { x, y, n },
				test: { x, y, n }
			};
			const before = tf.memory().numTensors;
			for (const tuning of [{ method: 'full' }, { method: 'lora', rank: 2 }] as TuningConfig[]) {
				const make = (handGradients: boolean) =>
					new Trainer({
						model,
						base: weights,
						tuning,
						task,
						lr: 3e-3,
						batchSize: 8,
						seed: 1,
						handGradients
					});
				const [hand, tape] = [make(true), make(false)];
				let first = 0;
				for (let i = 0; i < 6; i++) {
					const [a, c] = [await hand.run(5), await tape.run(5)];
					if (i === 0) first = c.loss;
					expect(Math.abs(a.loss - c.loss), `step ${a.step}`).toBeLessThan(1e-4 * c.loss);
					expect(Math.abs(a.meanLoss - c.meanLoss)).toBeLessThan(1e-4 * c.meanLoss);
				}
				expect((await tape.run(1)).loss).toBeLessThan(first);
				hand.dispose();
				tape.dispose();
			}
			expect(tf.memory().numTensors).toBe(before);
		}
	);
});
