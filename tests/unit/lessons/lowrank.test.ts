/**
 * Lesson 4's helpers and its numbers: spectrum measures and their sentence, the random reference,
 * LoRA's count, the truncation grid, φ against chance, the recorded runs' shape, and the prose,
 * whose measured figures must be those the recording script wrote.
 */
import { readFileSync } from 'node:fs';
import { useRecordedBackend } from './recordedBackend';
import { describe, expect, it } from 'vitest';
import { energyCaptured, rankForEnergy, stableRank } from '$lib/math/spectrum';
import { phiSentence, randomPhi } from '../../../lessons/04-low-rank-updates/phi';
import { loraCount, truncationKs } from '../../../lessons/04-low-rank-updates/rankFigure';
import { RECORDED } from '../../../lessons/04-low-rank-updates/recorded';
import {
	LORA_RANKS,
	LOWRANK,
	STEPS,
	fullId,
	loraId
} from '../../../lessons/04-low-rank-updates/recordedSpec';
import {
	randomUnitSpectrum,
	scaleSpectrum,
	spectrumSentence,
	spectrumStats
} from '../../../lessons/04-low-rank-updates/spectra';
import { SETUPS, SETUP_IDS, layerOf } from '../../../lessons/04-low-rank-updates/setups';

const prose = readFileSync('lessons/04-low-rank-updates/index.svx', 'utf8');
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

describe('spectrum measures', () => {
	it('reads energy, ranks and a sentence off a known spectrum', () => {
		const s = [4, 2, 1, 1, 0, 0, 0, 0];
		const st = spectrumStats(s);
		expect(st.n).toBe(8);
		expect(st.frobenius).toBeCloseTo(Math.sqrt(22), 10);
		expect(st.energy1).toBeCloseTo(16 / 22, 10);
		expect(st.energy4).toBeCloseTo(1, 10);
		expect(st.rank90).toBe(2);
		expect(st.rank99).toBe(4);
		expect(st.stable).toBeCloseTo(22 / 16, 10);
		expect(st.cumulative[1]).toBeCloseTo(20 / 22, 10);
		expect(spectrumSentence(st)).toMatch(
			/^The top 4 directions hold 100% of the update's energy; 90% needs 2 of 8 directions and 99% needs 4\./
		);
		expect(spectrumSentence(spectrumStats([0, 0]))).toMatch(/still zero/);
	});

	it('makes a seeded random reference of unit norm, once per shape, that scales linearly', () => {
		const a = randomUnitSpectrum(64, 128, 3);
		expect(a).toHaveLength(64);
		expect(Math.hypot(...a)).toBeCloseTo(1, 10);
		expect(randomUnitSpectrum(64, 128, 3)).toBe(a);
		expect(randomUnitSpectrum(64, 128, 4)).not.toEqual(a);
		const b = scaleSpectrum(a, 5);
		expect(b[0]).toBeCloseTo(5 * a[0], 10);
		// Marchenko–Pastur: a random matrix spreads its energy, far from low-rank.
		expect(energyCaptured(a, 4)).toBeLessThan(0.3);
		expect(rankForEnergy(a, 0.9)).toBeGreaterThan(32);
	});
});

describe('rank figure helpers', () => {
	it("counts LoRA's trainable parameters as r·(d + k)", () => {
		expect(loraCount(4, 128, 128)).toBe(1024);
		expect(loraCount(8, 64, 128)).toBe(1536);
	});

	it('scores truncations from 0 to the full rank, sorted and unique', () => {
		for (const n of [10, 64, 128]) {
			const ks = truncationKs(n);
			expect(ks[0]).toBe(0);
			expect(ks.at(-1)).toBe(n);
			expect(ks.every((k, i) => i === 0 || k > ks[i - 1])).toBe(true);
		}
		expect(truncationKs(128).slice(0, 9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
	});

	it('knows where random subspaces overlap by chance', () => {
		expect(randomPhi(1, 1, 128)).toBeCloseTo(1 / 128, 10);
		expect(randomPhi(8, 64, 128)).toBe(0.5);
		expect(randomPhi(8, 200, 128)).toBe(1);
		const grid = Array.from({ length: 2 * 4 }, (_, n) => (n % 4 === 0 ? 0.8 : 0.5));
		expect(phiSentence(grid, 2, 4, 16)).toMatch(/share φ = 0\.80, 13 times/);
	});

	it('offers the matrices of each setup’s shipped base, with their shapes', async () => {
		const { diskSources } = await import('../../../scripts/node/diskSources');
		const { buildModel } = await import('$lib/model/weightsFile');
		const sources = diskSources();
		for (const id of SETUP_IDS) {
			const setup = SETUPS[id];
			const { baseId } = await sources.task(setup.task, 1);
			const { entry } = await sources.loadBase(baseId!);
			const linears = new Map(buildModel(entry.config).linears.map((l) => [l.name, l]));
			for (const l of setup.layers) {
				expect(linears.get(l.name), `${id} ${l.name}`).toMatchObject({
					inDim: l.inDim,
					outDim: l.outDim
				});
			}
		}
	});

	it('offers only layers that each setup has', () => {
		for (const id of SETUP_IDS) {
			expect(SETUPS[id].layers.length).toBeGreaterThan(0);
			expect(layerOf(id, 'no such layer')).toBe(SETUPS[id].layers[0]);
		}
	});
});

describe('recorded runs', () => {
	it('hold every run the spec lists, at its steps, with what the figures read', () => {
		for (const q of LOWRANK.fullRuns()) {
			const r = RECORDED.runs[q.id];
			expect(r.steps).toBe(STEPS);
			expect(r.singularValues!.length).toBeGreaterThan(0);
			expect(r.truncation!.map((t) => t.k)).toEqual(q.measure!.truncation!.ks);
		}
		for (const r of LORA_RANKS)
			expect(RECORDED.lora[loraId('big', 'l1', r)].trainableParams).toBe(r * 256);
		expect(RECORDED.phi.grid).toHaveLength(RECORDED.phi.r1 * RECORDED.phi.r2);
	});

	it('are the numbers the prose quotes', () => {
		const small = RECORDED.runs[fullId('small', 'l1')];
		const big = RECORDED.runs[fullId('big', 'l1')];
		const s = spectrumStats(small.singularValues!);
		const b = spectrumStats(big.singularValues!);
		expect(prose).toContain(
			`held-out accuracy rose from ${pct(small.startAccuracy)} to ${pct(small.testAccuracy)}`
		);
		expect(prose).toContain(
			`puts ${Math.round(s.energy4 * 100)}% of its energy in its top 4 directions and ${Math.round(s.energy8 * 100)}% in its top 8; 90% of the energy needs ${s.rank90} directions and 99% needs ${s.rank99}. Its stable rank is ${s.stable.toFixed(1)} and its effective rank ${Math.round(s.effective)}.`
		);
		expect(prose).toContain(
			`${Math.round(b.energy4 * 100)}% in the top 4, 90% within ${b.rank90} directions, stable rank ${stableRank(big.singularValues!).toFixed(1)}`
		);
		const acc = (run: typeof big, k: number) =>
			pct(run.truncation!.find((t) => t.k === k)!.accuracy);
		expect(prose).toContain(`(${pct(big.testAccuracy)} → ${acc(big, 0)})`);
		expect(prose).toContain(`the top 12 reach ${acc(big, 12)}`);
		expect(prose).toContain(`(${pct(small.testAccuracy)} → ${acc(small, 0)})`);
		const lora = (r: number) =>
			Math.round(RECORDED.lora[loraId('big', 'l1', r)].testAccuracy * 100);
		expect(prose).toContain(`rank 1 reaches only ${lora(1)}%, rank 4 reaches ${lora(4)}%`);
		const gap = (r: number) =>
			(big.testAccuracy - RECORDED.lora[loraId('big', 'l1', r)].testAccuracy) * 100;
		expect(prose).toContain(
			`rank 8 is ${gap(8).toFixed(1)} points behind full fine-tuning, and from rank 16 it is within 2`
		);
		expect(prose).toContain(`within ${gap(8).toFixed(1)} points at rank 8 and 2 points at rank 16`);
		for (const r of LORA_RANKS.filter((r) => r >= 16)) expect(gap(r)).toBeLessThan(2);
		expect(gap(8)).toBeGreaterThan(3);
		expect(prose).toContain(`φ of the two top directions is ${RECORDED.phi.grid[0].toFixed(2)}`);
	});
});

describe('the recording, re-run', () => {
	it(
		'its cheapest run (LoRA r = 1 on the small shift) trains again to the recorded numbers, on wasm as recorded',
		{ timeout: 120_000 },
		async () => {
			const backend = await useRecordedBackend(RECORDED.backend);
			const { runQueue } = await import('$lib/trainer/worker/experiments');
			const { diskSources } = await import('../../../scripts/node/diskSources');
			const run = LOWRANK.loraRuns().find((q) => q.id === loraId('small', 'l1', 1))!;
			const [r] = await runQueue([run], diskSources(), { backend, chunk: 50 });
			const want = RECORDED.lora[run.id];
			// Recorded to four significant digits, as the figures show them.
			const round = (v: number) => Number(v.toPrecision(4));
			expect(round(r.startAccuracy)).toBe(want.startAccuracy);
			expect(round(r.testAccuracy)).toBe(want.testAccuracy);
			expect(round(r.testLoss)).toBe(want.testLoss);
			expect(r.steps).toBe(want.steps);
			// A rank-1 update has one singular value; the rest are float32 rounding.
			expect(round(r.singularValues![0])).toBe(want.singularValues![0]);
		}
	);
});
