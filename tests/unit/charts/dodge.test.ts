/** Label dodging for crowded points. */
import { describe, expect, it } from 'vitest';
import { dodge } from '$lib/charts/dodge';

describe('dodge', () => {
	it('leaves labels that do not crowd where they are', () => {
		expect(dodge([10, 50, 30], 12, 0, 100)).toEqual([10, 50, 30]);
	});

	it('spreads crowded labels to the gap, keeping their order', () => {
		const out = dodge([40, 41, 42], 12, 0, 100);
		expect(out).toEqual([40, 52, 64]);
	});

	it('pushes a crowd back up from the bottom edge and never above the top', () => {
		expect(dodge([98, 99, 100], 10, 0, 100)).toEqual([80, 90, 100]);
		expect(dodge([-5, -5, 0], 10, 0, 100)).toEqual([0, 10, 20]);
	});
});
