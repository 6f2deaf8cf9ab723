/**
 * Fetching the shipped files a run needs (base weights, datasets) with progress, a timeout, a
 * few retries and a sha256 check against their manifest, so a stalled connection, a truncated
 * download or a stale cache shows up as a clear message instead of a spinner that never ends or a
 * model that silently misbehaves. Works in a worker and in the page.
 *
 *   try 1 ── no byte for `timeoutMs` ──▶ abort, note "timed out after 15 s; retrying (2 of 3)"
 *        ── wait `backoffMs` ──▶ try 2 ── … ──▶ try 3 ── fails ──▶ DownloadError (says what and why)
 *   any try ── bytes in full ──▶ length and sha256 checked (a mismatch is not retried: it names
 *                                the file and both hashes)
 */
import { sha256Hex } from '$lib/math/sha256';
import { parseDigits, type DigitsSet } from '$lib/model/data/digits';
import type { TextCorpusEntry, TextCorpusId } from '$lib/model/data/text';
import type { ModelManifest } from '$lib/model/weightsFile';

/**
 * Reports bytes received so far and the expected total; `note`, when present, says why the
 * download starts again ("timed out after 15 s; retrying (2 of 3)") and is shown with it.
 */
export type Progress = (loaded: number, total: number, note?: string) => void;

/** How patient a download is. */
export interface DownloadPolicy {
	/** Give up on a try when no byte has arrived for this long (a stall, not a slow line). */
	timeoutMs: number;
	/** Tries after the first one, for timeouts, network errors and server errors (5xx, 408, 429). */
	retries: number;
	/** Wait before the first retry; each later retry waits twice as long as the one before. */
	backoffMs: number;
}

/**
 * The policy downloads use. 15 s without a single byte is long for a file served next door and
 * short enough that a reader sees a retry before giving up on the page; a file that trickles in
 * never times out, as each chunk restarts the clock. Tests replace it with `setDownloadPolicy`.
 */
export const DEFAULT_DOWNLOAD_POLICY: Readonly<DownloadPolicy> = {
	timeoutMs: 15_000,
	retries: 2,
	backoffMs: 1_000
};

let policy: DownloadPolicy = { ...DEFAULT_DOWNLOAD_POLICY };

/** Change the download policy (for tests); returns the one it replaced. */
export function setDownloadPolicy(p: Partial<DownloadPolicy>): DownloadPolicy {
	const old = policy;
	policy = { ...policy, ...p };
	return old;
}

/** A download that failed for good: `url`, and the reason of its last try. */
export class DownloadError extends Error {
	constructor(
		message: string,
		readonly url: string,
		/** Whether another try might succeed (a stall, a dropped connection, a busy server). */
		readonly transient: boolean
	) {
		super(message);
		this.name = 'DownloadError';
	}
}

const seconds = (ms: number) => `${+(ms / 1000).toPrecision(2)} s`;

/** One try at `url`: the whole body, or a `DownloadError` (a stall aborts it after `timeoutMs`). */
async function fetchOnce(
	url: string,
	expected: number,
	timeoutMs: number,
	onProgress?: Progress
): Promise<Uint8Array> {
	const controller = new AbortController();
	let timedOut = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const arm = () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			timedOut = true;
			controller.abort();
		}, timeoutMs);
	};
	arm();
	try {
		const res = await fetch(url, { signal: controller.signal });
		if (!res.ok) {
			const transient = res.status >= 500 || res.status === 408 || res.status === 429;
			throw new DownloadError(`could not load ${url}: HTTP ${res.status}`, url, transient);
		}
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
			arm();
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
	} catch (e) {
		if (e instanceof DownloadError) throw e;
		if (timedOut) {
			throw new DownloadError(`timed out after ${seconds(timeoutMs)}`, url, true);
		}
		// fetch rejects with a TypeError when the network fails (offline, connection reset).
		const why = e instanceof Error ? e.message : String(e);
		throw new DownloadError(`the network failed (${why})`, url, true);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Fetch `url` in full, reporting progress; a try that stalls, loses its connection or meets a
 * server error is made again after a pause, up to `retries` times, with a `note` through
 * `onProgress` each time. Throws a `DownloadError` that says what failed. Caller owns the bytes.
 */
export async function fetchBytes(
	url: string,
	expected: number,
	onProgress?: Progress
): Promise<Uint8Array> {
	const { timeoutMs, retries, backoffMs } = policy;
	const tries = retries + 1;
	for (let attempt = 1; ; attempt++) {
		try {
			return await fetchOnce(url, expected, timeoutMs, onProgress);
		} catch (e) {
			if (!(e instanceof DownloadError)) throw e;
			if (!e.transient) throw e;
			if (attempt >= tries) {
				throw new DownloadError(
					`could not load ${url}: ${e.message}${tries > 1 ? ` on all ${tries} tries` : ''}. ` +
						'Check the connection, then try again.',
					url,
					true
				);
			}
			onProgress?.(0, expected, `${e.message}; retrying (${attempt + 1} of ${tries})`);
			await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
		}
	}
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
			`${url} does not match its manifest: sha256 expected ${sha256.slice(0, 12)}…, got ${actual.slice(0, 12)}… (a changed file or a stale cache)`
		);
	}
	return data;
}

/** Fetch a JSON file (with the same timeout and retries; only retry notes reach `onProgress`). */
export async function fetchJson<T>(url: string, onProgress?: Progress): Promise<T> {
	const bytes = await fetchBytes(
		url,
		0,
		onProgress && ((l, t, note) => note && onProgress(l, t, note))
	);
	return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** The models manifest under `assets` (the site's asset base URL, ending in `/`). */
export function fetchModelManifest(assets: string, onProgress?: Progress): Promise<ModelManifest> {
	return fetchJson<ModelManifest>(`${assets}models/manifest.json`, onProgress);
}

interface DataManifest {
	digits: { file: string; byteLength: number; sha256: string };
}

/** The digits dataset, fetched, checked and parsed. */
export async function loadDigits(assets: string, onProgress?: Progress): Promise<DigitsSet> {
	const manifest = await fetchJson<DataManifest>(`${assets}data/manifest.json`, onProgress);
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
		`${assets}data/manifest.json`,
		onProgress
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
