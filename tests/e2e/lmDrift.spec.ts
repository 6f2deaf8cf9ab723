/**
 * The English language model's recorded drift figure in real Chromium, in lesson 5 (the dial in
 * time) and lesson 6 (a novel and code): the recorded numbers shown and tabled exactly as
 * lmDrift.json holds them, the text chosen by keyboard and kept in the URL both ways, a bad URL
 * value replaced with a message, the samples side by side, and a sample's lab link opening the
 * lab set to train that run.
 */
import { describe, expect, it } from 'vitest';
import { openPage, waitFor } from './browser';
import { rowsIn, text } from './read';
import recorded from '$lib/data/lmDrift.json';
import type { LmCell, LmTarget } from '$lib/data/lmDrift';
import { bits, driftSummary, methodRows, percent } from '$lib/widgets/lmDriftView';

const cells = recorded.cells as LmCell[];

/** The figure's table as the page should print it: method, rate, bits, share, forgetting… */
function expectedRows(target: LmTarget): string[][] {
	return methodRows(cells, target).map((r) => [
		r.label,
		r.lr === undefined ? '—' : String(r.lr),
		r.cell ? bits(r.cell.bits) : '—',
		r.recovered === null ? '—' : percent(r.recovered),
		r.cell ? bits(r.cell.originalBits) : '—',
		...(target === 'd3-code' && r.cell?.unseen
			? [bits(r.cell.unseen.bits), bits(r.cell.unseen.restBits)]
			: []),
		r.cell ? r.cell.trainableParams.toLocaleString('en-US') : '—'
	]);
}

describe('lesson 5: the language model’s dial in time', () => {
	const LESSON = 'lessons/when-peft-works/';

	it('shows the recorded runs, moves along the dial by keyboard and keeps it in the URL', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const fig = page.locator('#fig-lm-drift');
			// The recording loads only as the figure nears the screen.
			expect(await page.getByTestId('lmdial-loading').count()).toBe(1);
			await fig.scrollIntoViewIfNeeded();
			expect(await text(page, 'lmdial-source')).toMatch(/recorded/i);
			expect(await text(page, 'lmdial-summary')).toBe(driftSummary(cells, 'sotu-1990-2021'));
			expect(await rowsIn(fig)).toEqual(expectedRows('sotu-1990-2021'));
			const samples = page.getByTestId('lmdial-samples').locator('li');
			expect(await samples.count()).toBe(7);
			expect(await samples.first().innerText()).toContain(
				methodRows(cells, 'sotu-1990-2021')[0].cell!.sample.slice(0, 40)
			);
			// The chart has a text alternative: its data table, and a labelled figure.
			const radio = fig.getByRole('radio', { name: 'Addresses 1990–2021' });
			expect(await radio.isChecked()).toBe(true);
			await radio.focus();
			await page.keyboard.press('ArrowLeft');
			await waitFor(page, () => page.url().includes('lmdial-target=sotu-1950-1989'));
			expect(await text(page, 'lmdial-summary')).toBe(driftSummary(cells, 'sotu-1950-1989'));
			expect(await rowsIn(fig)).toEqual(expectedRows('sotu-1950-1989'));
			await page.reload();
			await fig.scrollIntoViewIfNeeded();
			await waitFor(
				page,
				async () => (await text(page, 'lmdial-summary')) === driftSummary(cells, 'sotu-1950-1989')
			);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('replaces a bad URL value with the default and says so', async () => {
		const { page, close } = await openPage(`${LESSON}?lmdial-target=d3-code`);
		try {
			await page.locator('#fig-lm-drift').scrollIntoViewIfNeeded();
			await page.getByTestId('lmdial-summary').waitFor();
			const notes = (await page.getByRole('status').allInnerTexts()).join(' ');
			expect(notes).toMatch(/“d3-code” is not a text; showing Addresses 1990–2021/);
			expect(await text(page, 'lmdial-summary')).toBe(driftSummary(cells, 'sotu-1990-2021'));
		} finally {
			await close();
		}
	});
});

describe('lesson 6: the language model on a novel and on code', () => {
	const LESSON = 'lessons/when-peft-fails/';

	it('shows code with its unseen characters, then the novel, as recorded', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const fig = page.locator('#fig-lm-far');
			await fig.scrollIntoViewIfNeeded();
			expect(await text(page, 'lmfar-summary')).toBe(driftSummary(cells, 'd3-code'));
			expect(await rowsIn(fig)).toEqual(expectedRows('d3-code'));
			await fig.getByRole('radio', { name: 'Moby-Dick (1851)' }).check();
			await waitFor(page, () => page.url().includes('lmfar-target=moby-dick'));
			expect(await text(page, 'lmfar-summary')).toBe(driftSummary(cells, 'moby-dick'));
			expect(await rowsIn(fig)).toEqual(expectedRows('moby-dick'));
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('opens the lab set to train a recorded run', async () => {
		const { page, close } = await openPage(`${LESSON}?lmfar-target=d3-code`);
		try {
			const row = methodRows(cells, 'd3-code').find((r) => r.id === 'lora-16')!;
			await page.locator('#fig-lm-far').scrollIntoViewIfNeeded();
			const item = page
				.getByTestId('lmfar-samples')
				.locator('li', { hasText: 'LoRA r = 16 (W_q, W_v)' });
			await item.getByRole('link', { name: 'train it live in the lab' }).click();
			await page.waitForURL(/\/lab\//);
			const url = new URL(page.url());
			expect(url.hash).toBe('#language-lab');
			expect(url.searchParams.get('lm-corpus')).toBe('d3-code');
			expect(url.searchParams.get('lm-lr')).toBe(String(row.lr));
			const lab = page.locator('#language-lab');
			await waitFor(page, () => lab.getByRole('radio', { name: /LoRA/ }).isChecked());
			expect(await lab.getByLabel('LoRA adapter rank').inputValue()).toBe('16');
			expect(await lab.getByLabel('Learning rate').inputValue()).toBe(String(row.lr));
			expect(await lab.getByLabel('Step limit').inputValue()).toBe(String(recorded.training.steps));
			expect(await lab.getByLabel('Text to fine-tune on').inputValue()).toBe('d3-code');
		} finally {
			await close();
		}
	});
});
