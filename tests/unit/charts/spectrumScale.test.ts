/** The log axis of the spectrum chart. */
import { describe, expect, it } from 'vitest';
import { decadeTicks, indexTicks, spectrumDomain } from '$lib/charts/spectrumScale';

describe('spectrum axis', () => {
	it('spans whole decades from the largest value down at most `decades` powers of ten', () => {
		expect(spectrumDomain([3.2, 0.5, 0.02])).toEqual([0.01, 10]);
		expect(spectrumDomain([3.2, 1e-9], 4)).toEqual([1e-4, 10]);
		expect(spectrumDomain([0, NaN])).toEqual([0.01, 1]);
	});

	it('puts ticks on powers of ten and round indices', () => {
		expect(decadeTicks([0.01, 10])).toHaveLength(4);
		expect(decadeTicks([0.01, 10])[3]).toBeCloseTo(10, 10);
		expect(indexTicks(128)).toEqual([1, 50, 100]);
		expect(indexTicks(10)).toEqual([1, 2, 4, 6, 8, 10]);
		expect(indexTicks(1)).toEqual([1]);
	});
});
