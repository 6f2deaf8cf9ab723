/**
 * Fetching the shipped files a run needs (base weights, datasets) with progress and a sha256
 * check against their manifest, so a truncated download or a stale cache shows up as a clear
 * error instead of a model that silently misbehaves. Works in a worker and in the page.
 */
import { sha256Hex } from '$lib/math/sha256';
import { parseDigits, type DigitsSet } from '$lib/model/data/digits';
import type { TextCorpusEntry, TextCorpusId } from '$lib/model/data/text';
import type { ModelManifest } from '$lib/model/weightsFile';

/** Reports bytes received so far and the expected total. */
export type Progress = (loaded: number, total: number) => void;

/** Fetch `url` in full, reporting progress; throws on HTTP errors. Caller owns the bytes. */
export async function fetchBytes(
	url: string,
	expected: number,
	onProgress?: Progress
): Promise<Uint8Array> {
	const res = await fetch(url);
	if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
	const total = Number(res.headers.get('content-length')) || expected;
	if (!res.body) {
		const all = new Uint8Array(await res.arrayBuffer());
		onProgress?.(all.length, total);
		return all;
	}
	const reader = res.body.getReader();
	const chunks: Uint8Array[] = [];
	let loaded = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
		loaded += value.length;
		onProgress?.(loaded, total);
	}
	const out = new Uint8Array(loaded);
	let offset = 0;
	for (const c of chunks) {
		out.set(c, offset);
		offset += c.length;
	}
	return out;
}

/** Fetch and check a file against its manifest's byte length and sha256. */
export async function fetchChecked(
	url: string,
	bytes: number,
	sha256: string,
	onProgress?: Progress
): Promise<Uint8Array> {
	const data = await fetchBytes(url, bytes, onProgress);
	if (data.length !== bytes) {
		throw new Error(
			`${url} has ${data.length} bytes, the manifest says ${bytes}: a stale or broken download`
		);
	}
	const actual = sha256Hex(data);
	if (actual !== sha256) {
		throw new Error(
			`${url} does not match its manifest (sha256 ${actual.slice(0, 12)}…, expected ${sha256.slice(0, 12)}…)`
		);
	}
	return data;
}

/** Fetch a JSON file. */
export async function fetchJson<T>(url: string): Promise<T> {
	const res = await fetch(url);
	if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
	return (await res.json()) as T;
}

/** The models manifest under `assets` (the site's asset base URL, ending in `/`). */
export function fetchModelManifest(assets: string): Promise<ModelManifest> {
	return fetchJson<ModelManifest>(`${assets}models/manifest.json`);
}

interface DataManifest {
	digits: { file: string; byteLength: number; sha256: string };
}

/** The digits dataset, fetched, checked and parsed. */
export async function loadDigits(assets: string, onProgress?: Progress): Promise<DigitsSet> {
	const manifest = await fetchJson<DataManifest>(`${assets}data/manifest.json`);
	const d = manifest.digits;
	return parseDigits(
		await fetchChecked(`${assets}data/${d.file}`, d.byteLength, d.sha256, onProgress)
	);
}

/** A shipped text corpus, fetched and checked against the data manifest. */
export async function loadText(
	assets: string,
	id: TextCorpusId,
	onProgress?: Progress
): Promise<{ entry: TextCorpusEntry; bytes: Uint8Array }> {
	const manifest = await fetchJson<Record<string, TextCorpusEntry | undefined>>(
		`${assets}data/manifest.json`
	);
	const entry = manifest[id];
	if (!entry?.split) throw new Error(`no text corpus “${id}” in the data manifest`);
	const bytes = await fetchChecked(
		`${assets}data/${entry.file}`,
		entry.byteLength,
		entry.sha256,
		onProgress
	);
	return { entry, bytes };
}
