/**
 * Record the shift lab's grid that lessons 5 and 6 show before a reader runs it live: every
 * method of `SHIFT_METHODS` under every stop of the "Domain shift" axis and under the two tasks
 * that need new features, with the settings of `SHIFT_TRAINING`, trained in Node on tfjs's
 * WebAssembly backend (the backend the browser picks on a machine without a GPU), written to
 * src/lib/data/shiftLab.json with the date and where it ran.
 * Run: `npx vite-node scripts/shiftlab.ts` (about ten minutes on two cores).
 * `SHARD=k SHARDS=n` runs every n-th run from the k-th and writes shiftLab.part-k.json; a run
 * without SHARD merges the parts it finds instead of training again. `MISSING=1` trains only the
 * runs the recorded file lacks (a condition added since) and keeps the recorded ones as they are.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { runToEnd, startWasm } from './node/wasmRuns';
import { diskSources } from './node/diskSources';
import type { QueuedRun } from '../src/lib/trainer/protocol';
import {
	NEW_FEATURE_TASKS,
	SHIFT_METHODS,
	SHIFT_TRAINING,
	SHIFT_VALUES,
	cellOf,
	runsFor,
	type Cell,
	type Condition,
	type ShiftRecord
} from '../src/lib/widgets/shiftLab';

const OUT = 'src/lib/data/shiftLab.json';
const shard = process.env.SHARD === undefined ? null : Number(process.env.SHARD);
const shards = Number(process.env.SHARDS ?? 1);
const part = (k: number) => `.dbg/shiftLab.part-${k}.json`;

const conditions: Condition[] = [
	...SHIFT_VALUES.map((s): Condition => ({ kind: 'shift', s })),
	...NEW_FEATURE_TASKS.map((task): Condition => ({ kind: 'task', task }))
];
const runs: QueuedRun[] = conditions.flatMap((c) => runsFor(c));

async function train(mine: QueuedRun[]): Promise<Cell[]> {
	await startWasm();
	const sources = diskSources();
	const cells: Cell[] = [];
	for (const run of mine) {
		const result = await runToEnd(run, sources, 100);
		const cell = cellOf(result);
		if (!cell) throw new Error(`${run.id} is not a grid run`);
		cells.push(cell);
		console.log(`${run.id}: ${(cell.accuracy * 100).toFixed(1)}% (${result.seconds.toFixed(1)} s)`);
	}
	return cells;
}

const t0 = performance.now();
if (shard !== null) {
	const cells = await train(runs.filter((_, i) => i % shards === shard));
	writeFileSync(part(shard), JSON.stringify({ cells, seconds: (performance.now() - t0) / 1000 }));
} else {
	let cells: Cell[];
	let seconds: number;
	if (process.env.MISSING === '1') {
		const old = JSON.parse(readFileSync(OUT, 'utf8')) as ShiftRecord;
		const byId = new Map(old.cells.map((c) => [`${c.method}@${c.condition}`, c]));
		const fresh = await train(runs.filter((r) => !byId.has(r.id)));
		for (const c of fresh) byId.set(`${c.method}@${c.condition}`, c);
		cells = runs.map((r) => byId.get(r.id)!);
		seconds = old.seconds + (performance.now() - t0) / 1000;
	} else if (existsSync(part(0))) {
		const parts = Array.from({ length: shards }, (_, k) =>
			JSON.parse(readFileSync(part(k), 'utf8'))
		);
		const byId = new Map<string, Cell>(
			parts.flatMap((p) => p.cells as Cell[]).map((c) => [`${c.method}@${c.condition}`, c])
		);
		cells = runs.map((r) => byId.get(r.id)!);
		if (cells.some((c) => !c)) throw new Error('a part is missing runs; run every shard first');
		seconds = parts.reduce((n, p) => n + p.seconds, 0);
	} else {
		cells = await train(runs);
		seconds = (performance.now() - t0) / 1000;
	}
	const round = (v: number) => Number(v.toPrecision(5));
	const record: ShiftRecord = {
		recorded: new Date().toISOString().slice(0, 10),
		where: `Node ${process.version}, tfjs ${tf.version_core}, wasm backend`,
		backend: 'wasm',
		training: SHIFT_TRAINING,
		methods: SHIFT_METHODS,
		seconds: Number(seconds.toFixed(1)),
		cells: cells.map((c) => ({
			...c,
			accuracy: round(c.accuracy),
			start: round(c.start),
			original: round(c.original),
			singularValues: c.singularValues?.map(round),
			truncation: c.truncation?.map((t) => ({ k: t.k, accuracy: round(t.accuracy) }))
		}))
	};
	const options = { ...(await resolveConfig(OUT)), parser: 'json' };
	writeFileSync(OUT, await format(JSON.stringify(record), options));
	console.log(`${OUT}: ${cells.length} runs, ${seconds.toFixed(0)} s of training`);
}
