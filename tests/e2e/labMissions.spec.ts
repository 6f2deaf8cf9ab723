/**
 * The lab's missions in real Chromium: four listed, none done on a fresh page; activating a
 * mission's link from the keyboard writes its start into the URL, makes its widget again with
 * those settings and moves focus to that figure; the divergence mission is met once a run the
 * guard stops is reported; axe finds nothing serious in either theme.
 */
import { describe, expect, it } from 'vitest';
import { openPage, seriousA11yViolations, waitFor } from './browser';

const LAB = 'lab/?backend=wasm';

describe('lab missions', () => {
	it('list four goals, none done yet, each with a link to its start', async () => {
		const { page, log, close } = await openPage(LAB);
		try {
			const missions = page.locator('li.mission');
			expect(await missions.count()).toBe(4);
			expect(await page.getByTestId('missions-done').innerText()).toBe('0 of 4 done.');
			// The lead points at them; they sit below the digits figure, which starts near the top.
			expect(await page.locator('.lead a[href="#missions-title"]').count()).toBe(1);
			const [fig, list] = await Promise.all(
				['#finetune-demo', 'section.missions'].map((s) =>
					page.locator(s).evaluate((e) => e.getBoundingClientRect().top)
				)
			);
			expect(fig).toBeLessThan(list);
			for (const m of await missions.all()) {
				expect(await m.getAttribute('data-met')).toBe('false');
				expect(await m.getByRole('link', { name: 'Set up this mission' }).count()).toBe(1);
			}
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('sets the digits widget up from the keyboard, through the URL', async () => {
		const { page, close } = await openPage(`${LAB}&rank=9&lm-rank=16`);
		try {
			const link = page
				.getByTestId('mission-drift-gap')
				.getByRole('link', { name: 'Set up this mission' });
			expect(await link.getAttribute('href')).toMatch(/task=permuted/);
			await link.focus();
			await page.keyboard.press('Enter');
			await waitFor(page, () => page.url().includes('task=permuted'));
			const url = new URL(page.url());
			expect(url.searchParams.get('method')).toBe('full');
			expect(url.searchParams.get('rank')).toBeNull();
			expect(url.searchParams.get('backend')).toBe('wasm');
			expect(url.searchParams.get('lm-rank')).toBe('16');
			const fig = page.locator('#finetune-demo');
			expect(await fig.getByLabel('Task').inputValue()).toBe('permuted');
			expect(await fig.getByRole('radio', { name: 'Full fine-tuning' }).isChecked()).toBe(true);
			expect(await page.evaluate(() => document.activeElement?.id)).toBe('finetune-demo-title');
		} finally {
			await close();
		}
	});

	it('sets the language model up, leaving the digits settings alone', async () => {
		const { page, close } = await openPage(`${LAB}&task=relabel`);
		try {
			await page
				.getByTestId('mission-lm-match')
				.getByRole('link', { name: 'Set up this mission' })
				.click();
			await waitFor(page, () => page.url().includes('lm-method=full'));
			const url = new URL(page.url());
			expect(url.searchParams.get('lm-lr')).toBe('0.001');
			expect(url.searchParams.get('task')).toBe('relabel');
			const fig = page.locator('#language-lab');
			expect(await fig.getByRole('radio', { name: 'Full fine-tuning' }).isChecked()).toBe(true);
			expect(await fig.getByLabel('Learning rate').inputValue()).toBe('0.001');
			expect(await page.evaluate(() => document.activeElement?.id)).toBe('language-lab-title');
		} finally {
			await close();
		}
	});

	it(
		'marks the divergence mission done when the guard stops a run',
		{ timeout: 120_000 },
		async () => {
			const { page, close } = await openPage(LAB);
			try {
				await page
					.getByTestId('mission-diverge')
					.getByRole('link', { name: 'Set up this mission' })
					.click();
				const fig = page.locator('#finetune-demo');
				const lr = fig.getByLabel('Learning rate');
				await lr.fill('10');
				await lr.press('Enter');
				await lr.dispatchEvent('change');
				const train = fig.getByRole('button', { name: 'Train' });
				await waitFor(page, async () => await train.isEnabled(), 90_000);
				await train.click();
				await waitFor(page, async () => (await fig.getByRole('alert').count()) > 0, 90_000);
				const mission = page.getByTestId('mission-diverge');
				await waitFor(page, async () => (await mission.getAttribute('data-met')) === 'true');
				expect(await page.getByTestId('mission-diverge-detail').innerText()).toMatch(
					/The digits model diverged at learning rate 10, step \d+, and the guard stopped it\./
				);
				expect(await page.getByTestId('missions-done').innerText()).toBe('1 of 4 done.');
			} finally {
				await close();
			}
		}
	);

	for (const colorScheme of ['light', 'dark'] as const) {
		it(`pass axe with no serious violation (${colorScheme})`, async () => {
			const { page, close } = await openPage(LAB, { colorScheme });
			try {
				await page.locator('section.missions').scrollIntoViewIfNeeded();
				expect(await seriousA11yViolations(page)).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});
