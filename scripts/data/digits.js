/**
 * Writes static/data/digits/digits.bin, the UCI 8×8 handwritten digits (Alpaydin & Kaynak 1998,
 * CC BY 4.0) in a compact binary layout, and its entry in static/data/manifest.json.
 *
 * The source is the copy scikit-learn ships as sklearn/datasets/data/digits.csv.gz (1,797 rows of
 * 64 pixel counts 0–16 and a label 0–9). By default the script fetches Debian's python3-sklearn
 * package with `apt-get download` and unpacks it with `dpkg -x` into a temporary folder, installing
 * nothing; `--from path/to/digits.csv.gz` (or an uncompressed .csv) skips that.
 *
 * Layout of digits.bin (no header, 116,805 bytes):
 *   bytes [0, 1797·64)          pixels, Uint8 0–16, row-major per sample (row r, column c at r·8+c)
 *   bytes [1797·64, 1797·65)    labels, Uint8 0–9
 *
 * The output depends only on the source rows, so every run writes the same bytes.
 *
 *   node scripts/data/digits.js [--from path/to/digits.csv.gz]
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DATA_DIR, readManifest, sha256, writeManifest } from './manifest.js';

const OUT_FILE = 'digits/digits.bin';
const EXPECTED_SAMPLES = 1797;
const PIXELS = 64;
const SKLEARN_PATH = 'usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';
/** sha256 of digits.csv.gz in Debian bookworm's python3-sklearn 1.2.1+dfsg-1. */
const KNOWN_SOURCE_SHA256 = '46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a';

/**
 * @typedef {object} Source
 * @property {Buffer} bytes the csv.gz (or csv) exactly as found
 * @property {string} origin where it came from, for messages
 */

/** @returns {string | undefined} the value after `--from`, if given */
function fromArgument() {
	const i = process.argv.indexOf('--from');
	if (i === -1) return undefined;
	const value = process.argv[i + 1];
	if (!value) throw new Error('--from needs a path to digits.csv.gz');
	return value;
}

/** @returns {Source} the source file, from `--from` or from Debian's python3-sklearn package */
function readSource() {
	const from = fromArgument();
	if (from) return { bytes: readFileSync(from), origin: `local file ${from}` };
	const dir = mkdtempSync(join(tmpdir(), 'digits-'));
	try {
		execFileSync('apt-get', ['download', 'python3-sklearn'], { cwd: dir, stdio: 'inherit' });
		const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
		if (!deb) throw new Error('apt-get download produced no .deb');
		execFileSync('dpkg', ['-x', deb, 'x'], { cwd: dir, stdio: 'inherit' });
		const version = deb.replace(/^python3-sklearn_/, '').replace(/_all\.deb$/, '');
		return {
			bytes: readFileSync(join(dir, 'x', SKLEARN_PATH)),
			origin: `Debian python3-sklearn ${decodeURIComponent(version)}, /${SKLEARN_PATH}`
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * Parses the CSV rows into pixels and labels, checking every value.
 * @param {string} text
 * @returns {{ pixels: Uint8Array, labels: Uint8Array, n: number }}
 */
function parseCsv(text) {
	const rows = text.split('\n').filter((line) => line.trim() !== '');
	const n = rows.length;
	const pixels = new Uint8Array(n * PIXELS);
	const labels = new Uint8Array(n);
	rows.forEach((row, i) => {
		const values = row.split(',').map(Number);
		if (values.length !== PIXELS + 1) throw new Error(`row ${i} has ${values.length} fields`);
		values.forEach((v, j) => {
			const max = j < PIXELS ? 16 : 9;
			if (!Number.isInteger(v) || v < 0 || v > max) throw new Error(`row ${i}: bad value ${v}`);
		});
		pixels.set(values.slice(0, PIXELS), i * PIXELS);
		labels[i] = values[PIXELS];
	});
	return { pixels, labels, n };
}

function main() {
	const source = readSource();
	const isGzip = source.bytes[0] === 0x1f && source.bytes[1] === 0x8b;
	const text = (isGzip ? gunzipSync(source.bytes) : source.bytes).toString('utf8');
	const { pixels, labels, n } = parseCsv(text);
	const sourceSha256 = sha256(source.bytes);
	if (sourceSha256 !== KNOWN_SOURCE_SHA256) {
		console.warn(`source from ${source.origin} differs from the known file; check the manifest`);
	}
	if (n !== EXPECTED_SAMPLES) throw new Error(`expected ${EXPECTED_SAMPLES} rows, got ${n}`);

	const out = new Uint8Array(n * (PIXELS + 1));
	out.set(pixels, 0);
	out.set(labels, n * PIXELS);
	mkdirSync(join(DATA_DIR, dirname(OUT_FILE)), { recursive: true });
	writeFileSync(join(DATA_DIR, OUT_FILE), out);

	/** @type {number[]} */
	const classCounts = Array.from({ length: 10 }, () => 0);
	for (const y of labels) classCounts[y]++;

	const manifest = readManifest();
	manifest.digits = {
		file: OUT_FILE,
		title: 'UCI optical recognition of handwritten digits, 8×8',
		source:
			'E. Alpaydin and C. Kaynak (1998), Optical Recognition of Handwritten Digits, UCI Machine Learning Repository, https://doi.org/10.24432/C50P49',
		via: "scikit-learn's sklearn/datasets/data/digits.csv.gz (the UCI test set, optdigits.tes), as packaged in Debian's python3-sklearn",
		sourceSha256,
		licence: 'CC BY 4.0',
		licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
		samples: n,
		layout:
			'no header; samples×64 Uint8 pixels 0–16, row-major per sample (row r, column c at r·8+c), then samples Uint8 labels 0–9',
		classCounts,
		byteLength: out.length,
		sha256: sha256(out),
		generator: 'scripts/data/digits.js'
	};
	writeManifest(manifest);
	console.log(`wrote static/data/${OUT_FILE}: ${n} samples, ${out.length} bytes`);
}

main();
