/**
 * `writeParams` throttles its history writes (Safari throws after 100 history calls in 30 s):
 * a few in a row go at once, later ones merge, last value winning, into writes at most two a
 * second and a trailing one; `pagehide` flushes what waits; settings for a page the reader
 * left are dropped.
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

const { WRITE_BURST, WRITE_GAP_MS, flushParams, writeParams } =
	await import('../../../src/lib/ui/urlState');

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
		expect(writes).toBeLessThanOrEqual(WRITE_BURST + Math.ceil(2000 / WRITE_GAP_MS) + 1);
		expect(query()).toBe('?a=1&rank=40');
		// Once the burst is spent and the bucket empty, no two writes closer than the gap.
		const late = writtenAt.slice(WRITE_BURST);
		const gaps = late.slice(1).map((t, i) => t - late[i]);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(WRITE_GAP_MS);
	});

	it("stays under Safari's 100 history calls in 30 s through a 30-second drag", () => {
		for (let t = 0; t < 30_000; t += 16) {
			writeParams({ shift: t % 1000 });
			vi.advanceTimersByTime(16);
		}
		expect(replaceState.mock.calls.length).toBeLessThan(100);
		expect(replaceState.mock.calls.length).toBeGreaterThan(30);
	});

	it('writes a few changes in a row at once, and merges the rest into one write a gap later', () => {
		for (let r = 1; r <= WRITE_BURST; r++) {
			writeParams({ rank: r });
			expect(replaceState).toHaveBeenCalledTimes(r);
			expect(query()).toBe(`?a=1&rank=${r}`);
		}
		writeParams({ rank: 6 });
		writeParams({ rank: 7 });
		writeParams({ alpha: 16 });
		expect(replaceState).toHaveBeenCalledTimes(WRITE_BURST);
		vi.advanceTimersByTime(WRITE_GAP_MS - 1);
		expect(replaceState).toHaveBeenCalledTimes(WRITE_BURST);
		vi.advanceTimersByTime(1);
		expect(replaceState).toHaveBeenCalledTimes(WRITE_BURST + 1);
		expect(query()).toBe('?a=1&rank=7&alpha=16');
	});

	it('merges writes of two widgets on one page', () => {
		for (let i = 1; i <= WRITE_BURST; i++) writeParams({ spent: i });
		writeParams({ 'rank-r': 2 });
		writeParams({ 'spectrum-k': 3 }, { 'spectrum-k': 8 });
		writeParams({ 'rank-r': 4 }, { 'rank-r': 4 });
		vi.advanceTimersByTime(WRITE_GAP_MS);
		expect(replaceState).toHaveBeenCalledTimes(WRITE_BURST + 1);
		expect(query()).toBe(`?a=1&spent=${WRITE_BURST}&spectrum-k=3`);
	});

	it('flushes the waiting write on pagehide', () => {
		for (let r = 1; r <= WRITE_BURST; r++) writeParams({ rank: r });
		writeParams({ rank: 9 });
		expect(query()).toBe(`?a=1&rank=${WRITE_BURST}`);
		listeners.pagehide();
		expect(query()).toBe('?a=1&rank=9');
		vi.advanceTimersByTime(WRITE_GAP_MS * 2);
		expect(replaceState).toHaveBeenCalledTimes(WRITE_BURST + 1);
	});

	it('drops a waiting write when the reader has left the page it belongs to', () => {
		for (let r = 1; r <= WRITE_BURST; r++) writeParams({ rank: r });
		writeParams({ rank: 9 });
		location.href = 'https://example.org/lessons/y/';
		vi.advanceTimersByTime(WRITE_GAP_MS);
		expect(replaceState).toHaveBeenCalledTimes(WRITE_BURST);
		expect(location.href).toBe('https://example.org/lessons/y/');
	});

	it('does not count a write that changes nothing', () => {
		for (let i = 0; i < WRITE_BURST * 3; i++) writeParams({ rank: 4 }, { rank: 4 });
		expect(replaceState).not.toHaveBeenCalled();
		writeParams({ rank: 5 });
		expect(replaceState).toHaveBeenCalledTimes(1);
	});
});
