/**
 * Seeded pseudo-random numbers, so that every dataset, initialisation and figure in the course is
 * the same for every reader and every test run. The generator is xoshiro128** (Blackman & Vigna
 * 2018, https://prng.di.unimi.it/): 128 bits of state, period 2^128 − 1, 32-bit outputs, and only
 * 32-bit integer arithmetic, so it is exact and fast in JavaScript. A seed is spread over the four
 * state words with splitmix32. `fork(label)` derives an independent stream from the generator's
 * seed and a label, not from its current position, so adding a draw in one place never changes
 * what another, forked stream produces. Not cryptographic.
 */

/** An array-like whose elements can be assigned: a plain array or any typed array. */
export interface MutableArrayLike<T> {
	readonly length: number;
	[index: number]: T;
}

const TWO_POW_32 = 4294967296;

/** Murmur3's 32-bit finaliser: a bijective mix of one word. */
function fmix32(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string. */
function hashString(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** Four state words from one 32-bit seed, by splitmix32. */
function splitmix32(seed: number): Uint32Array {
	const out = new Uint32Array(4);
	let s = seed >>> 0;
	for (let i = 0; i < 4; i++) {
		s = (s + 0x9e3779b9) >>> 0;
		out[i] = fmix32(s);
	}
	return out;
}

/** Turns a seed (integer or string) into a 32-bit word; integers are taken modulo 2^32. */
function seedWord(seed: number | string): number {
	if (typeof seed === 'string') return hashString(seed);
	if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
	return Number.isInteger(seed) ? seed >>> 0 : hashString(String(seed));
}

/**
 * A seeded generator. Create one with `createRng(seed)`; it owns its state and nothing else.
 * All methods advance the state except `fork`, which reads only the seed key.
 */
export class Rng {
	/** The four words this generator started from; forks are derived from them. */
	readonly #key: Uint32Array;
	readonly #s: Uint32Array;
	#spare: number | null = null;

	/** Prefer `createRng`; `key` is four 32-bit words, not all zero. */
	constructor(key: Uint32Array) {
		if (key.length !== 4) throw new RangeError('an Rng key has four words');
		this.#key = Uint32Array.from(key);
		if (this.#key.every((w) => w === 0)) this.#key[0] = 0x9e3779b9;
		this.#s = Uint32Array.from(this.#key);
	}

	/** The next raw output: an integer in [0, 2^32). */
	uint32(): number {
		const s = this.#s;
		const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
		const t = s[1] << 9;
		s[2] ^= s[0];
		s[3] ^= s[1];
		s[1] ^= s[2];
		s[0] ^= s[3];
		s[2] ^= t;
		s[3] = rotl(s[3], 11);
		return result;
	}

	/** A uniform number in [lo, hi) with 32 bits of resolution; defaults to [0, 1). */
	uniform(lo = 0, hi = 1): number {
		return lo + (hi - lo) * (this.uint32() / TWO_POW_32);
	}

	/**
	 * A normal draw with the given mean and standard deviation, by Box–Muller. Each pair of uniform
	 * draws makes two normals; the second is cached and returned by the next call.
	 */
	normal(mean = 0, std = 1): number {
		if (this.#spare !== null) {
			const z = this.#spare;
			this.#spare = null;
			return mean + std * z;
		}
		const u1 = 1 - this.uniform(); // in (0, 1], so the log is finite
		const u2 = this.uniform();
		const r = Math.sqrt(-2 * Math.log(u1));
		const theta = 2 * Math.PI * u2;
		this.#spare = r * Math.sin(theta);
		return mean + std * r * Math.cos(theta);
	}

	/** A uniform integer in [0, n), without modulo bias; `n` is an integer in [1, 2^32]. */
	int(n: number): number {
		if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
			throw new RangeError(`int(n) needs an integer n in [1, 2^32], got ${n}`);
		}
		const limit = TWO_POW_32 - (TWO_POW_32 % n);
		for (;;) {
			const x = this.uint32();
			if (x < limit) return x % n;
		}
	}

	/** Shuffles `array` in place (Fisher–Yates) and returns the same array. */
	shuffle<T, A extends MutableArrayLike<T>>(array: A): A {
		for (let i = array.length - 1; i > 0; i--) {
			const j = this.int(i + 1);
			const tmp = array[i];
			array[i] = array[j];
			array[j] = tmp;
		}
		return array;
	}

	/** A uniformly random permutation of 0..n−1. @returns Int32Array [n], caller owns. */
	permutation(n: number): Int32Array {
		const p = new Int32Array(n);
		for (let i = 0; i < n; i++) p[i] = i;
		return this.shuffle(p);
	}

	/**
	 * An independent generator derived from this one's seed and `label` (a string or an integer,
	 * e.g. a sample index). The same seed and label always give the same stream, however many draws
	 * this generator has made; different labels give unrelated streams. Forks can be forked.
	 */
	fork(label: string | number): Rng {
		let h = hashString(typeof label === 'number' ? `#${label}` : label);
		const key = new Uint32Array(4);
		for (let i = 0; i < 4; i++) {
			h = fmix32((h ^ this.#key[i]) + Math.imul(i + 1, 0x9e3779b9));
			key[i] = h;
		}
		return new Rng(key);
	}
}

function rotl(x: number, k: number): number {
	return (x << k) | (x >>> (32 - k));
}

/**
 * A new generator from a seed: an integer (taken modulo 2^32) or a string (hashed). Caller owns.
 */
export function createRng(seed: number | string): Rng {
	return new Rng(splitmix32(seedWord(seed)));
}
