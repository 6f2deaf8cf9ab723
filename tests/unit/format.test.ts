/** The course's shared number formats: each preset a lesson uses prints what it printed before. */
import { describe, expect, it } from 'vitest';
import {
	MISSING,
	NO_VALUE,
	formatBytes,
	formatCount,
	formatExactBytes,
	formatPercent,
	pct,
	powerOfTen,
	scientific,
	sig3,
	tickLabel
} from '$lib/format';

describe('pct', () => {
	it('writes a fraction with one decimal, or as many as asked', () => {
		expect(pct(0.9137)).toBe('91.4%');
		expect(pct(0.095)).toBe('9.5%');
		expect(pct(1)).toBe('100.0%');
		expect(pct(0.4567, { digits: 0 })).toBe('46%');
		expect(pct(0.4567, { digits: 2 })).toBe('45.67%');
	});

	it('writes a dash for a value not measured or not finite', () => {
		for (const bad of [undefined, null, NaN, Infinity]) expect(pct(bad)).toBe(NO_VALUE);
	});
});

describe('formatBytes', () => {
	it('picks the largest decimal unit the amount reaches, three significant digits', () => {
		expect(formatBytes(512)).toBe('512 B');
		expect(formatBytes(1500)).toBe('1.5 KB');
		expect(formatBytes(8_388_608)).toBe('8.39 MB');
		expect(formatBytes(1.2e9)).toBe('1.2 GB');
		expect(formatBytes(2.79e12)).toBe('2.79 TB');
	});

	it('keeps to the units it is given: GB and TB only for lesson 2', () => {
		const gb = (b: number) => formatBytes(b, { smallest: 'GB' });
		expect(gb(5e8)).toBe('0.5 GB');
		expect(gb(6.45e11)).toBe('645 GB');
		expect(gb(1.29e13)).toBe('12.9 TB');
	});

	it('keeps trailing zeros when asked, and stops at the largest unit', () => {
		const kbMb = (b: number) => formatBytes(b, { largest: 'MB', keepZeros: true });
		expect(kbMb(1.2e6)).toBe('1.20 MB');
		expect(kbMb(3e9)).toBe('3.00e+3 MB');
		expect(kbMb(2000)).toBe('2.00 KB');
		expect(kbMb(12)).toBe('12 B');
	});

	it('writes exact counts with separators', () => {
		expect(formatExactBytes(240_852)).toBe('240,852 B');
	});
});

describe('counts, percentages and powers', () => {
	it('writes counts in full below 10⁵ unless told otherwise', () => {
		expect(formatCount(60_213)).toBe('60,213');
		expect(formatCount(4_194_304)).toBe('4.19M');
		expect(formatCount(6_738_415_616)).toBe('6.74B');
		expect(formatCount(1.75e14)).toBe('175T');
		expect(formatCount(19_210, { exactBelow: 0 })).toBe('19.2K');
		expect(formatCount(160, { exactBelow: 0 })).toBe('160');
		expect(formatCount(1.234, { exactBelow: 0 })).toBe('1.23');
	});

	it('gives a percentage enough digits to be non-zero', () => {
		expect(formatPercent(0)).toBe('0%');
		expect(formatPercent(0.123456)).toBe('12.3%');
		expect(formatPercent(6.2e-4)).toBe('0.062%');
	});

	it('writes powers of ten and scientific notation with superscripts', () => {
		expect(powerOfTen(23)).toBe('10²³');
		expect(powerOfTen(-3)).toBe('10⁻³');
		expect(scientific(2.1e13)).toBe('2.1 × 10¹³');
		expect(scientific(1e26)).toBe('1 × 10²⁶');
		expect(scientific(1e26, { bareOne: true })).toBe('10²⁶');
		expect(scientific(5.76e23, { bareOne: true })).toBe('5.76 × 10²³');
		expect(tickLabel(1e7)).toBe('10⁷');
		expect(tickLabel(300)).toBe('300');
		expect(sig3(1.2)).toBe('1.2');
	});

	it('never prints NaN or Infinity', () => {
		const all = [formatBytes, formatExactBytes, formatCount, formatPercent, scientific];
		for (const f of all) for (const bad of [NaN, Infinity, -Infinity]) expect(f(bad)).toBe(MISSING);
		expect(scientific(0)).toBe(MISSING);
	});
});
