/**
 * Lesson 2's prediction and exercises print numbers the lesson and the course's scaling code
 * give: the compute of Chinchilla and Gopher by C = 6ND, the printed Chinchilla fit's three terms
 * at Chinchilla's own size, and Llama 3 70B's tokens per parameter.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FITS, chinchillaLoss, trainingFlops } from '$lib/math/scaling';

const source = readFileSync('lessons/02-scaling-laws/index.svx', 'utf8');
/** The lesson outside its exercises and prediction: where the quoted numbers must come from. */
const prose = source
	.replace(/<Exercises>[\s\S]*<\/Exercises>/, '')
	.replace(/<Predict[\s\S]*?<\/Predict>/, '');

describe('lesson 2: prediction and exercises', () => {
	it('the prediction quotes the ladder as the lesson reports it', () => {
		const reveal = /<Predict[\s\S]*?<\/Predict>/.exec(source)![0];
		for (const n of ['160 to 19,210 parameters', '400 steps', '1,438', '$R^2 = 0.987$']) {
			expect(prose).toContain(n.replace(' steps', ''));
			expect(reveal).toContain(n);
		}
	});

	it('compute of Chinchilla and Gopher by 6ND', () => {
		const chinchilla = trainingFlops(70e9, 1.4e12);
		const gopher = trainingFlops(280e9, 300e9);
		expect((chinchilla / 1e23).toFixed(2)).toBe('5.88');
		expect((gopher / 1e23).toFixed(2)).toBe('5.04');
		expect(source).toContain('= 5.88 \\times 10^{23}$ FLOP');
		expect(source).toContain('= 5.04 \\times 10^{23}$');
		expect(prose).toContain('5.76 \\times 10^{23}');
		for (const c of [chinchilla, gopher]) expect(Math.abs(c / 5.76e23 - 1)).toBeLessThan(0.15);
	});

	it("the printed fit's terms at Chinchilla's size", () => {
		const f = FITS.chinchillaRounded;
		const params = f.A / 70e9 ** f.alpha;
		const data = f.B / 1.4e12 ** f.beta;
		expect(params.toFixed(3)).toBe('0.083');
		expect(data.toFixed(3)).toBe('0.163');
		expect(chinchillaLoss(70e9, 1.4e12, f).toFixed(2)).toBe('1.94');
		expect(data / params).toBeGreaterThan(1.9);
		expect(data / params).toBeLessThan(2.1);
		expect(source).toContain('\\approx 0.083$');
		expect(source).toContain('\\approx 0.163$');
		expect(source).toContain('\\approx 1.94$ nats per token');
		for (const v of ['E = 1.69', 'A = 406.4', 'B = 410.7', '\\alpha = 0.34', '\\beta = 0.28']) {
			expect(prose).toContain(v);
		}
	});

	it("Llama 3 70B's tokens per parameter", () => {
		expect(Math.round(15e12 / 70e9 / 10) * 10).toBe(210);
		expect(Math.round(1.4e12 / 70e9)).toBe(20);
		expect(prose).toContain('Llama 3 70B about 15 trillion');
		expect(prose).toContain('some 210 tokens per parameter');
		expect(source).toContain('\\approx 210$ tokens per parameter, some ten times Chinchilla');
	});
});
