/**
 * How many training steps to queue at once. Chunks aim at a few tens of milliseconds, so a
 * worker answers pause, snapshot and cancel requests within a frame or two, while each chunk is
 * long enough that its one read-back does not dominate. Shared by the run loop, the ladder, the
 * experiment queue and the bench.
 */

/** Chunks aim at this many milliseconds. */
export const CHUNK_TARGET_MS = 25;
/** The most steps queued in one chunk. */
const CHUNK_MAX_STEPS = 200;

/** The next chunk's size: `steps` took `ms`, so scale it towards `targetMs` (1 to CHUNK_MAX_STEPS). */
export function nextChunkSize(steps: number, ms: number, targetMs = CHUNK_TARGET_MS): number {
	return Math.max(1, Math.min(CHUNK_MAX_STEPS, Math.round((steps * targetMs) / Math.max(ms, 1))));
}
