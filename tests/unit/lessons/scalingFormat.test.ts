/** Lesson 2's number formats: counts, compute, bytes and log ticks as the figures print them. */
import { describe, expect, it } from 'vitest';
import {
	formatBytes,
	formatCount,
	formatFlop,
	powerOfTen,
	tickLabel
} from '../../../lessons/02-scaling-laws/format';

describe('lesson 2 formats', () => {
	it('writes counts with a suffix and three significant digits', () => {
		expect([160, 19_210, 4.036e10, 2.3785e12, 8.04e11].map(formatCount)).toEqual([
			'160',
			'19.2K',
			'40.4B',
			'2.38T',
			'804B'
		]);
	});

	it('writes compute with a superscript power of ten', () => {
		expect(formatFlop(5.76e23)).toBe('5.76 × 10²³ FLOP');
		expect(formatFlop(1e26)).toBe('10²⁶ FLOP');
		expect(formatFlop(8.912509e25)).toBe('8.91 × 10²⁵ FLOP');
		expect(powerOfTen(-3)).toBe('10⁻³');
	});

	it('labels log ticks and bytes', () => {
		expect([1e7, 1e13, 300].map(tickLabel)).toEqual(['10⁷', '10¹³', '300']);
		expect(formatBytes(6.45e11)).toBe('645 GB');
		expect(formatBytes(1.29e13)).toBe('12.9 TB');
	});
});
