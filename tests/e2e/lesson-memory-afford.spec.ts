/**
 * Lesson 3 in real Chromium, the parts added for issue 20: the calculator's inverse question
 * (budget and method in the URL as `calc-budget`, `calc-ask`; the answer the same as `afford.ts`
 * computes; "Nothing fits" said plainly; the budget drawn on the chart), the custom model from
 * the keyboard, a seeded fuzz of hostile `calc-*` URLs (no uncaught error such as Svelte's
 * each_key_duplicate, no NaN shown), the Predict box and the exercises from the keyboard, the
 * method schematic's text alternative, and axe in both themes.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '$lib/math/memory';
import { affordable, affordSentences } from '../../lessons/03-what-fine-tuning-costs/afford';
import { openPage, seriousA11yViolations, waitFor } from './browser';

const LESSON = 'lessons/what-fine-tuning-costs/';
const LIMITS = { rank: 1024, batch: 1024, seq: 131_072 };
const query = (page: Page) => new URL(page.url()).searchParams;

/** The sentences `afford.ts` gives for a preset, a setup and a budget in GB. */
function expected(preset: string, setup: Parameters<typeof affordable>[1], gb: number): string[] {
	const arch = MODEL_PRESETS[preset];
	const a = affordable(arch, setup, gb * 1e9, LIMITS);
	if ('issues' in a) throw new Error(a.issues.join('; '));
	return affordSentences(a, arch.name ?? preset, {
		rank: setup.rank ?? 8,
		batch: setup.batchSize ?? 1,
		seq: setup.seqLen ?? 512
	});
}

const answerOf = async (page: Page) =>
	(await page.locator('#calculator').getByTestId('calc-afford').innerText()).trim();

describe('the inverse question', () => {
	it('answers for the default, follows budget and method through the URL, and says when nothing fits', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const calc = page.locator('#calculator');
			const lora24 = expected('llama-2-7b', { method: 'lora', rank: 8, seqLen: 512 }, 24);
			await waitFor(page, async () => (await answerOf(page)) === lora24.join('\n\n'));
			// The boundary the page prints is the search's: rank 822 fits 24 GB and 823 does not.
			expect(lora24[1]).toMatch(
				/^Largest rank at 1 × 512 tokens: \d+ \(rank \d+ would need 24\.\d+ GB\)\.$/
			);
			expect(
				await calc.getByRole('heading', { name: 'With 24 GB, what can I afford?' }).count()
			).toBe(1);
			expect(await calc.locator('.mark text', { hasText: '24 GB budget' }).count()).toBe(1);

			// From the keyboard: a 16 GB budget, then QLoRA.
			const budget = calc.getByLabel('Memory per device (GB)');
			await budget.focus();
			await page.keyboard.press('Control+A');
			await page.keyboard.type('16');
			await page.keyboard.press('Enter');
			await waitFor(page, () => query(page).get('calc-budget') === '16');
			await calc.getByLabel('Method', { exact: true }).selectOption('qlora');
			await waitFor(page, () => query(page).get('calc-ask') === 'qlora');
			const qlora16 = expected(
				'llama-2-7b',
				{ method: 'qlora', rank: 8, targets: ['q', 'v'], seqLen: 512 },
				16
			);
			await waitFor(page, async () => (await answerOf(page)) === qlora16.join('\n\n'));
			expect(await calc.locator('.mark text', { hasText: '16 GB budget' }).count()).toBe(1);
			expect(await calc.getByTestId('calc-summary').innerText()).toMatch(
				/1 of the 8 methods drawn fit in 16 GB\./
			);
			expect(await calc.locator('[data-row="full"] text').first().textContent()).toMatch(
				/over 16 GB/
			);

			// Full fine-tuning of a 7B model in 16 GB: nothing fits, said once, plainly.
			await calc.getByLabel('Method', { exact: true }).selectOption('full');
			await waitFor(page, async () => (await answerOf(page)).startsWith('Nothing fits'));
			expect(await answerOf(page)).toBe(
				expected('llama-2-7b', { method: 'full', seqLen: 512 }, 16)[0]
			);
			expect(await answerOf(page)).toMatch(
				/needs 108 GB per device even for one sequence of one token/
			);

			// The same URL in a fresh page gives the same answer.
			const again = await openPage(page.url().replace(/^.*?\/lessons\//, 'lessons/'));
			try {
				await waitFor(again.page, async () =>
					(await answerOf(again.page)).startsWith('Nothing fits')
				);
				expect(await again.page.getByLabel('Memory per device (GB)').inputValue()).toBe('16');
			} finally {
				await again.close();
			}
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('clamps a bad budget and method with a message, and never shows NaN', async () => {
		const { page, log, close } = await openPage(`${LESSON}?calc-budget=-3&calc-ask=dora`);
		try {
			const calc = page.locator('#calculator');
			await waitFor(page, async () =>
				(await calc.getByTestId('calc-messages').innerText()).includes('dora')
			);
			const notes = await calc.getByTestId('calc-messages').innerText();
			expect(notes).toMatch(/-3 is below the smallest memory budget in GB, 1; using 1\./);
			expect(notes).toMatch(/“dora” is not a method; showing lora\./);
			expect(await answerOf(page)).toMatch(/^Nothing fits: LoRA of Llama 2 7B needs/);
			// Typed input is clamped the same way.
			await calc.getByLabel('Memory per device (GB)').fill('1e9');
			await calc.getByLabel('Memory per device (GB)').press('Enter');
			await waitFor(page, () => query(page).get('calc-budget') === '100000');
			expect(await calc.getByTestId('calc-messages').innerText()).toMatch(
				/above the largest memory budget in GB/
			);
			expect(await answerOf(page)).toMatch(/Every rank up to 1,024 fits/);
			expect(await calc.innerText()).not.toMatch(/NaN|Infinity|undefined/);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('the custom model', () => {
	it('is built from labelled fields, kept in the URL, and searched like a preset', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const calc = page.locator('#calculator');
			await calc.getByLabel('Model', { exact: true }).selectOption('custom');
			await waitFor(page, () => query(page).get('calc-model') === 'custom');
			for (const [label, value] of [
				['Hidden size d', '2048'],
				['Layers', '24'],
				['Heads', '16'],
				['Key/value heads', '4'],
				['MLP width', '5632']
			]) {
				const field = calc.getByLabel(label, { exact: true });
				await field.focus();
				await page.keyboard.press('Control+A');
				await page.keyboard.type(value);
				await page.keyboard.press('Tab');
			}
			await waitFor(page, () => query(page).get('calc-ff') === '5632');
			expect(
				Object.fromEntries([...query(page)].filter(([k]) => k.startsWith('calc-')))
			).toMatchObject({
				'calc-d': '2048',
				'calc-layers': '24',
				'calc-heads': '16',
				'calc-kv': '4'
			});
			// The rank is capped by the smallest adapted matrix: W_v is 2048 × (4 heads · 128) = 512 wide.
			await calc.getByLabel('Rank r').fill('1024');
			await calc.getByLabel('Rank r').press('Enter');
			await waitFor(page, async () =>
				(await calc.getByTestId('calc-messages').innerText()).includes('LoRA is not drawn')
			);
			await waitFor(page, async () =>
				/is not a setup the memory model accepts/.test(await answerOf(page))
			);
			expect(await answerOf(page)).toMatch(/Every rank up to 512 fits/);
			await calc.getByLabel('Rank r').fill('8');
			await calc.getByLabel('Rank r').press('Enter');
			await waitFor(page, async () => /Every rank up to 512 fits/.test(await answerOf(page)));
			expect(await answerOf(page)).toMatch(/^LoRA of your model as set \(rank 8, 1 × 512 tokens\)/);
			// A model that cannot be built: a message, no bars, and no search.
			await calc.getByLabel('Heads', { exact: true }).fill('3');
			await calc.getByLabel('Heads', { exact: true }).press('Enter');
			await waitFor(page, async () => (await calc.locator('[data-row]').count()) === 0);
			expect(await answerOf(page)).toMatch(/cannot be set up on your model/);
			expect(await calc.innerText()).not.toMatch(/NaN|Infinity|undefined/);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('hostile calc-* URLs (seeded)', () => {
	it('never throw, never log an error and never show NaN', { timeout: 240_000 }, async () => {
		const params = [
			'calc-model',
			'calc-rank',
			'calc-targets',
			'calc-batch',
			'calc-seq',
			'calc-ckpt',
			'calc-flash',
			'calc-precision',
			'calc-optimizer',
			'calc-zero',
			'calc-devices',
			'calc-budget',
			'calc-ask',
			'calc-d',
			'calc-layers',
			'calc-heads',
			'calc-kv',
			'calc-ff',
			'calc-vocab',
			'calc-gated',
			'calc-tied'
		];
		const values = [
			'',
			'0',
			'-1',
			'2.5',
			'1e9',
			'NaN',
			'Infinity',
			'<b>x</b>',
			'__proto__',
			'٣',
			'q,q,zz',
			'custom',
			'full',
			'3'
		];
		let seed = 20;
		const rand = (n: number) => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed % n;
		};
		// The first state is the one that threw each_key_duplicate: two values that each read
		// "2.5 is not a whole number; using 3."
		const states = ['calc-batch=2.5&calc-rank=2.5'];
		for (let i = 0; i < 40; i++) {
			const q = new URLSearchParams();
			if (rand(2)) q.append('calc-model', 'custom');
			for (let k = 0; k < 2 + rand(7); k++)
				q.append(params[rand(params.length)], values[rand(values.length)]);
			states.push(q.toString());
		}
		const { page, log, close } = await openPage(LESSON);
		try {
			for (const state of states) {
				await page.goto(`${page.url().split('?')[0]}?${state}`);
				await page.locator('#calculator [data-testid="calc-afford"] p').first().waitFor();
				const text = await page.locator('#calculator').innerText();
				expect(text, state).not.toMatch(/NaN|Infinity;|undefined|<b>/);
				expect(log.consoleErrors, state).toEqual([]);
			}
		} finally {
			await close();
		}
	});
});

describe('active reading', () => {
	it('reveals the Predict answer after a guess from the keyboard, and the exercises’ answers on request', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const box = page.locator('aside.predict');
			expect(await box.innerText()).not.toMatch(/17\.2 GB/);
			await box.getByRole('radio').first().focus();
			await page.keyboard.press('ArrowDown');
			await waitFor(page, async () =>
				/17\.2 GB against full fine-tuning['’]s 111 GB/.test(await box.innerText())
			);
			expect(await box.innerText()).toMatch(/Your guess: About 17 GB/);
			// The guess comes before the figure that answers it.
			const order = await page.evaluate(() => {
				const p = document.querySelector('aside.predict')!;
				const c = document.getElementById('calculator')!;
				return p.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING;
			});
			expect(order).toBeTruthy();

			const ex = page.locator('section.exercises');
			expect(await ex.locator('li.exercise').count()).toBe(3);
			const first = ex.locator('details').first();
			expect(await first.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
			await ex.getByText('Show the answer').first().focus();
			await page.keyboard.press('Enter');
			await waitFor(page, () => first.evaluate((d) => (d as HTMLDetailsElement).open));
			expect(await first.innerText()).toMatch(/39,976,960/);
			// The exercises sit before the closing What to remember box.
			const before = await page.evaluate(() => {
				const e = document.querySelector('section.exercises')!;
				const t = [...document.querySelectorAll('h2')].find((h) =>
					/remember/i.test(h.textContent ?? '')
				)!;
				return Boolean(e.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
			});
			expect(before).toBe(true);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('gives the method schematic a text alternative that names every method', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			const svg = page.locator('#peft-sites svg');
			expect(await svg.getAttribute('role')).toBe('img');
			const desc = (await page.locator('#peft-sites desc').textContent())?.replace(/\s+/g, ' ');
			for (const m of [
				'Prompt tuning',
				'Prefix tuning',
				'LoRA',
				'(IA)³',
				'Adapters',
				'BitFit',
				'Full fine-tuning'
			]) {
				expect(desc).toContain(m);
			}
			expect(
				await page.locator('table', { hasText: 'Trains, and where' }).locator('tbody tr').count()
			).toBe(8);
		} finally {
			await close();
		}
	});
});

describe('lesson 3 passes axe with the new parts open', () => {
	for (const colorScheme of ['light', 'dark'] as const) {
		it(`with no serious violation (${colorScheme})`, async () => {
			const { page, close } = await openPage(`${LESSON}?calc-ask=full&calc-model=custom`, {
				colorScheme
			});
			try {
				await waitFor(page, async () => (await answerOf(page)).length > 0);
				await page.locator('aside.predict').getByRole('radio').first().check();
				await page.locator('section.exercises summary').first().click();
				await page.locator('#peft-sites').scrollIntoViewIfNeeded();
				expect(await seriousA11yViolations(page)).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});
