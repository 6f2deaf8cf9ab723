/**
 * The lab's digits fine-tune (src/lib/widgets/fineTune.ts): its URL table (names, defaults, bad
 * values clamped with a sentence), the run it asks for, the rows its table and CSV show, and the
 * sentence under its chart.
 */
import { describe, expect, it, vi } from 'vitest';
import { readTable, tableUpdates } from '$lib/ui/urlTable';
import {
	FT_PARAMS,
	LOSS_COLUMNS,
	fineTuneSpec,
	fineTuneSummary,
	lossRows
} from '$lib/widgets/fineTune';

vi.mock('$app/navigation', () => ({ replaceState: vi.fn() }));
vi.mock('$app/state', () => ({ page: { state: {} } }));

const defaults = readTable(FT_PARAMS, '').values;

describe('the URL table', () => {
	it('reads nothing as the defaults, and keeps the parameter names shared links use', () => {
		expect(defaults).toEqual({
			task: 'affine-small',
			method: 'lora',
			rank: 4,
			alpha: 8,
			lr: 0.003,
			seed: 1,
			steps: 1000,
			backend: 'auto'
		});
		const { updates, defaults: left } = tableUpdates(FT_PARAMS, { ...defaults, rank: 16 });
		expect(Object.keys(updates)).toEqual([
			'task',
			'method',
			'rank',
			'alpha',
			'lr',
			'seed',
			'steps',
			'backend'
		]);
		expect(updates.rank).toBe(16);
		expect(left.rank).toBe(4);
	});
	it('clamps or replaces bad values, with a sentence for each', () => {
		const { values, messages } = readTable(
			FT_PARAMS,
			'?task=cats&method=full&rank=500&lr=abc&steps=2.6&backend=tpu'
		);
		expect(values).toMatchObject({
			task: 'affine-small',
			method: 'full',
			rank: 64,
			lr: 0.003,
			steps: 3,
			backend: 'auto'
		});
		expect(messages).toHaveLength(5);
		expect(messages[0]).toBe('“cats” is not a task; showing affine-small.');
		expect(messages.at(-1)).toBe('“tpu” is not a backend; showing auto.');
	});
});

describe('the run and its reading', () => {
	it('asks for the digits MLP on the chosen task, batch 64, watching l1, stopping at the limit', () => {
		expect(fineTuneSpec({ ...defaults, task: 'permuted', steps: 200 })).toEqual({
			task: { kind: 'digits', task: 'permuted' },
			method: 'lora',
			rank: 4,
			alpha: 8,
			lr: 0.003,
			batchSize: 64,
			seed: 1,
			watch: 'l1',
			maxSteps: 200
		});
	});
	it('merges losses and evaluations by step, in step order, formatted for the table', () => {
		const rows = lossRows(
			[
				{ step: 20, loss: 0.51234 },
				{ step: 10, loss: 0.9 }
			],
			[{ step: 20, train: 0.8, test: 0.75, testLoss: 0.6 }]
		);
		expect(rows.map((r) => r.step)).toEqual([10, 20]);
		expect(rows[0]).toEqual({ step: 10, loss: 0.9, testLoss: null, test: null, train: null });
		expect(LOSS_COLUMNS.map((c) => c.format?.(rows[1]) ?? c.value(rows[1]))).toEqual([
			20,
			'0.5123',
			'0.6',
			'75.0%',
			'80.0%'
		]);
		expect(LOSS_COLUMNS[3].format!(rows[0])).toBe('');
	});
	it('says what the base scores, then where the run stands', () => {
		const base = { step: 0, train: 0.5, test: 0.612, testLoss: 1 };
		const later = { step: 300, train: 0.9, test: 0.9134, testLoss: 0.3 };
		expect(fineTuneSummary(defaults, undefined, undefined, undefined)).toBe(
			'The trainer has not started yet.'
		);
		expect(fineTuneSummary(defaults, base, base, 100)).toBe(
			'Before fine-tuning, the pretrained model scores 61.2% on held-out slightly distorted digits (small shift).'
		);
		expect(fineTuneSummary({ ...defaults, method: 'head' }, base, later, 1290)).toBe(
			'After 300 steps of head only, training 1,290 parameters, held-out accuracy is 91.3% (61.2% before).'
		);
		expect(fineTuneSummary(defaults, base, later, 1290)).toContain('of LoRA (rank 4)');
	});
});
