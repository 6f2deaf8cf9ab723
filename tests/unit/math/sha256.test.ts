import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '$lib/math/sha256';

const node = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('sha256Hex', () => {
	it('matches the FIPS 180-4 examples', () => {
		expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
			'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
		);
		expect(sha256Hex(new Uint8Array(0))).toBe(
			'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
		);
	});

	it("matches Node's crypto at every length around the block boundaries", () => {
		for (let n = 0; n < 200; n++) {
			const b = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
			expect(sha256Hex(b)).toBe(node(b));
		}
	});

	it('matches the shipped data manifest', () => {
		const bytes = new Uint8Array(readFileSync('static/data/digits/digits.bin'));
		const manifest = JSON.parse(readFileSync('static/data/manifest.json', 'utf8'));
		expect(sha256Hex(bytes)).toBe(manifest.digits.sha256);
	});
});
