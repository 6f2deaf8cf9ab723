/**
 * Downloads time out and retry (`assets.ts`): a try that gets no byte for `timeoutMs` is aborted
 * and made again after a backoff, each retry reported as a note ("timed out after 15 s; retrying
 * (2 of 3)"), and the last failure says which file and why. `fetch` is a fake that hangs, fails
 * or serves from memory, per try; timers are fake, so no test waits for real.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '$lib/math/sha256';
import {
	DEFAULT_DOWNLOAD_POLICY,
	DownloadError,
	fetchBytes,
	fetchChecked,
	fetchJson,
	setDownloadPolicy
} from '$lib/trainer/assets';
import {
	loadingLabel,
	RunSources,
	type FileProgress,
	type Loaders
} from '$lib/trainer/worker/sources';

const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 255);
const hash = sha256Hex(bytes);

type Behaviour = 'hang' | 'network' | 'stall' | 503 | 404 | 'ok';

/** A fake fetch that behaves as `plan[i]` on its i-th call (the last entry repeats). */
function fakeFetch(plan: Behaviour[], body: Uint8Array = bytes) {
	const calls: string[] = [];
	const fn = vi.fn(async (url: string, init?: RequestInit) => {
		const b = plan[Math.min(calls.length, plan.length - 1)];
		calls.push(url);
		const signal = init?.signal;
		const hang = () =>
			new Promise<never>((_, reject) =>
				signal?.addEventListener('abort', () =>
					reject(new DOMException('The operation was aborted.', 'AbortError'))
				)
			);
		if (b === 'hang') return hang();
		if (b === 'network') throw new TypeError('Failed to fetch');
		if (typeof b === 'number') return new Response('no', { status: b });
		let sent = false;
		const stream = new ReadableStream<Uint8Array>({
			pull(c) {
				if (!sent) {
					sent = true;
					// 'stall': the headers and a first chunk arrive, then nothing.
					c.enqueue(b === 'stall' ? body.slice(0, 100) : body.slice());
					if (b !== 'stall') c.close();
					return;
				}
				if (b === 'stall') {
					return new Promise<void>((_, reject) =>
						signal?.addEventListener('abort', () =>
							reject(new DOMException('aborted', 'AbortError'))
						)
					);
				}
			}
		});
		return new Response(stream, { headers: { 'content-length': String(body.length) } });
	});
	vi.stubGlobal('fetch', fn);
	return { fn, calls };
}

let restore: ReturnType<typeof setDownloadPolicy>;
beforeEach(() => {
	vi.useFakeTimers();
	restore = setDownloadPolicy({ timeoutMs: 30_000, retries: 2, backoffMs: 1_000 });
});
afterEach(() => {
	setDownloadPolicy(restore);
	vi.useRealTimers();
	vi.unstubAllGlobals();
});

describe('download timeout and retries', () => {
	it('ships a generous policy: 15 s without a byte, two retries', () => {
		expect(DEFAULT_DOWNLOAD_POLICY).toEqual({ timeoutMs: 15_000, retries: 2, backoffMs: 1_000 });
	});

	it('aborts a hanging try after the timeout, says so, and succeeds on the retry', async () => {
		const { fn } = fakeFetch(['hang', 'ok']);
		const notes: string[] = [];
		const got = fetchChecked('/m.bin', bytes.length, hash, (_l, _t, note) => {
			if (note) notes.push(note);
		});
		await vi.advanceTimersByTimeAsync(29_999);
		expect(notes).toEqual([]);
		await vi.advanceTimersByTimeAsync(1);
		expect(notes).toEqual(['timed out after 30 s; retrying (2 of 3)']);
		expect(fn).toHaveBeenCalledTimes(1);
		await vi.advanceTimersByTimeAsync(1_000); // the backoff
		await expect(got).resolves.toEqual(bytes);
		expect(fn).toHaveBeenCalledTimes(2);
		// Every try carries an abort signal.
		expect(fn.mock.calls.every(([, init]) => init?.signal instanceof AbortSignal)).toBe(true);
	});

	it('times out a body that stalls after its first bytes, too', async () => {
		const { fn } = fakeFetch(['stall', 'ok']);
		const notes: string[] = [];
		const got = fetchBytes('/m.bin', bytes.length, (_l, _t, n) => n && notes.push(n));
		await vi.advanceTimersByTimeAsync(30_000 + 1_000);
		await expect(got).resolves.toEqual(bytes);
		expect(notes).toEqual(['timed out after 30 s; retrying (2 of 3)']);
		expect(fn).toHaveBeenCalledTimes(2);
	});

	it('tries three times in all, backing off 1 s then 2 s, then fails naming the file', async () => {
		const { fn } = fakeFetch(['hang']);
		const notes: string[] = [];
		const got = fetchBytes('/why-peft/models/digits10.bin', 100, (_l, _t, n) => n && notes.push(n));
		const failed = expect(got).rejects.toThrow(
			'could not load /why-peft/models/digits10.bin: timed out after 30 s on all 3 tries. Check the connection, then try again.'
		);
		await vi.advanceTimersByTimeAsync(30_000);
		expect(fn).toHaveBeenCalledTimes(1);
		await vi.advanceTimersByTimeAsync(999);
		expect(fn).toHaveBeenCalledTimes(1);
		await vi.advanceTimersByTimeAsync(1);
		expect(fn).toHaveBeenCalledTimes(2);
		await vi.advanceTimersByTimeAsync(30_000 + 1_999);
		expect(fn).toHaveBeenCalledTimes(2);
		await vi.advanceTimersByTimeAsync(1);
		expect(fn).toHaveBeenCalledTimes(3);
		await vi.advanceTimersByTimeAsync(30_000);
		await failed;
		expect(fn).toHaveBeenCalledTimes(3);
		expect(notes).toEqual([
			'timed out after 30 s; retrying (2 of 3)',
			'timed out after 30 s; retrying (3 of 3)'
		]);
	});

	it('retries a dropped connection and a busy server, not a missing file', async () => {
		const a = fakeFetch(['network', 503, 'ok']);
		const notes: string[] = [];
		const got = fetchBytes('/d.bin', bytes.length, (_l, _t, n) => n && notes.push(n));
		await vi.advanceTimersByTimeAsync(3_000);
		await expect(got).resolves.toEqual(bytes);
		expect(a.fn).toHaveBeenCalledTimes(3);
		expect(notes).toEqual([
			'the network failed (Failed to fetch); retrying (2 of 3)',
			'could not load /d.bin: HTTP 503; retrying (3 of 3)'
		]);
		vi.unstubAllGlobals();

		const b = fakeFetch([404, 'ok']);
		const err = await fetchBytes('/gone.bin', 1).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(DownloadError);
		expect((err as DownloadError).message).toBe('could not load /gone.bin: HTTP 404');
		expect(b.fn).toHaveBeenCalledTimes(1);
	});

	it('does not retry a file whose hash is wrong, and names the file and both short hashes', async () => {
		const altered = bytes.slice();
		altered[5] ^= 0xff;
		const { fn } = fakeFetch(['ok'], altered);
		await expect(
			fetchChecked('/why-peft/data/digits/digits.bin', bytes.length, hash)
		).rejects.toThrow(
			`/why-peft/data/digits/digits.bin does not match its manifest: sha256 expected ${hash.slice(0, 12)}…, got ${sha256Hex(altered).slice(0, 12)}…`
		);
		expect(fn).toHaveBeenCalledTimes(1);
	});

	it('retries the manifests as well (fetchJson)', async () => {
		const json = new TextEncoder().encode('{"a":1}');
		fakeFetch(['hang', 'ok'], json);
		const notes: string[] = [];
		const got = fetchJson<{ a: number }>('/m.json', (_l, _t, n) => n && notes.push(n));
		await vi.advanceTimersByTimeAsync(31_000);
		await expect(got).resolves.toEqual({ a: 1 });
		expect(notes).toEqual(['timed out after 30 s; retrying (2 of 3)']);
	});
});

describe('what a figure is told while a file loads (RunSources)', () => {
	it('names the file and, on a retry, why it starts again', async () => {
		vi.useRealTimers();
		const seen: string[] = [];
		const loaders = {
			async digits(p: FileProgress) {
				p(0, 100, 'timed out after 15 s; retrying (2 of 3)');
				p(100, 100);
				throw new Error('stop here');
			}
		} as unknown as Loaders;
		const sources = new RunSources(loaders, (what) => seen.push(what));
		await expect(sources.loadDigits()).rejects.toThrow('stop here');
		expect(seen).toEqual(['digits data: timed out after 15 s; retrying (2 of 3)', 'digits data']);
		expect(loadingLabel('base model digits10')).toBe('base model digits10');
	});
});
