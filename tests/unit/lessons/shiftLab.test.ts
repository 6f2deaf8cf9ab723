/**
 * The shift lab's plan and reading (src/lib/widgets/shiftLab.ts): the queue a condition makes,
 * run ids that round-trip, results that become cells, gaps and summaries computed only from the
 * cells given (never NaN in a sentence), and the recorded grid complete and consistent with it.
 */
import { readFileSync } from 'node:fs';
import { useRecordedBackend } from './recordedBackend';
import { gapPoints } from './prose';
import { describe, expect, it } from 'vitest';
import recorded from '$lib/data/shiftLab.json';
import { makeTeacherStudent } from '$lib/model/data/synthetic';
import { TEACHER_STUDENT } from '$lib/trainer/worker/tasks';
import { effectiveRank, energyCaptured, rankForEnergy } from '$lib/math/spectrum';
import { estimateTrainingMemory, MODEL_PRESETS, type TargetMatrix } from '$lib/math/memory';
import type { QueuedResult } from '$lib/trainer/protocol';
import {
	BASE_METHOD,
	PLANTED,
	SHIFT_METHODS,
	SHIFT_TRAINING,
	SHIFT_VALUES,
	baseAccuracy,
	baseCell,
	bestLowRank,
	cellOf,
	conditionKey,
	conditionSummary,
	describeShift,
	gainShare,
	gapToFull,
	indexCells,
	maxRankOf,
	methodFits,
	parseRunId,
	pct,
	share,
	points,
	runsFor,
	snapShift,
	type Cell,
	type Condition
} from '$lib/widgets/shiftLab';

const small: Condition = { kind: 'shift', s: 2 / 12 };

/** The recorded grid by `method@condition`, and one of its cells (a missing one is an error). */
const recordedIndex = indexCells(recorded.cells as Cell[]);
function recordedCell(method: string, condition: string): Cell {
	const c = recordedIndex.get(`${method}@${condition}`);
	if (!c) throw new Error(`no recorded cell ${method}@${condition}`);
	return c;
}

function result(id: string, accuracy: number, original = 0.9): QueuedResult {
	return {
		id,
		testAccuracy: accuracy,
		testLoss: 0.3,
		trainAccuracy: accuracy,
		startAccuracy: 0.8,
		trainableParams: 100,
		steps: 10,
		seconds: 0.1,
		backend: 'cpu',
		originalAccuracy: original
	};
}

describe('the queue of a condition', () => {
	it('has one run per method, the fixed settings, and measures forgetting', () => {
		const runs = runsFor(small);
		expect(runs.map((r) => r.id)).toEqual(SHIFT_METHODS.map((m) => `${m.id}@s0.1667`));
		for (const r of runs) {
			expect(r.steps).toBe(SHIFT_TRAINING.steps);
			expect(r.spec.task).toEqual({ kind: 'digits', task: 'shift', strength: 2 / 12 });
			expect(r.spec.seed).toBe(SHIFT_TRAINING.seed);
			expect(r.measure?.original).toEqual({ kind: 'digits', task: 'pretrain' });
		}
		const lora4 = runs.find((r) => r.id.startsWith('lora-4@'))!;
		expect(lora4.spec).toMatchObject({ method: 'lora', rank: 4, alpha: 8 });
		const full = runs.find((r) => r.id.startsWith('full@'))!;
		expect(full.measure?.spectrum).toBe('l0');
		expect(full.measure?.truncation?.ks).toEqual([1, 2, 4, 8, 16, 32, 64]);
		expect(lora4.measure?.spectrum).toBeUndefined();
	});

	it('uses one learning rate per method whatever the condition', () => {
		const lrs = (c: Condition) => runsFor(c).map((r) => r.spec.lr);
		expect(lrs({ kind: 'shift', s: 1 })).toEqual(lrs({ kind: 'shift', s: 0 }));
		expect(lrs({ kind: 'task', task: 'permuted' })).toEqual(lrs(small));
	});

	it('scores new classes against the five-class base task', () => {
		const [run] = runsFor({ kind: 'task', task: 'new-classes' }, { steps: 20 });
		expect(run.spec.task).toEqual({ kind: 'digits', task: 'new-classes', strength: 1 });
		expect(run.measure?.original).toEqual({ kind: 'digits', task: 'pretrain-0to4' });
		expect(run.steps).toBe(20);
	});

	it('plants a rank-10 change on the teacher base, scores the old teacher, and skips ranks that do not fit', () => {
		const planted: Condition = { kind: 'task', task: 'planted' };
		expect(maxRankOf(planted)).toBe(32);
		const runs = runsFor(planted);
		expect(runs.map((r) => r.id)).toEqual(
			SHIFT_METHODS.filter((m) => m.id !== 'lora-64').map((m) => `${m.id}@planted`)
		);
		for (const r of runs) {
			expect(r.spec.task).toEqual({
				kind: 'synthetic',
				rank: PLANTED.rank,
				relNorm: PLANTED.relNorm
			});
			expect(r.measure?.original).toEqual({ kind: 'synthetic', rank: 0, relNorm: 0 });
		}
		expect(runs.find((r) => r.id === 'full@planted')!.measure?.truncation?.ks).toEqual([
			1, 2, 4, 8, 16, 32
		]);
		// Same learning rates as on the digits: no task gets its own.
		expect(runs.map((r) => r.spec.lr)).toEqual(
			runsFor(small)
				.filter((r) => !r.id.startsWith('lora-64@'))
				.map((r) => r.spec.lr)
		);
		expect(SHIFT_METHODS.every((m) => methodFits(m, small))).toBe(true);
	});

	it('round-trips run ids and rejects foreign ones', () => {
		expect(parseRunId('lora-16@s0.5000')).toEqual({ method: 'lora-16', condition: 's0.5000' });
		expect(parseRunId('lora-3@s0.5000')).toBeNull();
		expect(parseRunId('nonsense')).toBeNull();
		expect(cellOf(result('w1@s0', 0.5))).toBeNull();
	});
});

describe('the axis', () => {
	it('snaps to twelfths and clamps', () => {
		expect(snapShift(0.16)).toBeCloseTo(2 / 12, 10);
		expect(snapShift(-3)).toBe(0);
		expect(snapShift(7)).toBe(1);
		expect(SHIFT_VALUES).toHaveLength(13);
	});

	it('describes each part of a shift', () => {
		expect(describeShift(0)).toMatch(/clean digits/);
		expect(describeShift(2 / 12)).toBe(
			'rotation up to ±10°, shifts up to 0.7 px, no pixels scrambled'
		);
		expect(describeShift(1)).toMatch(/64 of 64 pixel positions scrambled/);
	});
});

describe('cells, gaps and summaries', () => {
	const key = conditionKey(small);
	const cells = indexCells(
		[
			result(`full@${key}`, 0.92, 0.98),
			result(`lora-1@${key}`, 0.87, 0.96),
			result(`lora-4@${key}`, 0.905, 0.95),
			result(`head@${key}`, 0.9, 0.97)
		].map((r) => cellOf(r)!)
	);

	it('measures the gap to full fine-tuning and the best low rank', () => {
		expect(gapToFull(cells, 'lora-4', key)).toBeCloseTo(-0.015, 10);
		expect(bestLowRank(cells, key)).toBeCloseTo(0.905, 10);
		expect(gapToFull(cells, 'bitfit', key)).toBeNaN();
		expect(points(-0.015)).toBe('−1.5');
		expect(points(0.2)).toBe('+20.0');
		expect(pct(NaN)).toBe('—');
		expect(gainShare(cells, 'lora-1', key)).toBeCloseTo(0.07 / 0.12, 12);
		expect(gainShare(cells, 'full', key)).toBe(1);
		expect(gainShare(cells, 'bitfit', key)).toBeNaN();
		expect(share(gainShare(cells, 'head', key))).toBe('83%');
		// Under 2 points of gain a share would be a ratio of noise.
		const flat = indexCells(
			[result(`full@${key}`, 0.81), result(`head@${key}`, 0.9)].map((r) => cellOf(r)!)
		);
		expect(gainShare(flat, 'head', key)).toBeNaN();
		expect(share(NaN)).toBe('—');
	});

	it('says within 2 points, or 10 behind, from the numbers alone', () => {
		const text = conditionSummary(cells, small);
		expect(text).toMatch(/full fine-tuning reaches 92\.0%/);
		// Start 0.8, full 0.92: LoRA r = 4's 0.905 recovers (0.905 − 0.8) / (0.92 − 0.8) of the gain.
		expect(text).toContain(
			`90.5% (−1.5 points, ${share((0.905 - 0.8) / (0.92 - 0.8))} of full fine-tuning's gain), within 2 points of it`
		);
		expect(text).toMatch(/Head only 90\.0% \(83%\)/);
		expect(text).toMatch(/LoRA up to 96\.0%/);
		expect(text).not.toMatch(/NaN|undefined/);
		const far = indexCells([
			cellOf(result(`full@${key}`, 0.9))!,
			cellOf(result(`lora-1@${key}`, 0.7))!
		]);
		expect(conditionSummary(far, small)).toMatch(/at least 10 points behind/);
	});

	it('waits for full fine-tuning before it speaks of gaps', () => {
		const partial = indexCells([cellOf(result(`lora-1@${key}`, 0.7))!]);
		expect(conditionSummary(partial, small)).toMatch(/1 of 7 methods finished/);
	});

	it('keeps a diverged run as NaN accuracy, with its explanation', () => {
		const c = cellOf({ ...result(`full@${key}`, 0.5), diverged: 'Training diverged at step 3' })!;
		expect(c.accuracy).toBeNaN();
		expect(c.diverged).toMatch(/diverged/);
		const text = conditionSummary(indexCells([c]), small);
		expect(text).not.toMatch(/NaN/);
	});
});

describe('the recorded grid', () => {
	const cells = recorded.cells as Cell[];

	it('has BitFit as published: biases and the head, more weights than head-only everywhere', () => {
		for (const c of cells.filter((x) => x.method === 'bitfit')) {
			const head = recordedIndex.get(`head@${c.condition}`)!;
			expect(c.trainableParams, c.condition).toBeGreaterThan(head.trainableParams);
		}
		// The ten-digit MLP: 266 biases and the head's 128 × 10 weights.
		expect(recordedIndex.get('bitfit@s0.1667')!.trainableParams).toBe(266 + 1280);
	});

	it('has every method that fits under every shift and every new-feature task, with the shipped settings', () => {
		expect(recorded.training).toEqual(SHIFT_TRAINING);
		expect(recorded.backend).toBe('wasm');
		const conditions: Condition[] = [
			...SHIFT_VALUES.map((s): Condition => ({ kind: 'shift', s })),
			{ kind: 'task', task: 'new-classes' },
			{ kind: 'task', task: 'permuted' },
			{ kind: 'task', task: 'planted' }
		];
		let expected = 0;
		for (const c of conditions)
			for (const m of SHIFT_METHODS) {
				const id = `${m.id}@${conditionKey(c)}`;
				expect(recordedIndex.has(id), id).toBe(methodFits(m, c));
				if (methodFits(m, c)) expected++;
			}
		expect(cells).toHaveLength(expected);
	});

	it('shows the planted task failing low-rank LoRA and low ranks forgetting less, as lessons 5 and 6 say', () => {
		const at = (m: string) => recordedIndex.get(`${m}@planted`)!;
		// Lesson 6: rank ≤ 4 at least 10 points behind; rank 16 (> the planted 10) closes the gap.
		expect(bestLowRank(recordedIndex, 'planted', 4) - at('full').accuracy).toBeLessThan(-0.1);
		expect(at('lora-16').accuracy - at('full').accuracy).toBeGreaterThan(-0.02);
		// Lesson 5: ranks 1 and 4 keep more of the old teacher's task and learn less of the new.
		for (const m of ['lora-1', 'lora-4']) {
			expect(at(m).original).toBeGreaterThan(at('full').original);
			expect(at(m).accuracy).toBeLessThan(at('full').accuracy);
		}
		expect(at('full').singularValues).toHaveLength(32);
	});

	it('holds accuracies in [0, 1] and a 64-value spectrum for each full fine-tune', () => {
		for (const c of cells) {
			expect(c.accuracy).toBeGreaterThanOrEqual(0);
			expect(c.accuracy).toBeLessThanOrEqual(1);
			expect(c.original).toBeGreaterThanOrEqual(0);
			if (c.method === 'full')
				expect(c.singularValues).toHaveLength(c.condition === 'planted' ? 32 : 64);
		}
	});
});

describe('the recorded grid, re-run', () => {
	it(
		'its cheapest cell (head-only at no shift) trains again to the recorded accuracies, on wasm as recorded',
		{ timeout: 120_000 },
		async () => {
			const backend = await useRecordedBackend(recorded.backend);
			const { runQueue } = await import('$lib/trainer/worker/experiments');
			const { diskSources } = await import('../../../scripts/node/diskSources');
			const { runsFor, cellOf, SHIFT_METHODS, SHIFT_VALUES } =
				await import('$lib/widgets/shiftLab');
			const head = SHIFT_METHODS.filter((m) => m.id === 'head');
			const [run] = runsFor({ kind: 'shift', s: SHIFT_VALUES[0] }, { methods: head });
			const [result] = await runQueue([run], diskSources(), { backend, chunk: 100 });
			const cell = cellOf(result)!;
			const want = (recorded.cells as Cell[]).find(
				(c) => c.method === cell.method && c.condition === cell.condition
			)!;
			expect(want).toBeDefined();
			// Accuracies are counts over 359 held-out digits, recorded to five digits: the same
			// data, seed and steps must give the same counts.
			const round = (v: number) => Number(v.toPrecision(5));
			expect(round(cell.accuracy)).toBe(want.accuracy);
			expect(round(cell.start)).toBe(want.start);
			expect(round(cell.original)).toBe(want.original);
		}
	);
});

describe('lesson 5’s prose about the shift lab', () => {
	const prose = readFileSync('lessons/05-when-peft-works/index.svx', 'utf8');
	const [s0, s12, s6, s2, s23] = ['s0.0000', 's0.0833', 's0.1667', 's0.5000', 's0.6667'];
	const acc = (m: string, c: string) => pct(recordedCell(m, c).accuracy);
	const kept = (m: string, c: string) => pct(recordedCell(m, c).original);

	it('quotes the small and large shifts’ accuracies as recorded', () => {
		const lines = [
			`the base drops to ${pct(recordedCell('full', s6).start)}`,
			`Full fine-tuning reaches ${acc('full', s6)}, LoRA at rank 4 ${acc('lora-4', s6)}, ${gapPoints(recordedCell('full', s6).accuracy, recordedCell('lora-4', s6).accuracy)} points behind, and the linear probe ${acc('head', s6)} too`,
			`BitFit does a little better (${acc('bitfit', s6)}); rank 1 (${acc('lora-1', s6)}) recovers less`,
			`the base is still at ${pct(recordedCell('full', s12).start)}`,
			`the base is at ${pct(recordedCell('full', s2).start)} and full fine-tuning lifts it to ${acc('full', s2)}`,
			`LoRA at rank 4 gets ${acc('lora-4', s2)}, ${gapPoints(recordedCell('full', s2).accuracy, recordedCell('lora-4', s2).accuracy)} points behind, rank 1 ${acc('lora-1', s2)}, head only ${acc('head', s2)} and BitFit ${acc('bitfit', s2)}`,
			`and the linear probe ${acc('head', s6)} too; both recover ${share(gainShare(recordedIndex, 'lora-4', s6))} of full fine-tuning's gain`,
			`at this shift LoRA at rank 4 recovers ${share(gainShare(recordedIndex, 'lora-4', s2))} of it, rank 1 ${share(gainShare(recordedIndex, 'lora-1', s2))}, head only ${share(gainShare(recordedIndex, 'head', s2))} and BitFit ${share(gainShare(recordedIndex, 'bitfit', s2))}, all less than at $s = \\tfrac16$`
		];
		expect(share(gainShare(recordedIndex, 'head', s6))).toBe(
			share(gainShare(recordedIndex, 'lora-4', s6))
		);
		for (const m of ['lora-1', 'lora-4', 'head', 'bitfit'])
			expect(gainShare(recordedIndex, m, s2), m).toBeLessThan(gainShare(recordedIndex, m, s6));
		for (const line of lines) expect(prose, line).toContain(line);
	});

	it('quotes forgetting and learning along the dial as recorded', () => {
		const base = recordedCell('full', s0).start;
		const lines = [
			`ends at ${kept('full', s6)} on clean digits, above the base's ${pct(base)}`,
			`no method loses more than ${gapPoints(base, recordedCell('lora-4', s6).original)} points (LoRA at rank 4, ${kept('lora-4', s6)})`,
			`full fine-tuning keeps ${kept('full', s23)} of clean digits; LoRA at rank 1 keeps ${kept('lora-1', s23)}, but rank 4 keeps ${kept('lora-4', s23)} and ranks 16 and 64 only ${kept('lora-16', s23)} and ${kept('lora-64', s23)}`,
			`BitFit keeps ${kept('bitfit', s23)}, less than full fine-tuning too`,
			`LoRA at rank 1 reaches ${acc('lora-1', s23)}, at rank 64 ${acc('lora-64', s23)}, full fine-tuning ${acc('full', s23)}. BitFit breaks the pattern: it reaches only ${acc('bitfit', s23)} yet keeps just ${kept('bitfit', s23)}`
		];
		for (const line of lines) expect(prose, line).toContain(line);
	});

	it('quotes the planted task’s learning and forgetting as recorded', () => {
		const p = 'planted';
		const teachers = makeTeacherStudent({
			...TEACHER_STUDENT,
			...PLANTED,
			kind: 'classification'
		});
		const lines = [
			`The two teachers give the same label to only ${pct(1 - teachers.labelsChanged)} of held-out inputs, and the base scores ${pct(recordedCell('full', p).start)} on the new teacher's labels`,
			`Full fine-tuning learns the new teacher to ${acc('full', p)} and keeps ${kept('full', p)} of the old one`,
			`LoRA at rank 1 learns almost nothing (${acc('lora-1', p)}) and keeps ${kept('lora-1', p)}; at rank 4 it learns ${acc('lora-4', p)} and keeps ${kept('lora-4', p)}`,
			`(${acc('lora-16', p)}) and forgets as much (${kept('lora-16', p)})`,
			`BitFit learns ${acc('bitfit', p)} and keeps ${kept('bitfit', p)}, the linear probe ${acc('head', p)} and ${kept('head', p)}`
		];
		for (const line of lines) expect(prose, line).toContain(line);
	});
});

describe('lesson 5’s prose about the full update’s spectrum', () => {
	const prose = readFileSync('lessons/05-when-peft-works/index.svx', 'utf8');
	const full = (condition: string) => {
		const c = recordedCell('full', condition);
		if (!c.singularValues || !c.truncation) throw new Error(`no spectrum for ${condition}`);
		return { ...c, sv: c.singularValues, truncation: c.truncation };
	};
	const share = (sv: number[]) => `${Math.round(energyCaptured(sv, 4) * 100)}%`;

	it('quotes energies, directions and effective ranks along the dial as recorded', () => {
		const s0 = full('s0.0000');
		const s6 = full('s0.1667');
		const s2 = full('s0.5000');
		const lines = [
			`barely moves the model (${pct(s0.start)} to ${pct(s0.accuracy)})`,
			`the top four directions hold ${share(s0.sv)} of its energy and ${rankForEnergy(s0.sv, 0.9)} directions are needed for 90%`,
			`cutting the update to its single top direction still scores ${pct(s0.truncation.find((t) => t.k === 1)!.accuracy)}`,
			`at $s = \\tfrac16$ the top four hold ${share(s6.sv)} and 90% takes ${rankForEnergy(s6.sv, 0.9)} directions`,
			`the [effective rank](../../glossary/#effective-rank) rises from ${Math.round(effectiveRank(s0.sv))} to ${Math.round(effectiveRank(s2.sv))}`
		];
		for (const line of lines) expect(prose, line).toContain(line);
		// "from s = ½ on, about a third and 25 or 26 directions … It stops flattening there."
		const beyond = SHIFT_VALUES.filter((v) => v >= 0.5).map((v) => full(`s${v.toFixed(4)}`).sv);
		for (const sv of beyond) {
			expect(energyCaptured(sv, 4)).toBeGreaterThan(0.3);
			expect(energyCaptured(sv, 4)).toBeLessThan(0.37);
			expect([25, 26]).toContain(rankForEnergy(sv, 0.9));
			expect(effectiveRank(sv)).toBeLessThanOrEqual(effectiveRank(s2.sv));
		}
	});
});

describe('lesson 6’s prose about large drift', () => {
	const prose = readFileSync('lessons/06-when-peft-fails/index.svx', 'utf8');

	it('quotes the far end of the dial as recorded', () => {
		const [s1, s2] = ['s1.0000', 's0.5000'];
		const acc = (m: string, c: string) => pct(recordedCell(m, c).accuracy);
		const lines = [
			`At $s = 1$ the base gets ${pct(recordedCell('full', s1).start)}`,
			`Full fine-tuning recovers ${acc('full', s1)}; LoRA at rank 4 gets ${acc('lora-4', s1)}, ${gapPoints(recordedCell('full', s1).accuracy, recordedCell('lora-4', s1).accuracy)} points behind, and at rank 1 ${acc('lora-1', s1)}; head only ${acc('head', s1)} and BitFit ${acc('bitfit', s1)}`,
			`${gapPoints(recordedCell('full', s2).accuracy, recordedCell('lora-4', s2).accuracy)} points at $s = \\tfrac12$`,
			`matches full fine-tuning (${acc('lora-64', s1)})`
		];
		for (const line of lines) expect(prose, line).toContain(line);
	});

	it('quotes the new-feature tasks and the medium shift as recorded', () => {
		const s2 = 's0.5000';
		const acc = (m: string, c: string) => pct(recordedCell(m, c).accuracy);
		const gap = (m: string, c: string) =>
			gapPoints(recordedCell('full', c).accuracy, recordedCell(m, c).accuracy);
		const lines = [
			`Full fine-tuning lifts the base from ${pct(recordedCell('full', s2).start)} to ${acc('full', s2)}; the linear probe stops at ${acc('head', s2)} and BitFit, which adds the biases to the probe, at ${acc('bitfit', s2)}`,
			`${acc('lora-1', s2)} at rank 1, ${acc('lora-4', s2)} at rank 4, ${acc('lora-16', s2)} at rank 16 and ${acc('lora-64', s2)} at rank 64, ${gap('lora-64', s2)} points from full fine-tuning`,
			`the five-class base starts at ${pct(recordedCell('full', 'new-classes').start)} (chance is 20%), yet the linear probe reaches ${acc('head', 'new-classes')}`,
			`LoRA at rank 4 reaches ${acc('lora-4', 'new-classes')}. BitFit reaches ${acc('bitfit', 'new-classes')} too; only LoRA at rank 1, which cannot touch the head, stops at ${acc('lora-1', 'new-classes')}`,
			`On the large drift the probe still gets ${acc('head', 'permuted')} and LoRA at rank 4 ${acc('lora-4', 'permuted')}, against ${acc('full', 'permuted')} for full fine-tuning, BitFit ${acc('bitfit', 'permuted')}; only rank 1 (${acc('lora-1', 'permuted')}) falls far behind`,
			`Full fine-tuning lifts the base from ${pct(recordedCell('full', 'planted').start)} to ${acc('full', 'planted')}. LoRA on the first layer gets ${acc('lora-1', 'planted')} at rank 1 and ${acc('lora-4', 'planted')} at rank 4, ${gap('lora-4', 'planted')} points behind`,
			`it reaches ${acc('lora-16', 'planted')}, level with full fine-tuning`,
			`The linear probe stops at ${acc('head', 'planted')} and BitFit at ${acc('bitfit', 'planted')}`,
			`LoRA at rank 4 is ${gap('lora-4', 'permuted')} points behind (${acc('lora-4', 'permuted')} against ${acc('full', 'permuted')})`,
			`LoRA at rank 4 is ${gap('lora-4', 'planted')} points below full fine-tuning (${acc('lora-4', 'planted')} against ${acc('full', 'planted')}) and rank 1 ${gap('lora-1', 'planted')} points (${acc('lora-1', 'planted')})`,
			`LoRA at rank 4 scores ${acc('lora-4', 'new-classes')} against ${acc('full', 'new-classes')}, and the linear probe ${acc('head', 'new-classes')}`,
			`${acc('full', s2)} at $s = \\tfrac12$, ${acc('full', 's1.0000')} at $s = 1$`
		];
		for (const line of lines) expect(prose, line).toContain(line);
	});

	it('compares truncation with LoRA at s = 1/6 as recorded', () => {
		const s6 = 's0.1667';
		const cut4 = recordedCell('full', s6).truncation!.find((t) => t.k === 4)!.accuracy;
		expect(prose).toContain(
			`at $s = \\tfrac16$ the update cut to rank 4 scores ${pct(cut4)} and LoRA at rank 4 ${pct(recordedCell('lora-4', s6).accuracy)}`
		);
	});

	it('quotes the full updates’ energy and truncation as recorded', () => {
		const energy = (c: string) => rankForEnergy(recordedCell('full', c).singularValues!, 0.9);
		const cut = (c: string, k: number) =>
			pct(recordedCell('full', c).truncation!.find((t) => t.k === k)!.accuracy);
		const s2 = 's0.5000';
		const full = (c: string) => pct(recordedCell('full', c).accuracy);
		const lines = [
			`${energy(s2)} for 90% of the energy, and on accuracy the truncated update scores ${cut(s2, 4)} at rank 4, ${cut(s2, 8)} at rank 8, ${cut(s2, 16)} at rank 16 and ${cut(s2, 32)} at rank 32, within ${gapPoints(recordedCell('full', s2).accuracy, recordedCell('full', s2).truncation!.find((t) => t.k === 32)!.accuracy)} points of the whole update (${full(s2)})`,
			`For new classes the update needs ${energy('new-classes')} directions for 90% of its energy but only 4 for full accuracy (${cut('new-classes', 4)})`,
			`for the large drift ${energy('permuted')} for the energy and 8 to 16 for the accuracy (${cut('permuted', 8)}, then ${cut('permuted', 16)})`,
			`the truncated update scores ${cut('planted', 4)} at rank 4, ${cut('planted', 8)} at rank 8 and ${cut('planted', 16)} at rank 16 (the whole update: ${full('planted')})`,
			`energy asks for ${energy('planted')}`
		];
		expect(cut('new-classes', 4)).toBe(full('new-classes'));
		for (const line of lines) expect(prose, line).toContain(line);
	});

	it('prices the rank the spectrum asks for on Llama 2 7B with lesson 3’s model', () => {
		const sv = recordedCell('full', 's0.5000').singularValues!;
		const rank = rankForEnergy(sv, 0.9);
		const targets: TargetMatrix[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];
		const setup = { batchSize: 1, seqLen: 512, targets } as const;
		const arch = MODEL_PRESETS['llama-2-7b'];
		const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
		const lora = (r: number) =>
			gb(estimateTrainingMemory(arch, { method: 'lora', rank: r, ...setup }).total);
		const full = gb(estimateTrainingMemory(arch, { method: 'full', ...setup }).total);
		const line = `prices the rank the spectrum asks for (${rank}) at ${lora(rank)} against ${lora(4)} at rank 4 and ${full} for full fine-tuning`;
		expect(prose).toContain(line);
		// Biderman et al.'s ranks, priced by the same model.
		expect(prose).toContain(`it gives ${lora(1000)} at rank 1,000 and ${lora(2048)} at rank 2,048`);
		expect(prose).toContain(
			`all-matrix LoRA at rank 1,000 at ${lora(1000)} and at rank 2,048 at ${lora(2048)}, against ${full} for full fine-tuning; at 2,800 it would cost more than full fine-tuning`
		);
		const total = (r: number) =>
			estimateTrainingMemory(arch, { method: 'lora', rank: r, ...setup }).total;
		expect(total(2800)).toBeGreaterThan(
			estimateTrainingMemory(arch, { method: 'full', ...setup }).total
		);
		expect(prose).toContain(
			`here, ${rank}, read off a 64 × 128 layer of a toy model: ${lora(rank)} against ${lora(4)} at rank 4 and ${full} for full fine-tuning`
		);
	});
});

describe('the base line on the shift charts', () => {
	it('is the untouched base’s accuracy, which every run of a condition recorded alike', () => {
		const conditions = [
			...SHIFT_VALUES.map((s) => conditionKey({ kind: 'shift', s })),
			'new-classes',
			'permuted',
			'planted'
		];
		for (const key of conditions) {
			const starts = recorded.cells.filter((c) => c.condition === key).map((c) => c.start);
			expect(new Set(starts).size, key).toBe(1);
			expect(baseAccuracy(recordedIndex, key)).toBe(starts[0]);
		}
		// The numbers the lessons quote for the base.
		expect(pct(baseAccuracy(recordedIndex, 's0.1667'))).toBe('81.3%');
		expect(pct(baseAccuracy(recordedIndex, 's1.0000'))).toBe('9.5%');
	});

	it('reads the base’s own task from the clean digits only where the ten-digit base starts', () => {
		const clean = recordedCell('full', 's0.0000').start;
		expect(baseCell(recordedIndex, { kind: 'shift', s: 0.5 })).toMatchObject({
			method: BASE_METHOD.id,
			condition: 's0.5000',
			accuracy: recordedCell('full', 's0.5000').start,
			original: clean,
			trainableParams: 0
		});
		expect(baseCell(recordedIndex, { kind: 'task', task: 'permuted' })!.original).toBe(clean);
		expect(baseCell(recordedIndex, { kind: 'task', task: 'new-classes' })!.original).toBeNaN();
		expect(baseCell(recordedIndex, { kind: 'task', task: 'planted' })!.original).toBeNaN();
	});

	it('waits for a run before it draws anything', () => {
		expect(baseAccuracy(new Map(), 's0.5000')).toBeNaN();
		expect(baseCell(new Map(), { kind: 'shift', s: 0.5 })).toBeNull();
		const one = indexCells([cellOf(result('head@s0.5000', 0.4))!]);
		expect(baseAccuracy(one, 's0.5000')).toBe(0.8);
	});
});
