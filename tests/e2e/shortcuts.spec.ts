/**
 * A live figure's keys and speed, on one load of the lab's digits fine-tune: Space starts and
 * pauses, S takes exactly one step, R resets, ? opens the help and Escape closes it (focus goes
 * back), keys typed into a field do nothing, and at "One step at a time" every update is one
 * step while at full speed updates carry many; axe passes with the help open in both themes.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, seriousA11yViolations, waitFor } from './browser';

const ID = 'finetune-demo';
const step = async (page: Page) =>
	Number(await page.locator(`#${ID} [data-testid="step"]`).innerText());

/** Collect every step count the figure shows from now on, in order. */
function watchSteps(page: Page) {
	return page.evaluate((id) => {
		const w = window as unknown as { seen: number[]; watcher?: MutationObserver };
		w.watcher?.disconnect();
		w.seen = [];
		const el = document.querySelector(`#${id} [data-testid="step"]`)!;
		w.watcher = new MutationObserver(() => w.seen.push(Number(el.textContent)));
		w.watcher.observe(el, { subtree: true, characterData: true, childList: true });
	}, ID);
}
const seen = (page: Page) =>
	page.evaluate(() => (window as unknown as { seen: number[] }).seen.slice());
/** The largest rise between two step counts shown one after the other. */
const largestRise = (xs: number[]) => Math.max(...xs.slice(1).map((x, i) => x - xs[i]));

describe('keys and speed of a live figure', () => {
	it(
		'Space, S, R, ? and the speed control work inside the figure, never while typing',
		{
			timeout: 120_000
		},
		async () => {
			const { page, log, close } = await openPage('lab/?steps=5000');
			try {
				const fig = page.locator(`#${ID}`);
				const train = fig.getByRole('button', { name: 'Train', exact: true });
				await waitFor(page, () => train.isEnabled(), 60_000);
				// The figure's live row loads as the figure nears the screen (here, at once).
				await waitFor(page, () => fig.getByTestId('live-bar').isVisible());
				expect(await fig.getByTestId('live-bar').innerText()).toMatch(
					/Space · S · R\s*\? for keys/
				);

				// A click on the figure's title gives the figure focus; Space starts, Space pauses.
				await fig.locator('h3').click();
				expect(await page.evaluate(() => document.activeElement?.id)).toBe(ID);
				await page.keyboard.press('Space');
				await waitFor(page, async () => (await step(page)) > 0);
				await page.keyboard.press('Space');
				await waitFor(page, () => train.isVisible());
				const paused = await step(page);

				// S: exactly one step on from where the pause left it, so training has stopped.
				await page.keyboard.press('s');
				await waitFor(page, async () => (await step(page)) !== paused);
				expect(await step(page)).toBe(paused + 1);

				// R: back to step 0.
				await page.keyboard.press('r');
				await waitFor(page, async () => (await step(page)) === 0);

				// ?: the help, as a dialog; Escape closes it and focus goes back to the figure.
				await page.keyboard.press('?');
				const help = page.getByRole('dialog', { name: 'Keys for this figure' });
				await waitFor(page, () => help.isVisible());
				for (const scheme of ['light', 'dark'] as const) {
					await page.emulateMedia({ colorScheme: scheme });
					expect(await seriousA11yViolations(page)).toEqual([]);
				}
				await page.keyboard.press('Escape');
				await waitFor(page, async () => !(await help.isVisible()));
				expect(await page.evaluate(() => document.activeElement?.id)).toBe(ID);

				// Typed into a field of the figure, the same keys do nothing: the S after them, on the
				// figure, is the first step (a step or a run from the field would have made it more).
				const field = fig.getByRole('spinbutton', { name: 'Step limit' });
				await field.focus();
				await page.keyboard.press('s');
				await page.keyboard.press('Space');
				await page.keyboard.press('r');
				await fig.locator('h3').click();
				await page.keyboard.press('s');
				await waitFor(page, async () => (await step(page)) > 0);
				expect(await step(page)).toBe(1);
				expect(await field.inputValue()).toBe('5000');

				// One step at a time: every update is a single step. At full speed, updates carry many.
				const speed = fig.getByRole('combobox', { name: 'Speed' });
				await speed.selectOption('one');
				await watchSteps(page);
				await fig.locator('h3').click();
				await page.keyboard.press('Space');
				await waitFor(page, async () => (await seen(page)).length >= 4);
				await page.keyboard.press('Space');
				await waitFor(page, () => train.isVisible());
				const slow = await seen(page);
				expect(largestRise(slow)).toBe(1);
				await speed.selectOption('normal');
				await watchSteps(page);
				await fig.locator('h3').click();
				await page.keyboard.press('Space');
				await waitFor(page, async () => (await seen(page)).length >= 4);
				await page.keyboard.press('Space');
				expect(largestRise(await seen(page))).toBeGreaterThan(1);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);
});
