/**
 * What lesson 6's "The ranks its full updates needed" says about the English language model's
 * full updates, held to their recording (src/lib/data/lmLowRank.json): every number the
 * subsection quotes is recomputed here, the 90% ranks from the recorded spectra, the random
 * reference from seeded Gaussian draws and their singular values, and what it compares them with
 * from its own records (shiftLab.json for the digits and the planted task, lmDrift.json for
 * LoRA's gap, the shipped model's manifest, lesson 3's Llama 2 7B preset).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import recordedLowRank from '$lib/data/lmLowRank.json';
import recordedDrift from '$lib/data/lmDrift.json';
import recordedShift from '$lib/data/shiftLab.json';
import { createRng } from '$lib/math/rng';
import { rankForEnergy } from '$lib/math/spectrum';
import { singularValues } from '$lib/math/svd';
import { MODEL_PRESETS } from '$lib/math/memory';
import { ENGLISH_TEST_WINDOWS, ENGLISH_WINDOW } from '$lib/trainer/worker/sources';
import { PLANTED, indexCells, type Cell } from '$lib/widgets/shiftLab';
import {
	LM_TARGETS,
	LM_TRAINING,
	bestCell,
	type LmCell,
	type LmDriftRecord,
	type LmTarget
} from '$lib/data/lmDrift';
import { LM_FULL_LR, LM_LR_TRAINING, lmFullSpec, type LmLowRankRecord } from '$lib/data/lmLowRank';
import { SETUPS } from '../../../lessons/04-low-rank-updates/setups';

const record = recordedLowRank as unknown as LmLowRankRecord;
const drift = (recordedDrift as unknown as LmDriftRecord).cells as LmCell[];
const shift = indexCells(recordedShift.cells as Cell[]);
const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8'));

const lesson = readFileSync('lessons/06-when-peft-fails/index.svx', 'utf8');
const HEADING = '### The ranks its full updates needed';
/** The subsection alone, from its heading to the next section. */
const section = lesson.slice(
	lesson.indexOf(HEADING),
	lesson.indexOf('\n## ', lesson.indexOf(HEADING))
);
const has = (line: string) => expect(section, line).toContain(line);

/** Two decimals for bits, one for means, whole percentages, thousands with commas. */
const b2 = (v: number) => v.toFixed(2);
const whole = (v: number) => `${Math.round(v * 100)}`;
const pct = (v: number) => `${whole(v)}%`;
const en = (v: number) => v.toLocaleString('en-US');
const range = (v: number[]) => `${Math.min(...v)}–${Math.max(...v)}`;
const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;

/** The language model's 18 matrices as the spectrum lab lists them, attention and MLP apart. */
const MATRICES = SETUPS['english-modern'].layers;
const ATTENTION = MATRICES.filter((l) => /\.(q|k|v|o)$/.test(l.name)).map((l) => l.name);
const MLP = MATRICES.filter((l) => /\.(up|down)$/.test(l.name)).map((l) => l.name);
/** The most directions a ΔW of the language model has: min(in, out), 96 for every matrix. */
const DIRECTIONS = Math.min(...MATRICES.map((l) => Math.min(l.inDim, l.outDim)));

/** The 90% rank of a matrix after a target, recomputed from its recorded spectrum. */
function rank90(t: LmTarget, name: string): number {
	return rankForEnergy(record.full[t].spectra[name], 0.9);
}
const ranks = (t: LmTarget, names: string[]) => names.map((n) => rank90(t, n));
const gain = (t: LmTarget) => record.full[t].startBits - record.full[t].bits;
const allMean = (t: LmTarget) => mean(ranks(t, [...ATTENTION, ...MLP]));

/** The row label of a target in the subsection's table. */
function label(t: LmTarget): string {
	const era = /^sotu-(\d{4})-(\d{4})$/.exec(t);
	if (era) return `Addresses of ${era[1]}–${era[2]}`;
	const far: Record<string, string> = { 'moby-dick': 'Moby-Dick', 'd3-code': "d3's code" };
	return far[t] ?? t;
}

/** The subsection's markdown table as rows of trimmed cells, the alignment row left out. */
function table(): string[][] {
	return section
		.split('\n')
		.filter((line) => line.startsWith('|'))
		.map((line) =>
			line
				.slice(1, line.lastIndexOf('|'))
				.split('|')
				.map((c) => c.trim())
		)
		.filter((cells) => !cells.every((c) => /^:?-+:?$/.test(c)));
}

/**
 * The 90% rank of a random Gaussian matrix, one per seed: entries from the project's seeded
 * generator, singular values by svd.ts, the same energy criterion as the updates.
 */
const DRAWS = [1, 2, 3, 4, 5];
function randomRanks(rows: number, cols: number): number[] {
	return DRAWS.map((seed) => {
		const rng = createRng(`lesson 6 random reference ${rows}x${cols} ${seed}`);
		const a = new Float64Array(rows * cols);
		for (let i = 0; i < a.length; i++) a[i] = rng.normal();
		return rankForEnergy(singularValues(a, rows, cols), 0.9);
	});
}

describe('lesson 6’s prose on the ranks the language model’s full updates needed', () => {
	it('reads every matrix of every target of the recording, as it says', () => {
		expect(section.startsWith(HEADING)).toBe(true);
		expect(ATTENTION).toHaveLength(12);
		expect(MLP).toHaveLength(6);
		expect(MATRICES.every((l) => Math.min(l.inDim, l.outDim) === 96)).toBe(true);
		has(
			`for each of the ${ATTENTION.length + MLP.length} matrices, the fewest of its ${DIRECTIONS} directions that hold 90% of its energy, after ${LM_LR_TRAINING.steps} steps at full fine-tuning's best rate`
		);
		for (const t of LM_TARGETS) {
			const run = record.full[t];
			expect(run.steps, t).toBe(LM_LR_TRAINING.steps);
			expect(run.lr, t).toBe(LM_FULL_LR[t]);
			for (const l of MATRICES) {
				expect(run.spectra[l.name], `${t} ${l.name}`).toHaveLength(DIRECTIONS);
				expect(run.rank90[l.name], `${t} ${l.name}`).toBe(rank90(t, l.name));
			}
			// The recording's held-out windows are the task's default, not the drift dial's.
			expect(lmFullSpec(t).task).not.toHaveProperty('testWindows');
		}
		has(
			`The gains are read on the recording's own ${ENGLISH_TEST_WINDOWS} held-out windows of each text, not Figure 3's ${LM_TRAINING.testWindows}`
		);
	});

	it('tabulates gains, ranges and means as recorded', () => {
		const [header, ...rows] = table();
		expect(header).toEqual([
			'Target',
			'Gain (bits per character)',
			'$W_q$, $W_k$, $W_v$, $W_o$',
			'MLP',
			`All ${ATTENTION.length + MLP.length}, mean`
		]);
		expect(rows).toEqual(
			LM_TARGETS.map((t) => [
				label(t),
				b2(gain(t)),
				range(ranks(t, ATTENTION)),
				range(ranks(t, MLP)),
				allMean(t).toFixed(1)
			])
		);
	});

	it('quotes the growth of the gain and the spread of the ranks as recorded', () => {
		// "grows about seventyfold down the table": in order, and first to last.
		const gains = LM_TARGETS.map(gain);
		for (let i = 1; i < gains.length; i++) expect(gains[i]).toBeGreaterThan(gains[i - 1]);
		const first = LM_TARGETS[0];
		const last = LM_TARGETS[LM_TARGETS.length - 1];
		expect(last).toBe('d3-code');
		expect(Math.round(gain(last) / gain(first) / 10) * 10).toBe(70);
		has(`Full fine-tuning's gain grows about seventyfold down the table; the rank barely moves.`);
		const attention = LM_TARGETS.flatMap((t) => ranks(t, ATTENTION));
		const mlp = LM_TARGETS.flatMap((t) => ranks(t, MLP));
		const means = LM_TARGETS.map(allMean);
		const dial = LM_TARGETS.filter((t) => t.startsWith('sotu-')).map(allMean);
		has(
			`On every target the attention matrices need ${Math.min(...attention)} to ${Math.max(...attention)} directions and the MLP's up to ${Math.max(...mlp)}, and the mean over all ${ATTENTION.length + MLP.length} stays between ${Math.min(...means).toFixed(1)} and ${Math.max(...means).toFixed(1)}, code's ${allMean(last).toFixed(1)} inside the range of the addresses`
		);
		expect(allMean(last)).toBeGreaterThanOrEqual(Math.min(...dial));
		expect(allMean(last)).toBeLessThanOrEqual(Math.max(...dial));
		// "barely moves": the mean over 18 matrices moves by less than 5% of the 96 directions.
		expect(Math.max(...means) - Math.min(...means)).toBeLessThan(0.05 * DIRECTIONS);
	});

	it('names the one matrix that moves, and the band of the others, as recorded', () => {
		const spread = (n: string) => {
			const v = LM_TARGETS.map((t) => rank90(t, n));
			return Math.max(...v) - Math.min(...v);
		};
		const down = 'h2.down';
		expect(MLP).toContain(down);
		const others = [...ATTENTION, ...MLP].filter((n) => n !== down).map(spread);
		const band = Math.max(...others);
		expect(spread(down)).toBeGreaterThan(band);
		const text = LM_TARGETS.filter((t) => t !== 'd3-code').map((t) => rank90(t, down));
		has(
			`Across the six targets every matrix stays within a band of ${band} directions or fewer, except the last block's down-projection: ${Math.min(...text)} to ${Math.max(...text)} on the addresses and the novel, ${rank90('d3-code', down)} on code`
		);
		expect(LM_TARGETS).toHaveLength(6);
		// "Lesson 4 saw this on block 2's W_q": its rank moves by at most one.
		expect(spread('h1.q')).toBeLessThanOrEqual(1);
		has(`Lesson 4 saw this on block 2's $W_q$.`);
	});

	it('compares the shares with the digits and with Biderman et al. as recorded', () => {
		const attention = LM_TARGETS.flatMap((t) => ranks(t, ATTENTION));
		const mlp = LM_TARGETS.flatMap((t) => ranks(t, MLP));
		const lo = Math.min(...attention) / DIRECTIONS;
		const hi = Math.max(...mlp) / DIRECTIONS;
		// The digits' medium shift: full fine-tuning's update of the 64 × 128 first layer.
		const sv = shift.get('full@s0.5000')!.singularValues!;
		const digits = rankForEnergy(sv, 0.9);
		// Biderman et al.'s ranks on Llama 2 7B, whose matrices have at most d_model directions.
		const llama = MODEL_PRESETS['llama-2-7b'].dModel;
		const [bLo, bHi] = [1000, 2800];
		has(
			`As a share of the largest possible rank, ${whole(lo)}–${pct(Math.max(...attention) / DIRECTIONS)} for attention and up to ${pct(hi)} for the MLP, this is close to what the digits' medium shift needed, ${digits} of ${sv.length} (${pct(digits / sv.length)}), and to what Biderman et al. measured on Llama 2 7B, about ${en(bLo)} to ${en(bHi)} of ${en(llama)} (${whole(bLo / llama)}–${pct(bHi / llama)})`
		);
		expect(sv).toHaveLength(64);
		// "close to": the digits' share lies inside ours, and Biderman's ends within 5 points of ours.
		expect(digits / sv.length).toBeGreaterThanOrEqual(lo);
		expect(digits / sv.length).toBeLessThanOrEqual(hi);
		expect(Math.abs(bLo / llama - lo)).toBeLessThan(0.05);
		expect(Math.abs(bHi / llama - hi)).toBeLessThan(0.05);
		// The lesson's earlier quote of the same paper.
		expect(lesson).toContain(
			`about ${en(bLo)} to ${en(bHi)}, to hold 90% of their spectral energy`
		);
	});

	it('sets the random reference from seeded draws, and every update below it', () => {
		const square = randomRanks(96, 96);
		const wide = randomRanks(96, 384);
		/** The mean of the draws, rounded, with every draw within one direction of it. */
		const typical = (v: number[]) => {
			const m = Math.round(mean(v));
			for (const r of v) expect(Math.abs(r - m), `${v}`).toBeLessThanOrEqual(1);
			return m;
		};
		expect(DRAWS).toHaveLength(5);
		has(
			`A random Gaussian matrix of the same shape needs ${typical(square)} directions (96 × 96) and ${typical(wide)} (96 × 384), on average over five seeded draws, none more than one away`
		);
		// The shapes are the model's: q, k, v and o are 96 × 96, up and down 96 × 384 either way.
		for (const l of MATRICES) {
			const shape = [l.inDim, l.outDim].sort((a, b) => a - b).join('×');
			expect(shape, l.name).toBe(ATTENTION.includes(l.name) ? '96×96' : '96×384');
		}
		// "The updates sit below chance": every matrix after every target, against every draw.
		for (const t of LM_TARGETS) {
			for (const r of ranks(t, ATTENTION)) expect(r).toBeLessThan(Math.min(...square));
			for (const r of ranks(t, MLP)) expect(r).toBeLessThan(Math.min(...wide));
		}
	});

	it('quotes the planted task, LoRA’s gap and the scale of the runs as recorded', () => {
		has(`Four hundred noisy steps of Adam`);
		expect(LM_LR_TRAINING.steps).toBe(400);
		const planted = rankForEnergy(shift.get('full@planted')!.singularValues!, 0.9);
		has(`energy asking for ${planted} directions for a change of rank ${PLANTED.rank}`);
		expect(planted).toBeGreaterThan(PLANTED.rank);
		const gap = (t: LmTarget) =>
			bestCell(drift, 'lora-16', t)!.bits - bestCell(drift, 'full', t)!.bits;
		const gaps = LM_TARGETS.map(gap);
		for (let i = 1; i < gaps.length; i++)
			expect(gaps[i], LM_TARGETS[i]).toBeGreaterThan(gaps[i - 1]);
		has(
			`LoRA at rank 16 falls further behind at every step of the table, from ${b2(gaps[0])} bits per character to ${b2(gaps[gaps.length - 1])}`
		);
		const characters = LM_LR_TRAINING.steps * LM_LR_TRAINING.batchSize * ENGLISH_WINDOW;
		has(
			`a model of ${en(manifest.models.englishlm.parameters)} parameters, ${LM_LR_TRAINING.steps} steps that see ${en(characters)} characters against their billions of tokens, and one seed`
		);
		expect(LM_LR_TRAINING.seed).toBe(1);
	});
});
