/**
 * The benchmark page: on the backend named in `?backend=`, it times training steps of our
 * trainer (MLP 64-128-128-10 and the character transformer, full fine-tuning and LoRA) and of
 * the peer, the same MLP written the usual way with tfjs-layers `model.fit`. Results go to
 * `window.benchResult` for scripts/bench.js to collect. Timings, not tests: see npm run bench.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '$lib/math/rng';
import { initWeights } from '$lib/model/params';
import { mlp } from '$lib/model/mlp';
import { transformer } from '$lib/model/transformer';
import type { ModelDef } from '$lib/model/model';
import type { TuningConfig } from '$lib/model/tuned';
import { activate, type BackendName } from '$lib/trainer/backends';
import type { TaskData } from '$lib/trainer/task';
import { CHUNK_TARGET_MS, nextChunkSize } from '$lib/trainer/host';
import { Trainer } from '$lib/trainer/trainer';

const chunkMs = Number(new URLSearchParams(location.search).get('chunkMs') ?? CHUNK_TARGET_MS);

interface Row {
	case: string;
	stepsPerSecond: number;
	steps: number;
	error?: string;
}

const rng = createRng(0);

function mlpTask(n: number): TaskData {
	const x = Float32Array.from({ length: n * 64 }, () => rng.uniform());
	const y = Int32Array.from({ length: n }, () => rng.int(10));
	return {
		name: 'bench',
		inWidth: 64,
		outWidth: 1,
		classes: 10,
		train: { x, y, n },
		test: { x, y, n }
	};
}

function textTask(n: number, t: number, vocab: number): TaskData {
	const x = Int32Array.from({ length: n * t }, () => rng.int(vocab));
	const y = Int32Array.from({ length: n * t }, () => rng.int(vocab));
	return {
		name: 'bench',
		inWidth: t,
		outWidth: t,
		classes: vocab,
		train: { x, y, n },
		test: { x, y, n }
	};
}

/** A case under test: `chunk()` runs some steps and says how many; `dispose()` frees it. */
interface Runner {
	chunk(): Promise<number>;
	dispose(): void;
}

/**
 * Our trainer on one configuration: chunks of queued steps with one read-back each, sized as the
 * worker's loop sizes them (about CHUNK_TARGET_MS each), or to `?chunkMs=` when given.
 */
function ours(model: ModelDef, task: TaskData, tuning: TuningConfig, batchSize: number): Runner {
	const t = new Trainer({
		model,
		base: initWeights(model.params, rng),
		tuning,
		task,
		lr: 1e-3,
		batchSize,
		seed: 1
	});
	let n = 1;
	return {
		chunk: async () => {
			const steps = n;
			const t0 = performance.now();
			await t.run(steps);
			const ms = performance.now() - t0;
			n = nextChunkSize(steps, ms, chunkMs);
			return steps;
		},
		dispose: () => t.dispose()
	};
}

/** The peer: a tfjs-layers Sequential MLP trained with model.fit, one epoch (16 steps) a chunk. */
function peer(task: TaskData): Runner {
	const model = tf.sequential({
		layers: [
			tf.layers.dense({ inputShape: [64], units: 128, activation: 'relu' }),
			tf.layers.dense({ units: 128, activation: 'relu' }),
			tf.layers.dense({ units: 10 })
		]
	});
	model.compile({
		optimizer: tf.train.adam(1e-3),
		loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred)
	});
	const x = tf.tensor2d(task.train.x as Float32Array, [task.train.n, 64]);
	const y = tf.oneHot(tf.tensor1d(task.train.y, 'int32'), 10);
	const perEpoch = Math.ceil(task.train.n / 64);
	return {
		chunk: async () => {
			await model.fit(x, y, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });
			return perEpoch;
		},
		dispose: () => {
			tf.dispose([x, y]);
			model.dispose();
		}
	};
}

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN;
}

/**
 * Time the cases in interleaved rounds (A B C … A B C …), each round about `slice` seconds per
 * case, and keep each case's median rate: a busy moment on a shared machine then hits every
 * case alike instead of whichever happened to run during it.
 */
async function interleaved(cases: [string, () => Runner][], seconds: number): Promise<Row[]> {
	const rounds = 5;
	const slice = (seconds / rounds) * 1000;
	const live: { name: string; r?: Runner; rates: number[]; steps: number; error?: string }[] =
		cases.map(([name]) => ({ name, rates: [], steps: 0 }));
	cases.forEach(([, make], i) => {
		try {
			live[i].r = make();
		} catch (e) {
			live[i].error = String((e as Error).message ?? e);
		}
	});
	try {
		for (const c of live) {
			if (c.r) await c.r.chunk().catch((e) => (c.error = String(e?.message ?? e))); // warm-up
		}
		for (let round = 0; round < rounds; round++) {
			for (const c of live) {
				if (!c.r || c.error) continue;
				try {
					let steps = 0;
					const t0 = performance.now();
					while (performance.now() - t0 < slice) steps += await c.r.chunk();
					c.rates.push(steps / ((performance.now() - t0) / 1000));
					c.steps += steps;
				} catch (e) {
					c.error = String((e as Error).message ?? e);
				}
			}
		}
	} finally {
		for (const c of live) c.r?.dispose();
	}
	return live.map((c) => ({
		case: c.name,
		stepsPerSecond: c.error ? NaN : median(c.rates),
		steps: c.steps,
		...(c.error ? { error: c.error } : {})
	}));
}

async function main() {
	const backend = (new URLSearchParams(location.search).get('backend') ?? 'wasm') as BackendName;
	const seconds = Number(new URLSearchParams(location.search).get('seconds') ?? 3);
	if (!(await activate(backend))) throw new Error(`${backend} could not start`);
	const digits = mlpTask(1024);
	const net = mlp([64, 128, 128, 10]);
	const gpt = transformer({ vocab: 21, context: 32, dModel: 48, heads: 4, layers: 2 });
	const text = textTask(256, 32, 21);
	const rows = [
		...(await interleaved(
			[
				['peer: tfjs-layers model.fit, MLP full', () => peer(digits)],
				['ours: MLP full', () => ours(net, digits, { method: 'full' }, 64)],
				['ours: MLP LoRA r=4', () => ours(net, digits, { method: 'lora', rank: 4 }, 64)]
			],
			seconds * 3
		)),
		...(await interleaved(
			[
				['ours: transformer full', () => ours(gpt, text, { method: 'full' }, 16)],
				['ours: transformer LoRA r=4', () => ours(gpt, text, { method: 'lora', rank: 4 }, 16)]
			],
			seconds * 2
		))
	];
	document.getElementById('out')!.textContent = JSON.stringify(rows, null, 1);
	(window as unknown as { benchResult: unknown }).benchResult = { backend: tf.getBackend(), rows };
}

main().catch((e) => {
	(window as unknown as { benchResult: unknown }).benchResult = { error: String(e?.message ?? e) };
});
