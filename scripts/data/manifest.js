/**
 * What the data scripts (digits.js, text.js) share: where static/data and its manifest live, the
 * sha256 they record, and reading and writing the manifest (entries sorted by key, tab-indented).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DATA_DIR = join(ROOT, 'static/data');
const MANIFEST = join(DATA_DIR, 'manifest.json');

/** @param {string | Uint8Array} data @returns {string} hex sha256 */
export function sha256(data) {
	return createHash('sha256').update(data).digest('hex');
}

/** @returns {Record<string, unknown>} the manifest's entries, or none if it does not exist yet */
export function readManifest() {
	try {
		return JSON.parse(readFileSync(MANIFEST, 'utf8'));
	} catch {
		return {};
	}
}

/** Write `manifest` with its entries sorted by key. @param {Record<string, unknown>} manifest */
export function writeManifest(manifest) {
	const sorted = Object.fromEntries(
		Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b))
	);
	writeFileSync(MANIFEST, JSON.stringify(sorted, null, '\t') + '\n');
}
