/**
 * Record what lesson 4's figures show before a reader runs them live, through the same experiment
 * runner the trainer worker uses (src/lib/trainer/worker/experiments.ts), on tfjs's WebAssembly backend
 * in Node:
 *
 * - `runs`: full fine-tuning of the digits MLP on the small shift and on the large drift, with
 *   the final spectrum of ΔW of hidden layers 1 and 2 and the held-out accuracy of W₀ + ΔW_k for
 *   k = 0…all (figure 4's truncation slider and the lesson's closing note);
 * - `lora`: LoRA on one layer at ranks 1 to 128 for both tasks (figure 4's recorded rank sweep);
 * - `phi`: LoRA adapters at r = 8 and r = 64 on the small shift with their factors (figure 5).
 *
 * Writes src/lib/data/lowRankRecorded.json. Run: `npx vite-node scripts/lowrank.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import type { QueuedResult, QueuedRun } from '../src/lib/trainer/protocol';
import { runToEnd, startWasm } from './node/wasmRuns';
import { diskSources } from './node/diskSources';
import { LOWRANK, PHI_RANKS, loraId } from '../lessons/04-low-rank-updates/recordedSpec';
import { adapterSimilarity } from '../src/lib/math/spectrum';

const OUT = 'src/lib/data/lowRankRecorded.json';

await startWasm();
// The shipped digits and base models, read from static/ as the worker would fetch them.
const sources = diskSources();

async function run(q: QueuedRun): Promise<QueuedResult> {
	const r = await runToEnd(q, sources, 50);
	console.log(
		`${q.id}: ${(r.startAccuracy * 100).toFixed(1)}% → ${(r.testAccuracy * 100).toFixed(1)}% in ${r.seconds.toFixed(1)} s`
	);
	return r;
}

const t0 = performance.now();
const runs: Record<string, QueuedResult> = {};
for (const q of LOWRANK.fullRuns()) runs[q.id] = await run(q);
const lora: Record<string, QueuedResult> = {};
for (const q of LOWRANK.loraRuns()) lora[q.id] = await run(q);
const phi: Record<string, QueuedResult> = {};
for (const q of LOWRANK.phiRuns()) phi[q.id] = await run(q);
const seconds = (performance.now() - t0) / 1000;

const round = (v: number, digits = 4) => Number(v.toPrecision(digits));
/** What the figures read, with numbers rounded to what they show; factors are reduced to φ. */
const strip = (r: QueuedResult) => ({
	id: r.id,
	startAccuracy: round(r.startAccuracy),
	testAccuracy: round(r.testAccuracy),
	testLoss: round(r.testLoss),
	trainableParams: r.trainableParams,
	steps: r.steps,
	seconds: round(r.seconds, 3),
	...(r.singularValues ? { singularValues: r.singularValues.map((v) => round(v)) } : {}),
	...(r.truncation
		? { truncation: r.truncation.map((t) => ({ k: t.k, accuracy: round(t.accuracy) })) }
		: {}),
	...(r.curve
		? { curve: r.curve.map((c) => ({ step: c.step, testAccuracy: round(c.testAccuracy) })) }
		: {})
});
const [small, large] = PHI_RANKS.map((r) => phi[loraId('small', 'l1', r)].factors!);
const grid = adapterSimilarity(small, large);
const record = {
	recorded: new Date().toISOString().slice(0, 10),
	where: `Node ${process.version}, tfjs ${tf.version_core}, ${tf.getBackend()} backend`,
	backend: tf.getBackend(),
	seconds: Number(seconds.toFixed(1)),
	runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, strip(v)])),
	lora: Object.fromEntries(Object.entries(lora).map(([k, v]) => [k, strip(v)])),
	phi: {
		runs: Object.fromEntries(Object.entries(phi).map(([k, v]) => [k, strip(v)])),
		layer: 'l1',
		task: 'small',
		r1: small.rank,
		r2: large.rank,
		grid: Array.from(grid, (v) => round(v, 3))
	}
};
const options = { ...(await resolveConfig(OUT)), parser: 'json' };
writeFileSync(OUT, await format(JSON.stringify(record), options));
console.log(`${OUT}: ${seconds.toFixed(1)} s`);
