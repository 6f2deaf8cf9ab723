import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../src/lib/math/rng';
import {
	batches,
	CHAR_TASKS,
	CHAR_VOCAB,
	CHAR_VOCAB_SIZE,
	decodeChars,
	encodeChars,
	generateText,
	makeCharText,
	makeLexicon,
	PRETRAIN_DIALECT,
	sampleBatch,
	windows
} from '../../../../src/lib/model/data/charLang';

/** Bigram distribution of a text, as a map from two-character strings to probabilities. */
function bigrams(text: string): Map<string, number> {
	const m = new Map<string, number>();
	for (let i = 0; i + 1 < text.length; i++) {
		const k = text.slice(i, i + 2);
		m.set(k, (m.get(k) ?? 0) + 1);
	}
	for (const [k, v] of m) m.set(k, v / (text.length - 1));
	return m;
}

/** Total-variation distance between two distributions. */
function tv(a: Map<string, number>, b: Map<string, number>): number {
	let s = 0;
	for (const k of new Set([...a.keys(), ...b.keys()]))
		s += Math.abs((a.get(k) ?? 0) - (b.get(k) ?? 0));
	return s / 2;
}

const N = 20_000;
const pretrain = makeCharText('pretrain', N, 1);

describe('the tokenizer', () => {
	it('has 21 distinct symbols and round-trips text', () => {
		expect(CHAR_VOCAB_SIZE).toBe(21);
		expect(new Set(CHAR_VOCAB).size).toBe(21);
		expect(CHAR_VOCAB.slice(0, 2)).toBe(' .');
		const ids = encodeChars(pretrain.slice(0, 500));
		expect(ids).toBeInstanceOf(Int32Array);
		expect(ids.every((id) => id >= 0 && id < CHAR_VOCAB_SIZE)).toBe(true);
		expect(decodeChars(ids)).toBe(pretrain.slice(0, 500));
		expect(encodeChars('ab .')).toEqual(Int32Array.of(2, 3, 0, 1));
		expect(() => encodeChars('Ab')).toThrow(RangeError);
		expect(() => decodeChars([21])).toThrow(RangeError);
	});
});

describe('the language', () => {
	it('has a fixed seeded lexicon of distinct words', () => {
		const lex = makeLexicon();
		expect(makeLexicon()).toEqual(lex);
		expect(makeLexicon(2)).not.toEqual(lex);
		const words = [...lex.determiners, ...lex.nouns, ...lex.verbs, ...lex.adjectives];
		expect(words.length).toBe(3 + 48 + 32 + 16);
		expect(new Set(words).size).toBe(words.length);
	});

	it('generates exactly nChars, deterministically by seed', () => {
		expect(pretrain.length).toBe(N);
		expect(makeCharText('pretrain', N, 1)).toBe(pretrain);
		expect(makeCharText('pretrain', N, 2)).not.toBe(pretrain);
		expect(generateText(PRETRAIN_DIALECT, 1000, 1, 7)).not.toBe(pretrain.slice(0, 1000));
		expect(makeCharText('pretrain', 0, 1)).toBe('');
	});

	it('uses every vocabulary symbol, and only those, in every task', () => {
		for (const id of Object.keys(CHAR_TASKS) as (keyof typeof CHAR_TASKS)[]) {
			const text = makeCharText(id, N, 3);
			expect(new Set(text), id).toEqual(new Set(CHAR_VOCAB));
		}
	});

	it('writes sentences of lexicon words and suffixes, ending with a full stop', () => {
		const lex = makeLexicon();
		const sentences = pretrain.split('. ').slice(0, -1);
		expect(sentences.length).toBeGreaterThan(500);
		for (const s of sentences.slice(0, 200)) {
			const words = s.split(' ');
			expect(lex.determiners).toContain(words[0]);
			expect(words.length).toBeGreaterThanOrEqual(3);
			expect(words.length).toBeLessThanOrEqual(7);
		}
	});

	it('puts the verb last in the large shift and not in the pretraining text', () => {
		const lex = makeLexicon();
		const verbs = new Set(lex.verbs);
		const stem = (w: string) => (verbs.has(w) ? w : w.replace(/(an|ot)$/, ''));
		const verbLast = (text: string) => {
			const sentences = text.split('. ').slice(0, -1);
			const last = sentences.filter((s) => verbs.has(stem(s.split(' ').at(-1) as string)));
			return last.length / sentences.length;
		};
		expect(verbLast(makeCharText('finetune-large', N, 1))).toBe(1);
		expect(verbLast(pretrain)).toBeLessThan(0.5);
	});

	it('shifts the bigram distribution: same dialect < small shift < large shift', () => {
		const same = tv(bigrams(pretrain), bigrams(makeCharText('pretrain', N, 2)));
		const small = tv(bigrams(pretrain), bigrams(makeCharText('finetune-small', N, 2)));
		const large = tv(bigrams(pretrain), bigrams(makeCharText('finetune-large', N, 2)));
		expect(same).toBeLessThan(0.06);
		expect(small).toBeGreaterThan(0.07);
		expect(large).toBeGreaterThan(0.25);
		expect(small).toBeGreaterThan(2 * same);
		expect(large).toBeGreaterThan(2 * small);
	});

	it('changes only the suffixes in the small shift', () => {
		const small = makeCharText('finetune-small', N, 1);
		expect(small.replace(/ek\b/g, 'is').replace(/ot\b/g, 'an')).toBe(
			pretrain.replace(/ek\b/g, 'is').replace(/ot\b/g, 'an')
		);
		expect(small).not.toBe(pretrain);
	});
});

describe('batches', () => {
	const ids = encodeChars(pretrain);

	it('gives next-character targets of shape [batch, seqLen]', () => {
		const { inputs, targets } = sampleBatch(ids, 16, 8, createRng(1));
		expect(inputs.length).toBe(128);
		expect(targets.length).toBe(128);
		for (let b = 0; b < 8; b++) {
			const row = inputs.subarray(b * 16, b * 16 + 16);
			const target = targets.subarray(b * 16, b * 16 + 16);
			expect(target.subarray(0, 15)).toEqual(row.subarray(1));
			expect(pretrain.includes(decodeChars(row) + decodeChars(target.subarray(15)))).toBe(true);
		}
	});

	it('are deterministic for an rng seed and stream from a string or ids', () => {
		const a = batches(pretrain, 8, 4, createRng(2));
		const b = batches(ids, 8, 4, createRng(2));
		for (let i = 0; i < 3; i++) expect(a.next().value).toEqual(b.next().value);
		const c = batches(ids, 8, 4, createRng(3)).next().value;
		expect(c).not.toEqual(batches(ids, 8, 4, createRng(2)).next().value);
		expect(() => sampleBatch(ids.subarray(0, 8), 8, 1, createRng(1))).toThrow(RangeError);
	});

	it('reach both ends of the text', () => {
		const short = encodeChars('abdefg');
		const seen = new Set<number>();
		const rng = createRng(4);
		for (let i = 0; i < 200; i++) seen.add(sampleBatch(short, 2, 1, rng).inputs[0]);
		expect([...seen].sort()).toEqual([...encodeChars('abde')].sort());
	});

	it('cut fixed evaluation windows', () => {
		const w = windows(encodeChars('abdefgik'), 3);
		expect(w.m).toBe(2);
		expect(decodeChars(w.inputs)).toBe('abdefg');
		expect(decodeChars(w.targets)).toBe('bdefgi');
	});
});
