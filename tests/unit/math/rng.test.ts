import { describe, expect, it } from 'vitest';
import { createRng, Rng } from '../../../src/lib/math/rng';

/**
 * First outputs of createRng(42), computed independently in Python (splitmix32 then xoshiro128**).
 * A change means every seeded dataset in the course changed.
 */
const PINNED_42 = [2837322924, 544945897, 479756282, 3500138142];

const draws = (seed: number | string, k: number) => {
	const rng = createRng(seed);
	return Array.from({ length: k }, () => rng.uint32());
};

describe('createRng', () => {
	it('is deterministic for a seed and differs between seeds', () => {
		expect(draws(42, 20)).toEqual(draws(42, 20));
		expect(draws(42, 20)).not.toEqual(draws(43, 20));
		expect(draws('a', 20)).not.toEqual(draws('b', 20));
		expect(draws(0, 20).some((x) => x !== 0)).toBe(true);
	});

	it('gives the published xoshiro128** sequence from the state (1, 2, 3, 4)', () => {
		// Known-answer vector of Blackman & Vigna's reference C code (also rand_xoshiro's tests).
		const rng = new Rng(Uint32Array.of(1, 2, 3, 4));
		expect(Array.from({ length: 10 }, () => rng.uint32())).toEqual([
			11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597,
			4258142804
		]);
	});

	it('pins the seeding: createRng(42) always starts the same way', () => {
		expect(draws(42, 4)).toEqual(PINNED_42);
	});

	it('gives uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
		const rng = createRng(7);
		const n = 100_000;
		let sum = 0;
		let sq = 0;
		let outside = 0;
		for (let i = 0; i < n; i++) {
			const u = rng.uniform();
			if (!(u >= 0 && u < 1)) outside++;
			sum += u;
			sq += u * u;
		}
		expect(outside).toBe(0);
		const mean = sum / n;
		expect(mean).toBeCloseTo(0.5, 2);
		expect(sq / n - mean * mean).toBeCloseTo(1 / 12, 2);
	});

	it('gives normals with mean 0, variance 1 and normal tails for 1e5 samples', () => {
		const rng = createRng(11);
		const n = 100_000;
		let sum = 0;
		let sq = 0;
		let beyond2 = 0;
		for (let i = 0; i < n; i++) {
			const z = rng.normal();
			sum += z;
			sq += z * z;
			if (Math.abs(z) > 2) beyond2++;
		}
		const mean = sum / n;
		// Standard errors: 1/√n ≈ 0.0032 for the mean, √(2/n) ≈ 0.0045 for the variance.
		expect(Math.abs(mean)).toBeLessThan(0.015);
		expect(Math.abs(sq / n - mean * mean - 1)).toBeLessThan(0.02);
		// P(|Z| > 2) = 0.0455.
		expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.004);
	});

	it('scales normals by mean and std', () => {
		const a = createRng(3);
		const b = createRng(3);
		for (let i = 0; i < 10; i++) expect(b.normal(5, 2)).toBeCloseTo(5 + 2 * a.normal(), 12);
	});

	it('draws integers in range, covering every value about equally', () => {
		const rng = createRng(5);
		const counts = new Array(7).fill(0);
		for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
		expect(counts.reduce((a, b) => a + b)).toBe(70_000);
		expect(counts.length).toBe(7);
		for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
		expect(() => rng.int(0)).toThrow(RangeError);
		expect(() => rng.int(2.5)).toThrow(RangeError);
		expect(createRng(1).int(1)).toBe(0);
	});

	it('shuffles in place into a permutation, and permutation(n) is one', () => {
		const rng = createRng(9);
		const a = Array.from({ length: 50 }, (_, i) => i);
		const same = rng.shuffle(a);
		expect(same).toBe(a);
		expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
		expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
		const p = createRng(9).permutation(50);
		expect(p).toBeInstanceOf(Int32Array);
		expect(Array.from(p)).toEqual(a);
	});

	it('shuffles uniformly: each of the 6 orders of 3 items about 1/6 of the time', () => {
		const rng = createRng(13);
		const counts = new Map<string, number>();
		for (let i = 0; i < 60_000; i++) {
			const key = rng.shuffle([0, 1, 2]).join('');
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
		expect(counts.size).toBe(6);
		for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(400);
	});

	it('forks by label, independently of how far the parent has run', () => {
		const a = createRng(1);
		const b = createRng(1);
		for (let i = 0; i < 17; i++) b.uniform();
		const fa = a.fork('weights');
		const fb = b.fork('weights');
		const seq = (r: ReturnType<typeof createRng>) => Array.from({ length: 10 }, () => r.uint32());
		expect(seq(fa)).toEqual(seq(fb));
		const parent = seq(createRng(1));
		const x = seq(createRng(1).fork('x'));
		const y = seq(createRng(1).fork('y'));
		const n3 = seq(createRng(1).fork(3));
		const s3 = seq(createRng(1).fork('3'));
		expect(x).not.toEqual(y);
		expect(x).not.toEqual(parent);
		expect(n3).not.toEqual(s3);
		expect(seq(createRng(2).fork('x'))).not.toEqual(x);
		expect(seq(createRng(1).fork('x').fork('y'))).not.toEqual(y);
	});

	it('gives uncorrelated forked streams', () => {
		const a = createRng(21).fork(0);
		const b = createRng(21).fork(1);
		const n = 20_000;
		let dot = 0;
		for (let i = 0; i < n; i++) dot += a.normal() * b.normal();
		expect(Math.abs(dot / n)).toBeLessThan(0.03);
	});
});
