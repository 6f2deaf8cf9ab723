/**
 * The hashes a download is checked against (`fetchChecked` in assets.ts) come from
 * static/models/manifest.json and static/data/manifest.json. Here every entry is recomputed from
 * the file on disk, and every shipped model or data file must have an entry, so a regenerated
 * file with a stale manifest (which every reader would see as a hash mismatch) cannot pass.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Entry {
	file: string;
	length: number;
	sha256: string;
}

const models = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as {
	models: Record<string, { file: string; bytes: number; sha256: string }>;
};
const data = JSON.parse(readFileSync('static/data/manifest.json', 'utf8')) as Record<
	string,
	{ file: string; byteLength: number; sha256: string; licenceFile?: string }
>;

const entries: Entry[] = [
	...Object.values(models.models).map((m) => ({
		file: `static/models/${m.file}`,
		length: m.bytes,
		sha256: m.sha256
	})),
	...Object.values(data).map((d) => ({
		file: `static/data/${d.file}`,
		length: d.byteLength,
		sha256: d.sha256
	}))
];

/** Files beside the data that the trainer never downloads: licences and the folder's README. */
const notDownloaded = new Set([
	'static/data/README.md',
	'static/data/manifest.json',
	'static/models/manifest.json',
	...Object.values(data).flatMap((d) => (d.licenceFile ? [`static/data/${d.licenceFile}`] : []))
]);

function walk(dir: string): string[] {
	return readdirSync(dir).flatMap((n) => {
		const p = join(dir, n);
		return statSync(p).isDirectory() ? walk(p) : [relative('.', p)];
	});
}

describe('the download manifests', () => {
	it('list every model and data file (five models, nine data files)', () => {
		expect(Object.keys(models.models)).toHaveLength(5);
		expect(Object.keys(data)).toHaveLength(9);
		const shipped = [...walk('static/models'), ...walk('static/data')].filter(
			(f) => !notDownloaded.has(f)
		);
		expect(shipped.sort()).toEqual(entries.map((e) => e.file).sort());
	});

	it.each(entries)('$file has the length and sha256 its manifest says', (e) => {
		const bytes = readFileSync(e.file);
		expect(bytes.length).toBe(e.length);
		expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(e.sha256);
	});
});
