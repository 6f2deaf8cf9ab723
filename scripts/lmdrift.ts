/**
 * Record the language model's drift dial (src/lib/data/lmDrift.ts): the shipped English character
 * model fine-tuned on each target of `LM_TARGETS` by every method of `LM_METHODS` at each of its
 * learning rates, plus the base's zero-step run per target, through the worker's runner
 * (`prepareQueued` / `runQueued`) in Node on tfjs's WebAssembly backend with the kernels the
 * worker registers there (fused Adam, the transformer's and linear algebra's host kernels, the
 * SIMD build bound to tfjs's memory), one process (one core), one seed. Writes
 * src/lib/data/lmDrift.json with the date and where it ran.
 * Run: `npm run record:lmdrift` (just under an hour here).
 *
 * Resumable: every finished run is appended to .dbg/lmDrift.part-<k>.json and skipped when the
 * script starts again. `SHARD=k SHARDS=n` runs every n-th run from the k-th into part k; a run
 * that finds every run in the parts (all shards done) writes the JSON.
 *
 * Learning rates: `LM_LRS`, placed by a pilot of 400 steps on two targets and widened where the
 * recording found a best rate at an end of its set (the comment there says which). Steps: 400,
 * so that the whole grid (162 runs) records in under an hour on one core of the two here while
 * other work shares the machine (a pilot measured about 14 steps/s for full fine-tuning, 20 for
 * LoRA and BitFit, 45 for head only, and 3 s per run of loading and measuring). The recorded
 * file's 162 runs took about 3,500 s, in passes: the first 120 runs, the rates added at the ends,
 * then BitFit's 30 runs again once BitFit trained the head as well (commit 4808846).
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { format, resolveConfig } from 'prettier';
import { bindSimdToWasmBackend } from '../src/lib/model/kernels/hostKernels';
import { loadSimdKernels } from '../src/lib/model/kernels/simdKernels';
import '../src/lib/model/kernels/linalgHost';
import '../src/lib/model/kernels/transformerHost';
import '../src/lib/model/kernels/adamWasm';
import { decodeText } from '../src/lib/model/data/text';
import { runToEnd, startWasm } from './node/wasmRuns';
import { diskSources } from './node/diskSources';
import type { QueuedResult } from '../src/lib/trainer/protocol';
import {
	BASE_UNSEEN_CHARS,
	LM_BASE_ERA,
	LM_METHODS,
	LM_SAMPLE,
	LM_TARGETS,
	LM_TRAINING,
	parseRunId,
	runsFor,
	type LmCell,
	type LmDriftRecord
} from '../src/lib/data/lmDrift';

const OUT = 'src/lib/data/lmDrift.json';
const shard = Number(process.env.SHARD ?? 0);
const shards = Number(process.env.SHARDS ?? 1);
const part = (k: number) => `.dbg/lmDrift.part-${k}.json`;

interface Part {
	cells: LmCell[];
	/** Wall-clock seconds of the runs in this part, loading and measuring included. */
	seconds: number;
}

const readPart = (k: number): Part =>
	existsSync(part(k)) ? JSON.parse(readFileSync(part(k), 'utf8')) : { cells: [], seconds: 0 };

const runs = LM_TARGETS.flatMap((t) => runsFor(t));
const round = (v: number) => Number(v.toPrecision(5));
const bits = (nats: number) => round(nats / Math.LN2);

/** A finished run as the JSON keeps it: bits per character, rounded to five digits. */
function cellOf(r: QueuedResult): LmCell {
	const id = parseRunId(r.id);
	if (!id) throw new Error(`${r.id} is not a run of the grid`);
	if (r.startLoss === undefined || r.originalLoss === undefined || r.sample === undefined)
		throw new Error(`${r.id} lacks a measure`);
	return {
		method: id.method,
		target: id.target,
		...(id.lr === undefined ? {} : { lr: id.lr }),
		bits: bits(r.testLoss),
		startBits: bits(r.startLoss),
		originalBits: bits(r.originalLoss),
		trainableParams: r.trainableParams,
		steps: r.steps,
		seconds: Number(r.seconds.toFixed(2)),
		sample: r.sample,
		...(r.charLoss
			? {
					unseen: {
						bits: bits(r.charLoss.loss),
						count: r.charLoss.count,
						restBits: bits(r.charLoss.restLoss),
						restCount: r.charLoss.restCount
					}
				}
			: {}),
		...(r.diverged ? { diverged: r.diverged } : {})
	};
}

const key = (c: LmCell) =>
	c.lr === undefined ? `${c.method}@${c.target}` : `${c.method}@${c.target}@${c.lr}`;

async function train(): Promise<void> {
	await startWasm();
	await loadSimdKernels();
	if (!(await bindSimdToWasmBackend(tf.backend())))
		throw new Error('the SIMD kernels did not bind');
	const sources = diskSources();
	mkdirSync('.dbg', { recursive: true });
	const mine = readPart(shard);
	const done = new Set(mine.cells.map(key));
	const todo = runs.filter((_, i) => i % shards === shard).filter((r) => !done.has(r.id));
	console.log(`shard ${shard}/${shards}: ${done.size} runs done, ${todo.length} to go`);
	for (const run of todo) {
		const t0 = performance.now();
		const result = await runToEnd(run, sources, 50);
		const cell = cellOf(result);
		mine.cells.push(cell);
		mine.seconds += (performance.now() - t0) / 1000;
		writeFileSync(part(shard), JSON.stringify(mine));
		console.log(
			`${run.id}: ${cell.startBits.toFixed(3)} → ${cell.bits.toFixed(3)} bits/char, base era ${cell.originalBits.toFixed(3)}` +
				`${cell.unseen ? `, unseen ${cell.unseen.bits.toFixed(2)}` : ''}${cell.diverged ? ' (diverged)' : ''} (${cell.seconds.toFixed(1)} s)`
		);
	}
}

await train();
const parts = Array.from({ length: shards }, (_, k) => readPart(k));
const byId = new Map(parts.flatMap((p) => p.cells).map((c) => [key(c), c]));
const missing = runs.filter((r) => !byId.has(r.id));
if (missing.length) {
	console.log(`${missing.length} runs are in other shards' parts still to run; no JSON written`);
} else {
	const seconds = parts.reduce((n, p) => n + p.seconds, 0);
	const record: LmDriftRecord = {
		recorded: new Date().toISOString().slice(0, 10),
		where: `Node ${process.version}, tfjs ${tf.version_core}, wasm backend with the course's SIMD kernels, one process on ${cpus()[0]?.model ?? 'an unknown CPU'}`,
		backend: 'wasm',
		training: LM_TRAINING,
		sample: LM_SAMPLE,
		baseEra: LM_BASE_ERA,
		unseenChars: decodeText(BASE_UNSEEN_CHARS),
		methods: LM_METHODS.map((m) => ({
			id: m.id,
			label: m.label,
			...(m.rank ? { rank: m.rank } : {}),
			lrs: [...m.lrs]
		})),
		seconds: Number(seconds.toFixed(1)),
		cells: runs.map((r) => byId.get(r.id)!)
	};
	const options = { ...(await resolveConfig(OUT)), parser: 'json' };
	writeFileSync(OUT, await format(JSON.stringify(record), options));
	console.log(`${OUT}: ${record.cells.length} runs, ${seconds.toFixed(0)} s`);
}
