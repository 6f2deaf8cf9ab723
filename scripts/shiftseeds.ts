/**
 * Record the shift lab's other seeds (src/lib/widgets/shiftSeeds.ts → shiftSeeds.json): the cells
 * the closing notes of lessons 5 and 6 check at seeds 2 and 3, and two cells again at seed 1 to
 * show the plan reproduces the grid, each with its held-out accuracy, the base's accuracy before
 * fine-tuning and the accuracy on the base's own task after it, through the worker's runner in
 * Node on tfjs's WebAssembly backend, as the grid itself was recorded.
 * Run: `npm run record:shiftseeds` (under two minutes on one core here).
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { prepareQueued, runQueued } from '../src/lib/trainer/experiments';
import { diskSources } from '../src/lib/trainer/diskSources';
import { recordedRuns, type SeedCell, type SeedRecord } from '../src/lib/widgets/shiftSeeds';

const OUT = 'src/lib/data/shiftSeeds.json';
setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
await tf.setBackend('wasm');
const sources = diskSources();
const round = (v: number) => Number(v.toPrecision(5));
const t0 = performance.now();
const cells: SeedCell[] = [];
for (const run of recordedRuns()) {
	const ready = await prepareQueued(run, sources);
	const r = await runQueued(run, ready, { backend: 'wasm', stopped: () => false, chunk: 100 });
	if (!r) throw new Error(`${run.id} stopped`);
	const [method, condition] = run.id.split('@');
	cells.push({
		method,
		condition,
		seed: run.spec.seed,
		accuracy: r.diverged ? NaN : round(r.testAccuracy),
		start: round(r.startAccuracy),
		original: r.diverged ? NaN : round(r.originalAccuracy ?? NaN),
		steps: r.steps
	});
	console.log(`${run.id}: ${(r.testAccuracy * 100).toFixed(1)}% (${r.seconds.toFixed(1)} s)`);
}
const record: SeedRecord = {
	recorded: new Date().toISOString().slice(0, 10),
	where: `Node ${process.version}, tfjs ${tf.version_core}, wasm backend`,
	backend: 'wasm',
	seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
	cells
};
const options = { ...(await resolveConfig(OUT)), parser: 'json' };
writeFileSync(OUT, await format(JSON.stringify(record), options));
console.log(`${OUT}: ${cells.length} runs in ${record.seconds} s`);
