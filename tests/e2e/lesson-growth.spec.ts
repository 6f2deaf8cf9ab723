/**
 * Lesson 1's figure in its five ways of counting, as a reader uses it: the LoRA and QLoRA modes
 * drop points under the accelerator line (one model fits under full fine-tuning, three under
 * LoRA, six under QLoRA), the mode is chosen from the keyboard and kept in `?memory=`, a bad value
 * is refused with a message, the sentence and data table say what the chart shows; and the
 * active-reading boxes of lessons 1 and 2: the prediction reveals only after a guess, and each
 * exercise's answer stays hidden until its disclosure is opened from the keyboard.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, seriousA11yViolations } from './browser';

const LESSON1 = 'lessons/why-peft/';
const LESSON2 = 'lessons/scaling-laws/';

/** Points drawn as fitting on one accelerator. */
const fitting = (page: Page) => page.locator('#fig-growth .plot circle.dot.fits').count();

describe('lesson 1 figure: LoRA and QLoRA modes', () => {
	it('drops points under the line as the mode changes, from the keyboard, and keeps it in the URL', async () => {
		const { page, log, close } = await openPage(LESSON1);
		try {
			const fig = page.locator('#fig-growth');
			const radios = fig.getByRole('radio');
			expect(await radios.count()).toBe(5);
			for (const name of [
				'Weights only',
				'Inference',
				'Full fine-tuning with Adam',
				'LoRA',
				'QLoRA'
			]) {
				expect(await fig.getByRole('radio', { name: new RegExp(`^${name}`) }).count()).toBe(1);
			}
			// Ten models, the 7B among them; under full fine-tuning only GPT-2 fits.
			expect(await fig.locator('.plot circle.dot').count()).toBe(10);
			expect(await fitting(page)).toBe(1);
			expect(await fig.locator('.summary').innerText()).toContain(
				'Only 1 of the 10 models (GPT-2 1.5B)'
			);

			// Keyboard: focus the checked radio, arrow to the next one (LoRA).
			await fig.getByRole('radio', { name: /^Full fine-tuning/ }).focus();
			await page.keyboard.press('ArrowDown');
			expect(await fig.getByRole('radio', { name: /^LoRA/ }).isChecked()).toBe(true);
			await page.waitForFunction(() => location.search.includes('memory=lora'));
			expect(await fitting(page)).toBe(3);
			const lora = await fig.locator('.summary').innerText();
			expect(lora).toContain('LoRA cuts the model state for fine-tuning Llama 3.1 405B');
			expect(lora).toContain('Llama 2 7B needs about 13.5 GB, against 108 GB');

			await page.keyboard.press('ArrowDown');
			await page.waitForFunction(() => location.search.includes('memory=qlora'));
			expect(await fitting(page)).toBe(6);
			const qlora = await fig.locator('.summary').innerText();
			expect(qlora).toContain('Llama 2 7B needs about 5.78 GB');
			expect(qlora).toContain('LLaMA 65B');

			// The data table gains the adapters' size and lists the 7B model.
			await fig.getByText('Data table and sources', { exact: true }).click();
			expect(await fig.locator('thead th').allInnerTexts()).toContain('Trains');
			const row = fig.locator('tbody tr', { has: page.locator('th', { hasText: 'Llama 2 7B' }) });
			expect(await row.innerText()).toContain('5.78 GB');
			expect(await row.innerText()).toContain('160M');
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('opens in the mode the URL names, and refuses an unknown one with a message', async () => {
		const good = await openPage(`${LESSON1}?memory=qlora`);
		try {
			expect(await good.page.getByRole('radio', { name: /^QLoRA/ }).isChecked()).toBe(true);
			expect(await fitting(good.page)).toBe(6);
			expect(await good.page.locator('#fig-growth').getByRole('status').count()).toBe(0);
		} finally {
			await good.close();
		}
		const bad = await openPage(`${LESSON1}?memory=halflora`);
		try {
			const status = bad.page.locator('#fig-growth').getByRole('status');
			expect(await status.innerText()).toMatch(/halflora/);
			expect(await bad.page.getByRole('radio', { name: /^Full fine-tuning/ }).isChecked()).toBe(
				true
			);
		} finally {
			await bad.close();
		}
	});

	for (const colorScheme of ['light', 'dark'] as const) {
		it(`passes axe in the LoRA and QLoRA modes, table open (${colorScheme})`, async () => {
			for (const mode of ['lora', 'qlora']) {
				const { page, close } = await openPage(`${LESSON1}?memory=${mode}`, { colorScheme });
				try {
					await page
						.locator('#fig-growth')
						.getByText('Data table and sources', { exact: true })
						.click();
					expect(await seriousA11yViolations(page)).toEqual([]);
				} finally {
					await close();
				}
			}
		});
	}
});

/** Tab from the top of the page until `target` has focus; false if it never does. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, max = 200) {
	for (let i = 0; i < max; i++) {
		await page.keyboard.press('Tab');
		if (await target.evaluate((el) => el === document.activeElement)) return true;
	}
	return false;
}

describe('predict, then run', () => {
	it('lesson 1: reveals what the figure shows only after a guess made from the keyboard', async () => {
		const { page, close } = await openPage(LESSON1);
		try {
			const box = page.locator('[data-predict="predict-growth"]');
			expect(await box.getByRole('radio').count()).toBe(4);
			expect(await box.locator('.answer').innerText()).toBe('');
			const first = box.getByRole('radio').first();
			expect(await tabTo(page, first)).toBe(true);
			await page.keyboard.press('Space');
			const answer = await box.locator('.answer').innerText();
			expect(answer).toContain('Your guess: Most of them');
			expect(answer).toContain('One: GPT-2');
			// The answer is a polite live region, read once.
			expect(await box.locator('.answer').getAttribute('aria-live')).toBe('polite');
		} finally {
			await close();
		}
	});

	it('lesson 2: "Skip and show me" reveals the answer and moves focus to it', async () => {
		const { page, close } = await openPage(LESSON2);
		try {
			const box = page.locator('[data-predict="predict-ladder"]');
			expect(await box.locator('.answer').innerText()).toBe('');
			const skip = box.getByRole('button', { name: 'Skip and show me' });
			expect(await tabTo(page, skip)).toBe(true);
			await page.keyboard.press('Enter');
			expect(await box.locator('.answer').innerText()).toContain('Along a curve that flattens');
			expect(await box.locator('.answer').evaluate((el) => el === document.activeElement)).toBe(
				true
			);
			expect(await box.locator('.answer .katex').count()).toBeGreaterThan(0);
		} finally {
			await close();
		}
	});
});

describe('exercises', () => {
	for (const [path, answer] of [
		[LESSON1, 'At 16 bytes per parameter'],
		[LESSON2, 'Chinchilla:']
	] as const) {
		it(`${path}: answers stay hidden until the reader opens one from the keyboard`, async () => {
			const { page, close } = await openPage(path);
			try {
				const section = page.getByRole('region', { name: 'Exercises' });
				expect(await section.locator('li.exercise').count()).toBe(3);
				// Placed before What to remember.
				const order = await page.evaluate(() => {
					const ex = document.getElementById('exercises');
					const wr = document.getElementById('what-to-remember');
					return ex && wr ? ex.compareDocumentPosition(wr) & Node.DOCUMENT_POSITION_FOLLOWING : 0;
				});
				expect(order).toBeTruthy();
				const first = section.locator('li.exercise').first();
				expect(await section.locator('.question .katex').count()).toBeGreaterThan(0);
				const text = first.getByText(answer);
				expect(await text.isVisible()).toBe(false);
				const summary = first.locator('summary');
				expect(await tabTo(page, summary)).toBe(true);
				await page.keyboard.press('Enter');
				expect(await text.isVisible()).toBe(true);
				expect(await first.locator('details').getAttribute('open')).not.toBeNull();
			} finally {
				await close();
			}
		});
	}
});
