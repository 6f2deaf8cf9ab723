/**
 * What the shift lab's recording scripts (shiftsweep.ts, shiftseeds.ts) share: run a plan of
 * queued runs through the worker's own runner in Node on tfjs's WebAssembly backend, one at a
 * time, turn each result into a cell, and write the record (when, where, how long, the cells) as
 * formatted JSON.
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { prepareQueued, runQueued } from '../src/lib/trainer/worker/experiments';
import { diskSources } from './node/diskSources';
import type { QueuedRun } from '../src/lib/trainer/protocol';

type Result = NonNullable<Awaited<ReturnType<typeof runQueued>>>;

/** A number kept to five significant digits, as the records store them. */
export const round5 = (v: number) => Number(v.toPrecision(5));

/** Run `runs` in order, `toCell` each result, and write `{ recorded, where, backend, seconds, cells }` to `out`. */
export async function recordRuns<C>(
	out: string,
	runs: QueuedRun[],
	toCell: (run: QueuedRun, r: Result) => C
): Promise<void> {
	setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
	await tf.setBackend('wasm');
	const sources = diskSources();
	const t0 = performance.now();
	const cells: C[] = [];
	for (const run of runs) {
		const ready = await prepareQueued(run, sources);
		const r = await runQueued(run, ready, { backend: 'wasm', stopped: () => false, chunk: 100 });
		if (!r) throw new Error(`${run.id} stopped`);
		cells.push(toCell(run, r));
		console.log(`${run.id}: ${(r.testAccuracy * 100).toFixed(1)}% (${r.seconds.toFixed(1)} s)`);
	}
	const record = {
		recorded: new Date().toISOString().slice(0, 10),
		where: `Node ${process.version}, tfjs ${tf.version_core}, wasm backend`,
		backend: 'wasm',
		seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
		cells
	};
	const options = { ...(await resolveConfig(out)), parser: 'json' };
	writeFileSync(out, await format(JSON.stringify(record), options));
	console.log(`${out}: ${cells.length} runs in ${record.seconds} s`);
}
