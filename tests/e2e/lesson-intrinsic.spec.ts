/**
 * Lesson 5's intrinsic-dimension figure in real Chromium: the recorded sweep shown first and
 * labelled, its d₉₀ marks and table agreeing with the recorded file, state in the URL both ways,
 * bad URL values clamped with a message, and live sweeps queued in the worker on the backend asked
 * for: one that finishes (every run in the table, d₉₀ read off live numbers) and one cancelled.
 */
import { describe, expect, it } from 'vitest';
import recorded from '../../src/lib/data/intrinsicDimension.json';
import type { QueuedResult } from '../../src/lib/trainer/protocol';
import { analyseStart, DIMS, pointsOf } from '../../lessons/05-when-peft-works/intrinsic';
import { openPage, waitFor } from './browser';
import { text, tableRows } from './read';

const LESSON = 'lessons/when-peft-works/';

function recordedAnalysis(task: string, dims: readonly number[]) {
	const results = (recorded.tasks as Record<string, { results: QueuedResult[] }>)[task].results;
	const points = pointsOf(results).filter((p) => p.d === null || dims.includes(p.d));
	return { base: analyseStart(points, 'base'), scratch: analyseStart(points, 'scratch') };
}

describe('lesson 5: intrinsic dimension, recorded', () => {
	it('shows the recorded sweep by default, labelled, with d₉₀ as the file gives it', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const fig = page.locator('#fig-intrinsic');
			await fig.scrollIntoViewIfNeeded();
			expect(await text(page, 'intrinsic-source')).toMatch(/recorded/i);
			expect(await text(page, 'intrinsic-status')).toMatch(/^Showing recorded results/);
			const want = recordedAnalysis('small-shift', DIMS.coarse);
			for (const start of ['base', 'scratch'] as const) {
				const a = want[start];
				const mark = page.getByTestId(`intrinsic-d90-${start}`);
				if (a.d90 === null) expect(await mark.count()).toBe(0);
				else expect(await mark.getAttribute('data-d90')).toBe(String(a.d90));
				expect(await text(page, `intrinsic-result-${start}`)).toContain(
					a.d90 === null ? `above ${a.largest}` : `d₉₀ ≈ ${a.d90}`
				);
			}
			expect(await fig.locator('circle[data-d]').count()).toBe(2 * DIMS.coarse.length);
			const summary = await text(page, 'intrinsic-summary');
			expect(summary).toMatch(/From the MLP pretrained on clean digits, full training reaches/);
			expect(summary).toMatch(/above the line before any training/);
			expect(summary).toMatch(/pretraining lowered the dimension the task needs/);
			expect(summary).toMatch(/From a random start of the same architecture/);
			const rows = await tableRows(page, /Recorded sweep/);
			expect(rows.length).toBe(DIMS.coarse.length + 1);
			expect(rows[0][0]).toBe('full (every weight)');
			expect(rows[0][1]).toBe(`${(want.base.full! * 100).toFixed(1)}%`);
			expect(rows.slice(1).map((r) => r[0])).toEqual(DIMS.coarse.map(String));
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('reads its state from the URL and writes the reader’s choices back', async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?intrinsic-task=relabel&intrinsic-dims=fine`
		);
		try {
			const task = page.locator('#fig-intrinsic').getByLabel('Task', { exact: true });
			expect(await task.inputValue()).toBe('relabel');
			expect(await page.locator('#fig-intrinsic').getByLabel('Values of d').inputValue()).toBe(
				'fine'
			);
			const rows = await tableRows(page, /Recorded sweep/);
			expect(rows.length).toBe(DIMS.fine.length + 1);
			expect(await text(page, 'intrinsic-summary')).toMatch(/pretrained on all ten digits/);

			await task.focus();
			await task.selectOption('permuted');
			await waitFor(page, () => page.url().includes('intrinsic-task=permuted'));
			expect(await text(page, 'intrinsic-summary')).toMatch(/pretrained on all ten digits/);
			await page.locator('#fig-intrinsic').getByLabel('Values of d').selectOption('coarse');
			await waitFor(page, () => !page.url().includes('intrinsic-dims'));
			const steps = page.locator('#fig-intrinsic').getByLabel('Steps per run');
			await steps.fill('120');
			await steps.press('Enter');
			await steps.blur();
			await waitFor(page, () => page.url().includes('intrinsic-steps=120'));
			expect(await text(page, 'intrinsic-status')).toMatch(/Nothing was recorded with 120 steps/);
			expect(await page.locator('#fig-intrinsic circle[data-d]').count()).toBe(0);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('clamps bad URL values with a message instead of failing', async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?intrinsic-task=banana&intrinsic-dims=7&intrinsic-steps=99999&intrinsic-seed=abc&intrinsic-backend=tpu`
		);
		try {
			const notices = page.locator('#fig-intrinsic .notice');
			await waitFor(page, async () => (await notices.count()) === 5);
			const all = (await notices.allInnerTexts()).join('\n');
			expect(all).toMatch(/“banana” is not a task of this figure; showing small shift/);
			expect(all).toMatch(/“7” is not a sweep of d/);
			expect(all).toMatch(/99999 is above the largest steps per run, 3000; using 3000/);
			expect(all).toMatch(/“abc” is not a number for seed; using 1/);
			expect(all).toMatch(/“tpu” is not a backend/);
			expect(
				await page.locator('#fig-intrinsic').getByLabel('Task', { exact: true }).inputValue()
			).toBe('small-shift');
			expect(await page.locator('#fig-intrinsic').getByLabel('Steps per run').inputValue()).toBe(
				'3000'
			);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('lesson 5: intrinsic dimension, live', () => {
	it(
		'queues the sweep in the worker on wasm, fills it in with progress, and reads d₉₀ off it',
		{ timeout: 240_000 },
		async () => {
			const { page, log, close } = await openPage(
				`${LESSON}?intrinsic-steps=40&intrinsic-backend=wasm`
			);
			try {
				const run = page.locator('#fig-intrinsic').getByRole('button', { name: 'Run live' });
				await run.focus();
				await page.keyboard.press('Enter');
				const bar = page.locator('#fig-intrinsic progress');
				await waitFor(page, async () => Number(await bar.getAttribute('value')) > 0, 120_000);
				await waitFor(
					page,
					async () => /^Done/.test(await text(page, 'intrinsic-status')),
					200_000
				);
				const total = 2 * (DIMS.coarse.length + 1);
				expect(await text(page, 'intrinsic-status')).toBe(`Done: ${total} runs on wasm.`);
				expect(Number(await bar.getAttribute('value'))).toBe(total);
				const source = page.getByTestId('intrinsic-source');
				expect(await source.innerText()).toMatch(/live/i);
				expect(await source.getAttribute('data-backend')).toBe('wasm');
				const rows = await tableRows(page, /Live sweep/);
				expect(rows.length).toBe(DIMS.coarse.length + 1);
				for (const r of rows) {
					for (const cell of r.slice(1)) expect(cell).toMatch(/^\d+\.\d%$/);
				}
				// Full training from each start clearly beats its start, and the largest d beats the smallest.
				const pct = (s: string) => Number(s.replace('%', ''));
				for (const col of [1, 2]) {
					expect(pct(rows[0][col])).toBeGreaterThan(50);
					expect(pct(rows.at(-1)![col])).toBeGreaterThan(pct(rows[1][col]));
				}
				expect(await text(page, 'intrinsic-summary')).toMatch(/full training reaches/);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);

	it(
		'trains full and subspace runs on WebGPU too (the gather path), then cancels',
		{ timeout: 240_000 },
		async () => {
			const { page, log, close } = await openPage(
				`${LESSON}?intrinsic-steps=5&intrinsic-backend=webgpu`
			);
			try {
				await page.locator('#fig-intrinsic').getByRole('button', { name: 'Run live' }).click();
				// A software adapter is slow: wait for the full run and the first subspace run (d = 4).
				await waitFor(
					page,
					async () => /^Training run 3 of/.test(await text(page, 'intrinsic-status')),
					200_000
				);
				await page.locator('#fig-intrinsic').getByRole('button', { name: 'Cancel' }).click();
				await waitFor(page, async () =>
					/^Cancelled after \d+ of 18 runs\./.test(await text(page, 'intrinsic-status'))
				);
				expect(await page.getByTestId('intrinsic-source').getAttribute('data-backend')).toBe(
					'webgpu'
				);
				const rows = await tableRows(page, /Live sweep/);
				expect(rows[0][1]).toMatch(/^\d+\.\d%$/);
				expect(rows[1][0]).toBe('4');
				expect(rows[1][1]).toMatch(/^\d+\.\d%$/);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);

	it(
		'cancels a long sweep between chunks and keeps what finished',
		{ timeout: 180_000 },
		async () => {
			const { page, log, close } = await openPage(
				`${LESSON}?intrinsic-steps=3000&intrinsic-backend=wasm`
			);
			try {
				await page.locator('#fig-intrinsic').getByRole('button', { name: 'Run live' }).click();
				await waitFor(
					page,
					async () => /^Training run 1 of/.test(await text(page, 'intrinsic-status')),
					120_000
				);
				const cancel = page.locator('#fig-intrinsic').getByRole('button', { name: 'Cancel' });
				expect(await cancel.isEnabled()).toBe(true);
				await cancel.click();
				await waitFor(page, async () =>
					/^Cancelled after \d+ of 18 runs\./.test(await text(page, 'intrinsic-status'))
				);
				expect(
					await page
						.locator('#fig-intrinsic')
						.getByRole('button', { name: 'Run again' })
						.isEnabled()
				).toBe(true);
				await page.locator('#fig-intrinsic').getByRole('button', { name: 'Show recorded' }).click();
				expect(await text(page, 'intrinsic-source')).toMatch(/recorded/i);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);
});
