/**
 * Number formats of lesson 2, as presets of the course's own (`$lib/format`): parameter and token
 * counts as "40.4B" or "2.38T", compute as "5.76 × 10²³ FLOP", memory in GB or TB, and a power of
 * ten for log-axis ticks.
 */
import { formatBytes as bytesIn, formatCount as countIn, scientific } from '$lib/format';

export { powerOfTen, tickLabel } from '$lib/format';

/** A count with a suffix and three significant digits: 160, 19.2K, 40.4B, 2.38T. */
export function formatCount(n: number): string {
	return countIn(n, { exactBelow: 0 });
}

/** Compute as "5.76 × 10²³ FLOP", or "10²⁶ FLOP" for a round power. */
export function formatFlop(c: number): string {
	return `${scientific(c, { bareOne: true })} FLOP`;
}

/** Bytes as GB (10⁹) below a terabyte, TB above. */
export function formatBytes(bytes: number): string {
	return bytesIn(bytes, { smallest: 'GB' });
}
