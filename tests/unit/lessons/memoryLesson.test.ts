/**
 * Lesson 3's pure helpers: the calculator's URL state (parse, clamp, round-trip, prefixed names)
 * and the formatters, which must never print NaN or Infinity.
 */
import { describe, expect, it, vi } from 'vitest';
import { countParameters, validateSetupMessages } from '$lib/math/memory';
import {
	formatBytes,
	formatCount,
	formatExactBytes,
	formatFlops,
	formatPercent,
	smallestGpu
} from '../../../lessons/03-what-fine-tuning-costs/units';

// urlState writes through SvelteKit's navigation; these tests only parse and build queries.
vi.mock('$app/navigation', () => ({ replaceState: vi.fn() }));
vi.mock('$app/state', () => ({ page: { state: {} } }));
const { applyParams } = await import('$lib/ui/urlState');
const { CALC_DEFAULTS, archOf, calcParams, parseCalc, parseTargets, setupOf } =
	await import('../../../lessons/03-what-fine-tuning-costs/calcState');

describe('calculator URL state', () => {
	it('gives the defaults and no message for an empty query', () => {
		expect(parseCalc('')).toEqual({ state: CALC_DEFAULTS, messages: [] });
	});

	it('writes nothing for the defaults, and every parameter is prefixed calc-', () => {
		const { values, defaults } = calcParams(CALC_DEFAULTS);
		expect(applyParams('', values, defaults)).toBe('');
		expect(Object.keys(values).every((k) => k.startsWith('calc-'))).toBe(true);
	});

	it('round-trips a changed state, custom model included', () => {
		const state = {
			...CALC_DEFAULTS,
			model: 'custom' as const,
			custom: { ...CALC_DEFAULTS.custom, dModel: 2048, heads: 16, kvHeads: 4, tied: true },
			rank: 16,
			targets: ['q' as const, 'k' as const, 'down' as const],
			batch: 4,
			seq: 2048,
			checkpointing: true,
			flash: true,
			precision: 'fp32' as const,
			optimizer: 'adam8bit' as const,
			zero: 3 as const,
			devices: 8
		};
		const { values, defaults } = calcParams(state);
		const query = applyParams('?other=1', values, defaults);
		expect(query).toContain('calc-targets=q%2Ck%2Cdown');
		expect(query).toContain('other=1');
		expect(parseCalc(query)).toEqual({ state, messages: [] });
	});

	it('leaves the custom fields out of the URL for a preset', () => {
		const { values } = calcParams({ ...CALC_DEFAULTS, model: 'gpt2' });
		expect(values['calc-d']).toBeNull();
		expect(values['calc-model']).toBe('gpt2');
	});

	it('clamps or replaces bad values, one message each', () => {
		const { state, messages } = parseCalc(
			'?calc-model=gpt9&calc-rank=0&calc-seq=1e9&calc-batch=2.5&calc-zero=7&calc-ckpt=yes&calc-devices=NaN&calc-flash=2'
		);
		expect(state).toMatchObject({
			model: 'llama-2-7b',
			rank: 1,
			seq: 131_072,
			batch: 3,
			zero: 0,
			checkpointing: false,
			flash: false,
			devices: 1
		});
		expect(messages).toHaveLength(8);
		expect(messages.join(' ')).not.toMatch(/NaN is|Infinity/);
	});

	it('reads the inverse question’s budget and method, clamped with a message', () => {
		expect(parseCalc('?calc-budget=80&calc-ask=qlora')).toEqual({
			state: { ...CALC_DEFAULTS, budget: 80, ask: 'qlora' },
			messages: []
		});
		const { state, messages } = parseCalc('?calc-budget=0&calc-ask=dora');
		expect(state).toMatchObject({ budget: 1, ask: 'lora' });
		expect(messages).toEqual([
			'0 is below the smallest memory budget in GB, 1; using 1.',
			'“dora” is not a method; showing lora.'
		]);
	});

	it('names the field in every message, so two bad values never read as one (issue 14)', () => {
		// "2.5 is not a whole number; using 3." once said nothing of which field: two such values
		// gave two identical notes, and the notes list, keyed by its text, threw each_key_duplicate.
		const { messages } = parseCalc(
			'?calc-batch=2.5&calc-rank=2.5&calc-seq=2.5&calc-devices=2.5&calc-budget=2.5&calc-model=custom&calc-layers=2.5&calc-heads=2.5&calc-kv=2.5&calc-d=2.5&calc-ff=2.5&calc-vocab=2.5'
		);
		expect(messages).toHaveLength(11);
		expect(new Set(messages).size).toBe(11);
		expect(messages).toContain('Batch size: 2.5 is not a whole number; using 3.');
	});

	it('never gives two equal messages for a random hostile query (seeded)', () => {
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
			'calc-vocab',
			'calc-d',
			'calc-layers',
			'calc-heads',
			'calc-kv',
			'calc-ff',
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
			'q,q',
			'yes'
		];
		let seed = 7;
		const rand = (n: number) => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed % n;
		};
		for (let i = 0; i < 2000; i++) {
			const q = new URLSearchParams();
			for (let k = 0; k < 1 + rand(8); k++)
				q.append(params[rand(params.length)], values[rand(values.length)]);
			const { state, messages } = parseCalc(`?${q}`);
			expect(new Set(messages).size, q.toString()).toBe(messages.length);
			expect(messages.join(' '), q.toString()).not.toMatch(/NaN is|Infinity;|undefined/);
			expect(Number.isFinite(state.budget) && Number.isFinite(state.rank)).toBe(true);
		}
	});

	it('drops unknown matrices, and falls back to q, v when none is known', () => {
		expect(parseTargets('q,zz,v')).toEqual({
			value: ['q', 'v'],
			message: 'Unknown matrices “zz” left out.'
		});
		expect(parseTargets(',,').value).toEqual(['q', 'v']);
		expect(parseTargets(',,').message).toMatch(/names no adaptable matrix/);
	});

	it('builds a valid LLaMA-like custom model, and leaves W_gate out of non-gated models', () => {
		const state = { ...CALC_DEFAULTS, model: 'custom' as const };
		expect(countParameters(archOf(state))).toBe(6_738_415_616);
		const gpt2 = {
			...CALC_DEFAULTS,
			model: 'gpt2' as const,
			targets: ['q' as const, 'gate' as const]
		};
		const setup = setupOf(gpt2, 'lora', archOf(gpt2));
		expect(setup.targets).toEqual(['q']);
		expect(validateSetupMessages(archOf(gpt2), setup)).toEqual([]);
	});
});

describe('formatters', () => {
	it('print decimal units with three significant digits', () => {
		expect(formatBytes(107.8e9)).toBe('108 GB');
		expect(formatBytes(2.79e12)).toBe('2.79 TB');
		expect(formatBytes(8_388_608)).toBe('8.39 MB');
		expect(formatBytes(512)).toBe('512 B');
		expect(formatExactBytes(240_852)).toBe('240,852 B');
		expect(formatCount(60_213)).toBe('60,213');
		expect(formatCount(6_738_415_616)).toBe('6.74B');
		expect(formatPercent(1)).toBe('100%');
		expect(formatPercent(4_194_304 / 6_738_415_616)).toBe('0.0622%');
		expect(formatFlops(2.1e13)).toBe('2.1 × 10¹³');
	});

	it('never print NaN or Infinity', () => {
		for (const f of [formatBytes, formatExactBytes, formatCount, formatPercent, formatFlops]) {
			for (const bad of [NaN, Infinity, -Infinity]) expect(f(bad)).toBe('–');
		}
	});

	it('find the smallest marked GPU that holds a size', () => {
		expect(smallestGpu(17.2e9)).toBe(24);
		expect(smallestGpu(16e9)).toBe(16);
		expect(smallestGpu(200e9)).toBeNull();
	});
});
