/**
 * The measure every PyTorch reference check applies (|ours − ref| / (1 + |ref|)) and the recorder
 * the kernel check page reports with in Chromium: a wrong length or a NaN must count as an
 * infinite error, and the recorder must keep the worst of each kind, not the last.
 */
import { describe, expect, it } from 'vitest';
import { relativeErrors, worstRecorder, type Worst } from './torchFixture';

describe('the PyTorch reference measure', () => {
	it('is each error relative to 1 + |ref|; a wrong length or a NaN is infinite', () => {
		expect(relativeErrors([1.5, -3.5], [1, -3])).toEqual([0.25, 0.125]);
		expect(relativeErrors([1, 2], [1])).toEqual([Infinity]);
		expect(relativeErrors([NaN], [0])).toEqual([Infinity]);
	});

	it('records the worst error and the tolerance of each kind', () => {
		const out: Record<string, Worst> = {};
		const check = worstRecorder('mlp full', out);
		check('loss', 'step 1', [1.1], [1], 1e-5);
		check('loss', 'step 2', [1.01], [1], 1e-5);
		check('value', 'W', [0, 0.5], [0, 0], 1e-4);
		expect(Object.keys(out).sort()).toEqual(['mlp full loss', 'mlp full value']);
		expect(out['mlp full loss'].worst).toBeCloseTo(0.05, 12);
		expect(out['mlp full loss'].tol).toBe(1e-5);
		expect(out['mlp full value']).toEqual({ worst: 0.5, tol: 1e-4 });
	});
});
