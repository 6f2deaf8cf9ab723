/**
 * Record lesson 4's low-rank results for the English language model and the spectrum lab's
 * recorded-first spectra (src/lib/data/lmLowRank.ts says what and why), through the worker's
 * runner (`prepareQueued` / `runQueued`) in Node on tfjs's WebAssembly backend with the kernels
 * the worker registers there, one process, one seed. Writes src/lib/data/lmLowRank.json.
 * Run: `npm run record:lmlowrank` (about ten minutes on one core here).
 *
 * Every matrix's spectrum from one run: the runner measures the spectrum of one matrix
 * (`measure.spectrum`); while it does, a wrapper of `Trainer.deltaW` decomposes ΔW of every
 * other matrix of the same trained state too, so the 18 spectra of a language-model run come from
 * one run instead of 18. The script checks that the runner's own spectrum equals the captured one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { format, resolveConfig } from 'prettier';
import { bindSimdToWasmBackend } from '../src/lib/model/kernels/hostKernels';
import { loadSimdKernels } from '../src/lib/model/kernels/simdKernels';
import '../src/lib/model/kernels/linalgHost';
import '../src/lib/model/kernels/transformerHost';
import '../src/lib/model/kernels/adamWasm';
import { adapterSimilarity, rankForEnergy } from '../src/lib/math/spectrum';
import { singularValues } from '../src/lib/math/svd';
import { runToEnd, startWasm } from './node/wasmRuns';
import { diskSources } from './node/diskSources';
import type { LoraRunSpec, QueuedResult, QueuedRun } from '../src/lib/trainer/protocol';
import { Trainer } from '../src/lib/trainer/worker/trainer';
import { LM_TARGETS, type LmTarget } from '../src/lib/data/lmDrift';
import {
	LAB_TARGETS,
	LM_LR_TRAINING,
	LM_PHI_LAYER,
	LM_PHI_RANKS,
	SWEEP_LAYERS,
	SWEEP_LR,
	SWEEP_RANKS,
	SWEEP_TARGET,
	lmRuns,
	type LmLowRankRecord,
	type SpectraRun
} from '../src/lib/data/lmLowRank';
import { SETUPS, SETUP_IDS, type SetupId } from '../lessons/04-low-rank-updates/setups';

const OUT = 'src/lib/data/lmLowRank.json';
const ONLY = process.env.ONLY; // a run id or setup id to record alone (a dry run: no JSON)

await startWasm();
await loadSimdKernels();
if (!(await bindSimdToWasmBackend(tf.backend()))) throw new Error('the SIMD kernels did not bind');
const sources = diskSources();

// Capture ΔW's spectrum of every matrix the first time the runner asks a trainer for one.
let captured: Record<string, Float64Array> | null = null;
const seen = new WeakSet<Trainer>();
const deltaW = Trainer.prototype.deltaW;
Trainer.prototype.deltaW = async function (this: Trainer, linear: string) {
	if (!seen.has(this)) {
		seen.add(this);
		captured = {};
		for (const l of this.config.model.linears)
			captured[l.name] = singularValues(await deltaW.call(this, l.name), l.inDim, l.outDim);
	}
	return deltaW.call(this, linear);
};

const round = (v: number, digits = 4) => Number(v.toPrecision(digits));
const bits = (nats: number) => round(nats / Math.LN2, 5);

async function run(
	q: QueuedRun
): Promise<{ r: QueuedResult; spectra: Record<string, Float64Array> | null }> {
	captured = null;
	const r = await runToEnd(q, sources, 50);
	const spectra = captured as Record<string, Float64Array> | null;
	if (q.measure?.spectrum) {
		const own = r.singularValues!;
		const mine = spectra?.[q.measure.spectrum];
		if (!mine || own.some((v, i) => Math.abs(v - mine[i]) > 1e-9 * (1 + Math.abs(v))))
			throw new Error(`${q.id}: the captured spectrum differs from the runner's`);
	}
	console.log(
		`${q.id}: loss ${r.startLoss!.toFixed(3)} → ${r.testLoss.toFixed(3)}, accuracy ${(r.startAccuracy * 100).toFixed(1)}% → ${(r.testAccuracy * 100).toFixed(1)}%` +
			`${r.diverged ? ' (diverged)' : ''} in ${r.seconds.toFixed(1)} s`
	);
	return { r, spectra };
}

/** The matrices the record keeps: those the lab offers (the language model's 18, not its head). */
const ENGLISH_LAYERS = SETUPS['english-modern'].layers.map((l) => l.name);

function spectraRun(
	q: QueuedRun,
	r: QueuedResult,
	all: Record<string, Float64Array>,
	keep: readonly string[]
): SpectraRun {
	const s = Object.fromEntries(keep.map((k) => [k, all[k]]));
	return {
		lr: q.spec.lr,
		batchSize: q.spec.batchSize,
		steps: r.steps,
		startLoss: round(r.startLoss!),
		testLoss: round(r.testLoss),
		startAccuracy: round(r.startAccuracy),
		testAccuracy: round(r.testAccuracy),
		seconds: round(r.seconds, 3),
		spectra: Object.fromEntries(
			Object.entries(s).map(([k, v]) => [k, Array.from(v, (x) => round(x))])
		),
		// From the rounded values, so a reader of the JSON gets the same rank from what it holds.
		rank90: Object.fromEntries(
			Object.entries(s).map(([k, v]) => [
				k,
				rankForEnergy(
					Array.from(v, (x) => round(x)),
					0.9
				)
			])
		)
	};
}

const t0 = performance.now();
const full = {} as LmLowRankRecord['full'];
const sweepRuns: LmLowRankRecord['sweep']['runs'] = [];
const factors: Record<number, NonNullable<QueuedResult['factors']>> = {};
const phiBits: Record<number, number> = {};
let baseBits = NaN;
for (const q of lmRuns()) {
	if (ONLY && ONLY !== q.id) continue;
	const { r, spectra } = await run(q);
	if (q.spec.method === 'full') {
		const target = q.id.split('@')[1] as LmTarget;
		full[target] = {
			...spectraRun(q, r, spectra!, ENGLISH_LAYERS),
			startBits: bits(r.startLoss!),
			bits: bits(r.testLoss)
		};
		if (target === SWEEP_TARGET) baseBits = bits(r.startLoss!);
	} else {
		const rank = (q.spec as LoraRunSpec).rank!;
		sweepRuns.push({
			rank,
			bits: bits(r.testLoss),
			trainableParams: r.trainableParams,
			...(r.diverged ? { diverged: r.diverged } : {})
		});
		if (r.factors) {
			factors[rank] = r.factors;
			phiBits[rank] = bits(r.testLoss);
		}
	}
}

const lab: LmLowRankRecord['lab'] = {};
for (const id of SETUP_IDS) {
	if (id in LAB_TARGETS) continue;
	if (ONLY && ONLY !== id) continue;
	const s = SETUPS[id as SetupId];
	const q: QueuedRun = {
		id,
		spec: { task: s.task, method: 'full', lr: s.lr, batchSize: s.batchSize, seed: 1 },
		steps: s.steps,
		measure: { spectrum: s.layers[0].name }
	};
	const { r, spectra } = await run(q);
	lab[id] = spectraRun(
		q,
		r,
		spectra!,
		s.layers.map((l) => l.name)
	);
}
const seconds = (performance.now() - t0) / 1000;

if (ONLY) {
	console.log(`ONLY=${ONLY}: ${seconds.toFixed(1)} s; no JSON written`);
} else {
	const [a, b] = LM_PHI_RANKS.map((r) => factors[r]);
	const grid = adapterSimilarity(a, b);
	const record: LmLowRankRecord = {
		recorded: new Date().toISOString().slice(0, 10),
		where: `Node ${process.version}, tfjs ${tf.version_core}, wasm backend with the course's SIMD kernels, one process on ${cpus()[0]?.model ?? 'an unknown CPU'}`,
		backend: 'wasm',
		seconds: Number(seconds.toFixed(1)),
		training: LM_LR_TRAINING,
		full: Object.fromEntries(LM_TARGETS.map((t) => [t, full[t]])) as LmLowRankRecord['full'],
		lab,
		sweep: {
			target: SWEEP_TARGET,
			layers: [...SWEEP_LAYERS],
			lr: SWEEP_LR,
			baseBits,
			fullBits: full[SWEEP_TARGET].bits,
			runs: SWEEP_RANKS.map((r) => sweepRuns.find((x) => x.rank === r)!)
		},
		phi: {
			layer: LM_PHI_LAYER,
			r1: a.rank,
			r2: b.rank,
			d: a.inDim,
			bits: LM_PHI_RANKS.map((r) => phiBits[r]),
			grid: Array.from(grid, (v) => round(v, 3))
		}
	};
	const options = { ...(await resolveConfig(OUT)), parser: 'json' };
	writeFileSync(OUT, await format(JSON.stringify(record), options));
	console.log(`${OUT}: ${seconds.toFixed(1)} s`);
}
