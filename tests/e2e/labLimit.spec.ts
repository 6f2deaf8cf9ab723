/**
 * The lab's digits figure shows its step limit as a field of its own (URL-backed, a bad value
 * clamped with a message), training stops where the field says, and the figure exports what it
 * plots: the CSV holds both plotted series, the SVG is the chart, the data table matches the CSV.
 */
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, waitFor } from './browser';
import { text } from './read';

async function body(d: Download): Promise<string> {
	const parts: Buffer[] = [];
	for await (const c of (await d.createReadStream()) as AsyncIterable<Buffer>) parts.push(c);
	return Buffer.concat(parts).toString('utf8');
}

/** The lab's digits figure (the language model's figure below it has a step limit too). */
const figure = (page: Page) => page.getByRole('figure', { name: 'Fine-tune a digits model, live' });

async function save(page: Page, name: string): Promise<Download> {
	const [d] = await Promise.all([
		page.waitForEvent('download'),
		figure(page).getByRole('button', { name }).click()
	]);
	return d;
}

describe('the lab: step limit and exports', () => {
	it(
		'clamps a bad limit from the URL, stops where the field says, and exports the plotted series',
		{ timeout: 90_000 },
		async () => {
			const { page, log, close } = await openPage('lab/?backend=wasm&steps=0');
			try {
				const fig = figure(page);
				const field = fig.getByRole('spinbutton', { name: 'Step limit' });
				// The URL's 0 is clamped to the smallest limit, with a message that quotes it.
				expect(await field.inputValue()).toBe('1');
				expect((await page.getByRole('status').allInnerTexts()).join(' ')).toContain(
					'0 is below the smallest step limit, 1; using 1.'
				);
				// A limit typed into the field: into the URL, into the sentence, and where training stops.
				await field.fill('40');
				await field.press('Enter');
				await field.blur();
				await waitFor(page, () => page.url().includes('steps=40'));
				expect(await fig.getByText(/stops by itself at step 40,/).count()).toBe(1);
				// A value out of range typed into the field is clamped too, then set back.
				await field.fill('500000');
				await field.blur();
				await waitFor(page, () => page.url().includes('steps=100000'));
				expect(await field.inputValue()).toBe('100000');
				expect((await page.getByRole('status').allInnerTexts()).join(' ')).toContain(
					'500000 is above the largest step limit, 100000; using 100000.'
				);
				await field.fill('40');
				await field.blur();
				await waitFor(page, () => page.url().includes('steps=40'));

				const train = fig.getByRole('button', { name: 'Train', exact: true });
				await waitFor(page, () => train.isEnabled());
				await train.click();
				await waitFor(page, async () => (await text(page, 'step')) === '40');
				// It stopped there by itself: the button reads Train again and the count holds.
				await waitFor(page, () => train.isVisible());
				expect(await text(page, 'step')).toBe('40');
				// Stopped: the badge names the backend, and no longer says it is training or how fast.
				const now = fig.locator('.badge .now');
				await waitFor(page, async () =>
					(await now.innerText()).trim().startsWith('The trainer runs on')
				);
				expect(await now.innerText()).not.toMatch(/steps\/s|Training on/);

				// The CSV: a header, one row per plotted step, both series, ending at the limit.
				const csv = await save(page, 'Save numbers as CSV');
				expect(csv.suggestedFilename()).toBe('finetune-affine-small-lora-r4.csv');
				const lines = (await body(csv)).trim().split('\r\n');
				expect(lines[0]).toBe(
					'step,training loss (nats),held-out loss (nats),held-out accuracy,training accuracy'
				);
				const rows = lines.slice(1).map((l) => l.split(',').map((v) => (v === '' ? null : +v)));
				const curve = page.getByTestId('loss-curve');
				const training = rows.filter((r) => r[1] !== null);
				expect(training.length).toBe(Number(await curve.getAttribute('data-points')));
				expect(training[0][1]).toBe(Number(await curve.getAttribute('data-first')));
				expect(training.at(-1)![1]).toBe(Number(await curve.getAttribute('data-last')));
				expect(rows.at(-1)![0]).toBe(40);
				const heldOut = rows.filter((r) => r[2] !== null);
				expect(heldOut[0][0]).toBe(0); // the evaluation before training
				expect(heldOut.at(-1)![0]).toBe(40);
				expect(heldOut.at(-1)![3]).toBeCloseTo(
					parseFloat(await text(page, 'test-accuracy')) / 100,
					3
				);

				// The data table shows the same rows.
				await fig.getByText('Data table').click();
				const tableRows = page.locator('table', {
					has: page.locator('caption', { hasText: 'Training and held-out loss by step' })
				});
				expect(await tableRows.locator('tbody tr').count()).toBe(rows.length);

				// The SVG is the chart: two lines, the axis labels.
				const svg = await body(await save(page, 'Save chart as SVG'));
				expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
				expect(svg).toContain('training step');
				expect((svg.match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(2);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);
});
