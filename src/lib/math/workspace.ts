/**
 * Scratch arrays kept between calls, by slot, for the spectral routines. A fresh half-megabyte
 * array costs more than the arithmetic done in it there: every page is zeroed and faulted in on
 * first touch, which took about 3 ms of a 12 ms call on this project's machine (a sandbox where
 * page faults are dear). Callers overwrite whatever they read, so reuse needs no clearing, and
 * a slot's array is only valid until the next call that takes the same slot: nothing may keep
 * one or hand it out. Arrays over `WORKSPACE_MAX` numbers are not kept.
 */
const kept: Float64Array[] = [];
export const WORKSPACE_MAX = 1 << 20;

/** A scratch array of `length` doubles for `slot`, with arbitrary contents. */
export function workspace(slot: number, length: number): Float64Array {
	if (length > WORKSPACE_MAX) return new Float64Array(length);
	const have = kept[slot];
	if (have && have.length >= length) return have.subarray(0, length);
	const fresh = new Float64Array(length);
	kept[slot] = fresh;
	return fresh;
}
