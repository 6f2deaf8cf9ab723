/**
 * Record the intrinsic-dimension sweep that lesson 5 shows before a reader runs it live: for each
 * task of the figure, full training and training in random subspaces of d = 4 … 512 dimensions
 * (the fine grid), from the pretrained base and from a seeded random start, on tfjs's WebAssembly
 * backend in Node (the backend the browser picks on a machine without a GPU). The runs are the
 * figure's own queue (`sweepRuns`), run by the worker's own runner (`runQueue` over the shipped
 * files), and written to src/lib/data/intrinsicDimension.json with the settings, the backend and
 * the date. Run: `npx vite-node scripts/intrinsic.ts` (several minutes on two cores).
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
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
import '../src/lib/model/kernels/adamWasm';
import { diskSources } from './node/diskSources';
import type { QueuedResult } from '../src/lib/trainer/protocol';
import { runQueue } from '../src/lib/trainer/worker/experiments';

const OUT = 'src/lib/data/intrinsicDimension.json';

setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
await tf.setBackend('wasm');
const sources = diskSources();

const t0 = performance.now();
const tasks: Record<string, { results: QueuedResult[] }> = {};
for (const id of INTRINSIC_TASK_IDS) {
	const results = (
		await runQueue(sweepRuns(id, DIMS.fine, DEFAULT_SETTINGS), sources, {
			backend: tf.getBackend(),
			onResult: (r) =>
				console.log(
					`${id} ${r.id}: ${(r.testAccuracy * 100).toFixed(1)}% (${r.seconds.toFixed(1)} s)`
				)
		})
	).map((r) => ({ ...r, seconds: Number(r.seconds.toFixed(3)) }));
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
