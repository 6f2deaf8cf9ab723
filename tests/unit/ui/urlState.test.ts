import { beforeEach, describe, expect, it, vi } from 'vitest';

const replaceState = vi.fn();
vi.mock('$app/navigation', () => ({ replaceState }));
vi.mock('$app/state', () => ({ page: { state: {} } }));

const { applyParams, parseChoice, parseNumber, writeParams } =
	await import('../../../src/lib/ui/urlState');

const MODES = ['weights', 'inference', 'training'] as const;

describe('parseChoice', () => {
	it('accepts an allowed value silently', () => {
		expect(parseChoice('inference', MODES, 'training', 'memory mode')).toEqual({
			value: 'inference'
		});
	});

	it('uses the fallback without a message when the parameter is absent', () => {
		expect(parseChoice(null, MODES, 'training', 'memory mode')).toEqual({ value: 'training' });
	});

	it('falls back with a readable message on a bad value', () => {
		const r = parseChoice('banana', MODES, 'training', 'memory mode', () => 'full fine-tuning');
		expect(r.value).toBe('training');
		expect(r.message).toBe('“banana” is not a memory mode; showing full fine-tuning.');
	});

	it('is case-sensitive, trims whitespace, and names an empty value', () => {
		expect(parseChoice('Weights', MODES, 'training', 'memory mode').value).toBe('training');
		expect(parseChoice(' weights ', MODES, 'training', 'memory mode')).toEqual({
			value: 'weights'
		});
		expect(parseChoice('', MODES, 'training', 'memory mode').message).toMatch(/^An empty value/);
	});

	it('clips very long input in the message', () => {
		const r = parseChoice('x'.repeat(500), MODES, 'training', 'memory mode');
		expect(r.message!.length).toBeLessThan(100);
	});
});

describe('parseNumber', () => {
	const opts = { min: 1, max: 64, fallback: 8, integer: true, label: 'rank' };

	it('accepts an in-range value silently', () => {
		expect(parseNumber('16', opts)).toEqual({ value: 16 });
		expect(parseNumber(null, opts)).toEqual({ value: 8 });
	});

	it('clamps out-of-range values and says so', () => {
		expect(parseNumber('1000', opts)).toEqual({
			value: 64,
			message: '1000 is above the largest rank, 64; using 64.'
		});
		expect(parseNumber('-3', opts).value).toBe(1);
	});

	it('rounds to an integer when asked', () => {
		const r = parseNumber('2.6', opts);
		expect(r.value).toBe(3);
		expect(r.message).toMatch(/not a whole number/);
		expect(parseNumber('2.6', { ...opts, integer: false })).toEqual({ value: 2.6 });
	});

	it('replaces what is not a finite number', () => {
		for (const raw of ['banana', '', 'Infinity', 'NaN', '1e999']) {
			const r = parseNumber(raw, opts);
			expect(r.value).toBe(8);
			expect(r.message).toMatch(/is not a number for rank; using 8\.$/);
		}
	});
});

describe('applyParams', () => {
	it('sets, replaces and keeps unrelated parameters', () => {
		expect(applyParams('?a=1&memory=weights', { memory: 'inference' })).toBe(
			'?a=1&memory=inference'
		);
		expect(applyParams('', { rank: 4 })).toBe('?rank=4');
	});

	it('removes null values and values equal to their default', () => {
		expect(applyParams('?a=1&memory=weights', { memory: null })).toBe('?a=1');
		expect(applyParams('?memory=weights', { memory: 'training' }, { memory: 'training' })).toBe('');
	});
});

describe('writeParams', () => {
	beforeEach(() => {
		replaceState.mockClear();
		vi.stubGlobal('window', { location: { href: 'https://example.org/lessons/x/?a=1' } });
	});

	it('replaces the URL with the new query', () => {
		writeParams({ memory: 'weights' });
		expect(replaceState).toHaveBeenCalledTimes(1);
		expect(String(replaceState.mock.calls[0][0])).toBe(
			'https://example.org/lessons/x/?a=1&memory=weights'
		);
	});

	it('does nothing when the query would not change', () => {
		writeParams({ memory: 'training' }, { memory: 'training' });
		expect(replaceState).not.toHaveBeenCalled();
	});
});
