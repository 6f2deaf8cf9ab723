/**
 * Kind to the machine, in real Chromium, on one load of the lab's digits figure: while it
 * trains, the screen reader's live region changes at most a couple of times in four seconds
 * though the visible summary changes many times, and says the summary once the run pauses; a
 * hidden tab stops the steps and showing it again resumes them; a fast drag of the rank slider
 * writes the URL a few times, not once per tick (the last value kept), and reconfigures the run
 * at most twice; and a client-side navigation away leaves no trainer worker running.
 *
 * Hiding is emulated: headless Chromium never hides a tab, so the test overrides
 * `document.visibilityState` and dispatches `visibilitychange`, which is what the trainer
 * client listens to.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, siteUrl, waitFor } from './browser';

const LAB = 'lab/?backend=wasm&steps=100000';

/** Counts, kept by the page: history.replaceState calls and `configure` requests to workers. */
function watch() {
	const w = window as unknown as { __machine: { replaced: number[]; configures: number } };
	w.__machine = { replaced: [], configures: 0 };
	const replace = history.replaceState;
	history.replaceState = function (...args: Parameters<History['replaceState']>) {
		w.__machine.replaced.push(performance.now());
		return replace.apply(this, args);
	};
	const post = Worker.prototype.postMessage;
	Worker.prototype.postMessage = function (this: Worker, ...args: [unknown, ...unknown[]]) {
		if ((args[0] as { type?: string })?.type === 'configure') w.__machine.configures++;
		return (post as (...a: unknown[]) => void).apply(this, args);
	};
}

const counts = (page: Page) =>
	page.evaluate(
		() => (window as unknown as { __machine: { replaced: number[]; configures: number } }).__machine
	);

/** Hide or show the tab as far as the page can tell. */
const setHidden = (page: Page, hidden: boolean) =>
	page.evaluate((h) => {
		if (h) {
			Object.defineProperty(document, 'visibilityState', {
				configurable: true,
				get: () => 'hidden'
			});
			Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
		} else {
			delete (document as unknown as Record<string, unknown>).visibilityState;
			delete (document as unknown as Record<string, unknown>).hidden;
		}
		document.dispatchEvent(new Event('visibilitychange'));
	}, hidden);

describe('kind to the machine', () => {
	it(
		'throttles its announcements, stops when hidden, coalesces a drag and ends its workers',
		{
			timeout: 90_000
		},
		async () => {
			const { page, log, close } = await openPage(LAB);
			try {
				await page.addInitScript(watch);
				await page.goto(siteUrl(LAB), { waitUntil: 'networkidle' });
				const fig = page.locator('#finetune-demo');
				const train = fig.getByRole('button', { name: 'Train', exact: true });
				const step = async () => Number(await fig.getByTestId('step').innerText());
				await waitFor(page, () => train.isEnabled());
				await train.click();
				await waitFor(page, async () => (await step()) > 0);

				// The visible summary follows every evaluation; the announced copy is held back.
				const changes = await page.evaluate(async () => {
					const shown = document.querySelector('#finetune-demo [data-testid="summary"]')!;
					const said = shown.nextElementSibling!;
					const count = { shown: 0, said: 0, live: shown.getAttribute('aria-live') };
					const o1 = new MutationObserver(() => count.shown++);
					const o2 = new MutationObserver(() => count.said++);
					const opts = { childList: true, characterData: true, subtree: true };
					o1.observe(shown, opts);
					o2.observe(said, opts);
					await new Promise((r) => setTimeout(r, 4000));
					o1.disconnect();
					o2.disconnect();
					return {
						...count,
						saidLive: said.getAttribute('aria-live'),
						saidHidden: said.classList.contains('visually-hidden')
					};
				});
				expect(changes.live).toBeNull();
				expect(changes.saidLive).toBe('polite');
				expect(changes.saidHidden).toBe(true);
				expect(changes.shown).toBeGreaterThanOrEqual(4);
				expect(changes.said).toBeLessThanOrEqual(2);

				// A hidden tab stops the steps; showing it resumes them.
				await setHidden(page, true);
				await waitFor(page, () => train.isVisible(), 10_000);
				const stopped = await step();
				await page.waitForTimeout(1500);
				expect(await step()).toBe(stopped);
				await setHidden(page, false);
				await waitFor(page, async () => (await step()) > stopped, 15_000);
				// While it trains the badge says so, with its speed.
				await waitFor(page, async () =>
					/^Training on WebAssembly · \d+ steps\/s$/.test(
						(await fig.locator('.badge .now').innerText()).trim()
					)
				);

				// The end of a run is announced promptly: the announced copy catches up with the summary.
				await fig.getByRole('button', { name: 'Pause' }).click();
				await waitFor(page, () => train.isVisible(), 10_000);
				const summary = fig.getByTestId('summary');
				const said = summary.locator('xpath=following-sibling::*[1]');
				await waitFor(
					page,
					async () => (await said.textContent()) === (await summary.textContent()),
					3000
				);
				expect(await said.textContent()).toMatch(/^After \d+ steps of LoRA/);

				// A fast drag across twelve ranks: few URL writes, the last rank kept, one or two configures.
				const slider = fig.getByRole('slider', { name: /LoRA rank/ });
				await slider.focus();
				const before = await counts(page);
				const t0 = await page.evaluate(() => performance.now());
				for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
				const t1 = await page.evaluate(() => performance.now());
				await waitFor(page, () => page.url().includes('rank=16'), 5000);
				const after = await counts(page);
				const writes = after.replaced.filter((t) => t >= t0);
				expect(writes.length).toBeGreaterThanOrEqual(1);
				// A burst of WRITE_BURST (3) at once, then at most one per 500 ms, and a trailing one.
				const span = Math.max(t1, writes.at(-1)!) - t0;
				expect(writes.length).toBeLessThanOrEqual(3 + Math.ceil(span / 500) + 1);
				expect(writes.length).toBeLessThan(12);
				const configures = after.configures - before.configures;
				expect(configures).toBeGreaterThanOrEqual(1);
				expect(configures).toBeLessThanOrEqual(2);

				// Leaving the page (a client-side navigation) terminates every trainer worker it started.
				expect(page.workers().length).toBeGreaterThan(0);
				await page.locator('a.brand').click();
				await waitFor(page, async () => new URL(page.url()).pathname.endsWith('/why-peft/'));
				await waitFor(page, () => page.workers().length === 0, 5000);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);
});
