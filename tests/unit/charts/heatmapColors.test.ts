/** Colour ramps of the heatmap: parsing computed colours and filling RGBA bytes. */
import { describe, expect, it } from 'vitest';
import { fillColors, maxAbs, parseRgb, type Ramp } from '$lib/charts/heatmapColors';

const ramp: Ramp = { kind: 'diverging', low: [0, 0, 255], mid: [255, 255, 255], high: [255, 0, 0] };

describe('heatmap colours', () => {
	it('parses the colour forms browsers report', () => {
		expect(parseRgb('rgb(1, 2, 3)')).toEqual([1, 2, 3]);
		expect(parseRgb('rgba(10 20 30 / 0.5)')).toEqual([10, 20, 30]);
		expect(parseRgb('#ff8000')).toEqual([255, 128, 0]);
		expect(parseRgb('light-dark(red, blue)')).toBeNull();
	});

	it('maps negative, zero and positive values to the three ends of a diverging ramp', () => {
		const out = new Uint8ClampedArray(16);
		fillColors([-2, 0, 2, 1], ramp, [-2, 2], out);
		expect(Array.from(out.slice(0, 4))).toEqual([0, 0, 255, 255]);
		expect(Array.from(out.slice(4, 8))).toEqual([255, 255, 255, 255]);
		expect(Array.from(out.slice(8, 12))).toEqual([255, 0, 0, 255]);
		expect(Array.from(out.slice(12, 16))).toEqual([255, 128, 128, 255]);
	});

	it('clamps a sequential ramp to its domain and draws NaN as the middle colour', () => {
		const out = new Uint8ClampedArray(12);
		fillColors([-1, 2, NaN], { ...ramp, kind: 'sequential' }, [0, 1], out);
		expect(Array.from(out.slice(0, 3))).toEqual([255, 255, 255]);
		expect(Array.from(out.slice(4, 7))).toEqual([255, 0, 0]);
		expect(Array.from(out.slice(8, 11))).toEqual([255, 255, 255]);
	});

	it('refuses a buffer too small and finds the largest magnitude', () => {
		expect(() => fillColors([1, 2], ramp, [0, 1], new Uint8ClampedArray(4))).toThrow(RangeError);
		expect(maxAbs([0.5, -3, 2])).toBe(3);
		expect(maxAbs([])).toBe(0);
	});
});
