/**
 * The Node tests' `Check` against PyTorch's fixtures (./torchFixture): fails at the first element
 * outside tol·(1 + |ref|); `onError`, if given, sees each element's relative error (for reporting
 * the worst).
 */
import { expect } from 'vitest';
import { relativeErrors, type Check } from './torchFixture';

export function expectingCheck(
	onError?: (kind: string, what: string, relative: number) => void
): Check {
	return (kind, what, actual, expected, tol) => {
		expect(actual.length, `${what}: length`).toBe(expected.length);
		relativeErrors(actual, expected).forEach((err, i) => {
			onError?.(kind, what, err);
			if (!(err <= tol)) {
				expect.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
			}
		});
	};
}
