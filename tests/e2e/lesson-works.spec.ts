/**
 * Lesson 5 in real Chromium: the "Domain shift" control by keyboard and in the URL both ways, bad
 * URL values clamped with a message, the recorded grid labelled and tabled, a short live queue
 * that fills the grid in the worker on WebAssembly and a one-run queue on WebGPU (the backend
 * asserted, not assumed), and a queue cancelled mid-way.
 */
import { describe, expect, it } from 'vitest';
import { openPage, waitFor } from './browser';
import { text, rowsIn, tableRows } from './read';
import recorded from '$lib/data/shiftLab.json';
import {
	conditionKey,
	gainShare,
	indexCells,
	pct,
	share,
	SHIFT_METHODS,
	SHIFT_VALUES,
	type Cell
} from '$lib/widgets/shiftLab';

const ACCURACY = /^Held-out accuracy by method and domain shift/;
const SHARES = /^Share of full fine-tuning's gain/;

/** The recorded accuracy of the base before fine-tuning at a shift, as the grid prints it. */
function recordedStart(s: number): string {
	const key = `full@${conditionKey({ kind: 'shift', s })}`;
	const cell = recorded.cells.find((c) => `${c.method}@${c.condition}` === key);
	if (!cell) throw new Error(`no recorded cell ${key}`);
	return `${(cell.start * 100).toFixed(1)}%`;
}

/** The recorded accuracy of a method at a shift, as the grid prints it. */
function recordedCell(method: string, s: number): string {
	const key = `${method}@${conditionKey({ kind: 'shift', s })}`;
	const cell = recorded.cells.find((c) => `${c.method}@${c.condition}` === key);
	if (!cell) throw new Error(`no recorded cell ${key}`);
	return `${(cell.accuracy * 100).toFixed(1)}%`;
}

const LESSON = 'lessons/when-peft-works/';

describe('lesson 5: the shift lab', () => {
	it('moves the domain shift by keyboard, writes it to the URL and restores it', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const fig = page.locator('#fig-shift-lab');
			const slider = fig.getByRole('slider', { name: 'Domain shift' });
			expect(await slider.getAttribute('aria-valuetext')).toMatch(/^0\.17, a small shift/);
			const before = await text(page, 'works-summary');
			expect(before).toMatch(/^Recorded/);
			await slider.focus();
			await page.keyboard.press('ArrowRight');
			expect(await text(page, 'works-shift-value')).toBe('0.25');
			await waitFor(page, () => page.url().includes('works-shift=0.25'));
			expect(await text(page, 'works-summary')).not.toBe(before);
			await page.keyboard.press('End');
			expect(await text(page, 'works-shift-value')).toBe('1.00');
			await waitFor(page, () => page.url().includes('works-shift=1'));
			expect(await text(page, 'works-summary')).toMatch(/the largest drift/);
			await page.keyboard.press('Home');
			await waitFor(
				page,
				() => page.url().includes('works-shift=0&') || page.url().endsWith('works-shift=0')
			);
			expect(await fig.getByLabel('Preset').inputValue()).toBe('0');
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
		const again = await openPage(`${LESSON}?works-shift=0.5&spectrum-shift=1&forget-shift=0.25`);
		try {
			const { page } = again;
			expect(await text(page, 'works-shift-value')).toBe('0.50');
			expect(await text(page, 'spectrum-shift-value')).toBe('1.00');
			expect(await text(page, 'forget-shift-value')).toBe('0.25');
			expect(await page.getByRole('status').count()).toBe(0);
			expect(await page.locator('#fig-shift-lab').getByLabel('Preset').inputValue()).toBe('6');
		} finally {
			await again.close();
		}
	});

	it('clamps bad URL values and says so', async () => {
		const { page, close } = await openPage(
			`${LESSON}?works-shift=7&works-steps=abc&spectrum-shift=0.3&forget-backend=nope`
		);
		try {
			const notes = (await page.getByRole('status').allInnerTexts()).join(' ');
			expect(notes).toMatch(/7 is above the largest domain shift, 1; using 1/);
			expect(notes).toMatch(/“abc” is not a number for steps per run; using 2000/);
			expect(notes).toMatch(
				/0\.3 is not a stop of the domain shift axis \(twelfths\); using 0\.33/
			);
			expect(notes).toMatch(/“nope” is not a backend; showing auto/);
			expect(await text(page, 'works-shift-value')).toBe('1.00');
			expect(await text(page, 'spectrum-shift-value')).toBe('0.33');
		} finally {
			await close();
		}
	});

	it('shows the recorded grid, labelled, with its tables', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			for (const p of ['works', 'spectrum', 'forget'])
				expect(await text(page, `${p}-source`)).toMatch(/recorded/i);
			const grid = await tableRows(page, ACCURACY);
			expect(grid.map((r) => r[0])).toEqual([
				'Full fine-tuning',
				'LoRA r = 1',
				'LoRA r = 4',
				'LoRA r = 16',
				'LoRA r = 64',
				'Head only',
				'BitFit',
				'Base, no fine-tuning'
			]);
			expect(grid[0]).toHaveLength(14);
			// Every cell is the recorded number, not merely a number; the base's is every run's start.
			expect(grid).toEqual([
				...SHIFT_METHODS.map((m) => [m.label, ...SHIFT_VALUES.map((s) => recordedCell(m.id, s))]),
				['Base, no fine-tuning', ...SHIFT_VALUES.map((s) => recordedStart(s))]
			]);
			// Beside it, each cell's share of full fine-tuning's gain.
			const index = indexCells(recorded.cells as Cell[]);
			expect(await tableRows(page, SHARES)).toEqual(
				SHIFT_METHODS.map((m) => [
					m.label,
					...SHIFT_VALUES.map((s) =>
						share(gainShare(index, m.id, conditionKey({ kind: 'shift', s })))
					)
				])
			);
			const spectrum = await rowsIn(page.locator('#fig-shift-spectrum'));
			expect(spectrum).toHaveLength(13);
			expect(await text(page, 'spectrum-summary')).toMatch(/directions are needed for 90%/);
			expect(await text(page, 'forget-summary')).toMatch(/on clean digits/);
		} finally {
			await close();
		}
	});
});

describe('lesson 5: learning and forgetting by rank', () => {
	it('opens on the planted task, reads learning and forgetting, and switches task by keyboard', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const fig = page.locator('#fig-tradeoff');
			const group = fig.getByRole('group', { name: 'Task' });
			const planted = group.getByRole('radio', { name: 'Planted rank-10 change (synthetic)' });
			expect(await planted.isChecked()).toBe(true);
			expect(await text(page, 'tradeoff-source')).toMatch(/recorded/i);
			const summary = await text(page, 'tradeoff-summary');
			const at = (m: string) => indexCells(recorded.cells as Cell[]).get(`${m}@planted`)!;
			expect(summary).toContain(
				`Full fine-tuning learns ${pct(at('full').accuracy)} of it and keeps ${pct(at('full').original)} on the original task; LoRA at rank 1 learns ${pct(at('lora-1').accuracy)} and keeps ${pct(at('lora-1').original)}`
			);
			expect(summary).toMatch(
				/2 of 3 LoRA ranks keep more of the original task than full fine-tuning \(r = 1, r = 4\), and each of them learns less of the new one\./
			);
			expect(await fig.locator('p.note').innerText()).toMatch(/LoRA r = 64 cannot run here/);
			// The chart's dots carry their values: LoRA's two lines at ranks 1, 4 and 16.
			const dots = await fig
				.locator('svg [data-x]')
				.evaluateAll((els) => els.map((e) => [e.getAttribute('data-x'), e.getAttribute('data-y')]));
			expect(dots).toContainEqual(['1', '0.71094']);
			const rows = await rowsIn(fig);
			expect(rows.find((r) => r[0] === 'LoRA r = 64')?.[1]).toBe('—');

			await planted.focus();
			await page.keyboard.press('ArrowUp');
			await waitFor(page, () => page.url().includes('tradeoff-task=permuted'));
			expect(await text(page, 'tradeoff-summary')).toMatch(
				/On the large drift \(permuted pixels\)/
			);
			expect(await fig.locator('p.note').count()).toBe(0);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('lesson 5: live runs', () => {
	it('fills a column of the grid from a short queue on wasm', { timeout: 240_000 }, async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?works-shift=0.5&works-steps=20&works-backend=wasm`
		);
		try {
			const fig = page.locator('#fig-shift-lab');
			await fig.getByRole('button', { name: 'Run live' }).click();
			await waitFor(page, async () => /^Done/.test(await text(page, 'works-status')), 200_000);
			expect(await text(page, 'works-status')).toBe('Done: 7 runs for shift 0.50 on wasm.');
			const source = page.getByTestId('works-source');
			expect(await source.innerText()).toMatch(/live/i);
			expect(await source.getAttribute('data-backend')).toBe('wasm');
			const grid = await tableRows(page, ACCURACY);
			// Column 7 is shift 0.50 (after the method and shifts 0 to 0.42); the last row is the base,
			// which the live runs measured again before their first step, as the recording did.
			const base = grid.pop()!;
			expect(base[0]).toBe('Base, no fine-tuning');
			expect(base[7]).toBe(recordedStart(0.5));
			for (const row of grid) expect(row[7]).toMatch(/^\d+\.\d% \(live\)$/);
			for (const row of grid) expect(row[1]).not.toMatch(/live/);
			expect(await text(page, 'works-summary')).toMatch(
				/^Live in this browser \(20 steps a run on wasm\)/
			);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('runs full fine-tuning on webgpu for the spectrum', { timeout: 240_000 }, async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?spectrum-shift=1&spectrum-steps=10&spectrum-backend=webgpu`
		);
		try {
			const fig = page.locator('#fig-shift-spectrum');
			await fig.getByRole('button', { name: 'Run live' }).click();
			await waitFor(page, async () => /^Done/.test(await text(page, 'spectrum-status')), 200_000);
			expect(await text(page, 'spectrum-status')).toBe('Done: 1 runs for shift 1.00 on webgpu.');
			expect(await page.getByTestId('spectrum-source').getAttribute('data-backend')).toBe('webgpu');
			const rows = await rowsIn(fig);
			expect(rows[12][0]).toBe('1.00 (live)');
			expect(Number(rows[12][1])).toBeGreaterThan(0);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('cancels a queue in progress', { timeout: 240_000 }, async () => {
		const { page, close } = await openPage(
			`${LESSON}?forget-shift=0.25&forget-steps=5000&forget-backend=wasm`
		);
		try {
			const fig = page.locator('#fig-forgetting');
			await fig.getByRole('button', { name: 'Run live' }).click();
			await waitFor(
				page,
				async () => /^Run 1 of 7/.test(await text(page, 'forget-status')),
				120_000
			);
			await fig.getByRole('button', { name: 'Cancel' }).click();
			await waitFor(page, async () => /^Cancelled/.test(await text(page, 'forget-status')));
			expect(await text(page, 'forget-status')).toMatch(/^Cancelled after 0 of 7 runs/);
			expect(await fig.getByRole('button', { name: 'Run again live' }).isEnabled()).toBe(true);
			expect(await text(page, 'forget-source')).toMatch(/recorded/i);
		} finally {
			await close();
		}
	});
});
