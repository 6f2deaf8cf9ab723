/**
 * Record the intrinsic-dimension sweep that lesson 5 shows before a reader runs it live: for each
 * task of the figure, full training and training in random subspaces of d = 4 … 512 dimensions
 * (the fine grid), from the pretrained base and from a seeded random start, on tfjs's WebAssembly
 * backend in Node (the backend the browser picks on a machine without a GPU). The runs are the
 * figure's own queue (`sweepRuns`), built into trainers the way the worker's host builds them, and
 * written to src/lib/data/intrinsicDimension.json with the settings, the backend and the date.
 * Run: `npx vite-node scripts/intrinsic.ts` (a few minutes on two cores).
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import {
	analyseStart,
	DEFAULT_SETTINGS,
	DIMS,
	INTRINSIC_TASK_IDS,
	INTRINSIC_TASKS,
	pointsOf,
	STARTS,
	sweepRuns
} from '../lessons/05-when-peft-works/intrinsic';
import { createRng } from '../src/lib/math/rng';
import '../src/lib/model/kernels/adamWasm';
import { DIGIT_TASKS, parseDigits, type DigitTaskId } from '../src/lib/model/data/digits';
import { initWeights } from '../src/lib/model/params';
import { buildModel, unpackWeights, type ModelManifest } from '../src/lib/model/weightsFile';
import type { QueuedResult, QueuedRun } from '../src/lib/trainer/experimentSpec';
import { digitsTask } from '../src/lib/trainer/tasks';
import { DivergenceError, Trainer } from '../src/lib/trainer/trainer';

const OUT = 'src/lib/data/intrinsicDimension.json';
const CHUNK = 50;

setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
await tf.setBackend('wasm');
const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as ModelManifest;

/** One queued run, trained and scored as the worker does it (same task, base, init and seed). */
async function runOne(run: QueuedRun): Promise<QueuedResult> {
	const { spec } = run;
	if (spec.task.kind !== 'digits') throw new Error('the sweep runs digits tasks');
	const def = DIGIT_TASKS[spec.task.task as DigitTaskId];
	const entry = manifest.models[def.base!];
	const model = buildModel(entry.config);
	const weights =
		spec.init === 'scratch'
			? initWeights(model.params, createRng(spec.seed).fork('scratch'))
			: unpackWeights(model.params, new Uint8Array(readFileSync(`static/models/${entry.file}`)));
	const t0 = performance.now();
	const trainer = new Trainer({
		model,
		base: weights,
		tuning: { method: spec.method, dim: spec.subspaceDim },
		task: digitsTask(digits, def.id, spec.task.strength, spec.seed),
		lr: spec.lr,
		batchSize: spec.batchSize,
		seed: spec.seed
	});
	try {
		const before = await trainer.evaluate();
		let diverged: string | undefined;
		try {
			for (let done = 0; done < run.steps; done += CHUNK) {
				await trainer.run(Math.min(CHUNK, run.steps - done));
			}
		} catch (e) {
			if (!(e instanceof DivergenceError)) throw e;
			diverged = e.message;
			trainer.reset();
		}
		const after = await trainer.evaluate();
		return {
			id: run.id,
			testAccuracy: after.testAccuracy,
			testLoss: after.testLoss,
			trainAccuracy: after.trainAccuracy,
			startAccuracy: before.testAccuracy,
			trainableParams: trainer.ledger().trainableParams,
			steps: trainer.step,
			seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
			backend: tf.getBackend(),
			...(diverged ? { diverged } : {})
		};
	} finally {
		trainer.dispose();
	}
}

const t0 = performance.now();
const tasks: Record<string, { results: QueuedResult[] }> = {};
for (const id of INTRINSIC_TASK_IDS) {
	const results: QueuedResult[] = [];
	for (const run of sweepRuns(id, DIMS.fine, DEFAULT_SETTINGS)) {
		const r = await runOne(run);
		results.push(r);
		console.log(`${id} ${r.id}: ${(r.testAccuracy * 100).toFixed(1)}% (${r.seconds} s)`);
	}
	tasks[id] = { results };
	const points = pointsOf(results);
	for (const start of STARTS) {
		const a = analyseStart(points, start);
		console.log(
			`${INTRINSIC_TASKS[id].label}, ${start}: full ${a.full}, d90 ${a.d90 ?? `> ${a.largest}`}`
		);
	}
}
const seconds = (performance.now() - t0) / 1000;
const record = {
	recorded: new Date().toISOString().slice(0, 10),
	where: `Node ${process.version}, tfjs ${tf.version_core}, ${tf.getBackend()} backend`,
	backend: tf.getBackend(),
	settings: DEFAULT_SETTINGS,
	dims: DIMS.fine,
	seconds: Number(seconds.toFixed(1)),
	tasks
};
const options = { ...(await resolveConfig(OUT)), parser: 'json' };
writeFileSync(OUT, await format(JSON.stringify(record), options));
console.log(`${OUT}: ${seconds.toFixed(0)} s`);
