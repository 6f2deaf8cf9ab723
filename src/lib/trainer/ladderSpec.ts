/**
 * The scaling ladder's default and its checks, free of tfjs, so pages can describe a ladder (and
 * show recorded results) without loading the trainer. Its types (`LadderSpec`, `RungResult`) are
 * in `protocol.ts` with everything else that crosses to the worker; the ladder itself is in
 * `worker/ladder.ts`.
 */
import type { LadderSpec } from './protocol';

export type { LadderSpec, RungResult } from './protocol';

/** The ladder the lesson runs: eight widths from 2 to 256 (160 to 19,210 parameters). */
export const DEFAULT_LADDER: Readonly<LadderSpec> = Object.freeze({
	widths: [2, 4, 8, 16, 32, 64, 128, 256],
	steps: 400,
	batchSize: 64,
	lr: 0.01,
	seed: 1
});

/** Throws a RangeError naming the first bad field of a ladder spec. */
export function checkLadder(spec: LadderSpec): void {
	const { widths, steps, batchSize, lr, seed } = spec;
	if (!Array.isArray(widths) || widths.length < 3)
		throw new RangeError('a ladder needs at least 3 widths');
	widths.forEach((w, i) => {
		if (!Number.isInteger(w) || w < 1 || w > 4096)
			throw new RangeError(`widths[${i}] must be an integer from 1 to 4096, got ${w}`);
		if (i > 0 && w <= widths[i - 1]) throw new RangeError('widths must increase');
	});
	if (!Number.isInteger(steps) || steps < 1 || steps > 100_000)
		throw new RangeError(`steps must be an integer from 1 to 100000, got ${steps}`);
	if (!Number.isInteger(batchSize) || batchSize < 1)
		throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
	if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`lr must be > 0, got ${lr}`);
	if (!Number.isInteger(seed) || seed < 0)
		throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
}

/**
 * Parameters of a rung: an MLP in → width → classes has (in + 1)·width + (width + 1)·classes.
 * @param inWidth input features (64 for the digits)
 * @param classes output classes
 */
export function rungParams(width: number, inWidth: number, classes: number): number {
	return (inWidth + 1) * width + (width + 1) * classes;
}
