/**
 * Lesson 4's two intuition figures in real Chromium. Figure 3, the LoRA picture: its rank slider
 * moves by keyboard and the count r·(d + k) follows, 0.39% of a 4,096 × 4,096 matrix at r = 8.
 * Figure 1, the instant explorable: the digits load, the SVD is taken once, and the keyboard moves
 * k; the error falls as k rises and reaches zero at full rank, the drawn copy changes with it, the
 * numbers are those the picture's own singular values give (computed here in Node from the
 * shipped file), k round-trips through the URL, bad URL values are clamped with a message, and
 * axe finds nothing serious in either theme.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, seriousA11yViolations, waitFor } from './browser';
import { text } from './read';
import { svd } from '$lib/math/svd';
import { parseDigits } from '$lib/model/data/digits';
import { copyStats, digitMosaic } from '../../lessons/04-low-rank-updates/lowRankPicture';

const LESSON = 'lessons/low-rank-updates/';
const S = svd(
	digitMosaic(parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin'))).x),
	96,
	96
).S;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const percent = (s: string) => Number(s.replace('%', ''));

/** Scroll the explorable into view and wait until its digits are loaded and decomposed. */
async function ready(page: Page) {
	await page.locator('#fig-copy').scrollIntoViewIfNeeded();
	await waitFor(page, async () => !(await text(page, 'copy-sentence')).startsWith('Loading'));
}

/** Mean absolute difference, 0–255, between the picture's canvas and the copy's. */
function canvasGap(page: Page): Promise<number> {
	return page.evaluate(() => {
		const [a, b] = [...document.querySelectorAll<HTMLCanvasElement>('#fig-copy canvas')].map(
			(c) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
		);
		let sum = 0;
		for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]);
		return sum / (a.length / 4);
	});
}

describe('lesson 4, figure 3: the LoRA picture', () => {
	it('draws W₀, B and A, and its rank slider moves by keyboard with r·(d + k) beside it', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const fig = page.locator('#fig-lora');
			await fig.scrollIntoViewIfNeeded();
			expect(await fig.getByRole('heading').innerText()).toMatch(/^Figure 3\. LoRA/);
			const picture = page.getByTestId('lora-picture');
			expect(await picture.getAttribute('role')).toBe('img');
			expect(await picture.getAttribute('aria-label')).toMatch(
				/W₀, 4,096 × 4,096.*B, 4,096 × 8.*A, 8 × 4,096.*65,536 trainable numbers, 0\.39%/
			);
			expect(await text(page, 'lora-rank')).toBe('r = 8');
			expect(await text(page, 'lora-share')).toBe('0.39%');
			expect(await page.getByTestId('lora-count').getAttribute('data-trainable')).toBe('65536');

			const slider = page.getByRole('slider', { name: 'Rank r of B and A' });
			const widthOfB = () =>
				picture
					.locator('rect.trained')
					.first()
					.evaluate((r) => r.getBoundingClientRect().width);
			const thin = await widthOfB();
			await slider.focus();
			await page.keyboard.press('ArrowRight');
			expect(await text(page, 'lora-rank')).toBe('r = 16');
			expect(await page.getByTestId('lora-count').getAttribute('data-trainable')).toBe(
				String(16 * 8192)
			);
			expect(await text(page, 'lora-share')).toBe('0.78%');
			await page.keyboard.press('End');
			expect(await text(page, 'lora-rank')).toBe('r = 1024');
			expect(await text(page, 'lora-share')).toBe('50.00%');
			expect(await picture.getAttribute('data-rank')).toBe('1024');
			// To scale: at r = 1024, B is a quarter as wide as W₀.
			const wide = await widthOfB();
			const w0 = await picture
				.locator('rect.frozen')
				.evaluate((r) => r.getBoundingClientRect().width);
			expect(wide).toBeGreaterThan(thin * 10);
			expect(wide / w0).toBeCloseTo(0.25, 2);
			await page.keyboard.press('Home');
			expect(await text(page, 'lora-rank')).toBe('r = 1');
			expect(await text(page, 'lora-share')).toBe('0.049%');
			expect(await slider.getAttribute('aria-valuetext')).toBe(
				'rank 1: 8,192 trainable numbers, 0.049% of the matrix'
			);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('lesson 4, figure 1: the best rank-k copy, instantly', () => {
	it('moves k by keyboard: the error falls to zero at full rank, the copy redraws, the URL follows', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			await ready(page);
			expect(await page.locator('#fig-copy').getByRole('heading').innerText()).toMatch(
				/^Figure 1\. The best rank-k copy/
			);
			expect(await text(page, 'copy-k')).toBe('k = 8');
			expect(await text(page, 'copy-energy')).toBe(pct(copyStats(S, 8, 96, 96).energy));
			expect(await text(page, 'copy-error')).toBe(pct(copyStats(S, 8, 96, 96).error));
			expect(await text(page, 'copy-stored')).toBe('1,536 of 9,216');
			expect(await page.locator('#fig-copy').innerText()).toContain('rank 79');

			const slider = page.getByRole('slider', { name: 'Rank k of the copy' });
			await slider.focus();
			await page.keyboard.press('Home');
			expect(await text(page, 'copy-k')).toBe('k = 0');
			expect(await text(page, 'copy-error')).toBe('100.0%');
			const blank = await canvasGap(page);
			let last = 100;
			for (let k = 1; k <= 12; k++) {
				await page.keyboard.press('ArrowRight');
				expect(await text(page, 'copy-k')).toBe(`k = ${k}`);
				const error = percent(await text(page, 'copy-error'));
				expect(error).toBeLessThanOrEqual(last);
				expect(await text(page, 'copy-error')).toBe(pct(copyStats(S, k, 96, 96).error));
				last = error;
			}
			expect(last).toBeLessThan(40);
			const at12 = await canvasGap(page);
			expect(at12).toBeLessThan(blank);
			await page.keyboard.press('End');
			expect(await text(page, 'copy-k')).toBe('k = 96');
			expect(await text(page, 'copy-error')).toBe('0.0%');
			expect(await text(page, 'copy-energy')).toBe('100.0%');
			expect(await canvasGap(page)).toBeLessThan(0.5);
			expect(await text(page, 'copy-sentence')).toMatch(
				/^At k = 96, the copy keeps 100\.0% of the picture's energy; its relative error is 0\.0%/
			);
			expect(await slider.getAttribute('aria-valuetext')).toBe(
				'k = 96: error 0.0%, energy kept 100.0%'
			);
			await waitFor(page, () => page.url().includes('copy-k=96'));
			// The default is left out of the URL.
			await page.keyboard.press('Home');
			for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
			await waitFor(page, () => !page.url().includes('copy-k'));
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('restores k from the URL', async () => {
		const { page, close } = await openPage(`${LESSON}?copy-k=24`);
		try {
			await ready(page);
			expect(await text(page, 'copy-k')).toBe('k = 24');
			const stats = copyStats(S, 24, 96, 96);
			expect(await text(page, 'copy-energy')).toBe(pct(stats.energy));
			expect(await text(page, 'copy-error')).toBe(pct(stats.error));
			expect(await text(page, 'copy-messages')).toBe('');
			expect(await page.getByRole('slider', { name: 'Rank k of the copy' }).inputValue()).toBe(
				'24'
			);
		} finally {
			await close();
		}
	});

	for (const [raw, k, message] of [
		['500', 96, /500 is above the largest rank k, 96; using 96/],
		['-3', 0, /-3 is below the smallest rank k, 0; using 0/],
		['abc', 8, /“abc” is not a number for rank k; using 8/],
		['2.6', 3, /2\.6 is not a whole number; using 3/]
	] as const) {
		it(`clamps copy-k=${raw} to ${k} and says so`, async () => {
			const { page, log, close } = await openPage(`${LESSON}?copy-k=${raw}`);
			try {
				await ready(page);
				expect(await text(page, 'copy-messages')).toMatch(message);
				expect(await text(page, 'copy-k')).toBe(`k = ${k}`);
				expect(await text(page, 'copy-error')).toBe(pct(copyStats(S, k, 96, 96).error));
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});

describe('lesson 4: the intuition figures pass axe', () => {
	for (const colorScheme of ['light', 'dark'] as const) {
		it(`with no serious violation (${colorScheme})`, async () => {
			const { page, close } = await openPage(LESSON, { colorScheme });
			try {
				await ready(page);
				await page.locator('#fig-lora').scrollIntoViewIfNeeded();
				expect(await seriousA11yViolations(page)).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});
