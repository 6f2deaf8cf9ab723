/**
 * What the shift lab's recording scripts (shiftsweep.ts, shiftseeds.ts) share: run a plan of
 * queued runs through the worker's own runner in Node on tfjs's WebAssembly backend, one at a
 * time, turn each result into a cell, and write the record (when, where, how long, the cells) as
 * formatted JSON.
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { diskSources } from './node/diskSources';
import { runToEnd, startWasm } from './node/wasmRuns';
import type { QueuedResult, QueuedRun } from '../src/lib/trainer/protocol';

/** A number kept to five significant digits, as the records store them. */
export const round5 = (v: number) => Number(v.toPrecision(5));

/** Run `runs` in order, `toCell` each result, and write `{ recorded, where, backend, seconds, cells }` to `out`. */
export async function recordRuns<C>(
	out: string,
	runs: QueuedRun[],
	toCell: (run: QueuedRun, r: QueuedResult) => C
): Promise<void> {
	await startWasm();
	const sources = diskSources();
	const t0 = performance.now();
	const cells: C[] = [];
	for (const run of runs) {
		const r = await runToEnd(run, sources, 100);
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
