/**
 * The language model's drift dial (src/lib/data/lmDrift.ts, recorded by scripts/lmdrift.ts into
 * lmDrift.json): the plan's runs and ids, the recorded file complete (every target × method ×
 * learning rate, and the base on every target) and consistent with itself (every run starts
 * where the base stands, best rates are the lowest bits, the characters called unseen really are
 * absent from the base's pretraining text), what the numbers show asserted only where they show
 * it, and one recorded cell trained again through the worker's runner to the recorded bits.
 */
import { describe, expect, it } from 'vitest';
import { useRecordedBackend } from './recordedBackend';
import recorded from '$lib/data/lmDrift.json';
import { decodeText, TEXT_VOCAB_SIZE } from '$lib/model/data/text';
import type { LoraRunSpec } from '$lib/trainer/protocol';
import { diskTextSplits } from '../../../scripts/node/diskSources';
import {
	BASE_UNSEEN_CHARS,
	LM_BASE_ERA,
	LM_DIAL,
	LM_LORA_TARGETS,
	LM_METHODS,
	LM_SAMPLE,
	LM_TARGETS,
	LM_TRAINING,
	baseCell,
	bestCell,
	gainRecovered,
	parseRunId,
	runId,
	runsFor,
	type LmCell,
	type LmDriftRecord,
	type LmTarget
} from '$lib/data/lmDrift';

const record = recorded as LmDriftRecord;
const cells = record.cells as LmCell[];
const TRAINED = LM_METHODS.map((m) => m.id);

describe('the plan', () => {
	it('runs the base, then every method at each of its rates, with the fixed settings', () => {
		const runs = runsFor('d3-code');
		expect(runs.map((r) => r.id)).toEqual([
			'base@d3-code',
			...LM_METHODS.flatMap((m) => m.lrs.map((lr) => `${m.id}@d3-code@${lr}`))
		]);
		const [base, ...trained] = runs;
		expect(base.steps).toBe(0);
		for (const r of runs) {
			expect(r.spec.task).toEqual({
				kind: 'english',
				corpus: 'd3-code',
				testWindows: LM_TRAINING.testWindows
			});
			expect([r.spec.batchSize, r.spec.seed]).toEqual([LM_TRAINING.batchSize, LM_TRAINING.seed]);
			expect(r.measure?.original).toEqual({
				kind: 'english',
				corpus: LM_BASE_ERA,
				testWindows: LM_TRAINING.testWindows
			});
			expect(r.measure?.sample).toEqual(LM_SAMPLE);
			expect(r.measure?.charLoss).toEqual(BASE_UNSEEN_CHARS);
		}
		for (const r of trained) expect(r.steps).toBe(LM_TRAINING.steps);
		const lora = trained.find((r) => r.id.startsWith('lora-16@'))!;
		expect(lora.spec).toMatchObject({ method: 'lora', rank: 16, alpha: 32 });
		expect((lora.spec as LoraRunSpec).targets).toEqual(LM_LORA_TARGETS);
		const full = trained.find((r) => r.id.startsWith('full@'))!;
		expect((full.spec as Partial<LoraRunSpec>).targets).toBeUndefined();
		// Only the code has the characters the base never saw in any number.
		expect(runsFor('moby-dick')[1].measure?.charLoss).toBeUndefined();
	});

	it('round-trips run ids and rejects foreign ones', () => {
		expect(parseRunId(runId('lora-4', 'moby-dick', 3e-3))).toEqual({
			method: 'lora-4',
			target: 'moby-dick',
			lr: 3e-3
		});
		expect(parseRunId('base@sotu-1870-1909')).toEqual({
			method: 'base',
			target: 'sotu-1870-1909'
		});
		expect(parseRunId('lora-4@moby-dick@0.5')).toBeNull();
		expect(parseRunId('lora-2@moby-dick@0.003')).toBeNull();
		expect(parseRunId('full@sotu-1790-1829@0.001')).toBeNull();
		expect(parseRunId('base@moby-dick@0.001')).toBeNull();
	});

	it('calls unseen exactly the characters absent from the base’s pretraining text', () => {
		const { train } = diskTextSplits(['sotu-1790-1829', 'sotu-1830-1869']);
		const seen = new Set(train.ids);
		const unseen = Array.from({ length: TEXT_VOCAB_SIZE }, (_, i) => i).filter((i) => !seen.has(i));
		expect(BASE_UNSEEN_CHARS).toEqual(unseen);
		expect(record.unseenChars).toBe(decodeText(unseen));
	});
});

describe('the runner’s measures for a language model', () => {
	it('refuses a sample or a character split it cannot give', async () => {
		const { checkQueuedRun } = await import('$lib/trainer/worker/experiments');
		const [run] = runsFor('d3-code');
		expect(() => checkQueuedRun(run)).not.toThrow();
		const bad = (measure: object) => () =>
			checkQueuedRun({ ...run, measure: { ...run.measure, ...measure } });
		expect(bad({ sample: { ...LM_SAMPLE, length: 0 } })).toThrow(/length/);
		expect(bad({ sample: { ...LM_SAMPLE, length: 1e6 } })).toThrow(/length/);
		expect(bad({ sample: { ...LM_SAMPLE, temperature: 3 } })).toThrow(/temperature/);
		expect(bad({ sample: { ...LM_SAMPLE, seed: -1 } })).toThrow(/seed/);
		expect(bad({ charLoss: [1.5] })).toThrow(/charLoss/);
	});
});

describe('the recorded grid', () => {
	const find = (method: string, target: string, lr?: number) =>
		cells.find((c) => c.method === method && c.target === target && c.lr === lr);

	it('holds every run of the plan, in order, with the plan’s settings', () => {
		expect(cells.map((c) => runId(c.method, c.target, c.lr))).toEqual(
			LM_TARGETS.flatMap((t) => runsFor(t).map((r) => r.id))
		);
		expect(record.training).toEqual(LM_TRAINING);
		expect(record.sample).toEqual(LM_SAMPLE);
		expect(record.baseEra).toBe(LM_BASE_ERA);
		expect(record.backend).toBe('wasm');
		expect(record.methods.map((m) => [m.id, m.lrs])).toEqual(
			LM_METHODS.map((m) => [m.id, [...m.lrs]])
		);
		for (const c of cells) {
			expect(c.steps).toBe(c.method === 'base' ? 0 : LM_TRAINING.steps);
			expect(c.diverged).toBeUndefined();
			expect(c.sample).toHaveLength(LM_SAMPLE.length);
			expect(c.unseen !== undefined).toBe(c.target === 'd3-code');
			if (c.unseen) {
				// The two sides of the split are the whole held-out set: they average to its bits.
				const { bits, count, restBits, restCount } = c.unseen;
				expect(count + restCount).toBe(LM_TRAINING.testWindows * 64);
				expect((bits * count + restBits * restCount) / (count + restCount)).toBeCloseTo(c.bits, 3);
			}
		}
	});

	it('starts every run where the base stands, and the base is one model everywhere', () => {
		const base0 = baseCell(cells, LM_TARGETS[0])!;
		for (const t of LM_TARGETS) {
			const base = baseCell(cells, t)!;
			expect(base.bits).toBe(base.startBits);
			// The same weights on the same base-era windows, and the same seeded sample.
			expect(base.originalBits).toBe(base0.originalBits);
			expect(base.sample).toBe(base0.sample);
			for (const c of cells.filter((c) => c.target === t)) expect(c.startBits).toBe(base.bits);
		}
		// Near the 1.495 bits per character the manifest records on the whole held-out era.
		expect(base0.originalBits).toBeGreaterThan(1.4);
		expect(base0.originalBits).toBeLessThan(1.6);
	});

	it('trains as many parameters per method on every target as the method says', () => {
		const d = 96;
		const expected: Record<string, number> = {
			'lora-1': 6 * (d + d) * 1,
			'lora-4': 6 * (d + d) * 4,
			'lora-16': 6 * (d + d) * 16,
			head: d * TEXT_VOCAB_SIZE + TEXT_VOCAB_SIZE
		};
		for (const m of TRAINED) {
			const counts = new Set(cells.filter((c) => c.method === m).map((c) => c.trainableParams));
			expect(counts.size).toBe(1);
			if (expected[m]) expect([...counts][0]).toBe(expected[m]);
		}
		const full = find('full', 'd3-code', LM_METHODS[0].lrs[0])!.trainableParams;
		const bitfit = find('bitfit', 'd3-code', LM_METHODS.at(-1)!.lrs[0])!.trainableParams;
		// BitFit trains every bias and the head: more than head only, a thirtieth of the model.
		expect(bitfit).toBeGreaterThan(expected.head);
		expect(bitfit).toBeLessThan(full / 30);
	});

	it('picks as best rate the lowest held-out bits, and full fine-tuning gains on every target', () => {
		for (const t of LM_TARGETS) {
			for (const m of LM_METHODS) {
				const best = bestCell(cells, m.id, t)!;
				const all = m.lrs.map((lr) => find(m.id, t, lr)!.bits);
				expect(best.bits).toBe(Math.min(...all));
			}
			expect(gainRecovered(cells, 'full', t)).toBe(1);
			expect(bestCell(cells, 'full', t)!.bits).toBeLessThan(baseCell(cells, t)!.bits);
		}
	});
});

describe('what the recorded grid shows (one seed)', () => {
	const best = (m: string, t: LmTarget) => bestCell(cells, m, t)!;
	const baseBits = (t: LmTarget) => baseCell(cells, t)!.bits;
	const LORAS = ['lora-1', 'lora-4', 'lora-16'];

	it('measures the dial’s distance: the base’s bits rise along it, then Moby-Dick, then code', () => {
		const order = [...LM_DIAL, 'moby-dick', 'd3-code'] as LmTarget[];
		expect(order).toEqual([...LM_TARGETS]);
		const bits = order.map(baseBits);
		for (let i = 1; i < bits.length; i++) expect(bits[i]).toBeGreaterThan(bits[i - 1]);
		// Every era is further from the base than its own held-out text.
		expect(bits[0]).toBeGreaterThan(baseCell(cells, 'd3-code')!.originalBits);
	});

	it('ranks full fine-tuning first on every target, and LoRA by rank', () => {
		for (const t of LM_TARGETS) {
			for (const m of TRAINED.filter((m) => m !== 'full'))
				expect(best('full', t).bits).toBeLessThan(best(m, t).bits);
			expect(best('lora-16', t).bits).toBeLessThan(best('lora-4', t).bits);
			expect(best('lora-4', t).bits).toBeLessThan(best('lora-1', t).bits);
			for (const m of TRAINED) {
				const f = gainRecovered(cells, m, t)!;
				expect(f).toBeGreaterThan(0);
				expect(f).toBeLessThanOrEqual(1);
			}
		}
	});

	it('leaves LoRA furthest behind, in bits, on the code', () => {
		const gap = (t: LmTarget) => best('lora-16', t).bits - best('full', t).bits;
		for (const t of LM_TARGETS.filter((t) => t !== 'd3-code'))
			expect(gap('d3-code')).toBeGreaterThan(3 * gap(t));
	});

	it('on the code, LoRA on W_q and W_v barely learns the characters the base never saw; the head does', () => {
		const unseen = (m: string) => best(m, 'd3-code').unseen!.bits;
		const base = baseCell(cells, 'd3-code')!.unseen!;
		// The base all but rules them out: far above the 6.6 bits of a uniform guess.
		expect(base.bits).toBeGreaterThan(20);
		const lora = Math.min(...LORAS.map(unseen));
		expect(lora).toBeGreaterThan(2 * unseen('full'));
		expect(unseen('head')).toBeLessThan(lora);
		for (const m of LORAS) expect(best(m, 'd3-code').unseen!.restBits).toBeLessThan(base.restBits);
	});

	it('has BitFit (every bias and the head) ahead of LoRA at every rank off the dial', () => {
		for (const t of ['moby-dick', 'd3-code'] as LmTarget[])
			for (const m of LORAS) expect(best('bitfit', t).bits).toBeLessThan(best(m, t).bits - 0.1);
	});

	it('makes full fine-tuning forget more of the base era the further its target', () => {
		const forget = [...LM_DIAL, 'd3-code' as LmTarget].map((t) => best('full', t).originalBits);
		for (let i = 1; i < forget.length; i++) expect(forget[i]).toBeGreaterThan(forget[i - 1]);
		expect(forget[0]).toBeGreaterThan(baseCell(cells, LM_DIAL[0])!.originalBits);
	});
});

describe('the recorded grid, re-run', () => {
	it(
		'the base on the code and its cheapest trained cell (head only) measure again to the recorded bits, on wasm as recorded',
		{ timeout: 120_000 },
		async () => {
			// The kernels the worker registers on wasm and the script loads (scripts/lmdrift.ts).
			const backend = await useRecordedBackend(record.backend);
			await import('$lib/model/kernels/linalgHost');
			await import('$lib/model/kernels/transformerHost');
			await import('$lib/model/kernels/adamWasm');
			const { loadSimdKernels } = await import('$lib/model/kernels/simdKernels');
			const { bindSimdToWasmBackend } = await import('$lib/model/kernels/hostKernels');
			const tf = await import('@tensorflow/tfjs-core');
			await loadSimdKernels();
			expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
			const { runQueue } = await import('$lib/trainer/worker/experiments');
			const { diskSources } = await import('../../../scripts/node/diskSources');

			const head = LM_METHODS.find((m) => m.id === 'head')!;
			const lr = bestCell(cells, 'head', 'd3-code')!.lr!;
			const runs = runsFor('d3-code').filter(
				(r) => r.id === 'base@d3-code' || r.id === runId('head', 'd3-code', lr)
			);
			expect(runs).toHaveLength(2);
			expect(head.lrs).toContain(lr);
			const results = await runQueue(runs, diskSources(), { backend, chunk: 50 });
			const bits = (nats: number) => Number((nats / Math.LN2).toPrecision(5));
			for (const r of results) {
				const want = cells.find((c) => runId(c.method, c.target, c.lr) === r.id)!;
				expect(want).toBeDefined();
				// The same data, seed, steps and kernels: the same numbers, to the five digits recorded
				// (a last-digit rounding flip allowed).
				expect(bits(r.testLoss)).toBeCloseTo(want.bits, 3);
				expect(bits(r.startLoss!)).toBeCloseTo(want.startBits, 3);
				expect(bits(r.originalLoss!)).toBeCloseTo(want.originalBits, 3);
				expect(bits(r.charLoss!.loss)).toBeCloseTo(want.unseen!.bits, 3);
				expect(r.charLoss!.count).toBe(want.unseen!.count);
				expect(r.trainableParams).toBe(want.trainableParams);
				expect(r.steps).toBe(want.steps);
				expect(r.sample).toBe(want.sample);
			}
		}
	);
});
