/**
 * Every fine-tuning method through the same checks, on both models: what trains, gradients
 * against central finite differences, optimizer state only for what trains, and no tensor leaks.
 * LoRA also: full-rank equivalence with a dense update, and merge/unmerge.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { Adam } from '$lib/model/adam';
import { crossEntropy } from '$lib/model/losses';
import { METHODS, prepare, LoraTuned } from '$lib/model/methods';
import type { ModelDef } from '$lib/model/model';
import { mlp } from '$lib/model/mlp';
import { initWeights, sizeOf } from '$lib/model/params';
import { transformer } from '$lib/model/transformer';
import type { MethodId, Tuned, TuningConfig } from '$lib/model/tuned';

beforeAll(async () => {
	await tf.setBackend('cpu');
});

interface Case {
	model: ModelDef;
	x: () => tf.Tensor;
	y: () => tf.Tensor1D;
}

const rng = createRng(7);
const small = mlp([6, 5, 4, 3]);
const gpt = transformer({ vocab: 7, context: 5, dModel: 8, heads: 2, layers: 1 });
const cases: Case[] = [
	{
		model: small,
		x: () =>
			tf.tensor2d(
				Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i * 1.7)),
				[4, 6]
			),
		y: () => tf.tensor1d([0, 2, 1, 2], 'int32')
	},
	{
		model: gpt,
		x: () => tf.tensor2d([1, 3, 5, 2, 0, 6, 4, 4, 1, 3], [2, 5], 'int32'),
		y: () => tf.tensor1d([3, 5, 2, 0, 1, 4, 4, 1, 3, 2], 'int32')
	}
];

const configs: TuningConfig[] = [
	{ method: 'full' },
	{ method: 'lora', rank: 2, alpha: 4 },
	{ method: 'head' },
	{ method: 'bitfit' }
];

function lossOf(tuned: Tuned, c: Case): tf.Scalar {
	return tf.tidy(() => {
		const x = c.x();
		const y = c.y();
		return crossEntropy(tuned.model.forward(tuned, x), y);
	});
}

/** Sets B of every LoRA adapter to random values so the adapters are not a no-op. */
function randomiseB(tuned: Tuned, seed: number) {
	const r = createRng(seed);
	for (const { name, variable } of tuned.trainable) {
		if (name.endsWith('.B')) {
			const v = Float32Array.from({ length: variable.size }, () => r.normal(0, 0.3));
			assignValues(variable, v);
		}
	}
}

/** Overwrite a variable's values without leaking the temporary tensor. */
function assignValues(variable: tf.Variable, values: Float32Array) {
	const t = tf.tensor(values, variable.shape);
	variable.assign(t);
	t.dispose();
}

function expectedTrainable(model: ModelDef, config: TuningConfig): number {
	const count = (pred: (name: string) => boolean) =>
		model.params.filter((p) => pred(p.name)).reduce((n, p) => n + sizeOf(p.shape), 0);
	switch (config.method) {
		case 'full':
			return count(() => true);
		case 'head':
			return count((n) => model.head.some((h) => n.startsWith(`${h}.`)));
		case 'bitfit':
			// Ben Zaken et al.: every bias, and the task's head.
			return count((n) => n.endsWith('.b') || model.head.some((h) => n.startsWith(`${h}.`)));
		case 'lora':
			return model.linears
				.filter((l) => !model.head.includes(l.name))
				.reduce((n, l) => n + config.rank! * (l.inDim + l.outDim), 0);
		case 'subspace':
			return config.dim ?? 64;
	}
}

describe.each(cases.map((c) => [c.model.id, c] as const))('%s', (_id, c) => {
	const weights = initWeights(c.model.params, rng.fork(c.model.id));

	describe.each(configs.map((cfg) => [cfg.method, cfg] as [MethodId, TuningConfig]))(
		'%s',
		(_m, config) => {
			it('trains exactly the parameters the method names, and Adam holds state only for them', () => {
				const before = tf.memory().numTensors;
				const tuned = prepare(c.model, weights, config, createRng(1));
				const adam = new Adam(tuned.trainable, 1e-3);
				expect(tuned.trainableCount()).toBe(expectedTrainable(c.model, config));
				// Bytes as tfjs's engine counted them: 4 per trainable value; Adam's two moments, 8 per
				// trainable value, and its four scalar constants (β₁, 1 − β₁, β₂, 1 − β₂), 16.
				expect(tuned.trainableBytes()).toBe(4 * tuned.trainableCount());
				expect(adam.bytes()).toBe(8 * tuned.trainableCount() + 16);
				// Frozen: 4 per base value that does not train, and LoRA's α/r, a 4-byte scalar for each
				// adapted layer (every linear layer but the head).
				const total = c.model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
				const baseTrainable = config.method === 'lora' ? 0 : tuned.trainableCount();
				const scales =
					config.method === 'lora'
						? c.model.linears.filter((l) => !c.model.head.includes(l.name)).length
						: 0;
				expect(tuned.frozenBytes()).toBe(4 * (total - baseTrainable + scales));
				for (const { variable } of tuned.trainable) expect(variable.trainable).toBe(true);
				adam.dispose();
				tuned.dispose();
				expect(tf.memory().numTensors).toBe(before);
			});

			it('has gradients that match central finite differences', () => {
				const before = tf.memory().numTensors;
				const tuned = prepare(c.model, weights, config, createRng(2));
				randomiseB(tuned, 3);
				const vars = tuned.trainable.map((t) => t.variable);
				const { value, grads } = tf.variableGrads(() => lossOf(tuned, c), vars);
				value.dispose();
				const pick = createRng(4);
				let checked = 0;
				for (const { name, variable } of tuned.trainable) {
					const g = grads[variable.name].dataSync();
					const base = Float32Array.from(variable.dataSync());
					for (let k = 0; k < 3; k++) {
						const i = pick.int(base.length);
						const h = 1e-2;
						const at = (delta: number) => {
							const v = base.slice();
							v[i] += delta;
							assignValues(variable, v);
							const l = lossOf(tuned, c);
							const out = l.dataSync()[0];
							l.dispose();
							return out;
						};
						const fd = (at(h) - at(-h)) / (2 * h);
						assignValues(variable, base);
						expect(Math.abs(g[i] - fd), `${name}[${i}]: ${g[i]} vs ${fd}`).toBeLessThan(
							2e-3 + 3e-2 * Math.abs(fd)
						);
						checked++;
					}
				}
				expect(checked).toBe(3 * tuned.trainable.length);
				tf.dispose(grads);
				tuned.dispose();
				expect(tf.memory().numTensors).toBe(before);
			});

			it('lowers the loss with Adam and frees everything after', () => {
				const before = tf.memory().numTensors;
				const tuned = prepare(c.model, weights, config, createRng(5));
				const adam = new Adam(tuned.trainable, 1e-2);
				const vars = tuned.trainable.map((t) => t.variable);
				const first = lossOf(tuned, c);
				const start = first.dataSync()[0];
				first.dispose();
				for (let s = 0; s < 30; s++) {
					const { value, grads } = tf.variableGrads(() => lossOf(tuned, c), vars);
					adam.apply(vars.map((v) => grads[v.name]));
					value.dispose();
					tf.dispose(grads);
				}
				const last = lossOf(tuned, c);
				expect(last.dataSync()[0]).toBeLessThan(start);
				last.dispose();
				adam.dispose();
				tuned.dispose();
				expect(tf.memory().numTensors).toBe(before);
			});
		}
	);

	it('LoRA at full rank with B ≠ 0 equals the dense layer with W₀ + (α/r)·A·B', async () => {
		const before = tf.memory().numTensors;
		const target = c.model.linears[0];
		const r = Math.min(target.inDim, target.outDim);
		const lora = new LoraTuned(
			c.model,
			weights,
			{ method: 'lora', rank: r, alpha: 3, targets: [target.name] },
			createRng(9)
		);
		randomiseB(lora, 10);
		const delta = await lora.deltaW(target.name);
		const dense = {
			...weights,
			[`${target.name}.W`]: weights[`${target.name}.W`].map((w, i) => w + delta[i])
		};
		const full = prepare(c.model, dense, { method: 'full' }, createRng(0));
		const a = tf.tidy(() => c.model.forward(lora, c.x()));
		const b = tf.tidy(() => c.model.forward(full, c.x()));
		const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
		expect(diff).toBeLessThan(1e-5);
		expect(Math.max(...delta.map(Math.abs))).toBeGreaterThan(1e-3);
		tf.dispose([a, b]);
		lora.dispose();
		full.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});

	it('LoRA merged and unmerged outputs agree to 1e-5, and unmerge restores W₀', async () => {
		const before = tf.memory().numTensors;
		const lora = new LoraTuned(
			c.model,
			weights,
			{ method: 'lora', rank: 2, alpha: 8 },
			createRng(11)
		);
		randomiseB(lora, 12);
		const w0 = lora.param(`${c.model.linears[0].name}.W`).dataSync().slice();
		const unmerged = tf.tidy(() => c.model.forward(lora, c.x()));
		lora.merge();
		expect(lora.isMerged).toBe(true);
		const merged = tf.tidy(() => c.model.forward(lora, c.x()));
		const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(merged, unmerged))).dataSync()[0]);
		expect(diff).toBeLessThan(1e-5);
		const shifted = lora.param(`${c.model.linears[0].name}.W`).dataSync();
		expect(Math.max(...shifted.map((w, i) => Math.abs(w - w0[i])))).toBeGreaterThan(1e-4);
		lora.unmerge();
		const back = lora.param(`${c.model.linears[0].name}.W`).dataSync();
		expect(Math.max(...back.map((w, i) => Math.abs(w - w0[i])))).toBeLessThan(1e-6);
		tf.dispose([merged, unmerged]);
		lora.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});
});

describe('hand-written backward pass of the MLP', () => {
	const model = mlp([6, 5, 4, 3]);
	const weights = initWeights(model.params, createRng(11));
	const c = cases[0];

	it.each(configs.map((cfg) => [cfg.method, cfg] as [MethodId, TuningConfig]))(
		'%s: gives the loss and every gradient the tape gives',
		(_m, config) => {
			const before = tf.memory().numTensors;
			const tuned = prepare(model, weights, config, createRng(2));
			randomiseB(tuned, 3);
			const vars = tuned.trainable.map((t) => t.variable);
			const tape = tf.variableGrads(() => lossOf(tuned, c), vars);
			const hand = tf.tidy(() => {
				const y = c.y();
				const targets = tf.cast(tf.oneHot(y, 3), 'float32') as tf.Tensor2D;
				const r = model.gradients!(tuned, c.x(), targets, tf.scalar(1 / y.shape[0]));
				return [r.loss, ...tuned.trainable.map(({ name }) => r.grads.get(name)!)];
			});
			expect(hand[0].dataSync()[0]).toBeCloseTo(tape.value.dataSync()[0], 5);
			tuned.trainable.forEach(({ name, variable }, i) => {
				const want = tape.grads[variable.name].dataSync();
				const got = hand[i + 1].dataSync();
				expect(got.length, name).toBe(want.length);
				const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
				for (let j = 0; j < want.length; j++) {
					expect(Math.abs(got[j] - want[j]) / scale, `${name}[${j}]`).toBeLessThan(1e-5);
				}
			});
			tf.dispose([tape.value, ...Object.values(tape.grads), ...hand]);
			tuned.dispose();
			expect(tf.memory().numTensors).toBe(before);
		}
	);
});

describe('registry', () => {
	it('lists every method with a label', () => {
		expect(Object.keys(METHODS).sort()).toEqual(['bitfit', 'full', 'head', 'lora', 'subspace']);
		for (const m of Object.values(METHODS)) expect(m.label.length).toBeGreaterThan(2);
	});

	it('rejects bad LoRA settings with a clear error', () => {
		const w = initWeights(small.params, createRng(1));
		expect(() => prepare(small, w, { method: 'lora', rank: 0 }, createRng(1))).toThrow(/rank/);
		expect(() => prepare(small, w, { method: 'lora', rank: 99 }, createRng(1))).toThrow(/exceeds/);
		expect(() => prepare(small, w, { method: 'lora', rank: 2, alpha: NaN }, createRng(1))).toThrow(
			/α/
		);
	});
});
