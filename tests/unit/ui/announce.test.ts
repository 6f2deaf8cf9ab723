/**
 * The announcer behind every figure's live region: a run's start and end are said promptly,
 * per-frame text while it trains at most once every ten seconds (the latest text, never lost),
 * and the text already on the page is not said again.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ANNOUNCE_GAP_MS, ANNOUNCE_SETTLE_MS, Announcer } from '../../../src/lib/ui/announce';

describe('Announcer', () => {
	let said: { text: string; at: number }[];
	let t0: number;
	const make = (initial = 'Not started.') =>
		new Announcer((text) => said.push({ text, at: Date.now() - t0 }), initial);

	beforeEach(() => {
		vi.useFakeTimers();
		t0 = Date.now();
		said = [];
	});
	afterEach(() => vi.useRealTimers());

	it('says a 30-second run at its start, its end and at most once every ten seconds', () => {
		const a = make();
		a.update('Run 1 of 3: step 0 of 900', true);
		// One new text per animation frame for 30 s.
		for (let frame = 1; frame <= 1800; frame++) {
			vi.advanceTimersByTime(1000 / 60);
			a.update(`Run ${1 + Math.floor(frame / 600)} of 3: step ${frame % 600} of 600`, true);
		}
		a.update('Done: 3 runs.', false);
		vi.advanceTimersByTime(ANNOUNCE_SETTLE_MS);
		expect(said[0]).toEqual({ text: 'Run 1 of 3: step 0 of 900', at: 0 });
		expect(said.at(-1)?.text).toBe('Done: 3 runs.');
		// The start, one every ten seconds of training (three at most in 30 s), the end.
		expect(said.length).toBeGreaterThanOrEqual(3);
		expect(said.length).toBeLessThanOrEqual(5);
		const during = said.slice(0, -1);
		for (let i = 1; i < during.length; i++) {
			expect(during[i].at - during[i - 1].at).toBeGreaterThanOrEqual(ANNOUNCE_GAP_MS);
		}
		// The end comes promptly, not at the next ten-second mark.
		expect(said.at(-1)!.at - 30_000).toBeLessThanOrEqual(ANNOUNCE_SETTLE_MS + 20);
	});

	it('says the latest text once the gap is over, not a stale one', () => {
		const a = make();
		a.update('step 0', true);
		a.update('step 10', true);
		a.update('step 20', true);
		expect(said.map((s) => s.text)).toEqual(['step 0']);
		vi.advanceTimersByTime(ANNOUNCE_GAP_MS);
		expect(said.map((s) => s.text)).toEqual(['step 0', 'step 20']);
	});

	it('does not repeat the text already on the page, or one it just said', () => {
		const a = make('Not started.');
		a.update('Not started.', false);
		a.update('Not started.', true);
		vi.advanceTimersByTime(ANNOUNCE_GAP_MS);
		expect(said).toEqual([]);
		a.update('Running', true);
		a.update('Running', true);
		vi.advanceTimersByTime(ANNOUNCE_GAP_MS);
		expect(said.map((s) => s.text)).toEqual(['Running']);
	});

	it('says a setting changed while idle once it settles', () => {
		const a = make();
		for (const r of [2, 3, 4, 5]) {
			a.update(`Rank ${r}`, false);
			vi.advanceTimersByTime(100);
		}
		expect(said).toEqual([]);
		vi.advanceTimersByTime(ANNOUNCE_SETTLE_MS);
		expect(said.map((s) => s.text)).toEqual(['Rank 5']);
	});

	it('says nothing after dispose', () => {
		const a = make();
		a.update('step 0', true);
		a.update('step 5', true);
		a.dispose();
		vi.advanceTimersByTime(ANNOUNCE_GAP_MS * 2);
		expect(said.map((s) => s.text)).toEqual(['step 0']);
	});
});
