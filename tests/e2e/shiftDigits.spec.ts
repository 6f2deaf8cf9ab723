/**
 * Lessons 5 and 6 in real Chromium, for what issue 20 added to the shift lab: the six held-out
 * digits beside the dial, whose drawn pixels equal the task generator's at every stop the keyboard
 * reaches (computed here in Node from the shipped digits), named by a sentence that changes with
 * them; the base model's dotted line in the accuracy, forgetting and features charts, its legend
 * entry and table row, all equal to the recorded base accuracies; and the Predict, then run boxes
 * and exercises, by keyboard, with axe clean in both themes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { openPage, seriousA11yViolations, waitFor } from './browser';
import { rowsIn } from './read';
import recorded from '$lib/data/shiftLab.json';
import { parseDigits, splitDigits } from '$lib/model/data/digits';
import { conditionKey, pct, SHIFT_VALUES } from '$lib/widgets/shiftLab';
import { describeExamples, exampleSet, shiftExamples } from '$lib/widgets/shiftDigits';

const clean = exampleSet(
	splitDigits(parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')))).test
);
const WORKS = 'lessons/when-peft-works/';
const FAILS = 'lessons/when-peft-fails/';

/** The recorded base accuracy (every run's start) under a condition key. */
function start(condition: string): number {
	const c = recorded.cells.find((x) => x.method === 'full' && x.condition === condition);
	if (!c) throw new Error(`no recorded cell full@${condition}`);
	return c.start;
}

/** The pixels the strip draws: per digit, its label and the 64 values of its squares. */
function drawn(strip: Locator) {
	return strip.evaluate((el) =>
		[...el.querySelectorAll('svg[data-label]')].map((svg) => ({
			label: Number(svg.getAttribute('data-label')),
			v: [...svg.querySelectorAll('rect[data-v]')].map((r) => Number(r.getAttribute('data-v')))
		}))
	);
}

/** Waits until the strip shows stop `s`, then checks its pixels and its name against Node's. */
async function expectStop(page: Page, strip: Locator, s: number) {
	await waitFor(page, async () => (await strip.getAttribute('data-shift')) === s.toFixed(4));
	const want = shiftExamples(clean, s);
	const got = await drawn(strip);
	expect(got.map((d) => d.label)).toEqual(want.map((e) => e.label));
	got.forEach((d, i) => {
		expect(d.v).toHaveLength(64);
		d.v.forEach((v, p) => expect(Math.abs(v - want[i].pixels[p])).toBeLessThan(6e-5));
	});
	expect(await strip.getAttribute('aria-label')).toBe(describeExamples(want, s));
}

/** The dots of a chart's series, as [x, y] in data units. */
function series(fig: Locator, id: string) {
	return fig
		.locator(`g.series[data-series="${id}"] circle`)
		.evaluateAll((cs) => cs.map((c) => [Number(c.dataset.x), Number(c.dataset.y)]));
}

describe('the digits beside the dial', () => {
	it('draw the generator’s pixels at each stop the keyboard reaches, with a sentence for each', async () => {
		const { page, log, close } = await openPage(WORKS);
		try {
			const fig = page.locator('#fig-shift-lab');
			await fig.scrollIntoViewIfNeeded();
			const strip = page.getByTestId('works-digits').getByRole('img');
			await strip.waitFor({ timeout: 30_000 });
			await expectStop(page, strip, 2 / 12);
			expect(await strip.getAttribute('aria-label')).toMatch(
				/^Held-out digits 2, 3, 4, 5, 7, 9 at shift 0\.17: 2 turned \d+° (anti)?clockwise/
			);
			const slider = fig.getByRole('slider', { name: 'Domain shift' });
			await slider.focus();
			await page.keyboard.press('ArrowRight');
			await expectStop(page, strip, 3 / 12);
			await page.keyboard.press('End');
			await expectStop(page, strip, 1);
			expect(await strip.getAttribute('aria-label')).toMatch(
				/Then 64 of the 64 pixel positions are scrambled/
			);
			await page.keyboard.press('Home');
			await expectStop(page, strip, 0);
			expect(await strip.getAttribute('aria-label')).toMatch(/clean, as in pretraining\.$/);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('open at the stop in the URL, on lesson 6’s far end too', async () => {
		const { page, close } = await openPage(`${FAILS}?drift-shift=0.75`);
		try {
			const fig = page.locator('#fig-large-drift');
			await fig.scrollIntoViewIfNeeded();
			const strip = page.getByTestId('drift-digits').getByRole('img');
			await strip.waitFor({ timeout: 30_000 });
			await expectStop(page, strip, 9 / 12);
		} finally {
			await close();
		}
	});
});

describe('the base model’s line', () => {
	it('runs through the recorded base accuracy at every stop, in the legend and the table', async () => {
		const { page, close } = await openPage(WORKS);
		try {
			const fig = page.locator('#fig-shift-lab');
			const dots = await series(fig, 'base');
			expect(dots).toHaveLength(SHIFT_VALUES.length);
			dots.forEach(([x, y], i) => {
				expect(x).toBeCloseTo(SHIFT_VALUES[i], 10);
				expect(y).toBe(start(conditionKey({ kind: 'shift', s: SHIFT_VALUES[i] })));
			});
			expect(await fig.getByText('Base, no fine-tuning').first().isVisible()).toBe(true);
			const rows = await rowsIn(fig);
			const base = rows.find((r) => r[0] === 'Base, no fine-tuning');
			expect(base?.slice(1)).toEqual(
				SHIFT_VALUES.map((s) => pct(start(conditionKey({ kind: 'shift', s }))))
			);
			// The share table leaves the base out: its share is 0 by definition.
			expect(rows.filter((r) => r[0] === 'Base, no fine-tuning')).toHaveLength(1);
			expect(await fig.locator('svg[role="img"]').first().getAttribute('aria-label')).toMatch(
				/base model before fine-tuning as a dotted grey line/
			);
		} finally {
			await close();
		}
	});

	it('is flat at the base’s clean-digit accuracy on the forgetting chart', async () => {
		const { page, close } = await openPage(WORKS);
		try {
			const dots = await series(page.locator('#fig-forgetting'), 'base');
			expect(dots).toHaveLength(SHIFT_VALUES.length);
			for (const [, y] of dots) expect(y).toBe(start('s0.0000'));
		} finally {
			await close();
		}
	});

	it('follows the chosen task on lesson 6’s features chart', async () => {
		const { page, close } = await openPage(FAILS);
		try {
			const fig = page.locator('#fig-new-features');
			const flat = async () => [...new Set((await series(fig, 'base')).map(([, y]) => y))];
			expect(await flat()).toEqual([start('s0.5000')]);
			await fig.getByRole('radio', { name: 'New classes (digits 5–9)' }).check();
			await waitFor(page, async () => (await flat())[0] === start('new-classes'));
			const base = (await rowsIn(fig)).find((r) => r[0] === 'Base, no fine-tuning');
			expect(base?.[1]).toBe(pct(start('new-classes')));
			expect(base?.[4]).toBe('0');
		} finally {
			await close();
		}
	});
});

describe('predict, then run, and the exercises', () => {
	for (const [path, question, choice, reveal] of [
		[
			WORKS,
			/how far behind full fine-tuning will LoRA at rank 4 end/,
			'More than 10 points',
			/13\.4 points behind/
		],
		[
			FAILS,
			/come closest to full fine-tuning/,
			'New classes',
			/New classes: the probe reaches 98\.9%/
		]
	] as const) {
		it(`${path}: a guess by keyboard reveals the recorded answer; answers open by keyboard`, async () => {
			const { page, log, close } = await openPage(path);
			try {
				const box = page.locator('aside.predict', { hasText: question });
				await expect(box.locator('.answer').innerText()).resolves.toBe('');
				const first = box.getByRole('radio').first();
				await first.focus();
				await page.keyboard.press('Space');
				const radio = box.getByRole('radio', { name: choice });
				await radio.focus();
				await page.keyboard.press('Space');
				expect(await radio.isChecked()).toBe(true);
				await waitFor(page, async () => reveal.test(await box.locator('.answer').innerText()));
				const ex = page.locator('section.exercises');
				expect(await ex.locator('li.exercise').count()).toBe(3);
				const summary = ex.locator('summary').first();
				const details = ex.locator('details').first();
				expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
				await summary.focus();
				await page.keyboard.press('Enter');
				expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		});
	}

	for (const colorScheme of ['light', 'dark'] as const)
		it(`passes axe with the digits shown and the answers open (${colorScheme})`, async () => {
			for (const path of [WORKS, FAILS]) {
				const { page, close } = await openPage(path, { colorScheme });
				try {
					for (const fig of await page.locator('[data-testid$="-digits"]').all()) {
						await fig.scrollIntoViewIfNeeded();
						await fig.getByRole('img').waitFor({ timeout: 30_000 });
					}
					await page.locator('aside.predict button').first().click();
					for (const s of await page.locator('section.exercises summary').all()) await s.click();
					expect(await seriousA11yViolations(page)).toEqual([]);
				} finally {
					await close();
				}
			}
		});
});
