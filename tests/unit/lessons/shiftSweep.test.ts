/**
 * The shift lab's fairness sweep (src/lib/widgets/shiftSweep.ts → shiftSweep.json): the plan it
 * records, the readings (usual rate, each method's best rate, twice the steps) with a diverged run
 * read as diverged and never as a number, where a best rate sits at the edge of its grid, and
 * every number lesson 6's "Do the gaps survive a fairer comparison?" quotes, tied to the record.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import recorded from '$lib/data/shiftSweep.json';
import edgesRecord from '$lib/data/shiftSweepEdges.json';
import { TEACHER_STUDENT } from '$lib/trainer/worker/tasks';
import { SHIFT_METHODS, SHIFT_TRAINING, methodFits, pct } from '$lib/widgets/shiftLab';
import {
	LONG_FACTOR,
	SWEEP_CONDITIONS,
	SWEEP_LRS,
	SWEEP_READINGS,
	bestAtEdge,
	bestGapBound,
	bestSwept,
	chosenCell,
	chosenLr,
	longCell,
	orderFlips,
	readingOf,
	sweepGap,
	sweepRanking,
	sweepId,
	sweepRuns,
	sweptAccuracy,
	sweptDiverged,
	sweptMethods,
	type SweepCell,
	type SweepReading
} from '$lib/widgets/shiftSweep';
import { gapPoints } from './prose';

/** A small made-up sweep: full fine-tuning and LoRA r = 4 under one condition, one run diverged. */
function cellAt(method: string, lr: number | 'long', accuracy: number | null): SweepCell {
	return { method, condition: 'c', lr, accuracy, start: 0.2, original: 0.8, steps: 2000 };
}
const fake: SweepCell[] = [
	cellAt('full', 3e-4, 0.5),
	cellAt('full', 1e-3, 0.6),
	cellAt('full', 3e-3, 0.62),
	cellAt('full', 1e-2, null),
	cellAt('full', 'long', 0.63),
	cellAt('lora-4', 1e-3, 0.3),
	cellAt('lora-4', 3e-3, 0.4),
	cellAt('lora-4', 1e-2, NaN),
	cellAt('lora-4', 3e-2, 0.45),
	cellAt('lora-4', 'long', 0.38),
	cellAt('head', 1e-3, 0.35),
	cellAt('head', 3e-3, 0.35),
	cellAt('head', 1e-2, 0.2),
	cellAt('head', 3e-2, 0.2),
	cellAt('head', 'long', null)
];

describe('the sweep’s plan', () => {
	it('runs every fitting method at each of its rates and once longer at its own rate', () => {
		const runs = sweepRuns();
		for (const c of SWEEP_CONDITIONS) {
			const methods = SHIFT_METHODS.filter((m) => methodFits(m, c));
			const n = methods.reduce((k, m) => k + SWEEP_LRS[m.method].length + 1, 0);
			const key = c.kind === 'shift' ? `s${c.s.toFixed(4)}` : c.task;
			const mine = runs.filter((r) => r.id.split('@')[1] === key);
			expect(mine, key).toHaveLength(n);
			for (const m of methods) {
				const long = mine.find((r) => r.id === `${m.id}@${key}@long`)!;
				expect(long.steps).toBe(LONG_FACTOR * SHIFT_TRAINING.steps);
				expect(long.spec.lr).toBe(m.lr);
				// The grid's own rate is one of the swept ones, so "usual rate" is a swept cell.
				expect(SWEEP_LRS[m.method]).toContain(m.lr);
			}
		}
	});
});

describe('readings of a sweep', () => {
	it('reads a diverged run (null on disk, or NaN) as diverged, never as a number', () => {
		expect(sweptAccuracy(cellAt('full', 1e-2, null))).toBeNaN();
		expect(sweptAccuracy(cellAt('full', 1e-2, NaN))).toBeNaN();
		expect(sweptAccuracy(null)).toBeNaN();
		expect(sweptDiverged(cellAt('full', 1e-2, null))).toBe(true);
		expect(sweptDiverged(cellAt('full', 1e-2, 0.1))).toBe(false);
	});

	it('finds each method’s best rate, skipping diverged runs and the long run', () => {
		expect(bestSwept(fake, 'full', 'c')!.lr).toBe(3e-3);
		expect(bestSwept(fake, 'lora-4', 'c')!.lr).toBe(3e-2);
		// A tie goes to the lower rate.
		expect(bestSwept(fake, 'head', 'c')!.lr).toBe(1e-3);
		expect(bestSwept(fake, 'bitfit', 'c')).toBeNull();
		expect(bestSwept([cellAt('full', 1e-3, null)], 'full', 'c')).toBeNull();
	});

	it('says when a best rate is an end of the grid, but not when an inner rate ties it', () => {
		expect(bestAtEdge(fake, 'full', 'c')).toBe(false);
		expect(bestAtEdge(fake, 'lora-4', 'c')).toBe(true);
		expect(bestAtEdge(fake, 'head', 'c')).toBe(false);
		expect(bestAtEdge(fake, 'bitfit', 'c')).toBe(false);
		expect(bestGapBound(fake, 'lora-4', 'c')).toBe('at-most');
		expect(bestGapBound(fake, 'head', 'c')).toBe('exact');
		const fullAtEdge = fake.map((x) =>
			x.method === 'full' && x.lr === 1e-2 ? { ...x, accuracy: 0.7 } : x
		);
		expect(bestGapBound(fullAtEdge, 'head', 'c')).toBe('at-least');
		expect(bestGapBound(fullAtEdge, 'lora-4', 'c')).toBe('open');
	});

	it('reads the usual rate, the best rate and twice the steps, and gaps under each', () => {
		expect(chosenLr('lora-4')).toBe(3e-3);
		expect(chosenLr('nope')).toBeNaN();
		expect(chosenCell(fake, 'lora-4', 'c')!.accuracy).toBe(0.4);
		expect(longCell(fake, 'lora-4', 'c')!.accuracy).toBe(0.38);
		expect(readingOf(fake, 'lora-4', 'c', 'best')).toBe(0.45);
		expect(sweepGap(fake, 'lora-4', 'c', 'chosen')).toBeCloseTo(0.4 - 0.62, 12);
		expect(sweepGap(fake, 'lora-4', 'c', 'best')).toBeCloseTo(0.45 - 0.62, 12);
		expect(sweepGap(fake, 'lora-4', 'c', 'long')).toBeCloseTo(0.38 - 0.63, 12);
		// A diverged long run has no gap, and it is not a number in disguise.
		expect(sweepGap(fake, 'head', 'c', 'long')).toBeNaN();
		expect(sweepGap(fake, 'bitfit', 'c', 'chosen')).toBeNaN();
	});

	it('ranks diverged runs last and finds order flips beyond a margin', () => {
		expect(sweptMethods(fake, 'c')).toEqual(['full', 'lora-4', 'head']);
		expect(sweepRanking(fake, 'c', 'chosen')).toEqual(['full', 'lora-4', 'head']);
		expect(sweepRanking(fake, 'c', 'long')).toEqual(['full', 'lora-4', 'head']);
		expect(orderFlips(fake, 'c', 'chosen', 'best')).toEqual([]);
		const flipped = fake.map((x) =>
			x.method === 'head' && x.lr === 'long' ? { ...x, accuracy: 0.5 } : x
		);
		expect(orderFlips(flipped, 'c', 'chosen', 'long')).toEqual([['lora-4', 'head']]);
		expect(orderFlips(flipped, 'c', 'chosen', 'long', 0.2)).toEqual([]);
	});
});

describe('the recorded sweep', () => {
	const cells = recorded.cells as SweepCell[];

	it('holds every planned run once, and its one diverged run as null, never a number', () => {
		const ids = cells.map((c) => `${c.method}@${c.condition}@${c.lr}`);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids.sort()).toEqual(
			sweepRuns()
				.map((r) => r.id)
				.sort()
		);
		const diverged = cells.filter(sweptDiverged);
		expect(diverged.map((c) => `${c.method}@${c.condition}@${c.lr}`)).toEqual([
			'lora-64@s0.5000@0.03'
		]);
		expect(diverged[0].accuracy).toBeNull();
		for (const c of cells.filter((x) => !sweptDiverged(x))) {
			expect(c.accuracy).toBeGreaterThanOrEqual(0);
			expect(c.accuracy).toBeLessThanOrEqual(1);
			expect(c.steps).toBe((c.lr === 'long' ? LONG_FACTOR : 1) * SHIFT_TRAINING.steps);
		}
	});

	it('counts over 359 held-out digits and the teacher’s held-out inputs', () => {
		for (const c of cells.filter((x) => !sweptDiverged(x))) {
			const n = c.condition === 'planted' ? Number(TEACHER_STUDENT.nTest) : 359;
			expect(
				Math.abs(sweptAccuracy(c) * n - Math.round(sweptAccuracy(c) * n)),
				c.method
			).toBeLessThan(0.01);
		}
		expect(TEACHER_STUDENT.nTest).toBe(512);
	});
});

describe('lesson 6’s prose about the fairness sweep', () => {
	const prose = readFileSync('lessons/06-when-peft-fails/index.svx', 'utf8');
	const cells = recorded.cells as SweepCell[];
	const [s2, s1, p] = ['s0.5000', 's1.0000', 'planted'];
	const conditions = [s2, s1, p];
	const acc = (m: string, c: string, r: SweepReading) => readingOf(cells, m, c, r);
	/** Points behind full fine-tuning under a reading ("13.4"; negative when ahead). */
	const behind = (m: string, c: string, r: SweepReading) =>
		gapPoints(acc('full', c, r), acc(m, c, r));
	const ahead = (m: string, c: string, r: SweepReading) =>
		gapPoints(acc(m, c, r), acc('full', c, r));
	const three = (m: string, c: string) =>
		SWEEP_READINGS.map((r) => behind(m, c, r))
			.join(', ')
			.replace(/, ([^,]*)$/, ' and $1');
	/** A rate as the lesson writes it in LaTeX: 10^{-3}, 3 \times 10^{-2}. */
	const rate = (lr: number) => {
		const e = Math.floor(Math.log10(lr) + 1e-9);
		const m = Math.round(lr / 10 ** e);
		return m === 1 ? `10^{-${-e}}` : `${m} \\times 10^{-${-e}}`;
	};
	const bestLr = (m: string, c: string) => bestSwept(cells, m, c)!.lr as number;
	const range = (ms: string[]) => {
		const gaps = ms.flatMap((m) =>
			conditions.flatMap((c) => SWEEP_READINGS.map((r) => -sweepGap(cells, m, c, r)))
		);
		return [Math.min(...gaps), Math.max(...gaps)].map((g) => gapPoints(g, 0));
	};

	it('quotes the grid of rates it swept', () => {
		const [fLo, fHi] = [SWEEP_LRS.full[0], SWEEP_LRS.full[SWEEP_LRS.full.length - 1]];
		for (const m of ['lora', 'head', 'bitfit'] as const)
			expect(SWEEP_LRS[m]).toEqual(SWEEP_LRS.lora);
		const [lo, hi] = [SWEEP_LRS.lora[0], SWEEP_LRS.lora[SWEEP_LRS.lora.length - 1]];
		expect(prose).toContain(
			`four learning rates about three times apart ($${rate(fLo)}$ to $${rate(fHi)}$ for full fine-tuning, $${rate(lo)}$ to $${rate(hi)}$ for the others)`
		);
		expect(LONG_FACTOR).toBe(2);
		expect(recorded.where).toMatch(/wasm/);
	});

	it('quotes the gaps at the usual rate, at each best rate and at twice the steps, as recorded', () => {
		const lines = [
			`**LoRA at rank 4:** ${three('lora-4', s2)} points at $s = \\tfrac12$; ${three('lora-4', s1)} at $s = 1$; ${three('lora-4', p)} on the planted task`,
			`between ${range(['lora-1']).join(' and ')} points in all nine readings`,
			`The linear probe stays ${range(['head']).join(' to ')} points behind, BitFit ${range(['bitfit']).join(' to ')}`,
			`Rank 64 is ${behind('lora-64', s2, 'best')} points behind at $s = \\tfrac12$ at its best rate (${behind('lora-64', s2, 'chosen')} at the usual one) and ${behind('lora-64', s1, 'best')} behind at $s = 1$ (${ahead('lora-64', s1, 'chosen')} ahead at the usual one)`,
			`rank 16 is ${ahead('lora-16', p, 'best')} points ahead at its best rate and level at twice the steps (${pct(acc('lora-16', p, 'long'))} each)`
		];
		for (const line of lines) expect(prose, line).toContain(line);
		// Every low-rank gap survives: rank 4 and rank 1 at least 10 points behind in every reading.
		for (const m of ['lora-1', 'lora-4'])
			for (const c of conditions)
				for (const r of SWEEP_READINGS)
					expect(sweepGap(cells, m, c, r), `${m} ${c} ${r}`).toBeLessThan(-0.1);
		expect(acc('lora-16', p, 'long')).toBe(acc('full', p, 'long'));
		expect(Number(ahead('lora-64', s1, 'chosen'))).toBeGreaterThan(0);
		expect(Number(ahead('lora-16', p, 'best'))).toBeGreaterThan(0);
	});

	it('quotes what each method’s own rate and twice the steps change, as recorded', () => {
		// The largest gain any method gets from its own best rate over the usual one.
		const gains = SHIFT_METHODS.filter((m) => m.id !== 'full').flatMap((m) =>
			conditions
				.filter((c) => cells.some((x) => x.method === m.id && x.condition === c))
				.map((c) => ({
					m: m.id,
					c,
					gain: acc(m.id, c, 'best') - acc(m.id, c, 'chosen')
				}))
		);
		const top = gains.reduce((a, b) => (b.gain > a.gain ? b : a));
		expect([top.m, top.c]).toEqual(['lora-16', s1]);
		const fullGain = conditions.reduce((a, c) =>
			acc('full', c, 'best') - acc('full', c, 'chosen') >
			acc('full', a, 'best') - acc('full', a, 'chosen')
				? c
				: a
		);
		expect(fullGain).toBe(s1);
		const r4 = (r: SweepReading) => conditions.map((c) => pct(acc('lora-4', c, r)));
		const full = (r: SweepReading) => conditions.map((c) => pct(acc('full', c, r)));
		const list = (xs: string[]) => `${xs[0]}, ${xs[1]} and ${xs[2]}`;
		const lines = [
			`A method's own best rate gains it at most ${gapPoints(top.gain, 0)} points over the usual one (LoRA at rank 16 at $s = 1$, ${pct(acc('lora-16', s1, 'best'))} at $${rate(bestLr('lora-16', s1))}$)`,
			`full fine-tuning gains up to ${gapPoints(acc('full', s1, 'best'), acc('full', s1, 'chosen'))} (${pct(acc('full', s1, 'best'))} at $s = 1$)`,
			`LoRA at rank 4 ends at ${list(r4('long'))} against ${list(r4('chosen'))} at 2,000 steps, full fine-tuning at ${list(full('long'))} against ${list(full('chosen'))}`
		];
		for (const line of lines) expect(prose, line).toContain(line);
		expect(SHIFT_TRAINING.steps).toBe(2000);
		// How far tuning moves any method's gap to full fine-tuning (both at their best rates).
		const moved = conditions.flatMap((c) =>
			sweptMethods(cells, c).map((m) =>
				Math.abs(sweepGap(cells, m, c, 'best') - sweepGap(cells, m, c, 'chosen'))
			)
		);
		expect(gapPoints(Math.max(...moved), 0)).toBe('2.5');
		expect(prose).toContain('so tuning moves no gap by more than 2.5 points');
	});

	it('says the order of the methods holds, but for one close pair, as recorded', () => {
		for (const c of conditions)
			for (const a of SWEEP_READINGS)
				for (const b of SWEEP_READINGS)
					expect(orderFlips(cells, c, a, b, 0.01), `${c} ${a}→${b}`).toEqual([]);
		const flips = new Set(
			conditions.flatMap((c) =>
				SWEEP_READINGS.flatMap((a) =>
					SWEEP_READINGS.flatMap((b) =>
						orderFlips(cells, c, a, b).map((pair) => `${[...pair].sort().join(' ')}@${c}`)
					)
				)
			)
		);
		expect([...flips]).toEqual([`full lora-64@${s1}`]);
		for (const r of SWEEP_READINGS)
			expect(Math.abs(sweepGap(cells, 'lora-64', s1, r))).toBeLessThan(0.02);
		expect(prose).toContain(
			'every pair more than a point apart keeps its order in all three readings. The one pair that swaps is rank 64 and full fine-tuning at $s = 1$, within two points of each other either way'
		);
	});

	it('names every best rate at an edge of its grid, and the bounds that follow, as recorded', () => {
		const edges = conditions.flatMap((c) =>
			sweptMethods(cells, c)
				.filter((m) => bestAtEdge(cells, m, c))
				.map((m) => `${m}@${c}@${bestLr(m, c)}`)
		);
		expect(edges.sort()).toEqual(
			[
				`full@${s1}@0.01`,
				`full@${p}@0.01`,
				`lora-1@${s2}@0.001`,
				`lora-1@${p}@0.001`,
				`lora-16@${s1}@0.001`,
				`lora-64@${s2}@0.001`,
				`head@${s2}@0.03`,
				`bitfit@${p}@0.03`
			].sort()
		);
		// Rank 4's best is inside its grid everywhere (on the planted task 10⁻³ ties 3 × 10⁻³).
		for (const c of conditions) expect(bestAtEdge(cells, 'lora-4', c), c).toBe(false);
		expect(bestGapBound(cells, 'lora-4', s1)).toBe('at-least');
		expect(bestGapBound(cells, 'lora-4', p)).toBe('at-least');
		// Rank 1's accuracy moves by less than 5 points across its rates where its best is at an edge.
		for (const c of [s2, p]) {
			const accs = cells
				.filter((x) => x.method === 'lora-1' && x.condition === c && x.lr !== 'long')
				.map(sweptAccuracy);
			expect(Math.max(...accs) - Math.min(...accs)).toBeLessThan(0.05);
			expect(-sweepGap(cells, 'lora-1', c, 'best')).toBeGreaterThan(0.3);
		}
		const lines = [
			`Full fine-tuning did best at its highest rate, $${rate(SWEEP_LRS.full[3])}$, at $s = 1$ and on the planted task`,
			`there rank 4 is at least ${behind('lora-4', s1, 'best')} and ${behind('lora-4', p, 'best')} points behind`,
			`did best at their lowest rate, $${rate(SWEEP_LRS.lora[0])}$, and the linear probe at $s = \\tfrac12$ and BitFit on the planted task at their highest, $${rate(SWEEP_LRS.lora[3])}$`,
			`at $s = 1$ it fell to ${pct(sweptAccuracy(cells.find((x) => x.method === 'lora-64' && x.condition === s1 && x.lr === 0.03)))}, chance`
		];
		for (const line of lines) expect(prose, line).toContain(line);
	});

	it('reads the runs one rate past each edge (scripts/shiftedges.ts) as recorded', () => {
		const edges = edgesRecord.cells as SweepCell[];
		expect(edgesRecord.backend).toBe(recorded.backend);
		// One run per edge, one step of the 1–3–10 ladder past the end its best sits at.
		expect(edges.map((e) => `${e.method}@${e.condition}`).sort()).toEqual(
			conditions
				.flatMap((c) =>
					sweptMethods(cells, c)
						.filter((m) => bestAtEdge(cells, m, c))
						.map((m) => `${m}@${c}`)
				)
				.sort()
		);
		const diffs: number[] = [];
		for (const e of edges) {
			const best = bestSwept(cells, e.method, e.condition)!;
			expect(bestAtEdge(cells, e.method, e.condition), `${e.method}@${e.condition}`).toBe(true);
			const ratio = (e.lr as number) / (best.lr as number);
			expect(Math.min(ratio, 1 / ratio), `${e.method}@${e.condition}`).toBeGreaterThan(0.29);
			expect(Math.min(ratio, 1 / ratio), `${e.method}@${e.condition}`).toBeLessThan(0.35);
			expect(e.steps).toBe(SHIFT_TRAINING.steps);
			// As the lesson lists them: 3 × 10⁻² for full fine-tuning, 3 × 10⁻⁴ below, 10⁻¹ above.
			const want =
				e.method === 'full' ? 3e-2 : (e.lr as number) < (best.lr as number) ? 3e-4 : 1e-1;
			expect(e.lr, `${e.method}@${e.condition}`).toBe(want);
			diffs.push(sweptAccuracy(e) - sweptAccuracy(best));
		}
		const worse = diffs.filter((d) => d < 0);
		const better = edges.filter((_, i) => diffs[i] > 0);
		expect(worse).toHaveLength(edges.length - 1);
		expect(better.map((e) => `${e.method}@${e.condition}@${e.lr}`)).toEqual([`lora-1@${p}@0.0003`]);
		const one = better[0];
		const fullBest = sweptAccuracy(bestSwept(cells, 'full', p));
		// Full fine-tuning did worse past its edge on both conditions: rank 4's gaps are exact.
		for (const c of [s1, p]) {
			const e = edges.find((x) => x.method === 'full' && x.condition === c)!;
			expect(sweptAccuracy(e)).toBeLessThan(sweptAccuracy(bestSwept(cells, 'full', c)));
		}
		expect(prose).toContain(
			`one rate past its end: $${rate(3e-2)}$ for full fine-tuning, $${rate(3e-4)}$ below the lowest rates and $${rate(1e-1)}$ above the highest`
		);
		const lines = [
			`Seven did worse there, by ${gapPoints(-Math.max(...worse), 0)} to ${gapPoints(-Math.min(...worse), 0)} points`,
			`rank 4 is ${behind('lora-4', s1, 'best')} points behind full fine-tuning at $s = 1$ and ${behind('lora-4', p, 'best')} on the planted task, each at its best rate`,
			`The eighth, rank 1 on the planted task, gained ${gapPoints(sweptAccuracy(one), sweptAccuracy(bestSwept(cells, 'lora-1', p)))} point at $${rate(one.lr as number)}$ (${pct(sweptAccuracy(one))}) and stays ${gapPoints(fullBest, sweptAccuracy(one))} points behind`
		];
		expect(edges).toHaveLength(8);
		for (const line of lines) expect(prose, line).toContain(line);
	});

	it('compares LoRA’s best rates with full fine-tuning’s as recorded', () => {
		const ranks = (c: string) => sweptMethods(cells, c).filter((m) => m.startsWith('lora-'));
		for (const c of conditions)
			for (const m of ranks(c)) {
				const ratio = bestLr(m, c) / bestLr('full', c);
				expect(ratio, `${m} ${c}`).toBeLessThanOrEqual(3 + 1e-9);
				if (c !== s2) expect(ratio, `${m} ${c}`).toBeLessThanOrEqual(1 + 1e-9);
			}
		expect(bestLr('full', s2)).toBe(1e-3);
		expect(new Set(ranks(s2).map((m) => bestLr(m, s2)))).toEqual(new Set([1e-3, 3e-3]));
		expect(bestLr('full', s1)).toBe(1e-2);
		expect(bestLr('full', p)).toBe(1e-2);
		// Where sharing the rate cost LoRA something, it wanted a lower rate than the shared one.
		expect(bestLr('lora-16', s1)).toBeLessThan(chosenLr('lora-16'));
		expect(prose).toContain(
			`at $s = \\tfrac12$ full fine-tuning does best at $${rate(bestLr('full', s2))}$ and LoRA at $${rate(1e-3)}$ or $${rate(3e-3)}$, and at $s = 1$ and on the planted task LoRA's best is at or below full fine-tuning's $${rate(bestLr('full', s1))}$`
		);
		expect(prose).toContain('359 test digits (0.28 points each) and 512 planted inputs');
		expect((100 / 359).toFixed(2)).toBe('0.28');
	});
});

describe('the recorded sweep, re-run', () => {
	it(
		'its cheapest run (head only on the planted task, at its lowest rate) trains again to the recorded accuracies, on wasm as recorded',
		{ timeout: 120_000 },
		async () => {
			const { rerunRecorded, expectRecordedCounts } = await import('./recordedBackend');
			const head = SHIFT_METHODS.find((m) => m.id === 'head')!;
			const id = sweepId(head, { kind: 'task', task: 'planted' }, SWEEP_LRS.head[0]);
			const run = sweepRuns().find((r) => r.id === id)!;
			expect(run, id).toBeDefined();
			const r = await rerunRecorded(recorded.backend, run);
			const want = (recorded.cells as SweepCell[]).find(
				(c) => c.method === 'head' && c.condition === 'planted' && c.lr === SWEEP_LRS.head[0]
			)!;
			expectRecordedCounts(r, want);
		}
	);

	it(
		'and the edges record’s cheapest run (rank 1, planted, 3e-4) trains again to its recorded accuracies',
		{ timeout: 120_000 },
		async () => {
			const { rerunRecorded, expectRecordedCounts } = await import('./recordedBackend');
			const { runsFor } = await import('$lib/widgets/shiftLab');
			const want = (edgesRecord.cells as SweepCell[]).find(
				(c) => c.method === 'lora-1' && c.condition === 'planted'
			)!;
			const m = SHIFT_METHODS.find((x) => x.id === 'lora-1')!;
			const [run] = runsFor(
				{ kind: 'task', task: 'planted' },
				{ methods: [{ ...m, lr: want.lr as number }] }
			);
			const measured = { ...run, measure: { original: run.measure?.original } };
			const r = await rerunRecorded(edgesRecord.backend, measured);
			expectRecordedCounts(r, { accuracy: want.accuracy, original: want.original });
		}
	);
});
