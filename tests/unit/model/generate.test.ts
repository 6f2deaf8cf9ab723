/**
 * The text sampler (`TextSampler`): its cached one-row-at-a-time forward pass gives the logits of
 * the model's own batched forward pass (`infer`, tfjs) at every position of a window; sampling is
 * seeded (same seed, same text; another seed, other text), temperature 0 is greedy, and the
 * shipped English model writes English: mostly letters and spaces, real words, fast enough to
 * answer a Generate click. The prompt encoder folds what a reader pastes into the vocabulary.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { decodeText, encodePrompt, encodeText, TEXT_VOCAB_SIZE } from '$lib/model/data/text';
import { draw, TextSampler } from '$lib/model/generate';
import { prepare } from '$lib/model/methods';
import { initWeights } from '$lib/model/params';
import { transformer, type TransformerConfig } from '$lib/model/transformer';
import { buildModel, unpackWeights, type ModelManifest } from '$lib/model/weightsFile';

const models: ModelManifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8'));
const entry = models.models.englishlm;
const { vocab, context, dModel, heads, layers } = entry.config as unknown as TransformerConfig;
const cfg: TransformerConfig = { vocab, context, dModel, heads, layers };
const model = buildModel(entry.config);
const weights = unpackWeights(
	model.params,
	new Uint8Array(readFileSync(`static/models/${entry.file}`))
);

beforeAll(async () => {
	await tf.setBackend('cpu');
});

/** Logits of `infer` for one sequence: [t, vocab]. */
function batchedLogits(
	c: TransformerConfig,
	w: Record<string, Float32Array>,
	ids: Int32Array
): Float32Array {
	const m = transformer(c);
	const tuned = prepare(m, w, { method: 'full' }, createRng(1));
	const out = tf.tidy(() =>
		m.infer!(tuned, tf.tensor2d(ids, [1, ids.length], 'int32')).dataSync<'float32'>()
	);
	tuned.dispose();
	return out;
}

describe('TextSampler', () => {
	it('gives the batched forward pass’s logits at every position of a full window', () => {
		const text =
			'The Congress of the United States will, I trust, give this subject its early attention.';
		const ids = encodeText(text.slice(0, cfg.context));
		const want = batchedLogits(cfg, weights, ids);
		const s = new TextSampler(cfg, weights);
		let worst = 0;
		for (let t = 0; t < ids.length; t++) {
			s.push(ids[t]);
			for (let v = 0; v < TEXT_VOCAB_SIZE; v++) {
				worst = Math.max(worst, Math.abs(s.logits[v] - want[t * TEXT_VOCAB_SIZE + v]));
			}
		}
		expect(s.length).toBe(cfg.context);
		expect(worst).toBeLessThan(2e-4);
		expect(() => s.push(1)).toThrow(/full/);
		expect(() => new TextSampler(cfg, weights).push(TEXT_VOCAB_SIZE)).toThrow(/vocabulary/);
	});

	it('matches a random model of another shape too (2 heads, 1 layer, context 8)', () => {
		const small: TransformerConfig = { vocab: 11, context: 8, dModel: 12, heads: 2, layers: 1 };
		const m = transformer(small);
		const w = initWeights(m.params, createRng(3));
		// Larger than the init's 0.02 so that attention is far from uniform.
		for (const k of Object.keys(w))
			w[k] = w[k].map((v, i) => v * 20 + (k.endsWith('.g') ? 1 : 0) * (i % 3));
		const ids = Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6]);
		const want = batchedLogits(small, w, ids);
		const s = new TextSampler(small, w);
		for (let t = 0; t < ids.length; t++) {
			s.push(ids[t]);
			for (let v = 0; v < 11; v++) expect(s.logits[v]).toBeCloseTo(want[t * 11 + v], 3);
		}
	});

	it('is seeded: the same seed writes the same text, another seed other text', () => {
		const s = new TextSampler(cfg, weights);
		const prompt = encodeText('Fellow-Citizens of the Senate and House of Representatives:\n');
		const a = s.sample({ prompt, length: 200, temperature: 0.8, seed: 7 });
		const b = new TextSampler(cfg, weights).sample({
			prompt,
			length: 200,
			temperature: 0.8,
			seed: 7
		});
		const c = s.sample({ prompt, length: 200, temperature: 0.8, seed: 8 });
		expect(decodeText(a)).toBe(decodeText(b));
		expect(decodeText(a)).not.toBe(decodeText(c));
		expect(a.length).toBe(200);
	});

	// No wall-clock bound here: on a loaded machine any bound either fails or proves nothing
	// (timings belong in npm run bench).
	it('writes English: letters and spaces, common words', () => {
		const s = new TextSampler(cfg, weights);
		const text = decodeText(
			s.sample({ prompt: encodeText('The'), length: 400, temperature: 0.7, seed: 1 })
		);
		const letters = text.replace(/[^A-Za-z ]/g, '').length / text.length;
		expect(letters).toBeGreaterThan(0.9);
		const words = text.toLowerCase().split(/[^a-z]+/);
		for (const w of ['the', 'of']) expect(words).toContain(w);
	});

	it('is greedy at temperature 0 whatever the seed', () => {
		const s = new TextSampler(cfg, weights);
		const prompt = encodeText('The ');
		const a = decodeText(s.sample({ prompt, length: 80, temperature: 0, seed: 1 }));
		const b = decodeText(s.sample({ prompt, length: 80, temperature: 0, seed: 2 }));
		expect(a).toBe(b);
	});

	it('keeps writing past the window, from the last half of it', () => {
		const s = new TextSampler(cfg, weights);
		const long = encodeText('a'.repeat(300));
		const out = s.sample({ prompt: long, length: 3 * cfg.context, temperature: 1, seed: 3 });
		expect(out.length).toBe(3 * cfg.context);
		for (const id of out) expect(id >= 0 && id < TEXT_VOCAB_SIZE).toBe(true);
	});

	it('rejects an empty prompt and a temperature out of range', () => {
		const s = new TextSampler(cfg, weights);
		const prompt = encodeText('x');
		expect(() =>
			s.sample({ prompt: new Int32Array(0), length: 5, temperature: 1, seed: 1 })
		).toThrow();
		expect(() => s.sample({ prompt, length: 5, temperature: -1, seed: 1 })).toThrow();
		expect(() => s.sample({ prompt, length: 5, temperature: NaN, seed: 1 })).toThrow();
		expect(() => s.sample({ prompt, length: 5, temperature: 9, seed: 1 })).toThrow();
	});
});

describe('draw', () => {
	it('inverts the softmax’s cumulative sum and takes the arg max at temperature 0', () => {
		const logits = [0, Math.log(3), 0]; // probabilities 0.2, 0.6, 0.2
		expect(draw(logits, 1, 0.1)).toBe(0);
		expect(draw(logits, 1, 0.5)).toBe(1);
		expect(draw(logits, 1, 0.9)).toBe(2);
		expect(draw(logits, 0, 0.99)).toBe(1);
		expect(draw([5, 5], 0, 0.5)).toBe(0);
		expect(draw(logits, 1, 0.999999999)).toBe(2);
	});
});

describe('encodePrompt', () => {
	it('folds typography, strips accents, drops what has no symbol and keeps the tail', () => {
		const p = encodePrompt('“Café” — naïve…\tend 😀');
		expect(p.text).toBe('"Cafe" -- naive...  end ');
		expect(p.dropped).toEqual(['😀']);
		expect(decodeText(p.ids)).toBe(p.text);
		const long = encodePrompt('x'.repeat(50) + 'tail', 10);
		expect(long.text).toBe('xxxxxxtail');
		expect(long.truncated).toBe(true);
		expect(encodePrompt('').ids.length).toBe(0);
	});
});
