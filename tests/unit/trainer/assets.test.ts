/**
 * The download integrity check (`assets.ts`): a file is accepted only with the manifest's byte
 * length and sha256, and every way it can be wrong — short, altered, missing — rejects with a
 * message that says which. `fetch` is replaced by one that serves bytes from memory.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '$lib/math/sha256';
import { fetchBytes, fetchChecked } from '$lib/trainer/assets';

const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) & 255);
const hash = sha256Hex(bytes);

/** Serve `body` for every request, streamed in 4 KB chunks (or, with `noBody`, without a stream). */
function serve(body: Uint8Array, { status = 200, noBody = false } = {}) {
	vi.stubGlobal('fetch', async () => {
		if (noBody) {
			return {
				ok: status < 400,
				status,
				headers: new Headers(),
				body: null,
				arrayBuffer: async () => body.slice().buffer
			} as unknown as Response;
		}
		const stream = new ReadableStream<Uint8Array>({
			start(c) {
				for (let i = 0; i < body.length; i += 4096) c.enqueue(body.slice(i, i + 4096));
				c.close();
			}
		});
		return new Response(stream, {
			status,
			headers: { 'content-length': String(body.length) }
		});
	});
}

afterEach(() => vi.unstubAllGlobals());

describe('fetchChecked', () => {
	it('returns the bytes when length and sha256 match, reporting progress up to the total', async () => {
		serve(bytes);
		const seen: [number, number][] = [];
		const got = await fetchChecked('/f.bin', bytes.length, hash, (l, t) => seen.push([l, t]));
		expect(got).toEqual(bytes);
		expect(seen.length).toBe(Math.ceil(bytes.length / 4096));
		expect(seen.at(-1)).toEqual([bytes.length, bytes.length]);
		for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThan(seen[i - 1][0]);
	});

	it('rejects a short (truncated) download, naming both lengths', async () => {
		serve(bytes.subarray(0, 60_000));
		await expect(fetchChecked('/f.bin', bytes.length, hash)).rejects.toThrow(
			'/f.bin has 60000 bytes, the manifest says 70000'
		);
	});

	it('rejects a file of the right length whose bytes differ (a stale cache)', async () => {
		const altered = bytes.slice();
		altered[12_345] ^= 1;
		serve(altered);
		await expect(fetchChecked('/f.bin', bytes.length, hash)).rejects.toThrow(
			`/f.bin does not match its manifest: sha256 expected ${hash.slice(0, 12)}…, got ${sha256Hex(altered).slice(0, 12)}…`
		);
	});

	it('rejects an HTTP error with its status', async () => {
		serve(new Uint8Array(0), { status: 404 });
		await expect(fetchChecked('/missing.bin', 10, hash)).rejects.toThrow(
			'could not load /missing.bin: HTTP 404'
		);
	});

	it('reads a response without a stream in one piece', async () => {
		serve(bytes, { noBody: true });
		const seen: number[] = [];
		const got = await fetchBytes('/f.bin', bytes.length, (l) => seen.push(l));
		expect(got).toEqual(bytes);
		expect(seen).toEqual([bytes.length]);
	});
});
