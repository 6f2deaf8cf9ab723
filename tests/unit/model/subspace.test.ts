/**
 * Training in a random subspace, θ = θ₀ + P·z: the sparse projection P (every row s entries,
 * columns of equal count and unit norm, nearly orthogonal, seeded), the forward pass against a
 * dense P, gradients against central finite differences and against Pᵀ times full training's
 * gradient, the hand-written backward pass against the tape, training with Adam, and no leaks —
 * on tfjs's CPU backend, and once on WebAssembly, which has no UnsortedSegmentSum.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { Adam } from '$lib/model/adam';
import { crossEntropy } from '$lib/model/losses';
import { prepare, SubspaceTuned } from '$lib/model/methods';
import {
	gatherSum,
	gatherSumOps,
	sparseProjection,
	SUBSPACE_NONZEROS
} from '$lib/model/methods/subspace';
import { mlp } from '$lib/model/mlp';
import { initWeights, sizeOf } from '$lib/model/params';
import { transformer } from '$lib/model/transformer';
import type { Tuned } from '$lib/model/tuned';
import { diskSources } from '../../../scripts/node/diskSources';
import { Trainer } from '$lib/trainer/worker/trainer';

beforeAll(async () => {
	await tf.setBackend('cpu');
});

/** P as a dense row-major [D, d] array, from its row tables. */
function dense(p: ReturnType<typeof sparseProjection>): Float64Array {
	const out = new Float64Array(p.D * p.d);
	for (let i = 0; i < p.D; i++) {
		for (let k = 0; k < p.s; k++) out[i * p.d + p.rowCol[i * p.s + k]] += p.rowVal[i * p.s + k];
	}
	return out;
}

function column(P: Float64Array, D: number, d: number, j: number): Float64Array {
	return Float64Array.from({ length: D }, (_, i) => P[i * d + j]);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
	let s = 0;
	for (let i = 0; i < a.length; i++) s += a[i] * b[i];
	return s;
};

describe('sparseProjection', () => {
	it('puts s entries in every row and the same number (±1) in every column', () => {
		const p = sparseProjection(1000, 37, 4, createRng(1));
		expect(p.rowCol.length).toBe(4000);
		const counts = new Int32Array(37);
		for (const c of p.rowCol) counts[c]++;
		expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
		expect(counts.reduce((a, b) => a + b, 0)).toBe(4000);
		expect(p.width).toBe(Math.max(...counts));
	});

	it('has unit-norm columns, even when a row lands twice in one column', () => {
		for (const [D, d] of [
			[500, 3],
			[500, 50],
			[300, 300]
		]) {
			const p = sparseProjection(D, d, 4, createRng(2));
			const P = dense(p);
			for (let j = 0; j < d; j++) {
				const c = column(P, D, d, j);
				expect(Math.sqrt(dot(c, c)), `D ${D}, d ${d}, column ${j}`).toBeCloseTo(1, 5);
			}
		}
	});

	it('has nearly orthogonal columns', () => {
		const D = 4000;
		const d = 40;
		const P = dense(sparseProjection(D, d, 4, createRng(3)));
		const cols = Array.from({ length: d }, (_, j) => column(P, D, d, j));
		let worst = 0;
		let sum = 0;
		let pairs = 0;
		for (let a = 0; a < d; a++) {
			for (let b = a + 1; b < d; b++) {
				const c = Math.abs(dot(cols[a], cols[b]));
				worst = Math.max(worst, c);
				sum += c;
				pairs++;
			}
		}
		// Each pair shares about 4·3·(D·4/d)/D ≈ 12 rows with random signs, each worth 1/400.
		expect(worst).toBeLessThan(0.05);
		expect(sum / pairs).toBeLessThan(0.015);
	});

	it('is fixed by the seed: the same seed the same P, another seed another', () => {
		const a = sparseProjection(800, 16, 4, createRng(5));
		const b = sparseProjection(800, 16, 4, createRng(5));
		const c = sparseProjection(800, 16, 4, createRng(6));
		expect(Array.from(a.rowCol)).toEqual(Array.from(b.rowCol));
		expect(Array.from(a.rowVal)).toEqual(Array.from(b.rowVal));
		expect(Array.from(a.rowCol)).not.toEqual(Array.from(c.rowCol));
	});

	it('lists in its column tables exactly the entries of its row tables', () => {
		const p = sparseProjection(200, 7, 4, createRng(8));
		const fromRows = dense(p);
		const fromCols = new Float64Array(p.D * p.d);
		for (let j = 0; j < p.d; j++) {
			for (let t = 0; t < p.width; t++) {
				const row = p.colRow[j * p.width + t];
				if (row === p.D) {
					expect(p.colVal[j * p.width + t]).toBe(0);
					continue;
				}
				fromCols[row * p.d + j] += p.colVal[j * p.width + t];
			}
		}
		for (let i = 0; i < fromRows.length; i++) expect(fromCols[i]).toBeCloseTo(fromRows[i], 6);
	});

	it('rejects a dimension outside [1, D]', () => {
		expect(() => sparseProjection(100, 0, 4, createRng(1))).toThrow(/dimension/);
		expect(() => sparseProjection(100, 101, 4, createRng(1))).toThrow(/dimension/);
		expect(() => sparseProjection(100, 2.5, 4, createRng(1))).toThrow(/dimension/);
	});
});

describe('gatherSum', () => {
	it('gives what gather, multiply and sum give, by the CPU and WebAssembly kernels and by the ops', async () => {
		const r = createRng(21);
		const xs = Float32Array.from({ length: 30 }, () => r.normal());
		const idx = Int32Array.from({ length: 12 * 5 }, () => r.int(30));
		const val = Float32Array.from({ length: 12 * 5 }, () => r.normal());
		const want = tf.tidy(() =>
			tf
				.sum(
					tf.reshape(tf.mul(tf.gather(tf.tensor1d(xs), tf.tensor1d(idx, 'int32')), val), [12, 5]),
					1
				)
				.dataSync()
				.slice()
		);
		setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
		for (const backend of ['cpu', 'wasm']) {
			await tf.setBackend(backend);
			const before = tf.memory().numTensors;
			const got = tf.tidy(() =>
				gatherSum(tf.tensor1d(xs), tf.tensor2d(idx, [12, 5], 'int32'), tf.tensor2d(val, [12, 5]), 5)
					.dataSync()
					.slice()
			);
			const ops = tf.tidy(() =>
				gatherSumOps(
					tf.tensor1d(xs),
					tf.tensor2d(idx, [12, 5], 'int32'),
					tf.tensor2d(val, [12, 5]),
					5
				)
					.dataSync()
					.slice()
			);
			expect(got.length).toBe(12);
			for (let i = 0; i < 12; i++) {
				expect(got[i], `${backend} ${i}`).toBeCloseTo(want[i], 5);
				expect(ops[i], `${backend} ops ${i}`).toBeCloseTo(want[i], 5);
			}
			expect(tf.memory().numTensors).toBe(before);
		}
		await tf.setBackend('cpu');
	});
});

const model = mlp([6, 5, 4, 3]);
const D = model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
const weights = initWeights(model.params, createRng(11));
const x = () =>
	tf.tensor2d(
		Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i * 1.7)),
		[4, 6]
	);
const y = () => tf.tensor1d([0, 2, 1, 2], 'int32');

function lossOf(tuned: Tuned): tf.Scalar {
	return tf.tidy(() => crossEntropy(model.forward(tuned, x()), y()));
}

function setZ(tuned: SubspaceTuned, values: ArrayLike<number>) {
	const t = tf.tensor1d(Float32Array.from(values));
	tuned.z.assign(t);
	t.dispose();
}

function randomZ(d: number, seed: number, std = 0.5): Float32Array {
	const r = createRng(seed);
	return Float32Array.from({ length: d }, () => r.normal(0, std));
}

describe('SubspaceTuned on the MLP', () => {
	it('trains z alone (d numbers); Adam holds 2d; θ₀ and the tables are frozen', () => {
		const before = tf.memory().numTensors;
		const tuned = prepare(model, weights, { method: 'subspace', dim: 9 }, createRng(1));
		const adam = new Adam(tuned.trainable, 0.1);
		expect(tuned.trainable.map((t) => t.name)).toEqual(['z']);
		expect(tuned.trainableCount()).toBe(9);
		// Two moments of 9 values, and Adam's four scalar constants.
		expect(adam.bytes()).toBe(2 * 9 * 4 + 16);
		// θ₀, then P as [D·s] columns and values and Pᵀ as [d, width] rows and values, plus a zero.
		const width = Math.ceil((D * SUBSPACE_NONZEROS) / 9);
		expect(tuned.frozenBytes()).toBe(4 * (D + 2 * D * SUBSPACE_NONZEROS + 2 * 9 * width + 1));
		adam.dispose();
		tuned.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});

	it('at z = 0 is exactly the base model', async () => {
		const before = tf.memory().numTensors;
		const tuned = prepare(model, weights, { method: 'subspace', dim: 5 }, createRng(1));
		const full = prepare(model, weights, { method: 'full' }, createRng(1));
		const exported = await tuned.exportWeights();
		for (const spec of model.params) {
			expect(Array.from(exported[spec.name]), spec.name).toEqual(Array.from(weights[spec.name]));
		}
		const a = tf.tidy(() => model.forward(tuned, x()));
		const b = tf.tidy(() => model.forward(full, x()));
		expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
		tf.dispose([a, b]);
		tuned.dispose();
		full.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});

	it('moves θ by P·z, with P the dense matrix of its seeded tables', async () => {
		const before = tf.memory().numTensors;
		const d = 7;
		const tuned = prepare(model, weights, { method: 'subspace', dim: d }, createRng(4));
		const z = randomZ(d, 5);
		setZ(tuned as SubspaceTuned, z);
		// The same stream the method forks for its projection.
		const P = dense(sparseProjection(D, d, SUBSPACE_NONZEROS, createRng(4).fork('projection')));
		const exported = await tuned.exportWeights();
		let offset = 0;
		for (const spec of model.params) {
			const n = sizeOf(spec.shape);
			for (let i = 0; i < n; i++) {
				let want = weights[spec.name][i];
				for (let j = 0; j < d; j++) want += P[(offset + i) * d + j] * z[j];
				expect(exported[spec.name][i]).toBeCloseTo(want, 5);
			}
			offset += n;
		}
		const delta = await tuned.deltaW('l1');
		expect(delta.length).toBe(5 * 4);
		for (let i = 0; i < delta.length; i++) {
			expect(delta[i]).toBeCloseTo(exported['l1.W'][i] - weights['l1.W'][i], 6);
		}
		tuned.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});

	it('has a tape gradient that matches central finite differences', () => {
		const before = tf.memory().numTensors;
		const d = 6;
		const tuned = prepare(model, weights, { method: 'subspace', dim: d }, createRng(2));
		const z0 = randomZ(d, 3);
		setZ(tuned as SubspaceTuned, z0);
		const { value, grads } = tf.variableGrads(() => lossOf(tuned), [tuned.trainable[0].variable]);
		const g = Object.values(grads)[0].dataSync();
		value.dispose();
		for (let i = 0; i < d; i++) {
			const at = (h: number) => {
				const v = z0.slice();
				v[i] += h;
				setZ(tuned as SubspaceTuned, v);
				const l = lossOf(tuned);
				const out = l.dataSync()[0];
				l.dispose();
				return out;
			};
			const h = 1e-2;
			const fd = (at(h) - at(-h)) / (2 * h);
			expect(Math.abs(g[i] - fd), `z[${i}]: ${g[i]} vs ${fd}`).toBeLessThan(
				2e-3 + 3e-2 * Math.abs(fd)
			);
		}
		tf.dispose(grads);
		tuned.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});

	it('has ∂L/∂z = Pᵀ·∂L/∂θ, by the hand-written pass and by the tape alike', () => {
		const before = tf.memory().numTensors;
		const d = 8;
		const tuned = prepare(model, weights, { method: 'subspace', dim: d }, createRng(6));
		setZ(tuned as SubspaceTuned, randomZ(d, 7));
		const exported = tf.tidy(() =>
			model.params.map(
				(p) => (tuned as SubspaceTuned).param(p.name).dataSync().slice() as Float32Array
			)
		);
		// Full training's gradient at the same θ.
		const thetaWeights = Object.fromEntries(model.params.map((p, i) => [p.name, exported[i]]));
		const full = prepare(model, thetaWeights, { method: 'full' }, createRng(1));
		const fullVars = full.trainable.map((t) => t.variable);
		const fg = tf.variableGrads(() => lossOf(full), fullVars);
		const flat = new Float64Array(D);
		let offset = 0;
		full.trainable.forEach((t) => {
			const g = fg.grads[t.variable.name].dataSync();
			flat.set(g, offset);
			offset += g.length;
		});
		const P = dense(sparseProjection(D, d, SUBSPACE_NONZEROS, createRng(6).fork('projection')));
		const want = Float64Array.from({ length: d }, (_, j) => {
			let s = 0;
			for (let i = 0; i < D; i++) s += P[i * d + j] * flat[i];
			return s;
		});
		const tape = tf.variableGrads(() => lossOf(tuned), [tuned.trainable[0].variable]);
		const hand = tf.tidy(() => {
			const yy = y();
			const targets = tf.cast(tf.oneHot(yy, 3), 'float32') as tf.Tensor2D;
			const r = model.gradients!(tuned, x(), targets, tf.scalar(1 / 4));
			return [r.loss, r.grads.get('z')!];
		});
		expect(hand[0].dataSync()[0]).toBeCloseTo(tape.value.dataSync()[0], 5);
		const scale = Math.max(...Array.from(want, Math.abs));
		const fromTape = Object.values(tape.grads)[0].dataSync();
		const fromHand = hand[1].dataSync();
		for (let j = 0; j < d; j++) {
			expect(Math.abs(fromTape[j] - want[j]) / scale, `tape z[${j}]`).toBeLessThan(1e-5);
			expect(Math.abs(fromHand[j] - want[j]) / scale, `hand z[${j}]`).toBeLessThan(1e-5);
		}
		tf.dispose([fg.value, ...Object.values(fg.grads), tape.value, ...Object.values(tape.grads)]);
		tf.dispose(hand);
		full.dispose();
		tuned.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});

	it('lowers the loss with Adam on z, and a larger d reaches a lower loss', () => {
		const before = tf.memory().numTensors;
		const finalLoss = (d: number) => {
			const tuned = prepare(model, weights, { method: 'subspace', dim: d }, createRng(9));
			const adam = new Adam(tuned.trainable, 0.05);
			const vars = tuned.trainable.map((t) => t.variable);
			const first = lossOf(tuned);
			const start = first.dataSync()[0];
			first.dispose();
			for (let s = 0; s < 60; s++) {
				const { value, grads } = tf.variableGrads(() => lossOf(tuned), vars);
				adam.apply(vars.map((v) => grads[v.name]));
				value.dispose();
				tf.dispose(grads);
			}
			const last = lossOf(tuned);
			const end = last.dataSync()[0];
			last.dispose();
			adam.dispose();
			tuned.dispose();
			return { start, end };
		};
		const one = finalLoss(1);
		const many = finalLoss(40);
		expect(many.end).toBeLessThan(many.start);
		expect(many.end).toBeLessThan(one.end);
		expect(tf.memory().numTensors).toBe(before);
	});
});

describe('SubspaceTuned on the transformer (tape only)', () => {
	it('matches finite differences through embeddings and norms', () => {
		const gpt = transformer({ vocab: 7, context: 5, dModel: 8, heads: 2, layers: 1 });
		const w = initWeights(gpt.params, createRng(3));
		const before = tf.memory().numTensors;
		const tuned = prepare(gpt, w, { method: 'subspace', dim: 4 }, createRng(4));
		const z0 = randomZ(4, 5, 0.3);
		setZ(tuned as SubspaceTuned, z0);
		const loss = () =>
			tf.tidy(() =>
				crossEntropy(
					gpt.forward(tuned, tf.tensor2d([1, 3, 5, 2, 0, 6, 4, 4, 1, 3], [2, 5], 'int32')),
					tf.tensor1d([3, 5, 2, 0, 1, 4, 4, 1, 3, 2], 'int32')
				)
			);
		const { value, grads } = tf.variableGrads(loss, [tuned.trainable[0].variable]);
		const g = Object.values(grads)[0].dataSync();
		for (let i = 0; i < 4; i++) {
			const at = (h: number) => {
				const v = z0.slice();
				v[i] += h;
				setZ(tuned as SubspaceTuned, v);
				const l = loss();
				const out = l.dataSync()[0];
				l.dispose();
				return out;
			};
			const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
			expect(Math.abs(g[i] - fd), `z[${i}]`).toBeLessThan(2e-3 + 3e-2 * Math.abs(fd));
		}
		tf.dispose([value, ...Object.values(grads)]);
		tuned.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});
});

describe('on the WebAssembly backend', () => {
	beforeAll(async () => {
		setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
		await tf.setBackend('wasm');
	});
	afterAll(async () => {
		await tf.setBackend('cpu');
	});

	it('trains through the Trainer by both passes (no UnsortedSegmentSum needed), without leaks', async () => {
		expect(tf.getBackend()).toBe('wasm');
		const n = 40;
		const r = createRng(12);
		const task = {
			name: 'toy',
			inWidth: 6,
			outWidth: 1,
			classes: 3,
			train: {
				x: Float32Array.from({ length: n * 6 }, () => r.normal()),
				y: Int32Array.from({ length: n }, (_, i) => i % 3),
				n
			},
			test: {
				x: Float32Array.from({ length: 12 * 6 }, () => r.normal()),
				y: Int32Array.from({ length: 12 }, (_, i) => i % 3),
				n: 12
			}
		};
		for (const handGradients of [true, false]) {
			const before = tf.memory().numTensors;
			const trainer = new Trainer({
				model,
				base: weights,
				tuning: { method: 'subspace', dim: 12 },
				task,
				lr: 0.05,
				batchSize: 40,
				seed: 3,
				handGradients
			});
			const first = await trainer.run(1);
			const later = await trainer.run(40);
			expect(later.loss).toBeLessThan(first.loss);
			const ev = await trainer.evaluate();
			expect(ev.trainAccuracy).toBeGreaterThanOrEqual(0);
			trainer.dispose();
			expect(tf.memory().numTensors, `handGradients ${handGradients}`).toBe(before);
		}
	});
});

describe('a RunSpec asking for the subspace method from a random start', () => {
	it('reaches the trainer: seeded random weights of the base’s architecture, and z of subspaceDim', async () => {
		const sources = diskSources();
		const spec = {
			task: { kind: 'digits' as const, task: 'new-classes' },
			method: 'subspace' as const,
			subspaceDim: 24,
			lr: 0.1,
			batchSize: 64,
			seed: 3
		};
		const fromBase = await sources.prepare(spec);
		const fromScratch = await sources.prepare({ ...spec, init: 'scratch' });
		const base = (await sources.loadBase('digits5')).weights;
		expect(fromBase.config.base['l0.W']).toEqual(base['l0.W']);
		expect(fromScratch.config.model.id).toBe(fromBase.config.model.id);
		const want = initWeights(fromScratch.config.model.params, createRng(3).fork('scratch'));
		for (const name of Object.keys(want)) {
			expect(fromScratch.config.base[name], name).toEqual(want[name]);
		}
		expect(fromScratch.config.base['l0.W']).not.toEqual(base['l0.W']);
		expect(fromScratch.baseName).toMatch(/random initialisation/);
		expect(fromScratch.config.tuning).toMatchObject({ method: 'subspace', dim: 24 });
		const before = tf.memory().numTensors;
		const trainer = new Trainer(fromScratch.config);
		expect(trainer.ledger().trainableParams).toBe(24);
		trainer.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});
});
