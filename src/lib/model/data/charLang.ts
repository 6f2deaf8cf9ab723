/**
 * A procedurally generated character-level language for the transformer lessons: made in code
 * from a seed, so there is no corpus to ship and no licence to track. A seeded lexicon of made-up
 * words (consonant–vowel syllables over 19 letters) is shared by every dialect; a dialect sets the
 * grammar (word order, where adjectives go), the inflections (plural and verb-agreement suffixes)
 * and which words are frequent (a Zipf law over a seeded ranking). Pretraining text comes from one
 * dialect and fine-tuning text from a shifted one, so the shift is known exactly:
 *
 * - `pretrain`: subject–verb–object, adjective before the noun, plural "-is", plural verb "-an".
 * - `finetune-small`: the same grammar and word frequencies; new plural suffixes ("-ek" on nouns,
 *   "-ot" on verbs). Only the inflection moves.
 * - `finetune-large`: the new suffixes, a new ranking of which words are common, subject–object–
 *   verb order, adjectives after the noun, and more adjectives and plurals.
 *
 * Also here: the character tokenizer (a fixed 21-symbol vocabulary) and next-character batches.
 * Plain TypeScript: no tfjs.
 */

import { createRng, type Rng } from '../../math/rng';

const CONSONANTS = 'bdfgklmnprstvz';
const VOWELS = 'aeiou';
const CODAS = 'lmnrs';

/** The vocabulary: space, full stop, then the 19 letters in alphabetical order. Id = index. */
export const CHAR_VOCAB = ' .' + [...(CONSONANTS + VOWELS)].sort().join('');
/** Number of symbols in `CHAR_VOCAB` (21). */
export const CHAR_VOCAB_SIZE = CHAR_VOCAB.length;
/** Seed of the shared lexicon. */
export const CHAR_LANGUAGE_SEED = 1998;

const CHAR_TO_ID = new Map([...CHAR_VOCAB].map((c, i) => [c, i]));

/** Characters to ids. Throws on a character outside `CHAR_VOCAB`. @returns Int32Array [text.length]. */
export function encodeChars(text: string): Int32Array {
	const ids = new Int32Array(text.length);
	for (let i = 0; i < text.length; i++) {
		const id = CHAR_TO_ID.get(text[i]);
		if (id === undefined) throw new RangeError(`character ${JSON.stringify(text[i])} not in vocab`);
		ids[i] = id;
	}
	return ids;
}

/** Ids to characters. Throws on an id outside [0, CHAR_VOCAB_SIZE). */
export function decodeChars(ids: ArrayLike<number>): string {
	let out = '';
	for (let i = 0; i < ids.length; i++) {
		const c = CHAR_VOCAB[ids[i]];
		if (c === undefined) throw new RangeError(`id ${ids[i]} not in vocab`);
		out += c;
	}
	return out;
}

/** The words of the language by part of speech; stems only, before any suffix. */
export interface Lexicon {
	readonly determiners: readonly string[];
	readonly nouns: readonly string[];
	readonly verbs: readonly string[];
	readonly adjectives: readonly string[];
}

/** Sizes of the lexicon's word classes. */
const LEXICON_SIZES = { determiners: 3, nouns: 48, verbs: 32, adjectives: 16 } as const;
/** Syllables per word: [min, max] per class. */
const SYLLABLES = {
	determiners: [1, 1],
	nouns: [1, 3],
	verbs: [1, 2],
	adjectives: [2, 2]
} as const;

/**
 * The seeded lexicon: distinct words made of syllables consonant + vowel (+ a coda l, m, n, r or s
 * with probability 0.3). @returns a new lexicon; the same seed always gives the same words.
 */
export function makeLexicon(seed = CHAR_LANGUAGE_SEED): Lexicon {
	const rng = createRng(seed).fork('lexicon');
	const used = new Set<string>();
	const make = (cls: keyof typeof LEXICON_SIZES): string[] => {
		const words: string[] = [];
		const [lo, hi] = SYLLABLES[cls];
		while (words.length < LEXICON_SIZES[cls]) {
			const syllables = lo + rng.int(hi - lo + 1);
			let w = '';
			for (let k = 0; k < syllables; k++) {
				w += CONSONANTS[rng.int(CONSONANTS.length)] + VOWELS[rng.int(VOWELS.length)];
				if (rng.uniform() < 0.3) w += CODAS[rng.int(CODAS.length)];
			}
			if (!used.has(w)) {
				used.add(w);
				words.push(w);
			}
		}
		return words;
	};
	return {
		determiners: make('determiners'),
		nouns: make('nouns'),
		verbs: make('verbs'),
		adjectives: make('adjectives')
	};
}

/** The grammar, inflection and word frequencies of one dialect. */
export interface Dialect {
	/** Subject–verb–object or subject–object–verb. */
	readonly order: 'SVO' | 'SOV';
	/** Adjective before or after its noun. */
	readonly adjective: 'before' | 'after';
	/** Suffix of a plural noun. */
	readonly pluralSuffix: string;
	/** Suffix of a verb whose subject is plural. */
	readonly verbPluralSuffix: string;
	/** Label of the seeded ranking that decides which words are frequent. */
	readonly ranking: string;
	/** Zipf exponent: word of rank k (from 1) has probability ∝ k^−zipf within its class. */
	readonly zipf: number;
	/** Probability that a noun phrase has an adjective. */
	readonly pAdjective: number;
	/** Probability that a noun is plural. */
	readonly pPlural: number;
	/** Probability that a sentence has an object. */
	readonly pObject: number;
}

/** The pretraining dialect. */
export const PRETRAIN_DIALECT: Dialect = {
	order: 'SVO',
	adjective: 'before',
	pluralSuffix: 'is',
	verbPluralSuffix: 'an',
	ranking: 'pretrain',
	zipf: 1,
	pAdjective: 0.3,
	pPlural: 0.3,
	pObject: 0.7
};

/** A small shift: new plural suffixes; the same grammar and word frequencies. */
export const FINETUNE_SMALL_DIALECT: Dialect = {
	...PRETRAIN_DIALECT,
	pluralSuffix: 'ek',
	verbPluralSuffix: 'ot'
};

/**
 * A large shift: the small shift, plus other words are the common ones, verb-final order,
 * adjectives after nouns, and more adjectives and plurals.
 */
export const FINETUNE_LARGE_DIALECT: Dialect = {
	...FINETUNE_SMALL_DIALECT,
	ranking: 'finetune',
	order: 'SOV',
	adjective: 'after',
	pAdjective: 0.6,
	pPlural: 0.5
};

/** The identifiers of `CHAR_TASKS`. */
export type CharTaskId = 'pretrain' | 'finetune-small' | 'finetune-large';

/** One text task: a dialect of the shared language. */
export interface CharTask {
	readonly id: CharTaskId;
	readonly title: string;
	readonly description: string;
	readonly dialect: Dialect;
}

/** The text tasks: pretraining and two fine-tuning shifts of growing size. */
export const CHAR_TASKS: Readonly<Record<CharTaskId, CharTask>> = {
	pretrain: {
		id: 'pretrain',
		title: 'Pretraining text',
		description: 'Subject–verb–object sentences; plurals end in -is, plural verbs in -an.',
		dialect: PRETRAIN_DIALECT
	},
	'finetune-small': {
		id: 'finetune-small',
		title: 'Small shift: new suffixes',
		description:
			'The same grammar and the same common words, but plurals end in -ek and plural verbs in -ot.',
		dialect: FINETUNE_SMALL_DIALECT
	},
	'finetune-large': {
		id: 'finetune-large',
		title: 'Large shift: a new grammar',
		description:
			'The new suffixes, other words are the common ones, the verb moves to the end of the sentence and adjectives follow their nouns.',
		dialect: FINETUNE_LARGE_DIALECT
	}
};

/** Cumulative Zipf weights of a class, over its words in seeded rank order. */
interface Sampler {
	readonly words: readonly string[];
	readonly cumulative: Float64Array;
}

function makeSampler(words: readonly string[], rng: Rng, zipf: number): Sampler {
	const ranked = rng.shuffle([...words]);
	const cumulative = new Float64Array(ranked.length);
	let total = 0;
	for (let k = 0; k < ranked.length; k++) {
		total += (k + 1) ** -zipf;
		cumulative[k] = total;
	}
	for (let k = 0; k < ranked.length; k++) cumulative[k] /= total;
	return { words: ranked, cumulative };
}

function draw(sampler: Sampler, rng: Rng): string {
	const u = rng.uniform();
	const c = sampler.cumulative;
	let lo = 0;
	let hi = c.length - 1;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (c[mid] > u) hi = mid;
		else lo = mid + 1;
	}
	return sampler.words[lo];
}

/**
 * Exactly `nChars` characters of text in `dialect`: sentences ending in ".", separated by single
 * spaces, cut off at nChars. `seed` picks the sentences; the lexicon comes from `languageSeed`
 * and the word ranking from the dialect's `ranking` label and `languageSeed`, so two texts in the
 * same dialect share their statistics. Every character is in `CHAR_VOCAB`.
 */
export function generateText(
	dialect: Dialect,
	nChars: number,
	seed: number,
	languageSeed = CHAR_LANGUAGE_SEED
): string {
	const lexicon = makeLexicon(languageSeed);
	const rank = createRng(languageSeed).fork(`ranking-${dialect.ranking}`);
	const samplers = {
		determiners: makeSampler(lexicon.determiners, rank.fork('determiners'), dialect.zipf),
		nouns: makeSampler(lexicon.nouns, rank.fork('nouns'), dialect.zipf),
		verbs: makeSampler(lexicon.verbs, rank.fork('verbs'), dialect.zipf),
		adjectives: makeSampler(lexicon.adjectives, rank.fork('adjectives'), dialect.zipf)
	};
	const rng = createRng(seed).fork('text');
	const nounPhrase = (): { words: string[]; plural: boolean } => {
		const plural = rng.uniform() < dialect.pPlural;
		const noun = draw(samplers.nouns, rng) + (plural ? dialect.pluralSuffix : '');
		const words = [draw(samplers.determiners, rng)];
		if (rng.uniform() < dialect.pAdjective) {
			const adj = draw(samplers.adjectives, rng);
			words.push(...(dialect.adjective === 'before' ? [adj, noun] : [noun, adj]));
		} else {
			words.push(noun);
		}
		return { words, plural };
	};
	const parts: string[] = [];
	let length = 0;
	while (length < nChars) {
		const subject = nounPhrase();
		const verb = draw(samplers.verbs, rng) + (subject.plural ? dialect.verbPluralSuffix : '');
		const object = rng.uniform() < dialect.pObject ? nounPhrase().words : [];
		const words =
			dialect.order === 'SVO'
				? [...subject.words, verb, ...object]
				: [...subject.words, ...object, verb];
		const sentence = words.join(' ') + '.';
		parts.push(sentence);
		length += sentence.length + 1;
	}
	return parts.join(' ').slice(0, nChars);
}

/** `generateText` for a task of `CHAR_TASKS`. */
export function makeCharText(task: CharTaskId, nChars: number, seed: number): string {
	return generateText(CHAR_TASKS[task].dialect, nChars, seed);
}

/**
 * A next-character batch: `batchSize` windows of `seqLen + 1` ids starting at uniform positions.
 * @returns inputs, targets: Int32Array [batchSize, seqLen], row-major, with
 * targets[b, t] = inputs[b, t + 1] along the text; new arrays, caller owns.
 */
export function sampleBatch(
	ids: Int32Array,
	seqLen: number,
	batchSize: number,
	rng: Rng
): { inputs: Int32Array; targets: Int32Array } {
	if (ids.length < seqLen + 1) {
		throw new RangeError(`text of ${ids.length} ids is shorter than seqLen + 1 = ${seqLen + 1}`);
	}
	const inputs = new Int32Array(batchSize * seqLen);
	const targets = new Int32Array(batchSize * seqLen);
	const starts = ids.length - seqLen;
	for (let b = 0; b < batchSize; b++) {
		const s = rng.int(starts);
		inputs.set(ids.subarray(s, s + seqLen), b * seqLen);
		targets.set(ids.subarray(s + 1, s + seqLen + 1), b * seqLen);
	}
	return { inputs, targets };
}

/**
 * An endless stream of next-character batches from `text` (a string, encoded once, or ids),
 * drawn with `rng`. Each yielded pair is new and owned by the caller.
 */
export function* batches(
	text: string | Int32Array,
	seqLen: number,
	batchSize: number,
	rng: Rng
): Generator<{ inputs: Int32Array; targets: Int32Array }, never> {
	const ids = typeof text === 'string' ? encodeChars(text) : text;
	for (;;) yield sampleBatch(ids, seqLen, batchSize, rng);
}

/**
 * Every non-overlapping window of the text, in order, for a fixed evaluation set.
 * @returns inputs, targets: Int32Array [m, seqLen] with m = floor((length − 1) / seqLen); new arrays.
 */
export function windows(
	ids: Int32Array,
	seqLen: number
): { inputs: Int32Array; targets: Int32Array; m: number } {
	const m = Math.floor((ids.length - 1) / seqLen);
	const inputs = ids.slice(0, m * seqLen);
	const targets = ids.slice(1, m * seqLen + 1);
	return { inputs, targets, m };
}
