/**
 * "Try it at home" in lessons 3–6 as a reader meets it: each lesson shows its snippet in a
 * section before its closing one, the code on the page is the snippet file exactly, and the Copy
 * button has an accessible name, is reached and pressed from the keyboard, puts the exact code
 * on the clipboard and says "Copied" politely. Without a Clipboard API (a page served over plain
 * HTTP) the button selects the code and says how to copy it instead.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openPage } from './browser';

const LESSONS = [
	['lessons/what-fine-tuning-costs/', 'lessons/03-what-fine-tuning-costs'],
	['lessons/low-rank-updates/', 'lessons/04-low-rank-updates'],
	['lessons/when-peft-works/', 'lessons/05-when-peft-works'],
	['lessons/when-peft-fails/', 'lessons/06-when-peft-fails']
] as const;

const CLIPBOARD = { permissions: ['clipboard-read', 'clipboard-write'] };

describe.each(LESSONS)('/%s', (path, folder) => {
	const code = readFileSync(`${folder}/try_at_home.py`, 'utf8');

	it('shows its snippet before the closing section, exactly as the file has it', async () => {
		const { page, log, close } = await openPage(path);
		try {
			const headings = await page.locator('article h2, main h2').allInnerTexts();
			const at = headings.findIndex((h) => /^Try it at home/.test(h));
			expect(at).toBeGreaterThan(0);
			expect(at).toBeLessThan(headings.length - 1);
			const block = page.getByTestId('try-at-home');
			expect(await block.count()).toBe(1);
			expect(await block.locator('pre').textContent()).toBe(code);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('copies the exact code from the keyboard and announces it', async () => {
		const { page, close } = await openPage(path, CLIPBOARD);
		try {
			const block = page.getByTestId('try-at-home');
			const button = block.getByRole('button', { name: /^Copy code: \S/ });
			// Its visible text is "Copy"; the rest of its name is for screen readers only.
			expect(await button.evaluate((b) => b.firstChild?.textContent)).toBe('Copy');
			// The code is a named region a keyboard can reach, so long lines can be scrolled.
			const pre = block.getByRole('region', { name: /\S/ });
			expect(await pre.evaluate((p) => p.tagName)).toBe('PRE');
			// The code region is the next stop after the button, so Shift+Tab from it reaches the button.
			await pre.focus();
			await page.keyboard.press('Shift+Tab');
			expect(await button.evaluate((b) => b === document.activeElement)).toBe(true);
			await page.keyboard.press('Enter');
			const status = block.getByTestId('copy-status');
			expect(await status.getAttribute('aria-live')).toBe('polite');
			await status.filter({ hasText: 'Copied' }).waitFor({ timeout: 5_000 });
			expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
			await page.keyboard.press('Tab');
			expect(await pre.evaluate((p) => p === document.activeElement)).toBe(true);
		} finally {
			await close();
		}
	});
});

describe('without a Clipboard API', () => {
	it('selects the code and says how to copy it', async () => {
		const [path, folder] = LESSONS[0];
		const { page, close } = await openPage(path);
		try {
			await page.evaluate(() =>
				Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true })
			);
			const block = page.getByTestId('try-at-home');
			await block.getByRole('button', { name: /^Copy code/ }).click();
			await block.getByTestId('copy-status').filter({ hasText: 'Could not copy' }).waitFor();
			const selected = await page.evaluate(() => window.getSelection()?.toString());
			// A selection's text leaves out the file's final newline, which a <pre> does not render.
			expect(selected).toBe(readFileSync(`${folder}/try_at_home.py`, 'utf8').replace(/\n$/, ''));
		} finally {
			await close();
		}
	});
});
