/**
 * Record the shift lab's fairness check (src/lib/widgets/shiftSweep.ts → shiftSweep.json): at
 * s = ½, s = 1 and on the planted task, every method of the grid at four learning rates, and each
 * at the grid's own rate for twice the steps, through the worker's runner in Node on tfjs's
 * WebAssembly backend, as the grid itself was recorded. Seed 1, as the grid.
 * Run: `npx vite-node scripts/shiftsweep.ts` (a few minutes on one core here).
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { prepareQueued, runQueued } from '../src/lib/trainer/experiments';
import { diskSources } from '../src/lib/trainer/diskSources';
import { sweepRuns, type SweepCell, type SweepRecord } from '../src/lib/widgets/shiftSweep';

const OUT = 'src/lib/data/shiftSweep.json';
setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
await tf.setBackend('wasm');
const sources = diskSources();
const round = (v: number) => Number(v.toPrecision(5));
const t0 = performance.now();
const cells: SweepCell[] = [];
for (const run of sweepRuns()) {
	const ready = await prepareQueued(run, sources);
	const r = await runQueued(run, ready, { backend: 'wasm', stopped: () => false, chunk: 100 });
	if (!r) throw new Error(`${run.id} stopped`);
	const [method, condition, lr] = run.id.split('@');
	cells.push({
		method,
		condition,
		lr: lr === 'long' ? 'long' : Number(lr),
		accuracy: r.diverged ? NaN : round(r.testAccuracy),
		start: round(r.startAccuracy),
		original: round(r.originalAccuracy ?? NaN),
		steps: r.steps
	});
	console.log(`${run.id}: ${(r.testAccuracy * 100).toFixed(1)}% (${r.seconds.toFixed(1)} s)`);
}
const record: SweepRecord = {
	recorded: new Date().toISOString().slice(0, 10),
	where: `Node ${process.version}, tfjs ${tf.version_core}, wasm backend`,
	backend: 'wasm',
	seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
	cells
};
const options = { ...(await resolveConfig(OUT)), parser: 'json' };
writeFileSync(OUT, await format(JSON.stringify(record), options));
console.log(`${OUT}: ${cells.length} runs in ${record.seconds} s`);
