/**
 * The low-rank recording of the English language model and of the spectrum lab's other setups
 * (src/lib/data/lmLowRank.json, written by scripts/lmlowrank.ts): its shape against setups.ts and
 * the plan (every matrix of every setup the lab offers, spectra descending, 90% ranks that the
 * spectra give, the ids and ranks the figures read), its learning rates against the drift dial's
 * recording, and the numbers lesson 4's prose quotes from it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rankForEnergy } from '$lib/math/spectrum';
import { randomPhi } from '../../../lessons/04-low-rank-updates/phi';
import { SETUPS, SETUP_IDS } from '../../../lessons/04-low-rank-updates/setups';
import { PHI_RANKS } from '../../../lessons/04-low-rank-updates/recordedSpec';
import { randomUnitSpectrum, spectrumStats } from '../../../lessons/04-low-rank-updates/spectra';
import { LM_TARGETS, bestCell, type LmDriftRecord } from '$lib/data/lmDrift';
import drift from '$lib/data/lmDrift.json';
import type { LoraRunSpec } from '$lib/trainer/protocol';
import {
	LAB_TARGETS,
	LM_FULL_LR,
	LM_LR_TRAINING,
	LM_PHI_LAYER,
	LM_PHI_RANKS,
	SWEEP_LAYERS,
	SWEEP_RANKS,
	SWEEP_TARGET,
	lmRuns,
	loadLmLowRank,
	type LmLowRankRecord,
	type SpectraRun
} from '$lib/data/lmLowRank';

const prose = readFileSync('lessons/04-low-rank-updates/index.svx', 'utf8');
const record: LmLowRankRecord = await loadLmLowRank();
const ENGLISH = SETUPS['english-modern'].layers;

/** The recorded run behind a setup of the lab, as the lab finds it. */
function labRun(id: (typeof SETUP_IDS)[number]): SpectraRun | undefined {
	const target = (LAB_TARGETS as Record<string, keyof LmLowRankRecord['full']>)[id];
	return target ? record.full[target] : record.lab[id];
}

function checkSpectra(
	run: SpectraRun,
	layers: readonly { name: string; inDim: number; outDim: number }[],
	what: string
) {
	expect(Object.keys(run.spectra).sort(), what).toEqual(layers.map((l) => l.name).sort());
	for (const l of layers) {
		const s = run.spectra[l.name];
		expect(s, `${what} ${l.name}`).toHaveLength(Math.min(l.inDim, l.outDim));
		expect(
			s.every((v, i) => v >= 0 && (i === 0 || v <= s[i - 1])),
			`${what} ${l.name} descending`
		).toBe(true);
		expect(s[0], `${what} ${l.name} non-zero`).toBeGreaterThan(0);
		expect(run.rank90[l.name], `${what} ${l.name} rank90`).toBe(rankForEnergy(s, 0.9));
		// Four significant digits, as the file promises.
		expect(s.every((v) => Number(v.toPrecision(4)) === v)).toBe(true);
	}
}

describe('the recording of lmLowRank.json', () => {
	it('has a spectrum recorded for every matrix of every setup the spectrum lab offers, with the lab’s settings', () => {
		for (const id of SETUP_IDS) {
			const run = labRun(id);
			expect(run, id).toBeDefined();
			const s = SETUPS[id];
			checkSpectra(run!, s.layers, id);
			expect(run!.lr, `${id} lr`).toBe(s.lr);
			expect(run!.batchSize, `${id} batch`).toBe(s.batchSize);
			expect(run!.steps, `${id} steps`).toBe(s.steps);
			expect(run!.testLoss, `${id} learned`).toBeLessThan(run!.startLoss);
		}
	});

	it('has the 18 matrices of the language model for every target of the drift dial, at full fine-tuning’s best rate there', () => {
		expect(ENGLISH).toHaveLength(18);
		const cells = (drift as unknown as LmDriftRecord).cells;
		for (const t of LM_TARGETS) {
			const run = record.full[t];
			checkSpectra(run, ENGLISH, t);
			expect(run.steps).toBe(LM_LR_TRAINING.steps);
			expect(run.lr).toBe(LM_FULL_LR[t]);
			expect(bestCell(cells, 'full', t)?.lr, `${t}: lmDrift's best rate`).toBe(LM_FULL_LR[t]);
			expect(run.bits).toBeLessThan(run.startBits);
		}
		for (const [setup, target] of Object.entries(LAB_TARGETS))
			expect(SETUPS[setup as keyof typeof SETUPS].lr).toBe(LM_FULL_LR[target]);
	});

	it('holds the rank sweep and φ the figures read, on the matrices the plan names', () => {
		const lora = lmRuns().filter((q) => q.spec.method === 'lora');
		const settings = lora.map((q) => q.spec as LoraRunSpec);
		expect(settings.map((s) => s.rank)).toEqual([...SWEEP_RANKS]);
		expect(settings.every((s) => s.targets?.join() === SWEEP_LAYERS.join())).toBe(true);
		expect(record.sweep.target).toBe(SWEEP_TARGET);
		expect(record.sweep.layers).toEqual([...SWEEP_LAYERS]);
		expect(record.sweep.runs.map((x) => x.rank)).toEqual([...SWEEP_RANKS]);
		// LoRA on two 96 × 96 matrices: r·(96 + 96) each.
		for (const x of record.sweep.runs) expect(x.trainableParams).toBe(2 * x.rank * 192);
		expect(record.sweep.fullBits).toBe(record.full[SWEEP_TARGET].bits);
		expect(record.sweep.baseBits).toBe(record.full[SWEEP_TARGET].startBits);
		expect([...LM_PHI_RANKS]).toEqual([...PHI_RANKS]);
		expect(record.phi).toMatchObject({ layer: LM_PHI_LAYER, r1: 8, r2: 64, d: 96 });
		expect(ENGLISH.map((l) => l.name)).toContain(LM_PHI_LAYER);
		expect(record.phi.grid).toHaveLength(8 * 64);
		expect(record.phi.grid.every((v) => v >= 0 && v <= 1.0005)).toBe(true);
		// φ(i, j) with j = 64 ≥ i compares against a subspace that holds more: it grows along a row.
		expect(record.phi.grid[63]).toBeGreaterThanOrEqual(record.phi.grid[0]);
		expect(record.phi.bits).toEqual(
			LM_PHI_RANKS.map((r) => record.sweep.runs.find((x) => x.rank === r)!.bits)
		);
		expect(randomPhi(1, 1, record.phi.d)).toBeCloseTo(1 / 96, 10);
	});

	it('says where and when it was recorded, as the figures label it', () => {
		expect(record.recorded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect(record.backend).toBe('wasm');
		expect(record.where).toMatch(/Node .*tfjs/);
	});

	it('reads the same 90% ranks as the lab’s own measure', () => {
		const run = record.full['sotu-1990-2021'];
		for (const l of ENGLISH)
			expect(spectrumStats(run.spectra[l.name]).rank90).toBe(run.rank90[l.name]);
	});
});

describe('the recording, re-run', () => {
	it(
		'its cheapest run (the planted teacher) trains again to the recorded spectra, on wasm as recorded',
		{ timeout: 120_000 },
		async () => {
			const { useRecordedBackend } = await import('./recordedBackend');
			const backend = await useRecordedBackend(record.backend);
			const { runQueue } = await import('$lib/trainer/worker/experiments');
			const { diskSources } = await import('../../../scripts/node/diskSources');
			const s = SETUPS.planted;
			const want = record.lab.planted;
			for (const l of s.layers) {
				const [r] = await runQueue(
					[
						{
							id: `planted-${l.name}`,
							spec: { task: s.task, method: 'full', lr: s.lr, batchSize: s.batchSize, seed: 1 },
							steps: s.steps,
							measure: { spectrum: l.name }
						}
					],
					diskSources(),
					{ backend, chunk: 50 }
				);
				expect(Number(r.testLoss.toPrecision(4))).toBeCloseTo(want.testLoss, 3);
				const got = r.singularValues!;
				want.spectra[l.name].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 3));
			}
		}
	);
});

describe('lesson 4’s prose on the language model', () => {
	const run = record.full['sotu-1990-2021'];
	const stats = (name: string) => spectrumStats(run.spectra[name]);
	const range = (names: string[], f: (name: string) => number) => {
		const v = names.map(f);
		return [Math.min(...v), Math.max(...v)];
	};
	const attention = ENGLISH.map((l) => l.name).filter((n) => /\.(q|k|v|o)$/.test(n));
	const pct = (v: number) => Math.round(v * 100);

	it('quotes the recorded spectra of the modern addresses and the random reference', () => {
		const [lo, hi] = range(attention, (n) => stats(n).rank90);
		expect(prose).toContain(`needs ${lo} to ${hi} of its 96 directions for 90% of its energy`);
		const [elo, ehi] = range(attention, (n) => pct(stats(n).energy4));
		const random = spectrumStats(randomUnitSpectrum(96, 96, 1));
		expect(prose).toContain(
			`its top 4 directions hold ${elo}–${ehi}%, where a random matrix of the same shape needs ${random.rank90} and holds ${pct(random.energy4)}%`
		);
		const mlp = ['h0.up', 'h1.up', 'h2.up', 'h0.down', 'h1.down'];
		const [mlo, mhi] = range(mlp, (n) => stats(n).rank90);
		expect(prose).toContain(
			`The MLP's matrices need ${mlo} to ${mhi}, except the last block's down-projection at ${stats('h2.down').rank90}; a random 96 × 384 matrix needs ${spectrumStats(randomUnitSpectrum(96, 384, 1)).rank90}`
		);
		expect(stats('h2.down').rank90).toBeLessThan(mlo);
		// "from a quarter to nearly two thirds" of 96.
		expect(Math.min(lo, stats('h2.down').rank90) / 96).toBeCloseTo(0.25, 2);
		expect(Math.max(hi, mhi) / 96).toBeGreaterThan(0.6);
		expect(Math.max(hi, mhi) / 96).toBeLessThan(2 / 3);
		const digits = record.lab['digits-small'].rank90.l1;
		expect(prose).toContain(`the digits MLP's update needed ${digits} of 128 directions`);
	});

	it('quotes block 2’s W_q across the drift dial', () => {
		const ranks = LM_TARGETS.map((t) => record.full[t].rank90['h1.q']);
		const [lo, hi] = [Math.min(...ranks), Math.max(...ranks)];
		expect(hi - lo).toBeLessThanOrEqual(1);
		expect(prose).toContain(
			`Block 2's $W_q$ needs ${lo} or ${hi} directions after each of the six targets of the drift dial`
		);
		expect(LM_TARGETS).toHaveLength(6);
	});

	it('quotes φ and the rank sweep as recorded', () => {
		const g = record.phi.grid;
		const d = record.phi.d;
		expect(prose).toContain(
			`φ of the two top directions is ${g[0]}, below the ${randomPhi(1, 1, d).toFixed(3)} that two random directions in 96 dimensions would share`
		);
		expect(g[0]).toBeLessThan(randomPhi(1, 1, d));
		expect(prose).toContain(
			`The top-8 subspaces share $\\phi = ${g[7 * 64 + 7].toFixed(2)}$ against ${randomPhi(8, 8, d).toFixed(2)} by chance`
		);
		expect(prose).toContain(
			`the rank-8 adapter's top direction lies ${pct(g[7])}% inside the rank-64 adapter's top 8 (chance: ${pct(randomPhi(1, 8, d))}%)`
		);
		const { baseBits, fullBits, runs } = record.sweep;
		const gain = (r: number) =>
			pct((baseBits - runs.find((x) => x.rank === r)!.bits) / (baseBits - fullBits));
		expect(prose).toContain(
			`recovers ${gain(1)}% of full fine-tuning's gain in bits per character at rank 1, ${gain(8)}% at rank 8 and ${gain(64)}% at rank 64`
		);
		expect(record.sweep.lr).toBe(0.003);
		expect(prose).toContain(
			'LoRA adapts $W_q$ and $W_v$ of its second block at learning rate 0.003'
		);
	});
});
