/**
 * The shipped English character model (`npm run pretrain`, id `englishlm`): the file is what the
 * manifest says, the model is at least the size the course promises, and it really is a language
 * model: on held-out text of its own era it beats the unigram and bigram baselines recorded
 * beside it (which the test recomputes), its recorded bits per character reproduce, and it
 * scores real text far better than the same characters in shuffled order, so it uses context.
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { baselineBits, bitsPerChar, tileWindows } from '$lib/model/data/text';
import { diskTextSplits } from '../../../scripts/node/diskSources';
import { crossEntropy } from '$lib/model/losses';
import { prepare } from '$lib/model/methods';
import { buildModel, unpackWeights, type ModelManifest } from '$lib/model/weightsFile';
import { sizeOf } from '$lib/model/params';
import { bindSimdToWasmBackend } from '$lib/model/kernels/hostKernels';
import { loadSimdKernels } from '$lib/model/kernels/simdKernels';
import '$lib/model/kernels/linalgHost';
import '$lib/model/kernels/transformerHost';

const models: ModelManifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8'));
const entry = models.models.englishlm;
const bytes = new Uint8Array(readFileSync(`static/models/${entry.file}`));

/** Train and held-out text of the model's corpora, split as the manifest says. */
const heldOut = () => diskTextSplits(entry.language!.corpora);

/** Mean bits per character of the model's next-character predictions on windows x → y. */
function bits(x: Int32Array, y: Int32Array, n: number, t: number): number {
	const model = buildModel(entry.config);
	const tuned = prepare(
		model,
		unpackWeights(model.params, bytes),
		{ method: 'full' },
		createRng(1)
	);
	const loss = tf.tidy(() => {
		const logits = model.infer!(tuned, tf.tensor2d(x, [n, t], 'int32'));
		return crossEntropy(logits, tf.tensor1d(y, 'int32')).dataSync()[0];
	});
	tuned.dispose();
	return bitsPerChar(loss);
}

beforeAll(async () => {
	setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
	await tf.setBackend('wasm');
	await loadSimdKernels();
	expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
});

describe('the English character model', () => {
	it('is the file the manifest names: its bytes, hash, and at least 300k parameters in ≤ 2 MB', () => {
		expect(bytes.byteLength).toBe(entry.bytes);
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
		const model = buildModel(entry.config);
		const parameters = model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
		expect(parameters).toBe(entry.parameters);
		expect(parameters).toBeGreaterThanOrEqual(300_000);
		expect(bytes.byteLength).toBeLessThanOrEqual(2 * 1024 * 1024);
		expect(entry.config).toMatchObject({ kind: 'transformer', vocab: 96 });
	});

	it('records the baselines its held-out split really gives', () => {
		const { train, test } = heldOut();
		const b = baselineBits(train, test);
		const recorded = entry.language!.baselines;
		expect(recorded.uniform).toBeCloseTo(b.uniform, 3);
		expect(recorded.unigram).toBeCloseTo(b.unigram, 3);
		expect(recorded.bigram).toBeCloseTo(b.bigram, 3);
		expect(recorded.untrained).toBeGreaterThan(6);
	});

	it('beats the bigram model on held-out text, and its recorded bits per character reproduce', () => {
		const t = entry.config.kind === 'transformer' ? entry.config.context : 0;
		const w = tileWindows(heldOut().test, t);
		const n = Math.min(w.n, 256);
		const measured = bits(w.x.subarray(0, n * t), w.y.subarray(0, n * t), n, t);
		const { heldOutBitsPerChar, baselines } = entry.language!;
		expect(heldOutBitsPerChar).toBeLessThan(baselines.bigram - 0.5);
		// A different sample of the same split (tiled windows, not the sampled ones) agrees.
		expect(Math.abs(measured - heldOutBitsPerChar)).toBeLessThan(0.15);
	});

	it('uses context: shuffling the characters of the same windows costs over a bit per character', () => {
		const t = entry.config.kind === 'transformer' ? entry.config.context : 0;
		const w = tileWindows(heldOut().test, t);
		const n = Math.min(w.n, 128);
		const x = w.x.slice(0, n * t);
		const y = w.y.slice(0, n * t);
		const rng = createRng(7);
		const order = rng.permutation(n * t + 1);
		const stream = new Int32Array(n * t + 1);
		for (let i = 0; i < n * t; i++) stream[i] = x[i];
		stream[n * t] = y[n * t - 1];
		const shuffled = Int32Array.from(order, (i) => stream[i]);
		const xs = new Int32Array(n * t);
		const ys = new Int32Array(n * t);
		for (let r = 0; r < n; r++) {
			for (let i = 0; i < t; i++) {
				xs[r * t + i] = shuffled[r * t + i];
				ys[r * t + i] = shuffled[r * t + i + 1];
			}
		}
		expect(bits(xs, ys, n, t)).toBeGreaterThan(bits(x, y, n, t) + 1);
	});
});
