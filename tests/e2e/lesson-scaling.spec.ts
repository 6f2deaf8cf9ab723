/**
 * Lesson 2 in real Chromium: the budget slider by keyboard, readouts that follow the controls,
 * state in the URL both ways, bad URL values clamped with a message, data tables, the recorded
 * ladder shown by default, and a short live ladder that really trains in the worker on the
 * backend asked for, then fits a power law.
 */
import { describe, expect, it } from 'vitest';
import { openPage, waitFor } from './browser';
import { text, tableRows } from './read';
import recorded from '$lib/data/scalingLadder.json';

const LESSON = 'lessons/scaling-laws/';

describe('lesson 2: spend a budget', () => {
	it("reads out every law's allocation at Gopher's budget, and follows the keyboard slider", async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			expect(await text(page, 'budget-value')).toBe('5.76 × 10²³ FLOP');
			const rows = await tableRows(page, /How each law spends 5.76/);
			expect(rows.map((r) => r.slice(0, 3))).toEqual([
				['Chinchilla, unrounded fit', '40.4B', '2.38T'],
				['Chinchilla, rounded as printed', '32.2B', '2.98T'],
				['Besiroglu et al. refit', '72.2B', '1.33T'],
				['Kaplan et al. allocation', '804B', '119B']
			]);
			const before = await text(page, 'budget-summary');
			expect(before).toMatch(/40.4B parameters and 2.38T tokens/);

			const slider = page.getByRole('slider', { name: /Compute budget/ });
			await slider.focus();
			await page.keyboard.press('End');
			await slider.dispatchEvent('change');
			expect(await text(page, 'budget-value')).toBe('10²⁶ FLOP');
			await waitFor(page, () => page.url().includes('budget-flop=1e%2B26'));
			await page.keyboard.press('ArrowLeft');
			await slider.dispatchEvent('change');
			expect(await text(page, 'budget-value')).toBe('8.91 × 10²⁵ FLOP');
			expect(await text(page, 'budget-summary')).not.toBe(before);
			await page.keyboard.press('Home');
			await slider.dispatchEvent('change');
			expect(await text(page, 'budget-value')).toBe('10¹⁸ FLOP');
			expect(await text(page, 'budget-summary')).toMatch(/fits on a single 16 GB GPU/);

			const budgetFit = page.getByRole('group', { name: 'Curves from' });
			await budgetFit.getByRole('radio', { name: 'Besiroglu refit' }).check();
			await waitFor(page, () => page.url().includes('budget-fit=besiroglu'));
			expect(await text(page, 'budget-summary')).toMatch(/Besiroglu refit fit spends/);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('lesson 2: URL state', () => {
	it('restores every figure from the URL', async () => {
		const { page, close } = await openPage(
			`${LESSON}?budget-flop=1e22&budget-fit=chinchillaRounded&landscape-fit=kaplan&landscape-axis=tokens&ladder-steps=200&ladder-max-width=64`
		);
		try {
			expect(await text(page, 'budget-value')).toBe('10²² FLOP');
			const budgetFit = page.getByRole('group', { name: 'Curves from' });
			expect(await budgetFit.getByRole('radio', { name: 'Chinchilla (rounded)' }).isChecked()).toBe(
				true
			);
			const law = page.getByRole('group', { name: 'Law' });
			expect(await law.getByRole('radio', { name: 'Kaplan joint law' }).isChecked()).toBe(true);
			expect(await page.getByRole('radio', { name: 'training tokens D' }).isChecked()).toBe(true);
			expect(await text(page, 'landscape-summary')).toMatch(/Kaplan joint law.*training tokens/);
			expect(await page.getByLabel('Steps per model').inputValue()).toBe('200');
			expect(await page.getByLabel('Largest model').inputValue()).toBe('64');
			expect(await page.getByRole('status').count()).toBe(0);

			await page.getByRole('radio', { name: 'parameters N' }).check();
			await waitFor(page, () => !page.url().includes('landscape-axis'));
			expect(page.url()).toContain('landscape-fit=kaplan');
		} finally {
			await close();
		}
	});

	it('clamps bad values and says so', async () => {
		const { page, close } = await openPage(
			`${LESSON}?budget-flop=1e30&budget-fit=nope&landscape-fit=banana&ladder-steps=abc&ladder-max-width=7`
		);
		try {
			const notes = (await page.getByRole('status').allInnerTexts()).join(' ');
			expect(notes).toMatch(/1e30 is above the largest compute budget \(FLOP\), 1e\+26/);
			expect(notes).toMatch(/“nope” is not a fit; showing chinchilla \(unrounded\)/);
			expect(notes).toMatch(/“banana” is not a fit/);
			expect(notes).toMatch(/“abc” is not a number for steps per model; using 400/);
			expect(notes).toMatch(/“7” is not a largest width; showing width 256/);
			expect(await text(page, 'budget-value')).toBe('10²⁶ FLOP');
		} finally {
			await close();
		}
	});
});

describe('lesson 2: data tables and the recorded ladder', () => {
	it('lists the landmark models and shows the recorded ladder, labelled, by default', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			const landmarks = await tableRows(page, /Landmark models under/);
			expect(landmarks.map((r) => r[0])).toEqual([
				'GPT-3 175B',
				'Gopher 280B',
				'Chinchilla 70B',
				'Llama 2 70B',
				'Llama 3 70B'
			]);
			expect(landmarks[2].slice(1, 4)).toEqual(['70B', '1.4T', '20.0']);
			expect(await text(page, 'ladder-source')).toMatch(/recorded/i);
			// The recorded fit, exactly as the file gives it (its own test ties it to fitPowerLaw).
			const { a, b, c, r2 } = recorded.fit;
			expect(await text(page, 'ladder-fit')).toContain(
				`loss ≈ ${c.toFixed(3)} + ${a.toPrecision(3)}·N^(−${b.toFixed(2)}), R² = ${r2.toFixed(3)}`
			);
			const rungs = await tableRows(page, /Recorded ladder/);
			expect(rungs.map((r) => r[0])).toEqual(['2', '4', '8', '16', '32', '64', '128', '256']);
		} finally {
			await close();
		}
	});
});

describe('lesson 2: the live ladder', () => {
	it('trains a short ladder in the worker on wasm and fits it', { timeout: 180_000 }, async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?ladder-steps=40&ladder-max-width=16&ladder-backend=wasm`
		);
		try {
			await page.getByRole('button', { name: 'Run live' }).click();
			await waitFor(page, async () => /^Done/.test(await text(page, 'ladder-status')), 150_000);
			const source = page.getByTestId('ladder-source');
			expect(await source.innerText()).toMatch(/live/i);
			expect(await source.getAttribute('data-backend')).toBe('wasm');
			expect(await text(page, 'ladder-status')).toMatch(/Done: 4 models on wasm in [\d.]+ s/);
			expect(await text(page, 'ladder-fit')).toMatch(
				/Live fit.*N\^\(−\d\.\d\d\), R² = -?\d\.\d{3}/s
			);
			const rungs = await tableRows(page, /Live ladder/);
			expect(rungs.map((r) => r[0])).toEqual(['2', '4', '8', '16']);
			const losses = rungs.map((r) => Number(r[2]));
			expect(losses[3]).toBeLessThan(losses[0]);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('pauses and resumes', { timeout: 180_000 }, async () => {
		const { page, close } = await openPage(
			`${LESSON}?ladder-steps=3000&ladder-max-width=16&ladder-backend=wasm`
		);
		try {
			await page.getByRole('button', { name: 'Run live' }).click();
			const bar = page.locator('#fig-ladder progress');
			const done = () => bar.evaluate((el) => (el as HTMLProgressElement).value);
			await waitFor(page, async () => (await done()) > 0, 120_000);
			await page.getByRole('button', { name: 'Pause' }).click();
			await waitFor(page, async () => /^Paused/.test(await text(page, 'ladder-status')));
			const paused = await done();
			await page.waitForTimeout(600);
			expect(await done()).toBe(paused);
			await page.getByRole('button', { name: 'Resume' }).click();
			await waitFor(page, async () => (await done()) > paused);
		} finally {
			await close();
		}
	});
});
