/**
 * The hand-written step's host kernels (`linalgHost.ts`: column sum, transpose, softmax
 * cross-entropy, ReLU's gradient, aᵀ·b, a·b with bias and ReLU) and the WebAssembly product's transposed routes
 * (`linalg.ts` matMul), on the cpu and WebAssembly backends in Node, each with the SIMD build
 * and with the scalar loops, against tfjs's own ops on the cpu backend.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import '$lib/model/kernels/linalgHost';
import {
	COLSUM_KERNEL,
	RELU_GRAD_KERNEL,
	TRANSPOSE_KERNEL,
	XENT_KERNEL,
	GATHER_ROWS_KERNEL,
	colSum,
	gatherRows,
	linearGrads,
	matMul,
	reluGrad,
	softmaxXent,
	sum,
	transpose2d
} from '$lib/model/kernels/linalg';
import { bindSimdToWasmBackend } from '$lib/model/kernels/hostKernels';
import { softmaxXentArrays } from '$lib/model/kernels/linalgHost';
import { loadSimdKernels, setSimdActive, simdKernels } from '$lib/model/kernels/simdKernels';
import { adamUpdateArrays, fusedAdam, type AdamKernelAttrs } from '$lib/model/kernels/adamKernel';
import '$lib/model/kernels/adamWasm';

const rng = createRng(5);
const rand = (r: number, c: number) => Float32Array.from({ length: r * c }, () => rng.normal());

/** Computes each kernel's output as plain arrays on the active backend. */
function outputs(shapes: [number, number][]): Float32Array[][] {
	return shapes.map(([r, c]) => {
		const x = tf.tensor2d(data.get(`${r}x${c}`)!, [r, c]);
		const act = tf.tensor2d(data.get(`${r}x${c}:act`)!, [r, c]);
		const labels = tf.tensor1d(labelData.get(`${r}x${c}`)!, 'int32');
		const targets = tf.tidy(() => tf.cast(tf.oneHot(labels, c), 'float32') as tf.Tensor2D);
		const inv = tf.scalar(1 / r);
		const other = tf.tensor2d(data.get(`${r}x3`)!, [r, 3]);
		const wide = tf.tensor2d(data.get(`${r}x${4 * c}`)!, [r, 4 * c]);
		const right = tf.tensor2d(data.get(`right:${c}`)!, [c, 2 * c + 9]);
		const bias = tf.tensor1d(data.get(`bias:${c}`)!);
		const xent = softmaxXent(x, targets, inv);
		const rows = tf.tensor1d(
			Int32Array.from({ length: 2 * r + 1 }, (_, i) => (i * 7) % r),
			'int32'
		);
		const ids = tf.tensor2d(
			Int32Array.from({ length: r * c }, (_, i) => i * 3 - 5),
			[r, c],
			'int32'
		);
		const gatheredIds = gatherRows(ids, rows);
		expect(gatheredIds.dtype).toBe('int32');
		const outs = [
			gatherRows(x, rows),
			tf.cast(gatheredIds, 'float32'),
			colSum(x),
			transpose2d(x),
			xent.rowLoss,
			xent.dLogits,
			reluGrad(x, act),
			matMul(x, other, { transposeA: true }),
			matMul(wide, x, { transposeA: true }),
			matMul(x, act, { transposeB: true }),
			matMul(x, right),
			matMul(x, right, { bias }),
			matMul(x, right, { bias, relu: true })
		];
		const values = outs.map((t) => t.dataSync().slice() as Float32Array);
		tf.dispose([
			x,
			act,
			labels,
			targets,
			inv,
			other,
			wide,
			right,
			bias,
			rows,
			ids,
			gatheredIds,
			...outs
		]);
		return values;
	});
}

const shapes: [number, number][] = [
	[1, 2],
	[5, 3],
	[7, 10],
	[64, 48],
	[130, 33]
];
const data = new Map<string, Float32Array>();
const labelData = new Map<string, Int32Array>();
for (const [r, c] of shapes) {
	for (const key of [`${r}x${c}`, `${r}x${c}:act`, `${r}x3`, `${r}x${4 * c}`]) {
		const cols = Number(key.split(/[x:]/)[1]);
		data.set(key, rand(r, cols));
	}
	data.set(`right:${c}`, rand(c, 2 * c + 9));
	data.set(`bias:${c}`, rand(1, 2 * c + 9));
	labelData.set(
		`${r}x${c}`,
		Int32Array.from({ length: r }, () => rng.int(c))
	);
}

let reference: Float32Array[][];
beforeAll(async () => {
	setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
	expect(await loadSimdKernels()).not.toBeNull();
	await tf.setBackend('cpu');
	const saved = [
		COLSUM_KERNEL,
		TRANSPOSE_KERNEL,
		XENT_KERNEL,
		RELU_GRAD_KERNEL,
		GATHER_ROWS_KERNEL
	].map((k) => tf.getKernel(k, 'cpu')!);
	saved.forEach((k) => tf.unregisterKernel(k.kernelName, 'cpu'));
	reference = outputs(shapes);
	saved.forEach((k) => tf.registerKernel(k));
});
afterAll(() => setSimdActive(true));
// A test that toggles SIMD and fails before switching it back must not leave it off for the next.
afterEach(() => setSimdActive(true));

const names = [
	'gatherRows',
	'gatherRows int32',
	'colSum',
	'transpose',
	'rowLoss',
	'dLogits',
	'reluGrad',
	'aᵀ·b',
	'aᵀ·b, a wider than b',
	'a·bᵀ',
	'a·b',
	'a·b + bias',
	'ReLU(a·b + bias)'
];

describe.each(['cpu', 'wasm'])('on %s', (backend) => {
	beforeAll(async () => {
		await tf.setBackend(backend);
		if (backend === 'wasm') expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
	});

	it.each([true, false])('SIMD %s: every output matches tfjs’s ops to 1e-5', (simd) => {
		setSimdActive(simd);
		const before = tf.memory().numTensors;
		const got = outputs(shapes);
		expect(tf.memory().numTensors).toBe(before);
		got.forEach((outs, s) =>
			outs.forEach((o, i) => {
				const want = reference[s][i];
				expect(o.length, `${names[i]} ${shapes[s]}`).toBe(want.length);
				for (let j = 0; j < want.length; j++) {
					expect(Math.abs(o[j] - want[j]), `${names[i]} ${shapes[s]} [${j}]`).toBeLessThan(
						1e-5 * (1 + Math.abs(want[j]))
					);
				}
			})
		);
		setSimdActive(true);
	});

	it.each([true, false])(
		'SIMD %s: a weight’s and a bias’s gradients from one call equal the two calls’ bit for bit',
		(simd) => {
			setSimdActive(simd);
			const before = tf.memory().numTensors;
			for (const [r, c] of shapes) {
				const x = tf.tensor2d(data.get(`${r}x${4 * c}`)!, [r, 4 * c]);
				const dz = tf.tensor2d(data.get(`${r}x${c}`)!, [r, c]);
				const { dW, db } = linearGrads(x, dz, true, true);
				const dW2 = matMul(x, dz, { transposeA: true });
				const db2 = colSum(dz);
				expect(dW!.shape).toEqual([4 * c, c]);
				expect(db!.shape).toEqual([c]);
				expect(dW!.dataSync(), `dW ${r}x${c}`).toEqual(dW2.dataSync());
				expect(db!.dataSync(), `db ${r}x${c}`).toEqual(db2.dataSync());
				// Only one of the two asked for: only that one is made.
				const onlyB = linearGrads(x, dz, false, true);
				expect(onlyB.dW).toBeUndefined();
				expect(onlyB.db!.dataSync()).toEqual(db2.dataSync());
				tf.dispose([x, dz, dW!, db!, dW2, db2, onlyB.db!]);
			}
			expect(tf.memory().numTensors).toBe(before);
			setSimdActive(true);
		}
	);

	it('rejects a row index out of range instead of reading past the tensor', () => {
		const x = tf.zeros([3, 4]) as tf.Tensor2D;
		const idx = tf.tensor1d([0, 3], 'int32');
		expect(() => gatherRows(x, idx)).toThrow(/row 3/);
		tf.dispose([x, idx]);
	});
});

describe('Adam in SIMD on tfjs’s WebAssembly heap', () => {
	it('matches the update in double precision to float32 rounding', async () => {
		// Its own stream: its inputs do not depend on which tests ran before it.
		const rng = createRng(21);
		await tf.setBackend('wasm');
		expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
		const attrs: AdamKernelAttrs = { beta1: 0.9, beta2: 0.999, stepSize: 0.01, eps: 1e-8 };
		for (const n of [1, 7, 4099]) {
			const arrays = [0, 1, 2, 3].map(() => Float32Array.from({ length: n }, () => rng.normal()));
			arrays[3] = arrays[3].map(Math.abs);
			const ref = [0, 1, 2].map(() => new Float32Array(n));
			adamUpdateArrays(arrays[0], arrays[1], arrays[2], arrays[3], ref[0], ref[1], ref[2], attrs);
			const ts = arrays.map((a) => tf.tensor1d(a));
			const got = fusedAdam(ts[0], ts[1], ts[2], ts[3], attrs);
			const values = got.map((t) => t.dataSync());
			ref.forEach((r, k) => {
				for (let i = 0; i < n; i++) {
					expect(Math.abs(values[k][i] - r[i]), `output ${k} [${i}] of ${n}`).toBeLessThan(
						1e-6 * (1 + Math.abs(r[i]))
					);
				}
			});
			tf.dispose([...ts, ...got]);
		}
	});
});

describe('softmax cross-entropy in SIMD (what the relaxed build runs instead of the JS loop)', () => {
	/** Both versions on the same logits and targets: the JS one in double, the SIMD one in float32. */
	function both(z: Float32Array, t: Float32Array, rows: number, inv: number) {
		const classes = z.length / rows;
		const ref = { loss: new Float32Array(rows), grad: new Float32Array(z.length) };
		softmaxXentArrays(z, t, inv, classes, ref.loss, ref.grad);
		const got = { loss: new Float32Array(rows), grad: new Float32Array(z.length) };
		const simd = simdKernels()!;
		const run = (lo: number, hi: number, loss: Float32Array, grad: Float32Array) =>
			simd.call(
				'softmax_xent_part' as never,
				{ in: z },
				{ in: t },
				inv,
				rows,
				classes,
				{ out: loss },
				{ out: grad },
				lo,
				hi
			);
		run(0, rows, got.loss, got.grad);
		// A range, as a thread computes it: the same rows, bit for bit.
		const lo = rows >> 1;
		const part = { loss: new Float32Array(rows), grad: new Float32Array(z.length) };
		run(lo, rows, part.loss, part.grad);
		expect(part.loss.subarray(lo)).toEqual(got.loss.subarray(lo));
		expect(part.grad.subarray(lo * classes)).toEqual(got.grad.subarray(lo * classes));
		return { ref, got };
	}
	/**
	 * Float32 rounding of z − log Σ eᶻ: an error of about one unit in the last place of the
	 * largest logit, so the tolerance scales with it as well as with the value itself.
	 */
	const close = (got: Float32Array, ref: Float32Array, scale: number) => {
		for (let i = 0; i < ref.length; i++)
			expect(Math.abs(got[i] - ref[i]), `row ${i}: ${got[i]} vs ${ref[i]}`).toBeLessThan(
				2e-6 * (scale + Math.abs(ref[i]))
			);
	};

	it('matches the double-precision loop within float rounding, one-hot and soft targets, any width', async () => {
		// Its own stream: its inputs do not depend on which tests ran before it.
		const rng = createRng(22);
		expect(await loadSimdKernels()).not.toBeNull();
		for (const [rows, classes, spread] of [
			[7, 96, 3],
			[5, 10, 1],
			[9, 3, 30],
			[4, 97, 80]
		]) {
			const z = Float32Array.from({ length: rows * classes }, () => spread * rng.normal());
			const oneHot = new Float32Array(rows * classes);
			for (let r = 0; r < rows; r++) oneHot[r * classes + rng.int(classes)] = 1;
			const soft = Float32Array.from({ length: rows * classes }, () => rng.uniform() / classes);
			for (const t of [oneHot, soft]) {
				const { ref, got } = both(z, t, rows, 1 / rows);
				const scale = Math.max(1, ...z.map(Math.abs));
				close(got.loss, ref.loss, scale);
				// Gradients are (p − t)/rows, p off by the same rounding of z − log Σ eᶻ.
				for (let i = 0; i < ref.grad.length; i++)
					expect(Math.abs(got.grad[i] - ref.grad[i])).toBeLessThan((2e-6 * scale) / rows);
			}
		}
	});

	it('gives a NaN loss for a row with a NaN or infinite logit, and leaves other rows finite', () => {
		// Its own stream: its inputs do not depend on which tests ran before it.
		const rng = createRng(23);
		const classes = 6;
		const z = Float32Array.from({ length: 3 * classes }, () => rng.normal());
		z[2] = NaN;
		z[classes + 5] = Infinity;
		const t = new Float32Array(3 * classes);
		t[0] = t[classes] = t[2 * classes + 1] = 1;
		const { ref, got } = both(z, t, 3, 1 / 3);
		expect(Number.isNaN(ref.loss[0]) && Number.isNaN(ref.loss[1])).toBe(true);
		expect(Number.isNaN(got.loss[0])).toBe(true);
		expect(Number.isNaN(got.loss[1])).toBe(true);
		expect(Math.abs(got.loss[2] - ref.loss[2])).toBeLessThan(1e-5);
	});
});

describe('the residual sums on WebAssembly', () => {
	it('give tfjs’s Add and AddN bit for bit, in SIMD and in JavaScript, tails and signed zeros included', async () => {
		// Its own stream: its inputs do not depend on which tests ran before it.
		const rng = createRng(24);
		await tf.setBackend('wasm');
		expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
		for (const [n, simd] of [
			[7, true],
			[96 * 512 + 3, true],
			[(1 << 17) + 5, true],
			[96 * 512 + 3, false]
		] as const) {
			setSimdActive(simd);
			const [a, b, c] = [0, 1, 2].map(() => {
				const v = Float32Array.from({ length: n }, () => rng.normal());
				v[0] = -0;
				v[1] = 0;
				v[2] = -0;
				return tf.tensor2d(v, [1, n]);
			});
			const pairs: [tf.Tensor, tf.Tensor][] = [
				[sum(a, b), tf.add(a, b)],
				[sum(a, b, c), tf.addN([a, b, c])]
			];
			for (const [ours, theirs] of pairs) {
				const [x, y] = [ours.dataSync(), theirs.dataSync()];
				expect(new Uint32Array(x.buffer, x.byteOffset, n)).toEqual(
					new Uint32Array(y.buffer, y.byteOffset, n)
				);
			}
			tf.dispose([a, b, c, ...pairs.flat()]);
		}
		setSimdActive(true);
	});
});
