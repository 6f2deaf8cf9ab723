import { describe, expect, it } from 'vitest';
import {
	ACCELERATORS,
	MODELS,
	largestAcceleratorAt,
	monthName,
	yearOf
} from '../../../src/lib/data/landmarks';

const PUBLISHED_PARAMS: Record<string, number> = {
	gpt2: 1.542e9,
	gpt3: 175e9,
	gopher: 280e9,
	chinchilla: 70e9,
	palm: 540.35e9,
	llama: 65.2e9,
	llama2: 70e9,
	llama3: 70e9,
	llama31: 405e9
};

describe('landmark models', () => {
	it('are the expected models, in order of release', () => {
		expect(MODELS.map((m) => m.id)).toEqual(Object.keys(PUBLISHED_PARAMS));
		const dates = MODELS.map((m) => m.released);
		expect([...dates].sort()).toEqual(dates);
	});

	it.each(MODELS.map((m) => [m.id, m] as const))('%s has a source for its numbers', (_, m) => {
		expect(m.sources.length).toBeGreaterThan(0);
		for (const s of m.sources) {
			expect(s.label).not.toBe('');
			expect(s.url).toMatch(/^https:\/\//);
		}
	});

	it.each(MODELS.map((m) => [m.id, m] as const))('%s matches its published total', (id, m) => {
		expect(m.params).toBe(PUBLISHED_PARAMS[id]);
	});

	it.each(MODELS.map((m) => [m.id, m] as const))(
		'%s: 12·layers·d_model² is within 15% of the published total',
		(_, m) => {
			// Kaplan et al.'s estimate of non-embedding parameters catches a mistyped width or depth.
			const estimate = 12 * m.nLayers * m.dModel ** 2;
			expect(Math.abs(estimate / m.params - 1)).toBeLessThan(0.15);
		}
	);

	it.each(MODELS.map((m) => [m.id, m] as const))('%s has a consistent attention shape', (_, m) => {
		expect(Number.isInteger(m.nHeads / m.nKvHeads)).toBe(true);
		expect(m.nKvHeads).toBeLessThanOrEqual(m.nHeads);
		// Every model here but PaLM (head size 256 with 48 heads) splits d_model across its heads.
		if (m.id !== 'palm') expect(m.nHeads * m.dHead).toBe(m.dModel);
		expect(Number.isInteger(Math.log2(m.context))).toBe(true);
	});
});

describe('accelerators', () => {
	it('are sorted by launch and each has a vendor source', () => {
		const dates = ACCELERATORS.map((a) => a.launched);
		expect([...dates].sort()).toEqual(dates);
		for (const a of ACCELERATORS) {
			expect(a.source.url).toMatch(
				/^https:\/\/(www\.|images\.|resources\.|docs\.)?(nvidia|amd)\.com\//
			);
		}
	});

	it('carry the vendors’ memory sizes', () => {
		const memory = Object.fromEntries(ACCELERATORS.map((a) => [a.id, a.memoryGB]));
		expect(memory).toMatchObject({
			'v100-16': 16,
			'v100-32': 32,
			'a100-40': 40,
			'a100-80': 80,
			h100: 80,
			h200: 141,
			mi300x: 192
		});
	});

	it('give the largest single accelerator at a date', () => {
		expect(largestAcceleratorAt('2017-01')).toBeUndefined();
		expect(largestAcceleratorAt('2019-02')?.memoryGB).toBe(32);
		expect(largestAcceleratorAt('2020-05')?.memoryGB).toBe(40);
		expect(largestAcceleratorAt('2022-04')?.id).toBe('h100');
		expect(largestAcceleratorAt('2024-07')?.id).toBe('mi300x');
		expect(largestAcceleratorAt('2024-12')?.memoryGB).toBe(256);
	});
});

describe('dates', () => {
	it('turn a month into a fractional year and words', () => {
		expect(yearOf('2024-01')).toBeCloseTo(2024 + 0.5 / 12, 10);
		expect(yearOf('2024-12')).toBeCloseTo(2024 + 11.5 / 12, 10);
		expect(() => yearOf('2024-13')).toThrow();
		expect(monthName('2024-07')).toBe('July 2024');
	});
});
