/**
 * The reading of the language model's drift dial for its figure (src/lib/widgets/lmDriftView.ts),
 * on a small hand-made grid whose answers are known: best rates, shares of full fine-tuning's
 * gain, the dial's series, and the sentence.
 */
import { describe, expect, it } from 'vitest';
import { LM_DIAL, type LmCell, type LmTarget } from '$lib/data/lmDrift';
import { dialSeries, driftSummary, methodRows } from '$lib/widgets/lmDriftView';

const t: LmTarget = 'sotu-1990-2021';
function cell(method: string, bits: number, lr?: number, target: LmTarget = t): LmCell {
	return {
		method,
		target,
		...(lr === undefined ? {} : { lr }),
		bits,
		startBits: 2.6,
		originalBits: method === 'full' ? 1.8 : 1.6,
		trainableParams: 10,
		steps: lr === undefined ? 0 : 400,
		seconds: 1,
		sample: `${method} wrote this`
	};
}
const cells: LmCell[] = [
	cell('base', 2.6),
	cell('full', 2.1, 1e-3),
	cell('full', 2.0, 3e-3),
	cell('lora-4', 2.4, 1e-2),
	cell('lora-4', 2.35, 3e-2),
	cell('head', 2.3, 3e-3),
	{ ...cell('bitfit', 1.0, 1e-1), diverged: 'loss exploded' },
	cell('bitfit', 2.5, 1e-2)
];

describe('methodRows', () => {
	it('takes each method’s best undiverged rate and its share of full fine-tuning’s gain', () => {
		const rows = methodRows(cells, t);
		const by = Object.fromEntries(rows.map((r) => [r.id, r]));
		expect(rows[0].id).toBe('base');
		expect(by.full.lr).toBe(3e-3);
		expect(by['lora-4'].lr).toBe(3e-2);
		expect(by['lora-4'].recovered).toBeCloseTo((2.6 - 2.35) / (2.6 - 2.0), 12);
		expect(by.head.recovered).toBeCloseTo(0.5, 12);
		// The diverged run is never the best, however low its last loss.
		expect(by.bitfit.cell!.bits).toBe(2.5);
		expect(by['lora-1'].cell).toBeNull();
		expect(by['lora-1'].recovered).toBeNull();
	});
});

describe('dialSeries', () => {
	it('gives one point per era, NaN where nothing is recorded', () => {
		const s = dialSeries(cells);
		const full = s.find((x) => x.id === 'full')!;
		expect(full.points.map((p) => p.x)).toEqual(LM_DIAL.map((_, i) => i + 1));
		expect(full.points[LM_DIAL.indexOf(t)].y).toBe(2.0);
		expect(Number.isNaN(full.points[0].y)).toBe(true);
	});
});

describe('driftSummary', () => {
	it('says where the base starts, what each reaches and keeps', () => {
		const s = driftSummary(cells, t);
		expect(s).toContain('On the addresses of 1990–2021 the base scores 2.60 bits per character');
		expect(s).toContain('Full fine-tuning brings it to 2.00');
		expect(s).toContain('Head only 2.30 (50% of that gain)');
		expect(s).toContain('Full fine-tuning 1.80');
		expect(driftSummary([], t)).toMatch(/Nothing is recorded/);
	});
});
