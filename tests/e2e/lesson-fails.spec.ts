/**
 * Lesson 6 in real Chromium: the task choice and the "Domain shift" control by keyboard and in
 * the URL, bad URL values clamped with a message, the recorded results labelled with their rank
 * and memory readings, and a short live queue on the five-class base (new classes) in the worker.
 */
import { describe, expect, it } from 'vitest';
import { openPage, waitFor } from './browser';
import { text, rowsIn } from './read';
import recorded from '$lib/data/shiftLab.json';
import { estimateTrainingMemory, MODEL_PRESETS, type TargetMatrix } from '$lib/math/memory';
import { rankForEnergy } from '$lib/math/spectrum';
import { baseAccuracy, gainShare, indexCells, pct, share, type Cell } from '$lib/widgets/shiftLab';

/** The summary's rank and price sentence as the recorded spectrum at s = 0.5 gives it. */
function recordedPrice(): string {
	const full = recorded.cells.find((c) => c.method === 'full' && c.condition === 's0.5000');
	const rank = rankForEnergy(full!.singularValues!, 0.9);
	const targets: TargetMatrix[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];
	const setup = { batchSize: 1, seqLen: 512, targets } as const;
	const arch = MODEL_PRESETS['llama-2-7b'];
	const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
	const lora = (r: number) => estimateTrainingMemory(arch, { method: 'lora', rank: r, ...setup });
	const full7b = estimateTrainingMemory(arch, { method: 'full', ...setup });
	return `needs ${rank} directions for 90% of its energy; LoRA at that rank on every matrix of Llama 2 7B would train ${(lora(rank).trainableParams / 1e6).toFixed(0)}M parameters and need ${gb(lora(rank).total)} (rank 4: ${gb(lora(4).total)}; full fine-tuning: ${gb(full7b.total)})`;
}

const LESSON = 'lessons/when-peft-fails/';

describe('lesson 6: new features', () => {
	it('switches task by keyboard, keeps it in the URL, and reads the rank and its price', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const fig = page.locator('#fig-new-features');
			const group = fig.getByRole('group', { name: 'Task' });
			const distorted = group.getByRole('radio', { name: 'Medium shift (shift 0.50)' });
			expect(await distorted.isChecked()).toBe(true);
			expect(await text(page, 'features-source')).toMatch(/recorded/i);
			const summary = await text(page, 'features-summary');
			expect(summary).toMatch(/^Recorded .*At a medium shift \(s = 0\.50\)/);
			expect(summary).toMatch(/at least 10 points behind/);
			expect(summary).toContain(recordedPrice());
			const rows = await rowsIn(fig);
			expect(rows.map((r) => r[0])).toContain('LoRA r = 4');
			expect(rows[0][2]).toBe('0.0');

			await distorted.focus();
			await page.keyboard.press('ArrowDown');
			const newClasses = group.getByRole('radio', { name: 'New classes (digits 5–9)' });
			expect(await newClasses.isChecked()).toBe(true);
			await waitFor(page, () => page.url().includes('features-task=new-classes'));
			expect(await text(page, 'features-summary')).toMatch(/On new classes \(5–9\)/);
			await page.keyboard.press('ArrowDown');
			await waitFor(page, () => page.url().includes('features-task=permuted'));
			expect(await text(page, 'features-summary')).toMatch(
				/On the large drift \(permuted pixels\)/
			);
			await page.keyboard.press('ArrowDown');
			await waitFor(page, () => page.url().includes('features-task=planted'));
			const planted = await text(page, 'features-summary');
			// The planted task's numbers as the recorded grid gives them.
			const cells = indexCells(recorded.cells as Cell[]);
			const full = cells.get('full@planted')!;
			const lora4 = cells.get('lora-4@planted')!;
			const gap = (Math.round((lora4.accuracy - full.accuracy) * 1000) / 10).toFixed(1);
			expect(planted).toContain(
				`On a planted rank-10 change the base starts at ${pct(full.start)}`
			);
			expect(planted).toContain(
				`gets ${pct(lora4.accuracy)} (${gap.replace('-', '−')} points, ${share(gainShare(cells, 'lora-4', 'planted'))} of full fine-tuning's gain), at least 10 points behind`
			);
			expect(planted).toContain(
				`needs ${rankForEnergy(full.singularValues!, 0.9)} directions for 90% of its energy`
			);
			expect(await fig.locator('p.note').innerText()).toMatch(
				/LoRA r = 64 cannot run here: the adapted layer has only 32 inputs/
			);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
		const again = await openPage(`${LESSON}?features-task=permuted&drift-shift=0.5`);
		try {
			const { page } = again;
			expect(
				await page
					.locator('#fig-new-features')
					.getByRole('radio', { name: 'Large drift (permuted pixels)' })
					.isChecked()
			).toBe(true);
			expect(await text(page, 'drift-shift-value')).toBe('0.50');
			expect(await page.getByRole('status').count()).toBe(0);
		} finally {
			await again.close();
		}
	});

	it('clamps bad URL values and says so', async () => {
		const { page, close } = await openPage(
			`${LESSON}?features-task=banana&features-steps=-4&drift-shift=nope`
		);
		try {
			const notes = (await page.getByRole('status').allInnerTexts()).join(' ');
			expect(notes).toMatch(/“banana” is not a task; showing medium shift \(shift 0\.50\)/);
			expect(notes).toMatch(/-4 is below the smallest steps per run, 10; using 10/);
			expect(notes).toMatch(/“nope” is not a number for domain shift; using 1/);
			expect(await text(page, 'drift-shift-value')).toBe('1.00');
		} finally {
			await close();
		}
	});
});

describe('lesson 6: large drift', () => {
	it('opens at the far end of the dial and moves by keyboard', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			const fig = page.locator('#fig-large-drift');
			const slider = fig.getByRole('slider', { name: 'Domain shift' });
			expect(await text(page, 'drift-shift-value')).toBe('1.00');
			expect(await text(page, 'drift-summary')).toMatch(/at least 10 points behind|behind it/);
			await slider.focus();
			await page.keyboard.press('ArrowLeft');
			expect(await text(page, 'drift-shift-value')).toBe('0.92');
			await waitFor(page, () => page.url().includes('drift-shift=0.9167'));
		} finally {
			await close();
		}
	});
});

describe('lesson 6: live runs', () => {
	it(
		'trains the planted task on the teacher base on webgpu, six runs, no rank 64',
		{ timeout: 240_000 },
		async () => {
			const { page, log, close } = await openPage(
				`${LESSON}?features-task=planted&features-steps=20&features-backend=webgpu`
			);
			try {
				const fig = page.locator('#fig-new-features');
				await fig.getByRole('button', { name: 'Run live' }).click();
				await waitFor(page, async () => /^Done/.test(await text(page, 'features-status')), 200_000);
				expect(await text(page, 'features-status')).toBe(
					'Done: 6 runs for a planted rank-10 change on webgpu.'
				);
				expect(await page.getByTestId('features-source').getAttribute('data-backend')).toBe(
					'webgpu'
				);
				const rows = await rowsIn(fig);
				// The base's row is its accuracy before fine-tuning, which the live runs measured again.
				const [label, acc, , kept, params] = rows.pop()!;
				expect([label, acc, kept, params]).toEqual([
					'Base, no fine-tuning',
					pct(baseAccuracy(indexCells(recorded.cells as Cell[]), 'planted')),
					'—',
					'0'
				]);
				for (const r of rows)
					expect(r[1]).toMatch(r[0] === 'LoRA r = 64' ? /^—$/ : /^\d+\.\d% \(live\)$/);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);

	it(
		'trains the new-classes queue on the five-class base in the worker',
		{ timeout: 240_000 },
		async () => {
			const { page, log, close } = await openPage(
				`${LESSON}?features-task=new-classes&features-steps=20&features-backend=wasm`
			);
			try {
				const fig = page.locator('#fig-new-features');
				await fig.getByRole('button', { name: 'Run live' }).click();
				await waitFor(page, async () => /^Done/.test(await text(page, 'features-status')), 200_000);
				expect(await text(page, 'features-status')).toBe(
					'Done: 7 runs for new classes (5–9) on wasm.'
				);
				expect(await page.getByTestId('features-source').getAttribute('data-backend')).toBe('wasm');
				const rows = await rowsIn(fig);
				expect(rows.pop()?.slice(0, 2)).toEqual([
					'Base, no fine-tuning',
					pct(baseAccuracy(indexCells(recorded.cells as Cell[]), 'new-classes'))
				]);
				for (const r of rows) expect(r[1]).toMatch(/^\d+\.\d% \(live\)$/);
				expect(log.consoleErrors).toEqual([]);
				expect(log.failedRequests).toEqual([]);
			} finally {
				await close();
			}
		}
	);
});
