/**
 * Lesson 5's intrinsic-dimension sweep as data: the queue it sends, reading d₉₀ off results
 * (Li et al. 2018: the smallest d reaching 90% of full training's accuracy from the same start),
 * the summary sentence whichever way the numbers fall, and the recorded file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useRecordedBackend } from './recordedBackend';
import {
	analyseStart,
	DEFAULT_SETTINGS,
	DIMS,
	INTRINSIC_TASK_IDS,
	parseRunId,
	pointsOf,
	runId,
	summarise,
	sweepRuns,
	type SweepPoint
} from '../../../lessons/05-when-peft-works/intrinsic';
import recorded from '$lib/data/intrinsicDimension.json';
import type { QueuedResult } from '$lib/trainer/protocol';

function result(id: string, testAccuracy: number, extra: Partial<QueuedResult> = {}): QueuedResult {
	return {
		id,
		testAccuracy,
		testLoss: 0.5,
		trainAccuracy: testAccuracy,
		startAccuracy: 0.2,
		trainableParams: 10,
		steps: 300,
		seconds: 1,
		backend: 'cpu',
		...extra
	};
}

describe('sweepRuns', () => {
	it('queues full training then every d in order, from the base and from a random start', () => {
		const runs = sweepRuns('new-classes', [8, 64]);
		expect(runs.map((r) => r.id)).toEqual([
			'base/full',
			'base/d8',
			'base/d64',
			'scratch/full',
			'scratch/d8',
			'scratch/d64'
		]);
		expect(runs[0].spec).toMatchObject({
			method: 'full',
			lr: DEFAULT_SETTINGS.fullLr,
			init: 'base'
		});
		expect(runs[2].spec).toMatchObject({
			method: 'subspace',
			subspaceDim: 64,
			lr: DEFAULT_SETTINGS.lr,
			init: 'base',
			task: { kind: 'digits', task: 'new-classes' }
		});
		expect(runs[4].spec.init).toBe('scratch');
		for (const r of runs) {
			expect(r.steps).toBe(DEFAULT_SETTINGS.steps);
			expect(r.spec.seed).toBe(DEFAULT_SETTINGS.seed);
		}
	});

	it('names runs so that their ids read back', () => {
		expect(parseRunId(runId('base', 64))).toEqual({ start: 'base', d: 64 });
		expect(parseRunId(runId('scratch', null))).toEqual({ start: 'scratch', d: null });
		expect(parseRunId('lora-4@0.5')).toBeNull();
		expect(parseRunId('base/d')).toBeNull();
	});
});

describe('analyseStart', () => {
	const results = [
		result('base/full', 0.9),
		result('base/d8', 0.5),
		result('base/d32', 0.82),
		result('base/d16', 0.81),
		result('scratch/full', 0.95),
		result('scratch/d8', 0.3),
		result('scratch/d16', 0.6),
		result('scratch/d32', 0.7),
		result('other', 1)
	];
	const points = pointsOf(results);

	it('takes the smallest swept d at or above 90% of full training from the same start', () => {
		const base = analyseStart(points, 'base');
		expect(base.full).toBe(0.9);
		expect(base.threshold).toBeCloseTo(0.81, 12);
		expect(base.points.map((p) => p.d)).toEqual([8, 16, 32]);
		expect(base.d90).toBe(16);
		const scratch = analyseStart(points, 'scratch');
		expect(scratch.threshold).toBeCloseTo(0.855, 12);
		expect(scratch.d90).toBeNull();
		expect(scratch.largest).toBe(32);
	});

	it('has no threshold before full training is in, and skips diverged runs', () => {
		const early = pointsOf([result('base/d8', 0.9)]);
		expect(analyseStart(early, 'base').threshold).toBeNull();
		expect(analyseStart(early, 'base').d90).toBeNull();
		const diverged = pointsOf([
			result('base/full', 0.9),
			result('base/d8', 0.95, { diverged: 'NaN' }),
			result('base/d16', 0.85)
		]);
		expect(analyseStart(diverged, 'base').d90).toBe(16);
	});
});

describe('summarise', () => {
	const make = (b: number, s: number): SweepPoint[] =>
		pointsOf([
			result('base/full', 1),
			result(`base/d${b}`, 0.95),
			result('base/d4', 0.1),
			result('scratch/full', 1),
			result(`scratch/d${s}`, 0.95),
			result('scratch/d4', 0.1)
		]);

	it('says which start needed fewer dimensions, whichever it is', () => {
		const lower = summarise(make(16, 256), 'new-classes', true);
		expect(lower).toMatch(/d₉₀ ≈ 16 dimensions/);
		expect(lower).toMatch(/d₉₀ ≈ 256 dimensions/);
		expect(lower).toMatch(/pretraining lowered the dimension/);
		const higher = summarise(make(256, 16), 'new-classes', true);
		expect(higher).toMatch(/needed more dimensions than the random one/);
		expect(summarise(make(32, 32), 'new-classes', true)).toMatch(/did not lower it/);
	});

	it('says when a start is over its line before any training', () => {
		const points = pointsOf([
			result('base/full', 0.9, { startAccuracy: 0.85 }),
			result('base/d4', 0.85, { startAccuracy: 0.85 }),
			result('scratch/full', 0.9),
			result('scratch/d4', 0.85)
		]);
		const text = summarise(points, 'small-shift', true);
		expect(text).toMatch(
			/d₉₀ ≈ 4 dimensions \(it starts at 85\.0%, above the line before any training\)/
		);
		expect(text.match(/above the line/g)).toHaveLength(1);
	});

	it('does not compare before the sweep is complete, and says when no d reached the line', () => {
		expect(summarise(make(16, 256), 'new-classes', false)).not.toMatch(/pretraining/);
		const none = pointsOf([result('base/full', 1), result('base/d4', 0.2)]);
		expect(summarise(none, 'relabel', true)).toMatch(/no swept d reached it \(d₉₀ above 4\)/);
		expect(summarise([], 'relabel', false)).toBe('No run has finished yet.');
	});
});

describe('the recorded sweep', () => {
	it('holds every task’s queue, run with the default settings on the fine grid', () => {
		expect(recorded.settings).toEqual(DEFAULT_SETTINGS);
		expect(recorded.dims).toEqual([...DIMS.fine]);
		for (const id of INTRINSIC_TASK_IDS) {
			const ids = (recorded.tasks as Record<string, { results: QueuedResult[] }>)[id].results.map(
				(r) => r.id
			);
			expect(ids).toEqual(sweepRuns(id, DIMS.fine).map((r) => r.id));
		}
	});

	it('has full training well above the starting accuracy and trainable counts of d', () => {
		for (const id of INTRINSIC_TASK_IDS) {
			const results = (recorded.tasks as Record<string, { results: QueuedResult[] }>)[id].results;
			for (const r of results) {
				const parsed = parseRunId(r.id)!;
				if (parsed.d !== null) expect(r.trainableParams).toBe(parsed.d);
				// The shifted digits start close (the base already does them passably); the rest far.
				else
					expect(r.testAccuracy).toBeGreaterThan(
						r.startAccuracy + (id.includes('shift') && r.id.startsWith('base') ? 0.05 : 0.2)
					);
			}
		}
	});

	it('gives the numbers lesson 5 quotes: pretraining lowers d₉₀ on the small shift only', () => {
		const analyse = (id: string) => {
			const points = pointsOf(
				(recorded.tasks as Record<string, { results: QueuedResult[] }>)[id].results
			);
			return { base: analyseStart(points, 'base'), scratch: analyseStart(points, 'scratch') };
		};
		const small = analyse('small-shift');
		expect(small.base.d90).toBe(4);
		expect(small.base.startAccuracy!).toBeGreaterThanOrEqual(small.base.threshold!);
		expect(small.scratch.d90).toBe(512);
		const quarter = analyse('shift-quarter');
		expect(quarter.base.d90).toBeNull();
		expect(quarter.scratch.d90).toBeNull();
		for (const id of ['new-classes', 'relabel', 'permuted']) {
			const a = analyse(id);
			expect(a.base.d90!, id).toBeGreaterThan(a.scratch.d90!);
		}
	});
});

describe('lesson 5’s prose about the sweep', () => {
	const prose = readFileSync('lessons/05-when-peft-works/index.svx', 'utf8');
	const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
	/** Both starts' analyses of a task, on the fine grid or on the powers of two alone. */
	const analyse = (id: string, only?: readonly number[]) => {
		const points = pointsOf(
			(recorded.tasks as Record<string, { results: QueuedResult[] }>)[id].results
		).filter((p) => !only || p.d === null || only.includes(p.d));
		return { base: analyseStart(points, 'base'), scratch: analyseStart(points, 'scratch') };
	};
	const at = (a: ReturnType<typeof analyseStart>, d: number) =>
		pct(a.points.find((p) => p.d === d)!.accuracy);

	it('quotes d₉₀ of the far tasks on both grids as recorded', () => {
		const [nc, rl, pm] = ['new-classes', 'relabel', 'permuted'].map((id) => analyse(id));
		const coarse = analyse('new-classes', DIMS.coarse);
		const lines = [
			`$d_{90} \\approx ${nc.base.d90}$ against ${nc.scratch.d90} for new classes, ${rl.base.d90} against ${rl.scratch.d90} for relabelled digits and ${pm.base.d90} against ${pm.scratch.d90} for the large drift`,
			`new classes comes out at ${coarse.base.d90} for both`,
			`${nc.base.d90} against ${nc.scratch.d90} (new classes; ${coarse.base.d90} each on powers of two), ${rl.base.d90} against ${rl.scratch.d90} (relabelled), ${pm.base.d90} against ${pm.scratch.d90} (large drift)`,
			`(${Math.round(nc.base.startAccuracy! * 100)}% on the new classes, below the 20% of guessing)`
		];
		expect(coarse.scratch.d90).toBe(coarse.base.d90);
		for (const line of lines) expect(prose, line).toContain(line);
	});

	it('quotes the small and quarter shifts’ lines and accuracies as recorded', () => {
		const small = analyse('small-shift');
		const quarter = analyse('shift-quarter');
		const lines = [
			`Full training from the base reaches ${pct(small.base.full!)} in these 300 steps, so its line is ${pct(small.base.threshold!)}, and the base starts at ${pct(small.base.startAccuracy!)}`,
			`From a random start full training reaches ${pct(small.scratch.full!)}, and the subspace runs need $d = ${small.scratch.d90}$ to pass ${pct(small.scratch.threshold!)}`,
			`the base must now climb from ${pct(quarter.base.startAccuracy!)} to a line of ${pct(quarter.base.threshold!)}`,
			`(the base gets ${at(quarter.base, 512)} at $d = 512$, the random start ${at(quarter.scratch, 512)} against a line of ${pct(quarter.scratch.threshold!)})`,
			`${small.base.d90} against ${small.scratch.d90} (\`scripts/intrinsic.ts\`, both grids)`
		];
		for (const line of lines) expect(prose, line).toContain(line);
		// "though the base is ahead at every d"
		for (const p of quarter.base.points) {
			const scratch = quarter.scratch.points.find((q) => q.d === p.d)!;
			expect(p.accuracy, `d = ${p.d}`).toBeGreaterThan(scratch.accuracy);
		}
	});
});

describe('the recorded sweep, re-run', () => {
	it(
		'its first run (full fine-tuning from the base, new classes) trains again to the recorded numbers, on wasm as recorded',
		{ timeout: 120_000 },
		async () => {
			const backend = await useRecordedBackend(recorded.backend);
			// As scripts/intrinsic.ts recorded it: the fused Adam kernel, nothing else of ours.
			await import('$lib/model/kernels/adamWasm');
			const { diskSources } = await import('../../../scripts/node/diskSources');
			const { runQueue } = await import('$lib/trainer/worker/experiments');
			const task = INTRINSIC_TASK_IDS[0];
			const [run] = sweepRuns(task, DIMS.fine, DEFAULT_SETTINGS);
			const [r] = await runQueue([run], diskSources(), { backend });
			const want = (recorded.tasks[task].results as QueuedResult[]).find((x) => x.id === run.id)!;
			expect(r.id).toBe(want.id);
			expect(r.steps).toBe(want.steps);
			// Accuracies are counts of held-out digits: exactly the recorded ones. The loss may move
			// in float32's last digits with the kernels' summation order.
			expect(r.testAccuracy).toBe(want.testAccuracy);
			expect(r.startAccuracy).toBe(want.startAccuracy);
			expect(Math.abs(r.testLoss - want.testLoss)).toBeLessThan(1e-4 * want.testLoss);
		}
	);
});
