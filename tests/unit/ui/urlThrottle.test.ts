/**
 * `writeParams` throttles its history writes (Safari throws after 100 history calls in 30 s):
 * the first goes at once, later ones within the gap merge, last value winning, into one trailing
 * write; `pagehide` flushes what waits; settings for a page the reader left are dropped.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const location = { href: 'https://example.org/lessons/x/?a=1' };
const listeners: Record<string, () => void> = {};
const writtenAt: number[] = [];
const replaceState = vi.fn((url: URL) => {
	location.href = String(url);
	writtenAt.push(Date.now());
});
vi.mock('$app/navigation', () => ({ replaceState }));
vi.mock('$app/state', () => ({ page: { state: {} } }));

const { WRITE_GAP_MS, flushParams, writeParams } = await import('../../../src/lib/ui/urlState');

const query = () => new URL(location.href).search;
/** Each test's clock starts an hour after the last one's, well past any earlier write. */
let clock = Date.now();

describe('writeParams throttle', () => {
	beforeEach(() => {
		vi.useFakeTimers();
		clock += 3_600_000;
		vi.setSystemTime(clock);
		location.href = 'https://example.org/lessons/x/?a=1';
		replaceState.mockClear();
		writtenAt.length = 0;
		vi.stubGlobal('window', {
			location,
			addEventListener: (type: string, f: () => void) => (listeners[type] = f)
		});
	});
	afterEach(() => {
		flushParams();
		vi.useRealTimers();
		vi.unstubAllGlobals();
	});

	it('writes at most a few times a second through a fast drag, the last value last', () => {
		// A slider dragged across 40 values in two seconds: one input event every 50 ms.
		for (let r = 1; r <= 40; r++) {
			writeParams({ rank: r }, { rank: 4 });
			vi.advanceTimersByTime(50);
		}
		vi.advanceTimersByTime(WRITE_GAP_MS);
		const writes = replaceState.mock.calls.length;
		expect(writes).toBeGreaterThanOrEqual(2);
		expect(writes).toBeLessThanOrEqual(Math.ceil(2000 / WRITE_GAP_MS) + 1);
		expect(query()).toBe('?a=1&rank=40');
		// No two writes closer than the gap.
		const gaps = writtenAt.slice(1).map((t, i) => t - writtenAt[i]);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(WRITE_GAP_MS);
	});

	it('writes the first change at once and a burst after it once, at the end of the gap', () => {
		writeParams({ rank: 5 });
		expect(replaceState).toHaveBeenCalledTimes(1);
		expect(query()).toBe('?a=1&rank=5');
		writeParams({ rank: 6 });
		writeParams({ rank: 7 });
		writeParams({ alpha: 16 });
		expect(replaceState).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(WRITE_GAP_MS - 1);
		expect(replaceState).toHaveBeenCalledTimes(1);
		vi.advanceTimersByTime(1);
		expect(replaceState).toHaveBeenCalledTimes(2);
		expect(query()).toBe('?a=1&rank=7&alpha=16');
	});

	it('merges writes of two widgets on one page', () => {
		writeParams({ 'rank-r': 2 });
		writeParams({ 'spectrum-k': 3 }, { 'spectrum-k': 8 });
		writeParams({ 'rank-r': 4 }, { 'rank-r': 4 });
		vi.advanceTimersByTime(WRITE_GAP_MS);
		expect(replaceState).toHaveBeenCalledTimes(2);
		expect(query()).toBe('?a=1&spectrum-k=3');
	});

	it('flushes the waiting write on pagehide', () => {
		writeParams({ rank: 5 });
		writeParams({ rank: 9 });
		expect(query()).toBe('?a=1&rank=5');
		listeners.pagehide();
		expect(query()).toBe('?a=1&rank=9');
		vi.advanceTimersByTime(WRITE_GAP_MS * 2);
		expect(replaceState).toHaveBeenCalledTimes(2);
	});

	it('drops a waiting write when the reader has left the page it belongs to', () => {
		writeParams({ rank: 5 });
		writeParams({ rank: 9 });
		location.href = 'https://example.org/lessons/y/';
		vi.advanceTimersByTime(WRITE_GAP_MS);
		expect(replaceState).toHaveBeenCalledTimes(1);
		expect(location.href).toBe('https://example.org/lessons/y/');
	});

	it('does not count a write that changes nothing', () => {
		writeParams({ rank: 4 }, { rank: 4 });
		expect(replaceState).not.toHaveBeenCalled();
		writeParams({ rank: 5 });
		expect(replaceState).toHaveBeenCalledTimes(1);
	});
});
