/**
 * The research behind the shift lab's settings, kept so anyone can rerun it: for each condition
 * (stops of the domain-shift axis, relabelled digits, new classes, permuted pixels), method and
 * seed, held-out accuracy and accuracy on the base's own task after 250, 500, 1,000 and 2,000
 * steps, and full fine-tuning's update spectra, one JSON line per run on stdout.
 * `SWEEP=1 TASKS=2` is the learning-rate sweep on the small shift (s = 1/6) that chose
 * `SHIFT_LRS` in src/lib/widgets/shiftLab.ts; without SWEEP it runs the chosen rates everywhere.
 * Filters: SEEDS=1,2,3 TASKS=<indices> METHODS=<indices> CHECKPOINTS=250,500,1000,2000;
 * shards: SHARD=k SHARDS=n. Run: `npx vite-node scripts/shiftResearch.ts > runs.jsonl`.
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { singularValues } from '../src/lib/math/svd';
import { parseDigits, type DigitTaskId } from '../src/lib/model/data/digits';
import { buildModel, unpackWeights } from '../src/lib/model/weightsFile';
import { digitsTask } from '../src/lib/trainer/worker/tasks';
import { Trainer } from '../src/lib/trainer/worker/trainer';
import type { MethodId } from '../src/lib/model/tuned';

const root = process.env.ROOT ?? process.cwd();
setWasmPaths(process.env.WASM ?? `${root}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
await tf.setBackend('wasm');
const digits = parseDigits(new Uint8Array(readFileSync(`${root}/static/data/digits/digits.bin`)));
const sizes: Record<string, number[]> = {
	digits10: [64, 128, 128, 10],
	digits5: [64, 128, 128, 5]
};
function base(id: string) {
	const model = buildModel({ kind: 'mlp', sizes: sizes[id] });
	const bytes = new Uint8Array(readFileSync(`${root}/static/models/${id}.bin`));
	return { model, weights: unpackWeights(model.params, bytes) };
}
const bases = { digits10: base('digits10'), digits5: base('digits5') };

interface Cell {
	task: DigitTaskId;
	strength?: number;
	method: MethodId;
	rank?: number;
	lr: number;
	seed: number;
}
const tasks: { task: DigitTaskId; strength?: number }[] = [
	...[0, 1 / 12, 1 / 6, 1 / 3, 0.5, 2 / 3, 5 / 6, 1].map((s) => ({
		task: 'shift' as const,
		strength: s
	})),
	{ task: 'relabel', strength: 1 },
	{ task: 'new-classes' },
	{ task: 'permuted', strength: 1 }
];
const sweep: Omit<Cell, 'task' | 'strength' | 'seed'>[] = [
	...[3e-4, 1e-3, 3e-3].map((lr) => ({ method: 'full' as const, lr })),
	...[1, 4, 16, 64].flatMap((rank) =>
		[1e-3, 3e-3, 1e-2].map((lr) => ({ method: 'lora' as const, rank, lr }))
	),
	...[3e-3, 1e-2, 3e-2].map((lr) => ({ method: 'head' as const, lr })),
	...[1e-3, 3e-3, 1e-2, 3e-2].map((lr) => ({ method: 'bitfit' as const, lr }))
];
const chosen: Omit<Cell, 'task' | 'strength' | 'seed'>[] = [
	{ method: 'full', lr: 3e-3 },
	...[1, 4, 16, 64].map((rank) => ({ method: 'lora' as const, rank, lr: 3e-3 })),
	{ method: 'head', lr: 3e-3 },
	{ method: 'bitfit', lr: 1e-2 }
];
const methods = process.env.SWEEP ? sweep : chosen;
const cells: Cell[] = [];
const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const taskIdx = process.env.TASKS?.split(',').map(Number);
const pick = process.env.METHODS?.split(',').map(Number);
for (const seed of seeds)
	for (const [ti, t] of tasks.entries())
		for (const [mi, m] of methods.entries())
			if ((!taskIdx || taskIdx.includes(ti)) && (!pick || pick.includes(mi)))
				cells.push({ ...t, ...m, seed });
const shard = Number(process.env.SHARD ?? 0);
const shards = Number(process.env.SHARDS ?? 1);
const checkpoints = (process.env.CHECKPOINTS ?? '250,500,1000,2000').split(',').map(Number);
for (let i = shard; i < cells.length; i += shards) {
	const cell = cells[i];
	const b = cell.task === 'new-classes' ? bases.digits5 : bases.digits10;
	const orig = cell.task === 'new-classes' ? 'pretrain-0to4' : 'pretrain';
	const task = digitsTask(digits, cell.task, cell.strength, cell.seed);
	const origTask = digitsTask(digits, orig, undefined, cell.seed);
	const t = new Trainer({
		model: b.model,
		base: b.weights,
		tuning: { method: cell.method, rank: cell.rank, alpha: cell.rank ? 2 * cell.rank : undefined },
		task,
		lr: cell.lr,
		batchSize: 64,
		seed: cell.seed
	});
	const start = (await t.evaluate()).testAccuracy;
	const out: Record<string, unknown> = { ...cell, start };
	try {
		for (const c of checkpoints) {
			await t.run(c - t.step);
			const e = await t.evaluate();
			const w = await t.parameters.exportWeights();
			const o = new Trainer({
				model: b.model,
				base: w,
				tuning: { method: 'head' },
				task: origTask,
				lr: 1e-3,
				batchSize: 64,
				seed: 1
			});
			out[`acc${c}`] = e.testAccuracy;
			out[`train${c}`] = e.trainAccuracy;
			out[`orig${c}`] = (await o.evaluate()).testAccuracy;
			o.dispose();
			if (cell.method === 'full' && c >= 500) {
				for (const [l, i, j] of [
					['l0', 64, 128],
					['l1', 128, 128]
				] as const) {
					const s = singularValues(await t.deltaW(l), i, j);
					out[`sv_${l}_${c}`] = Array.from(s, (v) => +v.toPrecision(4));
				}
			}
		}
	} catch (e) {
		out.diverged = String(e);
	}
	t.dispose();
	console.log(JSON.stringify(out));
}
