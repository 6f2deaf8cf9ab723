/**
 * What the shift lab's recording scripts (shiftsweep, shiftseeds, shiftedges, shifthalf) share: run a plan of
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

/**
 * A shift-lab cell from a run whose id is `method@condition[@…]` and its result: the method and
 * condition, then `extra` (the run's seed or rate), its held-out accuracy (NaN if it diverged),
 * the base's before fine-tuning, with `original` the base task's accuracy after it (NaN if absent,
 * or with 'nan-if-diverged' if the run diverged too), and its steps, in that key order.
 */
export function shiftCell<E extends object, O extends 'as-is' | 'nan-if-diverged' | undefined>(
	run: QueuedRun,
	r: QueuedResult,
	extra: E,
	original?: O
): { method: string; condition: string; accuracy: number; start: number; steps: number } & E &
	(O extends string ? { original: number } : unknown) {
	const [method, condition] = run.id.split('@');
	const kept =
		original === 'nan-if-diverged' && r.diverged ? NaN : round5(r.originalAccuracy ?? NaN);
	return {
		method,
		condition,
		...extra,
		accuracy: r.diverged ? NaN : round5(r.testAccuracy),
		start: round5(r.startAccuracy),
		...(original ? { original: kept } : {}),
		steps: r.steps
	} as never;
}

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
