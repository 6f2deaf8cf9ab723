/**
 * Real English (State of the Union addresses by era, Moby-Dick) and real code (d3) for the
 * character-level language model, as the course ships them in static/data/text/ (see
 * scripts/data/text.js and static/data/README.md). This module holds the 96-symbol vocabulary,
 * the fixed held-out split the manifest records, next-character tasks of windows drawn from a
 * split, and the unigram and bigram baselines a model has to beat, in bits per character.
 *
 * A corpus is split into contiguous blocks of `blockSize` bytes, of which the manifest lists the
 * held-out ones; a split is kept as runs of consecutive blocks, so no window and no bigram ever
 * straddles a seam between train and test text. Plain TypeScript: no tfjs, runs in Node, the
 * browser and a worker.
 */

import { createRng } from '../../math/rng';
import { sha256Hex } from '../../math/sha256';

/**
 * The vocabulary: id 0 is the newline, ids 1..95 are printable ASCII 32..126 in code order
 * (space is 1, "A" is 34, "~" is 95). So a byte b of a shipped file has id b − 31, or 0 for 10.
 */
export const TEXT_VOCAB =
	'\n' + String.fromCharCode(...Array.from({ length: 95 }, (_, i) => i + 32));
/** Number of symbols in `TEXT_VOCAB` (96). */
export const TEXT_VOCAB_SIZE = 96;
/** Bytes per split block. */
export const TEXT_BLOCK_SIZE = 2048;
/** Seed of the held-out blocks. */
export const TEXT_SPLIT_SEED = 20240615;
/** Share of blocks held out. */
export const TEXT_TEST_FRACTION = 0.1;

/** The shipped corpora: State of the Union addresses in six eras, Moby-Dick, d3's JavaScript. */
export const TEXT_CORPUS_IDS = [
	'sotu-1790-1829',
	'sotu-1830-1869',
	'sotu-1870-1909',
	'sotu-1910-1949',
	'sotu-1950-1989',
	'sotu-1990-2021',
	'moby-dick',
	'd3-code'
] as const;
/** The identifier of a shipped corpus, also its key in static/data/manifest.json. */
export type TextCorpusId = (typeof TEXT_CORPUS_IDS)[number];

/** Which blocks of a corpus are held out, as the manifest's `split` field records it. */
export interface TextSplitRule {
	readonly blockSize: number;
	readonly testBlocks: readonly number[];
}

/** The fields of a corpus's manifest entry that loading and splitting need. */
export interface TextCorpusEntry {
	/** Path under static/data/. */
	readonly file: string;
	readonly title: string;
	readonly byteLength: number;
	readonly sha256: string;
	readonly split: TextSplitRule & {
		readonly blocks: number;
		readonly seed: number;
		readonly testFraction: number;
	};
}

/** Characters to ids. Throws on a character outside `TEXT_VOCAB`. @returns Int32Array [length]. */
export function encodeText(text: string): Int32Array {
	const ids = new Int32Array(text.length);
	for (let i = 0; i < text.length; i++) ids[i] = idOf(text.charCodeAt(i), i);
	return ids;
}

/** Ids to characters. Throws on an id outside [0, 96). */
export function decodeText(ids: ArrayLike<number>): string {
	let out = '';
	for (let i = 0; i < ids.length; i++) {
		const c = TEXT_VOCAB[ids[i]];
		if (c === undefined) throw new RangeError(`id ${ids[i]} not in vocab`);
		out += c;
	}
	return out;
}

/**
 * The ids of a shipped file's bytes (one byte per character). Throws on a byte outside the
 * vocabulary. @returns Int32Array [bytes.length], caller owns.
 */
export function bytesToIds(bytes: Uint8Array): Int32Array {
	const ids = new Int32Array(bytes.length);
	for (let i = 0; i < bytes.length; i++) ids[i] = idOf(bytes[i], i);
	return ids;
}

function idOf(code: number, at: number): number {
	if (code === 10) return 0;
	if (code >= 32 && code <= 126) return code - 31;
	throw new RangeError(`character code ${code} at ${at} is not in the vocabulary`);
}

/**
 * The held-out rule of scripts/data/text.js: of `nBlocks` blocks, the k = max(1, round(nBlocks ·
 * fraction)) indices b whose sha256 of the ASCII string `${seed}:${id}:${b}` is smallest in hex
 * order. The manifest lists the result; this reproduces it. @returns sorted block indices.
 */
export function testBlocksFor(
	id: string,
	nBlocks: number,
	seed = TEXT_SPLIT_SEED,
	fraction = TEXT_TEST_FRACTION
): number[] {
	const k = Math.max(1, Math.round(nBlocks * fraction));
	const encoder = new TextEncoder();
	return Array.from({ length: nBlocks }, (_, b) => ({
		b,
		h: sha256Hex(encoder.encode(`${seed}:${id}:${b}`))
	}))
		.sort((p, q) => (p.h < q.h ? -1 : p.h > q.h ? 1 : 0))
		.slice(0, k)
		.map((p) => p.b)
		.sort((a, b) => a - b);
}

/**
 * One side of a split: the ids of its text in corpus order, as runs of contiguous source text.
 * Run r is ids[bounds[r], bounds[r + 1]); consecutive runs are not adjacent in the corpus.
 */
export interface TextSplit {
	readonly ids: Int32Array;
	/** Int32Array [runs + 1]: 0, the end of each run, ending with ids.length. */
	readonly bounds: Int32Array;
}

/**
 * Splits a corpus's ids by its rule: block b is ids [b·blockSize, (b+1)·blockSize), held out if
 * b is in `testBlocks`. Neighbouring blocks on the same side merge into one run. Together the two
 * sides hold every id once. @returns new arrays, caller owns.
 */
export function splitText(
	ids: Int32Array,
	rule: TextSplitRule
): { train: TextSplit; test: TextSplit } {
	const nBlocks = Math.ceil(ids.length / rule.blockSize);
	const isTest = new Uint8Array(nBlocks);
	for (const b of rule.testBlocks) {
		if (!Number.isInteger(b) || b < 0 || b >= nBlocks) {
			throw new RangeError(`test block ${b} is outside the ${nBlocks} blocks`);
		}
		isTest[b] = 1;
	}
	const side = (want: number): TextSplit => {
		let length = 0;
		const bounds = [0];
		for (let b = 0; b < nBlocks; b++) {
			if (isTest[b] !== want) continue;
			const size = Math.min(ids.length, (b + 1) * rule.blockSize) - b * rule.blockSize;
			if (b > 0 && isTest[b - 1] === want) bounds[bounds.length - 1] += size;
			else bounds.push(length + size);
			length += size;
		}
		const out = new Int32Array(length);
		let at = 0;
		for (let b = 0; b < nBlocks; b++) {
			if (isTest[b] !== want) continue;
			const block = ids.subarray(b * rule.blockSize, (b + 1) * rule.blockSize);
			out.set(block, at);
			at += block.length;
		}
		return { ids: out, bounds: Int32Array.from(bounds) };
	};
	return { train: side(0), test: side(1) };
}

/** `splitText` straight from a shipped file's bytes. @returns new arrays, caller owns. */
export function splitCorpus(
	bytes: Uint8Array,
	rule: TextSplitRule
): { train: TextSplit; test: TextSplit } {
	return splitText(bytesToIds(bytes), rule);
}

/** Next-character examples: x, y Int32Array [n, t], row-major; y[i, j] is the id after x[i, j]. */
export interface SequenceSplit {
	x: Int32Array;
	y: Int32Array;
	n: number;
}

/**
 * `n` windows of `t` characters at seeded uniform starts, with replacement, among every start whose
 * window and next character lie inside one run: x = ids[s, s+t), y = ids[s+1, s+t+1). Throws if no
 * run holds t + 1 ids. @returns new arrays, caller owns.
 */
export function sampleWindows(split: TextSplit, t: number, n: number, seed: number): SequenceSplit {
	const { ids, bounds } = split;
	const runs = bounds.length - 1;
	const cumulative = new Float64Array(runs);
	let total = 0;
	for (let r = 0; r < runs; r++) {
		total += Math.max(0, bounds[r + 1] - bounds[r] - t);
		cumulative[r] = total;
	}
	if (total === 0) throw new RangeError(`no run of the split holds t + 1 = ${t + 1} ids`);
	const rng = createRng(seed).fork('windows');
	const x = new Int32Array(n * t);
	const y = new Int32Array(n * t);
	for (let i = 0; i < n; i++) {
		const u = rng.int(total);
		let lo = 0;
		let hi = runs - 1;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (cumulative[mid] > u) hi = mid;
			else lo = mid + 1;
		}
		const s = bounds[lo] + u - (lo > 0 ? cumulative[lo - 1] : 0);
		x.set(ids.subarray(s, s + t), i * t);
		y.set(ids.subarray(s + 1, s + t + 1), i * t);
	}
	return { x, y, n };
}

/**
 * Every non-overlapping window of `t` characters of each run, in order, for a fixed evaluation of
 * a whole split: run r gives floor((length_r − 1) / t) windows. @returns new arrays, caller owns.
 */
export function tileWindows(split: TextSplit, t: number): SequenceSplit {
	const { ids, bounds } = split;
	const starts: number[] = [];
	for (let r = 0; r + 1 < bounds.length; r++) {
		for (let s = bounds[r]; s + t + 1 <= bounds[r + 1]; s += t) starts.push(s);
	}
	const n = starts.length;
	const x = new Int32Array(n * t);
	const y = new Int32Array(n * t);
	starts.forEach((s, i) => {
		x.set(ids.subarray(s, s + t), i * t);
		y.set(ids.subarray(s + 1, s + t + 1), i * t);
	});
	return { x, y, n };
}

/** A next-character task in the shape of the trainer's `TaskData` (inWidth = outWidth = t). */
export interface TextTask {
	name: string;
	inWidth: number;
	outWidth: number;
	classes: number;
	train: SequenceSplit;
	test: SequenceSplit;
}

/**
 * A next-character task from a corpus's split: `nTrain` windows of `t` from train and `nTest` from
 * test, at starts drawn from `seed` (independent streams for the two sides). classes = 96.
 * @returns new arrays, caller owns.
 */
export function textTask(
	name: string,
	split: { train: TextSplit; test: TextSplit },
	t: number,
	nTrain: number,
	nTest: number,
	seed = 1
): TextTask {
	const rng = createRng(seed);
	return {
		name,
		inWidth: t,
		outWidth: t,
		classes: TEXT_VOCAB_SIZE,
		train: sampleWindows(split.train, t, nTrain, rng.fork('train').uint32()),
		test: sampleWindows(split.test, t, nTest, rng.fork('test').uint32())
	};
}

/** Converts a loss in nats (per character) to bits per character. */
export function bitsPerChar(nats: number): number {
	return nats / Math.LN2;
}

/**
 * Unigram model with additive smoothing: p(c) = (count(c) + alpha) / (N + 96·alpha) over every id
 * of the split. alpha = 1 is Laplace's add-one. @returns Float64Array [96] of probabilities.
 */
export function fitUnigram(split: TextSplit, alpha = 1): Float64Array {
	const p = new Float64Array(TEXT_VOCAB_SIZE).fill(alpha);
	for (const id of split.ids) p[id]++;
	const total = split.ids.length + TEXT_VOCAB_SIZE * alpha;
	for (let c = 0; c < TEXT_VOCAB_SIZE; c++) p[c] /= total;
	return p;
}

/**
 * Bigram model with additive smoothing: p(c | a) = (count(a c) + alpha) / (count(a ·) + 96·alpha)
 * over every pair of neighbours inside a run. alpha = 1 is Laplace's add-one.
 * @returns Float64Array [96, 96], row a holding p(· | a).
 */
export function fitBigram(split: TextSplit, alpha = 1): Float64Array {
	const V = TEXT_VOCAB_SIZE;
	const p = new Float64Array(V * V).fill(alpha);
	forEachPair(split, (a, c) => p[a * V + c]++);
	for (let a = 0; a < V; a++) {
		let row = 0;
		for (let c = 0; c < V; c++) row += p[a * V + c];
		for (let c = 0; c < V; c++) p[a * V + c] /= row;
	}
	return p;
}

function forEachPair(split: TextSplit, f: (a: number, c: number) => void): void {
	const { ids, bounds } = split;
	for (let r = 0; r + 1 < bounds.length; r++) {
		for (let i = bounds[r] + 1; i < bounds[r + 1]; i++) f(ids[i - 1], ids[i]);
	}
}

/** Bits per character of the baselines on a held-out split, and how many characters count. */
export interface BaselineBits {
	/** log2(96): the uniform model. */
	uniform: number;
	unigram: number;
	bigram: number;
	/** Characters scored: every id of `test` but the first of each run (it has no predecessor). */
	chars: number;
}

/**
 * The unigram and bigram baselines, fit on `train` with additive smoothing `alpha` (1: add-one),
 * as mean −log2 p over the same characters of `test`: every one with a predecessor in its run.
 */
export function baselineBits(train: TextSplit, test: TextSplit, alpha = 1): BaselineBits {
	const uni = fitUnigram(train, alpha);
	const bi = fitBigram(train, alpha);
	let nUni = 0;
	let nBi = 0;
	let chars = 0;
	forEachPair(test, (a, c) => {
		nUni -= Math.log(uni[c]);
		nBi -= Math.log(bi[a * TEXT_VOCAB_SIZE + c]);
		chars++;
	});
	if (chars === 0) throw new RangeError('the held-out split has no character to score');
	return {
		uniform: Math.log2(TEXT_VOCAB_SIZE),
		unigram: bitsPerChar(nUni / chars),
		bigram: bitsPerChar(nBi / chars),
		chars
	};
}

/**
 * Several splits as one (e.g. the train splits of two eras): ids end to end, runs kept apart so
 * that no window or bigram crosses from one corpus into the next. @returns new arrays, caller owns.
 */
export function concatSplits(splits: readonly TextSplit[]): TextSplit {
	const total = splits.reduce((n, s) => n + s.ids.length, 0);
	const runs = splits.reduce((n, s) => n + s.bounds.length - 1, 0);
	const ids = new Int32Array(total);
	const bounds = new Int32Array(runs + 1);
	let at = 0;
	let r = 1;
	for (const s of splits) {
		ids.set(s.ids, at);
		for (let i = 1; i < s.bounds.length; i++) bounds[r++] = at + s.bounds[i];
		at += s.ids.length;
	}
	return { ids, bounds };
}

/** Typographic characters a reader may paste, written as the shipped text writes them. */
const PROMPT_FOLDS: Record<string, string> = {
	'\u2018': "'",
	'\u2019': "'",
	'\u201c': '"',
	'\u201d': '"',
	'\u2013': '-',
	'\u2014': '--',
	'\u2026': '...',
	'\u00a0': ' ',
	'\t': '  ',
	'\r': ''
};

/** A reader's prompt as ids, and what had to change to make it fit the vocabulary. */
export interface PromptIds {
	ids: Int32Array;
	/** The text the ids spell (after folding, dropping and trimming). */
	text: string;
	/** Characters left out because the vocabulary has no symbol for them (each once). */
	dropped: string[];
	/** True when the prompt was cut to its last `maxLength` characters. */
	truncated: boolean;
}

/**
 * A free-form prompt to ids: curly quotes, dashes, ellipses and non-breaking spaces folded to
 * ASCII as the shipped corpora have them, accents stripped (é to e), anything else outside the
 * vocabulary dropped and reported, and only the last `maxLength` characters kept. Never throws.
 */
export function encodePrompt(text: string, maxLength = 1000): PromptIds {
	const dropped = new Set<string>();
	let out = '';
	for (const ch of text) {
		const folded = PROMPT_FOLDS[ch] ?? ch;
		for (const c of folded.normalize('NFKD')) {
			const code = c.charCodeAt(0);
			if (c.length === 1 && (code === 10 || (code >= 32 && code <= 126))) out += c;
			else if (!/\p{M}/u.test(c)) dropped.add(ch);
		}
	}
	const truncated = out.length > maxLength;
	if (truncated) out = out.slice(-maxLength);
	return { ids: encodeText(out), text: out, dropped: [...dropped], truncated };
}
