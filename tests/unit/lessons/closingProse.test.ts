/**
 * The numbers lessons 5 and 6 repeat outside their main text (the Predict reveals, the closing
 * notes, the exercises and their worked answers, the method list) and lesson 2's spend-the-budget
 * paragraph, each recomputed from the recorded grid or the course's own code. The main text's
 * numbers are tied in shiftLab.test.ts, shiftSeeds.test.ts, shiftSweep.test.ts and the lesson-2
 * tests; a number quoted twice must be tied twice, or a re-recording could leave the copy stale.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import recorded from '$lib/data/shiftLab.json';
import half from '$lib/data/shiftHalfSteps.json';
import seeds from '$lib/data/shiftSeeds.json';
import manifest from '../../../static/models/manifest.json';
import { rankForEnergy } from '$lib/math/spectrum';
import { FITS, chinchillaLoss, computeOptimal, kaplanAllocation } from '$lib/math/scaling';
import {
	PLANTED,
	SHIFT_LRS,
	SHIFT_METHODS,
	SHIFT_VALUES,
	bestLowRank,
	indexCells,
	pct,
	runsFor,
	type Cell
} from '$lib/widgets/shiftLab';
import { gapPoints } from './prose';

const index = indexCells(recorded.cells as Cell[]);
function cell(method: string, condition: string): Cell {
	const c = index.get(`${method}@${condition}`);
	if (!c) throw new Error(`no recorded cell ${method}@${condition}`);
	return c;
}
const acc = (m: string, c: string) => pct(cell(m, c).accuracy);
const kept = (m: string, c: string) => pct(cell(m, c).original);
const base = (c: string) => pct(cell('full', c).start);
const gap = (m: string, c: string) => gapPoints(cell('full', c).accuracy, cell(m, c).accuracy);
/** An accuracy as the exercises write it inside maths: one decimal, no % sign. */
const num = (v: number) => (v * 100).toFixed(1);
/** A share worked from the rounded numbers the exercise prints, as its answer does by hand. */
const workedShare = (a: number, start: number, full: number) =>
	Math.round(((+num(a) - +num(start)) / (+num(full) - +num(start))) * 100);

const [s0, s12, s6, s2, s23, s1] = [
	's0.0000',
	's0.0833',
	's0.1667',
	's0.5000',
	's0.6667',
	's1.0000'
];
const P = 'planted';

function expectAll(prose: string, lines: string[]) {
	for (const line of lines) expect(prose, line).toContain(line);
}

describe('lesson 5 outside its main text', () => {
	const prose = readFileSync('lessons/05-when-peft-works/index.svx', 'utf8');

	it('counts what each method trains from the recorded runs, and the base as shipped', () => {
		const head = cell('head', s6).trainableParams;
		const bitfit = cell('bitfit', s6).trainableParams;
		const outputs = 10;
		expectAll(prose, [
			`it gets ${pct(manifest.models.digits10.testAccuracy)} of the 359 held-out digits right`,
			`trains all ${cell('full', s6).trainableParams.toLocaleString('en-US')} parameters`,
			`from ${cell('lora-1', s6).trainableParams} at $r = 1$ to ${cell('lora-64', s6).trainableParams.toLocaleString('en-US')} at $r = 64$`,
			`trains the last layer, ${head.toLocaleString('en-US')} parameters`,
			// BitFit = every bias + the head's weights; the head's own biases are counted once.
			`trains the ${bitfit - head + outputs} bias terms and the output layer's ${(head - outputs).toLocaleString('en-US')} weights, ${bitfit.toLocaleString('en-US')} parameters`
		]);
		expect(manifest.models.digits10.testAccuracy).toBeCloseTo(cell('full', s0).start, 3);
	});

	it('says which learning rates sat at an end of the small-shift search', () => {
		// The candidates scripts/shiftResearch.ts searched (SWEEP=1), as SHIFT_LRS's comment lists.
		const full = [3e-4, 1e-3, 3e-3];
		const head = [3e-3, 1e-2, 3e-2];
		const bitfit = [1e-3, 3e-3, 1e-2, 3e-2];
		expect(SHIFT_LRS.full).toBe(Math.max(...full));
		expect(SHIFT_LRS.head).toBe(Math.min(...head));
		expect(bitfit.indexOf(SHIFT_LRS.bitfit)).toBeGreaterThan(0);
		expect(bitfit.indexOf(SHIFT_LRS.bitfit)).toBeLessThan(bitfit.length - 1);
		expect(prose).toContain("Full fine-tuning's and head-only's rates came out at an end");
	});

	it('the prediction reveals the recorded gap', () => {
		expect(prose).toContain(
			`at $s = \\tfrac12$ LoRA at rank 4 gets ${acc('lora-4', s2)} against full fine-tuning's ${acc('full', s2)}, ${gap('lora-4', s2)} points behind, where at $s = \\tfrac16$ it was ${gap('lora-4', s6)} behind`
		);
	});

	it('the closing note quotes the grid as recorded', () => {
		const energy = (c: string) => rankForEnergy(cell('full', c).singularValues!, 0.9);
		expectAll(prose, [
			`At $s = \\tfrac16$ full fine-tuning reaches ${acc('full', s6)} and LoRA at rank 4 ${acc('lora-4', s6)} (−${gap('lora-4', s6)}); at $s = \\tfrac1{12}$, ${acc('full', s12)} against ${acc('lora-4', s12)} (−${gap('lora-4', s12)}) and ${acc('lora-1', s12)} at rank 1`,
			`Rank 1 alone is ${gap('lora-1', s6)} points behind at $s = \\tfrac16$`,
			`the directions for 90% of the energy go from ${energy(s0)} with no shift to ${energy(s6)} at $s = \\tfrac16$ and ${energy(s2)} at $s = \\tfrac12$, then stay there`,
			`(${kept('lora-1', s23)} against ${kept('full', s23)} on clean digits at $s = \\tfrac23$, ${kept('lora-1', s1)} against ${kept('full', s1)} at $s = 1$)`,
			`at rank 4 it is about the same (${kept('lora-4', s23)}), at ranks 16 and 64 worse (${kept('lora-16', s23)}, ${kept('lora-64', s23)})`,
			`forgets more than full fine-tuning (${kept('bitfit', s23)}, and ${kept('bitfit', s1)} against ${kept('full', s1)} at $s = 1$)`,
			`on the old teacher's task rank 1 keeps ${kept('lora-1', P)} and rank 4 ${kept('lora-4', P)}, against ${kept('full', P)} for full fine-tuning, while learning less of the new one (${acc('lora-1', P)} and ${acc('lora-4', P)} against ${acc('full', P)}); rank 16 learns as much as full fine-tuning and forgets as much (${kept('lora-16', P)})`
		]);
		// "then stay there": no stop past s = 1/2 needs more directions than s = 1/2 did.
		for (const s of SHIFT_VALUES.filter((v) => v > 0.5))
			expect(energy(`s${s.toFixed(4)}`)).toBeLessThanOrEqual(energy(s2));
	});

	it('the exercises and their worked answers use the recorded numbers', () => {
		const c6 = cell('lora-4', s6);
		const c1 = cell('lora-4', s1);
		const f6 = cell('full', s6).accuracy;
		const f1 = cell('full', s1).accuracy;
		expectAll(prose, [
			`At $s = \\tfrac16$ the base scores ${base(s6)}, full fine-tuning reaches ${acc('full', s6)} and LoRA at rank 4 ${acc('lora-4', s6)} (Figure 1)`,
			`where the base scores ${base(s1)}, full fine-tuning ${acc('full', s1)} and rank 4 ${acc('lora-4', s1)}.`,
			`$(${num(c6.accuracy)} - ${num(c6.start)}) / (${num(f6)} - ${num(c6.start)}) = ${(+num(c6.accuracy) - +num(c6.start)).toFixed(1)} / ${(+num(f6) - +num(c6.start)).toFixed(1)} \\approx ${workedShare(c6.accuracy, c6.start, f6)}\\%$`,
			`$(${num(c1.accuracy)} - ${num(c1.start)}) / (${num(f1)} - ${num(c1.start)}) = ${(+num(c1.accuracy) - +num(c1.start)).toFixed(1)} / ${(+num(f1) - +num(c1.start)).toFixed(1)} \\approx ${workedShare(c1.accuracy, c1.start, f1)}\\%$`,
			`Rank 1 alone: it keeps ${kept('lora-1', s23)} of clean digits against full fine-tuning's ${kept('full', s23)}, but learns only ${acc('lora-1', s23)} of the shifted task against ${acc('full', s23)}. Ranks 4, 16 and 64 keep ${kept('lora-4', s23)}, ${kept('lora-16', s23)} and ${kept('lora-64', s23)}`,
			`Full fine-tuning lifts the base from ${base(s2)} to ${acc('full', s2)} at $s = \\tfrac12$ and no stop beyond it scores higher: ${acc('full', s1)} at $s = 1$`,
			`with nothing distorted, it reaches ${acc('full', 'permuted')}`
		]);
		for (const s of SHIFT_VALUES.filter((v) => v > 0.5))
			expect(cell('full', `s${s.toFixed(4)}`).accuracy).toBeLessThan(cell('full', s2).accuracy);
		// Ranks 4, 16 and 64 keep "no more than full fine-tuning" at s = 2/3, within a point.
		for (const m of ['lora-4', 'lora-16', 'lora-64'])
			expect(cell(m, s23).original).toBeLessThan(cell('full', s23).original + 0.015);
	});
});

describe('lesson 5: half the steps', () => {
	const prose = readFileSync('lessons/05-when-peft-works/index.svx', 'utf8');
	/** Full fine-tuning's lead over LoRA r4 at s = 1/6, in points, after `steps` at `seed`. */
	function lead(steps: 1000 | 2000, seed: number): number {
		const pick = (m: string) => {
			if (steps === 2000 && seed === 1) return cell(m, s6).accuracy;
			const cells = (steps === 1000 ? half.cells : seeds.cells) as {
				method: string;
				condition: string;
				seed: number;
				accuracy: number;
				steps: number;
			}[];
			const c = cells.find((x) => x.method === m && x.condition === s6 && x.seed === seed)!;
			expect(c.steps, `${m}@${seed}`).toBe(steps);
			return c.accuracy;
		};
		return (pick('full') - pick('lora-4')) * 100;
	}
	const p = (v: number) => v.toFixed(1);

	it('quotes the rank-4 gap after 1,000 steps as recorded (scripts/shifthalf.ts), beside 2,000', () => {
		expect(half.backend).toBe(recorded.backend);
		expect(half.cells.every((c) => c.start === cell('full', s6).start || c.seed !== 1)).toBe(true);
		expectAll(prose, [
			`With half the steps (1,000), LoRA at rank 4 trails full fine-tuning at $s = \\tfrac16$ by ${p(lead(1000, 1))} points rather than ${p(lead(2000, 1))}; at seeds 2 and 3 it trails by ${p(lead(1000, 2))} and ${p(lead(1000, 3))} points after 1,000 steps and by ${p(lead(2000, 2))} at both after 2,000`,
			`At seed 1 it needs the full 2,000 steps: after 1,000, rank 4 trailed by ${p(lead(1000, 1))} points (${p(lead(1000, 2))} and ${p(lead(1000, 3))} at seeds 2 and 3, \`scripts/shifthalf.ts\`)`
		]);
		expect(p(lead(2000, 3))).toBe(p(lead(2000, 2)));
		// At seed 1, within 2 points only after 2,000 steps; at seed 2 already after 1,000.
		expect(lead(1000, 1)).toBeGreaterThan(2);
		expect(lead(2000, 1)).toBeLessThan(2);
		expect(lead(1000, 2)).toBeLessThan(2);
		// "On average the gap narrows with training, but not at every seed."
		const mean = (steps: 1000 | 2000) => (lead(steps, 1) + lead(steps, 2) + lead(steps, 3)) / 3;
		expect(mean(2000)).toBeLessThan(mean(1000));
		expect([1, 2, 3].some((seed) => lead(2000, seed) > lead(1000, seed))).toBe(true);
	});
});

describe('lesson 6 outside its main text', () => {
	const prose = readFileSync('lessons/06-when-peft-fails/index.svx', 'utf8');

	it('the task list and the prediction quote the recorded bases and cells', () => {
		expectAll(prose, [
			`A second base was pretrained on the digits 0 to 4 only (${pct(manifest.models.digits5.testAccuracy)} held out)`,
			`The base agrees with the new teacher on ${base(P)} of inputs`,
			`New classes: the probe reaches ${acc('head', 'new-classes')}, as high as full fine-tuning. On the large drift it gets ${acc('head', 'permuted')} against ${acc('full', 'permuted')}, on the planted change ${acc('head', P)} against ${acc('full', P)}, and on the medium shift only ${acc('head', s2)} against ${acc('full', s2)}`
		]);
		// "as high as full fine-tuning", and the probe is closest to full fine-tuning there.
		expect(acc('head', 'new-classes')).toBe(acc('full', 'new-classes'));
	});

	it('bounds the low ranks’ gap beyond the middle of the dial as the text says', () => {
		const gaps = SHIFT_VALUES.filter((v) => v > 0.5).map((s) => {
			const c = `s${s.toFixed(4)}`;
			return +gapPoints(cell('full', c).accuracy, bestLowRank(index, c, 4));
		});
		// As printed, one decimal: from 12.0 (s = 7/12) to 20.6 (s = 11/12).
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(12);
		expect(Math.min(...gaps)).toBeLessThan(13);
		expect(Math.max(...gaps)).toBeLessThanOrEqual(21);
		expect(Math.max(...gaps)).toBeGreaterThan(20);
		expect(prose).toContain(
			`The gap of the better of ranks 1 and 4 to full fine-tuning is ${gapPoints(cell('full', s2).accuracy, bestLowRank(index, s2, 4))} points at $s = \\tfrac12$ and between 12 and 21 points everywhere beyond it`
		);
	});

	it('the closing note quotes the grid as recorded', () => {
		const ahead = (m: string, c: string) =>
			gapPoints(cell(m, c).accuracy, cell('full', c).accuracy);
		expect(cell('lora-64', s1).accuracy).toBeGreaterThan(cell('full', s1).accuracy);
		expect(cell('lora-16', P).accuracy).toBeGreaterThan(cell('full', P).accuracy);
		expectAll(prose, [
			`Holds: ${gap('lora-4', s2)} points at $s = \\tfrac12$ (${acc('lora-4', s2)} against ${acc('full', s2)}), ${gap('lora-4', s1)} at $s = 1$ (${acc('lora-4', s1)} against ${acc('full', s1)})`,
			`only rank 1 is more than 10 points behind (${acc('lora-1', 'permuted')})`,
			`at $s = \\tfrac12$ rank 64 is ${gap('lora-64', s2)} points behind, at $s = 1$ ${ahead('lora-64', s1)} points ahead, and on the planted task rank 16 is ${ahead('lora-16', P)} points ahead`
		]);
		expect(+gap('lora-1', 'permuted')).toBeGreaterThan(10);
		for (const m of ['lora-4', 'lora-16', 'lora-64', 'head', 'bitfit'])
			expect(+gap(m, 'permuted'), m).toBeLessThan(10);
	});

	it('the exercises and their worked answers use the recorded numbers', () => {
		const sv = cell('full', P).singularValues!;
		const cut = (k: number) => pct(cell('full', P).truncation!.find((t) => t.k === k)!.accuracy);
		const start = cell('full', s1).start;
		const full = cell('full', s1).accuracy;
		const fullGain = (+num(full) - +num(start)).toFixed(1);
		const gain = (m: string) => (+num(cell(m, s1).accuracy) - +num(start)).toFixed(1);
		const worked = (m: string) => workedShare(cell(m, s1).accuracy, start, full);
		const c6 = cell('lora-4', s6);
		expectAll(prose, [
			`The linear probe reaches ${acc('head', 'new-classes')} on new classes and ${acc('head', s2)} on the medium shift (Figure 1)`,
			`a new head fixes it, as far as full fine-tuning does (${acc('full', 'new-classes')})`,
			`no readout of them gets past ${acc('head', s2)} while full fine-tuning, which can change them, reaches ${acc('full', s2)}`,
			`full fine-tuning's update to the first layer needs ${rankForEnergy(sv, 0.9)} directions for 90% of its energy`,
			`Cut to rank 8 the update scores ${cut(8)}, at rank 16 ${cut(16)}, against ${acc('full', P)} for the whole update`,
			`LoRA at rank 16 reaches ${acc('lora-16', P)}, level with full fine-tuning`,
			`At $s = 1$ in Figure 2 the base scores ${base(s1)}, no better than guessing. Full fine-tuning reaches ${acc('full', s1)}, LoRA at rank 4 ${acc('lora-4', s1)} and the linear probe ${acc('head', s1)}`,
			`Full fine-tuning gains $${num(full)} - ${num(start)} = ${fullGain}$ points, LoRA at rank 4 $${gain('lora-4')}$ (${worked('lora-4')}% of it) and the probe $${gain('head')}$ (${worked('head')}%)`,
			`At the small shift rank 4 recovered ${workedShare(c6.accuracy, c6.start, cell('full', s6).accuracy)}% of full fine-tuning's gain`
		]);
	});
});

describe('the planted base on its own teacher', () => {
	it(
		'scores what lessons 5 and 6 say on the 512 held-out inputs, re-measured untrained',
		{ timeout: 120_000 },
		async () => {
			// An untrained model's accuracy is a count: the cpu backend gives it as wasm does.
			const tf = await import('@tensorflow/tfjs-core');
			await import('@tensorflow/tfjs-backend-cpu');
			expect(await tf.setBackend('cpu')).toBe(true);
			const backend = tf.getBackend();
			const { runQueue } = await import('$lib/trainer/worker/experiments');
			const { diskSources } = await import('../../../scripts/node/diskSources');
			const head = SHIFT_METHODS.filter((m) => m.id === 'head');
			const [run] = runsFor({ kind: 'task', task: 'planted' }, { methods: head, steps: 0 });
			const [result] = await runQueue([run], diskSources(), { backend, chunk: 1 });
			// Zero steps: the base itself, on the new teacher's labels and on the old teacher's.
			expect(result.startAccuracy).toBeCloseTo(cell('full', P).start, 4);
			const old = pct(result.originalAccuracy);
			expect(readFileSync('lessons/05-when-peft-works/index.svx', 'utf8')).toContain(
				`it gets ${old} of 512 held-out inputs right`
			);
			expect(readFileSync('lessons/06-when-peft-fails/index.svx', 'utf8')).toContain(
				`the base gets ${old} of held-out inputs right`
			);
			expect(PLANTED.rank).toBe(10);
		}
	);
});

describe('lesson 2: spending Gopher’s budget', () => {
	const prose = readFileSync('lessons/02-scaling-laws/index.svx', 'utf8');

	it('quotes each rule’s allocation as the scaling code computes it', () => {
		const C = 5.76e23;
		const b = (v: number) => (v / 1e9).toFixed(1);
		const t = (v: number, d = 2) => (v / 1e12).toFixed(d);
		const fit = computeOptimal(C, FITS.chinchilla);
		const rounded = computeOptimal(C, FITS.chinchillaRounded);
		const refit = computeOptimal(C, FITS.besiroglu);
		const kaplan = kaplanAllocation(C);
		expect(prose).toContain(
			`the unrounded fit spends it on ${b(fit.N)} billion parameters and ${t(fit.D)} trillion tokens; the rounded one on ${b(rounded.N)} billion and ${t(rounded.D)} trillion; the refit on ${b(refit.N)} billion and ${t(refit.D)} trillion`
		);
		expect(prose).toContain(
			`asks for about ${Math.round(kaplan.N / 1e11) * 100} billion parameters on ${Math.round(kaplan.D / 1e9)} billion tokens (the tokens from $C = 6ND$`
		);
		// "on the Chinchilla curve that costs a tenth of a nat per token"
		const cost = chinchillaLoss(kaplan.N, kaplan.D) - fit.loss;
		expect(Math.round(cost * 10) / 10).toBe(0.1);
		expect(prose).toContain('on the Chinchilla curve that costs a tenth of a nat per token');
	});
});
