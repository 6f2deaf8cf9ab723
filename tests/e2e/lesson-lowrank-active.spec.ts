/**
 * Lesson 4's active reading in real Chromium: the "Predict, then run" box before the spectrum
 * figure hides its answer until a guess is chosen by keyboard, then shows the recorded numbers
 * and the guess; the one before the rank figure answers on "Skip and show me"; the exercises keep
 * their answers closed until "Show the answer" is opened from the keyboard; the glossary and lab
 * links lead to pages and anchors that exist; and axe finds nothing serious in either theme with
 * the answers open.
 */
import { describe, expect, it } from 'vitest';
import { openPage, seriousA11yViolations, siteUrl } from './browser';

const LESSON = 'lessons/low-rank-updates/';

describe('lesson 4, predict then run', () => {
	it('reveals the spectrum answer only after a guess made by keyboard', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const box = page.locator('aside.predict', { hasText: 'hold 90% of the energy' });
			await box.scrollIntoViewIfNeeded();
			expect(await box.innerText()).not.toContain('17 of the 128 directions');
			const first = box.getByRole('radio', { name: '1 to 4' });
			await first.focus();
			await page.keyboard.press('ArrowRight');
			expect(await box.getByRole('radio', { name: '5 to 30' }).isChecked()).toBe(true);
			const answer = box.locator('.answer');
			expect(await answer.innerText()).toContain('Your guess: 5 to 30');
			expect(await answer.innerText()).toContain('needed 17 of the 128 directions');
			expect(await answer.innerText()).toContain('needs 66');
			expect(await answer.getAttribute('aria-live')).toBe('polite');
			// It stands before the figure it asks about.
			const [boxTop, figTop] = await Promise.all([
				box.evaluate((e) => e.getBoundingClientRect().top + scrollY),
				page.locator('#fig-spectrum').evaluate((e) => e.getBoundingClientRect().top + scrollY)
			]);
			expect(boxTop).toBeLessThan(figTop);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('answers the rank question on Skip and show me, from the keyboard', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			const box = page.locator('aside.predict', { hasText: 'From which rank' });
			const skip = box.getByRole('button', { name: 'Skip and show me' });
			await skip.focus();
			await page.keyboard.press('Enter');
			const answer = await box.locator('.answer').innerText();
			expect(answer).toMatch(/^From rank 16\./);
			expect(answer).toContain('3.1 points behind at rank 8');
			expect(await skip.count()).toBe(0);
		} finally {
			await close();
		}
	});
});

describe('lesson 4, exercises', () => {
	it('keep three answers closed until opened from the keyboard', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			const ex = page.locator('section.exercises');
			expect(await ex.getByRole('heading', { name: 'Exercises' }).count()).toBe(1);
			const items = ex.locator('li.exercise');
			expect(await items.count()).toBe(3);
			const details = items.first().locator('details');
			expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
			expect(await items.first().locator('.answer').isVisible()).toBe(false);
			await items.first().locator('summary').focus();
			await page.keyboard.press('Enter');
			expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
			expect(await items.first().locator('.answer').innerText()).toContain('at rank 17');
			// The exercises come before the What to remember box.
			const order = await page.evaluate(() => {
				const e = document.querySelector('section.exercises')!;
				const t = [...document.querySelectorAll('h2')].find((h) =>
					/What to remember/.test(h.textContent ?? '')
				)!;
				return e.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING;
			});
			expect(order).toBeTruthy();
		} finally {
			await close();
		}
	});
});

describe('lesson 4, links', () => {
	it('points at glossary entries and the lab that exist', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			const hrefs = await page
				.locator('article a[href*="glossary/#"], article a[href$="lab/"]')
				.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
			const glossary = hrefs.filter((h) => h.includes('/glossary/#'));
			expect(glossary.length).toBeGreaterThanOrEqual(15);
			for (const id of ['stable-rank', 'effective-rank', 'energy', 'delta-w', 'lora']) {
				expect(glossary).toContain(siteUrl(`glossary/#${id}`));
			}
			expect(hrefs).toContain(siteUrl('lab/'));
			const other = await page.context().newPage();
			await other.goto(siteUrl('glossary/'));
			for (const h of new Set(glossary)) {
				const id = new URL(h).hash.slice(1);
				expect(await other.locator(`[id="${id}"]`).count(), id).toBe(1);
			}
			await other.goto(siteUrl('lab/'));
			expect(await other.getByRole('heading', { level: 1 }).innerText()).toMatch(/lab/i);
		} finally {
			await close();
		}
	});
});

describe('lesson 4, active reading in both themes', () => {
	for (const colorScheme of ['light', 'dark'] as const) {
		it(`passes axe with answers shown (${colorScheme})`, async () => {
			const { page, close } = await openPage(LESSON, { colorScheme });
			try {
				// Each box's button goes once it is pressed, so press the first one left until none is.
				const skip = page.getByRole('button', { name: 'Skip and show me' });
				expect(await skip.count()).toBe(2);
				while ((await skip.count()) > 0) await skip.first().click();
				for (const s of await page.locator('section.exercises summary').all()) await s.click();
				expect(await seriousA11yViolations(page)).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});
