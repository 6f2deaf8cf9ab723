import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	baselineBits,
	bitsPerChar,
	bytesToIds,
	concatSplits,
	decodeText,
	encodeText,
	fitBigram,
	fitUnigram,
	sampleWindows,
	splitCorpus,
	splitText,
	testBlocksFor,
	textTask,
	tileWindows,
	TEXT_BLOCK_SIZE,
	TEXT_CORPUS_IDS,
	TEXT_SPLIT_SEED,
	TEXT_TEST_FRACTION,
	TEXT_VOCAB,
	TEXT_VOCAB_SIZE,
	type TextCorpusEntry,
	type TextCorpusId,
	type TextSplit
} from '../../../../src/lib/model/data/text';
import { checkTask, type TaskData } from '../../../../src/lib/trainer/worker/tasks';

const manifest = JSON.parse(readFileSync('static/data/manifest.json', 'utf8'));
const entry = (id: TextCorpusId): TextCorpusEntry => manifest[id];
const bytesOf = (id: TextCorpusId) => new Uint8Array(readFileSync(`static/data/${entry(id).file}`));
const corpora = new Map(TEXT_CORPUS_IDS.map((id) => [id, bytesOf(id)]));
const ENGLISH: readonly TextCorpusId[] = TEXT_CORPUS_IDS.filter((id) => id !== 'd3-code');

/** Whether a[from..] starts with b, compared element by element (deep equality is slow here). */
function holdsAt(a: Int32Array, from: number, b: Int32Array): boolean {
	if (from + b.length > a.length) return false;
	for (let i = 0; i < b.length; i++) if (a[from + i] !== b[i]) return false;
	return true;
}

/** The length of each run of a split. */
function runsOf(split: TextSplit): number[] {
	const lengths: number[] = [];
	for (let r = 0; r + 1 < split.bounds.length; r++) {
		lengths.push(split.bounds[r + 1] - split.bounds[r]);
	}
	return lengths;
}

describe('the vocabulary', () => {
	it('is newline then printable ASCII, 96 distinct symbols', () => {
		expect(TEXT_VOCAB_SIZE).toBe(96);
		expect(TEXT_VOCAB.length).toBe(96);
		expect(new Set(TEXT_VOCAB).size).toBe(96);
		expect(TEXT_VOCAB[0]).toBe('\n');
		expect(TEXT_VOCAB[1]).toBe(' ');
		expect(TEXT_VOCAB[34]).toBe('A');
		expect(TEXT_VOCAB[95]).toBe('~');
	});

	it('round-trips text and bytes, and rejects what is outside it', () => {
		const text = 'Call me Ishmael.\n\tNo'.replace('\t', '  ') + ' ~{}|`';
		const ids = encodeText(text);
		expect(ids).toBeInstanceOf(Int32Array);
		expect(decodeText(ids)).toBe(text);
		expect(bytesToIds(new TextEncoder().encode(text))).toEqual(ids);
		expect(encodeText('\n A~')).toEqual(Int32Array.of(0, 1, 34, 95));
		const all = decodeText(Array.from({ length: 96 }, (_, i) => i));
		expect(all).toBe(TEXT_VOCAB);
		expect(encodeText(all)).toEqual(Int32Array.from({ length: 96 }, (_, i) => i));
		expect(() => encodeText('café')).toThrow(RangeError);
		expect(() => encodeText('a\tb')).toThrow(RangeError);
		expect(() => encodeText('\u2014')).toThrow(RangeError);
		expect(() => decodeText([96])).toThrow(RangeError);
		expect(() => decodeText([-1])).toThrow(RangeError);
		expect(() => bytesToIds(Uint8Array.of(65, 13))).toThrow(RangeError);
		expect(() => bytesToIds(Uint8Array.of(127))).toThrow(RangeError);
	});
});

describe('the shipped corpora and their manifest', () => {
	it('match the manifest: byte length, sha256, licence, split record', () => {
		let total = 0;
		for (const id of TEXT_CORPUS_IDS) {
			const e = manifest[id];
			const bytes = corpora.get(id)!;
			expect(e.file, id).toBe(`text/${id}.txt`);
			expect(bytes.length, id).toBe(e.byteLength);
			expect(createHash('sha256').update(bytes).digest('hex'), id).toBe(e.sha256);
			expect(e.licence, id).toMatch(id === 'd3-code' ? /^ISC$/ : /Public domain/);
			expect(e.source.length, id).toBeGreaterThan(20);
			expect(e.attribution.length, id).toBeGreaterThan(20);
			expect(e.generator).toBe('scripts/data/text.js');
			expect(e.split.blockSize, id).toBe(TEXT_BLOCK_SIZE);
			expect(e.split.seed, id).toBe(TEXT_SPLIT_SEED);
			expect(e.split.testFraction, id).toBe(TEXT_TEST_FRACTION);
			expect(e.split.blocks, id).toBe(Math.ceil(bytes.length / TEXT_BLOCK_SIZE));
			total += bytes.length;
		}
		// Nothing in the manifest is a text corpus we do not know, and the digits stay listed.
		const listed = Object.keys(manifest).filter(
			(k) => manifest[k].generator === 'scripts/data/text.js'
		);
		expect(listed.sort()).toEqual([...TEXT_CORPUS_IDS].sort());
		expect(manifest.digits.file).toBe('digits/digits.bin');
		expect(total).toBeLessThan(6_000_000);
	});

	it('ship the d3 licence beside the code', () => {
		const licence = readFileSync(`static/data/${manifest['d3-code'].licenceFile}`, 'utf8');
		expect(licence).toMatch(/Mike Bostock/);
		expect(licence).toMatch(/Permission to use, copy, modify, and\/or distribute/);
		const code = new TextDecoder().decode(corpora.get('d3-code')!);
		for (const p of manifest['d3-code'].packages) {
			expect(code).toContain(`// https://d3js.org/${p.name}/ v${p.version} Copyright`);
		}
	});

	it('use only the vocabulary, one document per paragraph, no blank-line runs', () => {
		for (const id of TEXT_CORPUS_IDS) {
			const bytes = corpora.get(id)!;
			expect(
				bytes.every((b) => b === 10 || (b >= 32 && b <= 126)),
				id
			).toBe(true);
			const text = new TextDecoder().decode(bytes);
			expect(text.endsWith('\n') && !text.endsWith('\n\n'), id).toBe(true);
			expect(text.includes('\n\n\n'), id).toBe(false);
			expect(/ \n/.test(text), id).toBe(false);
			expect(decodeText(bytesToIds(bytes)), id).toBe(text);
		}
	});

	it('have the State of the Union addresses where the manifest says, with the eras filled', () => {
		for (const id of ENGLISH.filter((i) => i.startsWith('sotu-'))) {
			const e = manifest[id];
			const text = new TextDecoder().decode(corpora.get(id)!);
			const [from, to] = e.years;
			expect(id).toBe(`sotu-${from}-${to}`);
			expect(e.addresses.length, id).toBe(e.sourceAddresses);
			let prev = from;
			for (const a of e.addresses) {
				expect(a.year).toBeGreaterThanOrEqual(prev);
				expect(a.year).toBeLessThanOrEqual(to);
				prev = a.year;
				expect(a.length).toBeLessThanOrEqual(Math.min(e.quota, a.sourceLength));
				const body = text.slice(a.offset, a.offset + a.length);
				expect(body.includes('\n')).toBe(false);
				expect(text[a.offset + a.length]).toBe('\n');
				if (a.length < a.sourceLength) expect(body).toMatch(/[.?!]['")\]]*$/);
			}
			// The era files weigh the same: within 1% under the 512 KiB cap.
			expect(text.length).toBeLessThanOrEqual(524_288);
			expect(text.length).toBeGreaterThan(0.99 * 524_288);
		}
	});
});

describe('the held-out split', () => {
	it('is the manifest rule, reproduced from its seed', () => {
		for (const id of TEXT_CORPUS_IDS) {
			const { split } = manifest[id];
			expect(testBlocksFor(id, split.blocks), id).toEqual(split.testBlocks);
			expect(split.testBlocks.length).toBe(Math.round(split.blocks * 0.1));
		}
		expect(testBlocksFor('moby-dick', 596, 1)).not.toEqual(manifest['moby-dick'].split.testBlocks);
	});

	it('is disjoint, deterministic and covers the text, in order and in block-aligned runs', () => {
		for (const id of TEXT_CORPUS_IDS) {
			const e = entry(id);
			const ids = bytesToIds(corpora.get(id)!);
			const { train, test } = splitText(ids, e.split);
			expect(train.ids.length + test.ids.length, id).toBe(ids.length);
			const again = splitCorpus(corpora.get(id)!, e.split);
			expect(holdsAt(again.train.ids, 0, train.ids) && holdsAt(again.test.ids, 0, test.ids)).toBe(
				true
			);
			expect(again.train.bounds).toEqual(train.bounds);
			// Walk the blocks: each lands, whole, on its side, in order.
			let [iTrain, iTest] = [0, 0];
			const testSet = new Set(e.split.testBlocks);
			for (let b = 0; b * TEXT_BLOCK_SIZE < ids.length; b++) {
				const block = ids.subarray(b * TEXT_BLOCK_SIZE, (b + 1) * TEXT_BLOCK_SIZE);
				if (testSet.has(b)) {
					expect(holdsAt(test.ids, iTest, block), `${id} block ${b}`).toBe(true);
					iTest += block.length;
				} else {
					expect(holdsAt(train.ids, iTrain, block), `${id} block ${b}`).toBe(true);
					iTrain += block.length;
				}
			}
			expect([iTrain, iTest]).toEqual([train.ids.length, test.ids.length]);
			// Runs: one per maximal stretch of same-side blocks.
			const stretches = (side: boolean) => {
				let k = 0;
				for (let b = 0; b < e.split.blocks; b++) {
					if (testSet.has(b) === side && (b === 0 || testSet.has(b - 1) !== side)) k++;
				}
				return k;
			};
			expect(runsOf(test).length, id).toBe(stretches(true));
			expect(runsOf(train).length, id).toBe(stretches(false));
			expect(test.bounds[test.bounds.length - 1]).toBe(test.ids.length);
			const share = test.ids.length / ids.length;
			expect(share, id).toBeGreaterThan(0.08);
			expect(share, id).toBeLessThan(0.12);
		}
	});

	it('keeps a short last block and rejects blocks that do not exist', () => {
		const ids = Int32Array.from({ length: 10 }, (_, i) => i);
		const { train, test } = splitText(ids, { blockSize: 4, testBlocks: [1, 2] });
		expect(Array.from(train.ids)).toEqual([0, 1, 2, 3]);
		expect(Array.from(test.ids)).toEqual([4, 5, 6, 7, 8, 9]);
		expect(Array.from(test.bounds)).toEqual([0, 6]);
		const split = splitText(ids, { blockSize: 2, testBlocks: [1, 3] });
		expect(Array.from(split.train.bounds)).toEqual([0, 2, 4, 6]);
		expect(Array.from(split.test.ids)).toEqual([2, 3, 6, 7]);
		expect(() => splitText(ids, { blockSize: 4, testBlocks: [3] })).toThrow(RangeError);
	});
});

describe('splits of several corpora as one', () => {
	it('keeps every id in order and every run apart, so no window crosses corpora', () => {
		const a = splitCorpus(bytesOf('sotu-1790-1829'), entry('sotu-1790-1829').split);
		const b = splitCorpus(bytesOf('sotu-1830-1869'), entry('sotu-1830-1869').split);
		const both = concatSplits([a.train, b.train]);
		expect(both.ids.length).toBe(a.train.ids.length + b.train.ids.length);
		expect(Array.from(both.ids.subarray(0, a.train.ids.length))).toEqual(Array.from(a.train.ids));
		expect(Array.from(both.ids.subarray(a.train.ids.length))).toEqual(Array.from(b.train.ids));
		expect(both.bounds.length).toBe(a.train.bounds.length + b.train.bounds.length - 1);
		expect(both.bounds[0]).toBe(0);
		expect(both.bounds[a.train.bounds.length - 1]).toBe(a.train.ids.length);
		expect(both.bounds[both.bounds.length - 1]).toBe(both.ids.length);
		for (let i = 1; i < both.bounds.length; i++) {
			expect(both.bounds[i]).toBeGreaterThan(both.bounds[i - 1]);
		}
		const w = sampleWindows(both, 64, 500, 3);
		expect(w.n).toBe(500);
	});
});

describe('next-character windows', () => {
	const moby = splitCorpus(corpora.get('moby-dick')!, entry('moby-dick').split);

	it('are shifted by one, inside one run, seeded', () => {
		const t = 64;
		const w = sampleWindows(moby.test, t, 200, 7);
		expect(w.x.length).toBe(200 * t);
		expect(w.y.length).toBe(200 * t);
		const testText = decodeText(moby.test.ids);
		for (let i = 0; i < w.n; i++) {
			const x = w.x.subarray(i * t, (i + 1) * t);
			const y = w.y.subarray(i * t, (i + 1) * t);
			expect(y.subarray(0, t - 1)).toEqual(x.subarray(1));
			// The window and its next character are contiguous text of one run.
			const s = testText.indexOf(decodeText(x) + decodeText(y.subarray(t - 1)));
			expect(s).toBeGreaterThanOrEqual(0);
		}
		expect(sampleWindows(moby.test, t, 200, 7)).toEqual(w);
		expect(sampleWindows(moby.test, t, 200, 8).x).not.toEqual(w.x);
	});

	it('never cross from one run to the next', () => {
		// Two runs, [0..4) and [4..10) of distinct ids: a window of 3 + 1 fits only inside one.
		const split = {
			ids: Int32Array.from({ length: 10 }, (_, i) => i),
			bounds: Int32Array.of(0, 4, 10)
		};
		const w = sampleWindows(split, 3, 500, 1);
		const starts = new Set<number>();
		for (let i = 0; i < w.n; i++) {
			const s = w.x[i * 3];
			starts.add(s);
			expect(w.y[i * 3 + 2]).toBe(s + 3);
			expect(s === 0 || (s >= 4 && s <= 6)).toBe(true);
		}
		expect([...starts].sort()).toEqual([0, 4, 5, 6]);
		expect(() => sampleWindows(split, 6, 1, 1)).toThrow(RangeError);
		const tiles = tileWindows(split, 2);
		expect(Array.from(tiles.x)).toEqual([0, 1, 4, 5, 6, 7]);
		expect(Array.from(tiles.y)).toEqual([1, 2, 5, 6, 7, 8]);
	});

	it('make a task the trainer accepts', () => {
		const task: TaskData = textTask('Moby-Dick', moby, 64, 128, 32, 3);
		checkTask(task);
		expect(task.inWidth).toBe(64);
		expect(task.outWidth).toBe(64);
		expect(task.classes).toBe(96);
		expect([task.train.n, task.test.n]).toEqual([128, 32]);
		expect(textTask('Moby-Dick', moby, 64, 128, 32, 3)).toEqual(task);
		const tiles = tileWindows(moby.test, 64);
		expect(tiles.n).toBeGreaterThan(0.95 * (moby.test.ids.length / 64));
		checkTask({ ...task, test: tiles });
	});
});

describe('baselines in bits per character', () => {
	it('converts nats to bits', () => {
		expect(bitsPerChar(Math.LN2)).toBeCloseTo(1, 12);
		expect(bitsPerChar(Math.log(96))).toBeCloseTo(Math.log2(96), 12);
	});

	it('fits normalised, smoothed models that match hand counts', () => {
		const split = { ids: encodeText('abab\nab'), bounds: Int32Array.of(0, 4, 7) };
		const uni = fitUnigram(split);
		expect(uni.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
		const a = encodeText('a')[0];
		const b = encodeText('b')[0];
		expect(uni[a]).toBeCloseTo((3 + 1) / (7 + 96), 12);
		const bi = fitBigram(split);
		// Pairs inside runs: ab, ba, ab | \n a, ab. "b\n" crosses the seam and is not counted.
		expect(bi[a * 96 + b]).toBeCloseTo((3 + 1) / (3 + 96), 12);
		expect(bi[b * 96 + a]).toBeCloseTo((1 + 1) / (1 + 96), 12);
		expect(bi[b * 96 + 0]).toBeCloseTo(1 / (1 + 96), 12);
		for (let r = 0; r < 96; r++) {
			let s = 0;
			for (let c = 0; c < 96; c++) s += bi[r * 96 + c];
			expect(s).toBeCloseTo(1, 12);
		}
	});

	it('give bigram < unigram < log2(96) on every held-out corpus', () => {
		const rows: string[] = [];
		for (const id of TEXT_CORPUS_IDS) {
			const { train, test } = splitCorpus(corpora.get(id)!, entry(id).split);
			const bits = baselineBits(train, test);
			rows.push(
				`${id.padEnd(15)} unigram ${bits.unigram.toFixed(3)}  bigram ${bits.bigram.toFixed(3)}  (${bits.chars} held-out chars)`
			);
			expect(bits.uniform).toBeCloseTo(Math.log2(96), 12);
			expect(bits.bigram, id).toBeLessThan(bits.unigram - 0.5);
			expect(bits.unigram, id).toBeLessThan(bits.uniform - 1);
			if (ENGLISH.includes(id)) {
				// Shannon (1951) measured 4.03 bits a letter for unigrams and 3.32 for bigrams over 27
				// symbols (letters and space); case and punctuation add a few tenths to each.
				expect(bits.unigram, id).toBeGreaterThan(3.9);
				expect(bits.unigram, id).toBeLessThan(4.7);
				expect(bits.bigram, id).toBeGreaterThan(3.0);
				expect(bits.bigram, id).toBeLessThan(3.7);
			}
		}
		console.log(`held-out bits per character (add-one, fit on train):\n${rows.join('\n')}`);
	});

	it('rise when the held-out text comes from another domain', () => {
		const split = (id: TextCorpusId) => splitCorpus(corpora.get(id)!, entry(id).split);
		const old = split('sotu-1790-1829');
		const code = split('d3-code');
		const inDomain = baselineBits(old.train, old.test).bigram;
		const nearEra = baselineBits(old.train, split('sotu-1830-1869').test).bigram;
		const farCode = baselineBits(old.train, code.test).bigram;
		expect(nearEra).toBeLessThan(inDomain + 0.15);
		expect(farCode).toBeGreaterThan(inDomain + 1);
	});
});
