/**
 * Lessons 5 and 6's "Predict, then run" boxes and exercises: every number they print is the
 * recorded grid's (shiftLab.json), and every worked share is both the arithmetic on the rounded
 * numbers the question gives and the share the figure's table prints from the unrounded ones. Also
 * that each lesson has its prediction before its main figure and its exercises before What to
 * remember, and that glossary links and lab links point where they should.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import recorded from '$lib/data/shiftLab.json';
import { gainShare, indexCells, pct, share, type Cell } from '$lib/widgets/shiftLab';
import { GLOSSARY_IDS } from '$lib/glossaryTerms';

const cells = indexCells(recorded.cells as Cell[]);
function cell(method: string, condition: string): Cell {
	const c = cells.get(`${method}@${condition}`);
	if (!c) throw new Error(`no recorded cell ${method}@${condition}`);
	return c;
}
/** A recorded accuracy as the lessons print it, without the % sign: "90.8". */
const num = (v: number) => (v * 100).toFixed(1);
const acc = (m: string, c: string) => pct(cell(m, c).accuracy);
const kept = (m: string, c: string) => pct(cell(m, c).original);
const base = (c: string) => pct(cell('full', c).start);
/** Points gained over the base, from the rounded numbers a reader is given: "9.5". */
const gain = (m: string, c: string) =>
	(Number(num(cell(m, c).accuracy)) - Number(num(cell('full', c).start))).toFixed(1);

/** The text of a lesson between two markers (the first after `from`), which must both exist. */
function between(text: string, from: string, to: string): string {
	const i = text.indexOf(from);
	const j = text.indexOf(to, i);
	expect(i, from).toBeGreaterThanOrEqual(0);
	expect(j, to).toBeGreaterThan(i);
	return text.slice(i, j);
}

/**
 * A share worked from rounded numbers, and checked against the table's: "9.5 / 11.2 \approx 85\%".
 */
function workedShare(m: string, c: string): string {
	const a = Number(gain(m, c));
	const b = Number(gain('full', c));
	const mine = `${Math.round((a / b) * 100)}%`;
	expect(mine, `${m}@${c}`).toBe(share(gainShare(cells, m, c)));
	return mine;
}

const S6 = 's0.1667';
const S2 = 's0.5000';
const S23 = 's0.6667';
const S1 = 's1.0000';

describe('lesson 5’s prediction and exercises', () => {
	const lesson = readFileSync('lessons/05-when-peft-works/index.svx', 'utf8');
	const predict = between(lesson, '<Predict id="predict-shift"', '</Predict>');
	const exercises = between(lesson, '<Exercises>', '</Exercises>');

	it('asks for the guess before Figure 1 and sets the exercises before What to remember', () => {
		expect(lesson.indexOf('<Predict id="predict-shift"')).toBeLessThan(
			lesson.indexOf('<ShiftLab id="fig-shift-lab"')
		);
		expect(lesson.indexOf('</Exercises>')).toBeLessThan(lesson.indexOf('<Takeaways>'));
		expect(exercises.match(/<Exercise>/g)).toHaveLength(3);
	});

	it('reveals the recorded gap at s = 1/2', () => {
		const gap = (
			Number(num(cell('full', S2).accuracy)) - Number(num(cell('lora-4', S2).accuracy))
		).toFixed(1);
		const small = (
			Number(num(cell('full', S6).accuracy)) - Number(num(cell('lora-4', S6).accuracy))
		).toFixed(1);
		expect(Number(gap)).toBeGreaterThan(10);
		expect(predict).toContain(
			`LoRA at rank 4 gets ${acc('lora-4', S2)} against full fine-tuning's ${acc('full', S2)}, ${gap} points behind, where at $s = \\tfrac16$ it was ${small} behind`
		);
	});

	it('works the shares of exercise 1 from the recorded grid', () => {
		expect(exercises).toContain(
			`At $s = \\tfrac16$ the base scores ${base(S6)}, full fine-tuning reaches ${acc('full', S6)} and LoRA at rank 4 ${acc('lora-4', S6)}`
		);
		expect(exercises).toContain(
			`where the base scores ${base(S1)}, full fine-tuning ${acc('full', S1)} and rank 4 ${acc('lora-4', S1)}`
		);
		for (const c of [S6, S1]) {
			const line = `$(${num(cell('lora-4', c).accuracy)} - ${num(cell('full', c).start)}) / (${num(cell('full', c).accuracy)} - ${num(cell('full', c).start)}) = ${gain('lora-4', c)} / ${gain('full', c)} \\approx ${workedShare('lora-4', c).replace('%', '\\%')}$`;
			expect(exercises).toContain(line);
		}
	});

	it('quotes exercise 2’s forgetting and learning at s = 2/3 as recorded', () => {
		expect(exercises).toContain(
			`it keeps ${kept('lora-1', S23)} of clean digits against full fine-tuning's ${kept('full', S23)}, but learns only ${acc('lora-1', S23)} of the shifted task against ${acc('full', S23)}`
		);
		expect(exercises).toContain(
			`Ranks 4, 16 and 64 keep ${kept('lora-4', S23)}, ${kept('lora-16', S23)} and ${kept('lora-64', S23)}, no more than full fine-tuning`
		);
		for (const m of ['lora-4', 'lora-16', 'lora-64'])
			expect(cell(m, S23).original).toBeLessThanOrEqual(cell('full', S23).original + 0.015);
		expect(cell('lora-1', S23).original).toBeGreaterThan(cell('full', S23).original);
	});

	it('holds exercise 3 to the grid: full fine-tuning peaks at s = 1/2 among the later stops', () => {
		expect(exercises).toContain(
			`Full fine-tuning lifts the base from ${base(S2)} to ${acc('full', S2)} at $s = \\tfrac12$ and no stop beyond it scores higher: ${acc('full', S1)} at $s = 1$`
		);
		expect(exercises).toContain(`with nothing distorted, it reaches ${acc('full', 'permuted')}`);
		for (const c of recorded.cells.filter((x) => x.method === 'full')) {
			const s = c.condition.startsWith('s') ? Number(c.condition.slice(1)) : NaN;
			if (s > 0.5) expect(c.accuracy, c.condition).toBeLessThan(cell('full', S2).accuracy);
		}
	});
});

describe('lesson 6’s prediction and exercises', () => {
	const lesson = readFileSync('lessons/06-when-peft-fails/index.svx', 'utf8');
	const predict = between(lesson, '<Predict id="predict-features"', '</Predict>');
	const exercises = between(lesson, '<Exercises>', '</Exercises>');

	it('asks for the guess before Figure 1 and sets the exercises before What to remember', () => {
		expect(lesson.indexOf('<Predict id="predict-features"')).toBeLessThan(
			lesson.indexOf('<ShiftLab id="fig-new-features"')
		);
		expect(lesson.indexOf('</Exercises>')).toBeLessThan(lesson.indexOf('<Takeaways>'));
		expect(exercises.match(/<Exercise>/g)).toHaveLength(3);
	});

	it('reveals the probe’s recorded accuracy on each task, closest on new classes', () => {
		expect(predict).toContain(
			`New classes: the probe reaches ${acc('head', 'new-classes')}, as high as full fine-tuning`
		);
		expect(acc('head', 'new-classes')).toBe(acc('full', 'new-classes'));
		expect(predict).toContain(
			`On the large drift it gets ${acc('head', 'permuted')} against ${acc('full', 'permuted')}, on the planted change ${acc('head', 'planted')} against ${acc('full', 'planted')}, and on the medium shift only ${acc('head', S2)} against ${acc('full', S2)}`
		);
		const gaps = ['new-classes', 'permuted', 'planted', S2].map(
			(c) => cell('full', c).accuracy - cell('head', c).accuracy
		);
		expect(Math.min(...gaps)).toBe(gaps[0]);
	});

	it('quotes exercise 1 and 2 as recorded', () => {
		const cut = (k: number) =>
			pct(cell('full', 'planted').truncation!.find((t) => t.k === k)!.accuracy);
		const lines = [
			`The linear probe reaches ${acc('head', 'new-classes')} on new classes and ${acc('head', S2)} on the medium shift`,
			`a new head fixes it, as far as full fine-tuning does (${acc('full', 'new-classes')})`,
			`no readout of them gets past ${acc('head', S2)} while full fine-tuning, which can change them, reaches ${acc('full', S2)}`,
			`Cut to rank 8 the update scores ${cut(8)}, at rank 16 ${cut(16)}, against ${acc('full', 'planted')} for the whole update`,
			`LoRA at rank 16 reaches ${acc('lora-16', 'planted')}, level with full fine-tuning`
		];
		for (const line of lines) expect(exercises, line).toContain(line);
	});

	it('works exercise 3’s gains and shares at s = 1 from the recorded grid', () => {
		expect(exercises).toContain(
			`At $s = 1$ in Figure 2 the base scores ${base(S1)}, no better than guessing. Full fine-tuning reaches ${acc('full', S1)}, LoRA at rank 4 ${acc('lora-4', S1)} and the linear probe ${acc('head', S1)}`
		);
		expect(exercises).toContain(
			`Full fine-tuning gains $${num(cell('full', S1).accuracy)} - ${num(cell('full', S1).start)} = ${gain('full', S1)}$ points, LoRA at rank 4 $${gain('lora-4', S1)}$ (${workedShare('lora-4', S1)} of it) and the probe $${gain('head', S1)}$ (${workedShare('head', S1)})`
		);
		expect(exercises).toContain(
			`At the small shift rank 4 recovered ${workedShare('lora-4', S6)} of full fine-tuning's gain`
		);
	});
});

describe('links in lessons 5 and 6', () => {
	const IDS: readonly string[] = GLOSSARY_IDS;
	for (const [path, want] of [
		[
			'lessons/05-when-peft-works/index.svx',
			['lora', 'rank', 'full-fine-tuning', 'drift', 'head-only', 'bitfit', 'forgetting', 'energy']
		],
		[
			'lessons/06-when-peft-fails/index.svx',
			['lora', 'rank', 'full-fine-tuning', 'head-only', 'bitfit', 'peft', 'energy', 'forgetting']
		]
	] as const) {
		it(`${path} links glossary terms once each, to ids the glossary has, and the lab`, () => {
			const text = readFileSync(path, 'utf8');
			const links = [...text.matchAll(/\]\(\.\.\/\.\.\/glossary\/#([a-z0-9-]+)\)/g)].map(
				(m) => m[1]
			);
			for (const id of links) expect(IDS).toContain(id);
			expect(new Set(links).size, 'each term linked once').toBe(links.length);
			for (const id of want) expect(links).toContain(id);
			expect(text).toMatch(/\]\(\.\.\/\.\.\/lab\/[^)]*\)/);
		});
	}
});
