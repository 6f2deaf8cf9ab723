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
import { Trainer } from '$lib/trainer/trainer';

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

/** Steps per second of our trainer: warm up, then time whole chunks of queued steps. */
async function ours(
	model: ModelDef,
	task: TaskData,
	tuning: TuningConfig,
	batchSize: number,
	seconds: number
): Promise<Row> {
	const t = new Trainer({
		model,
		base: initWeights(model.params, rng),
		tuning,
		task,
		lr: 1e-3,
		batchSize,
		seed: 1
	});
	try {
		await t.run(5);
		let steps = 0;
		let chunk = 10;
		const t0 = performance.now();
		while (performance.now() - t0 < seconds * 1000) {
			await t.run(chunk);
			steps += chunk;
			chunk = Math.min(chunk * 2, 100);
		}
		const elapsed = (performance.now() - t0) / 1000;
		return { case: '', stepsPerSecond: steps / elapsed, steps };
	} finally {
		t.dispose();
	}
}

/** Steps per second of the peer: a tfjs-layers Sequential MLP trained with model.fit. */
async function peer(task: TaskData, seconds: number): Promise<Row> {
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
	try {
		await model.fit(x, y, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });
		let steps = 0;
		const t0 = performance.now();
		while (performance.now() - t0 < seconds * 1000) {
			await model.fit(x, y, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });
			steps += perEpoch;
		}
		const elapsed = (performance.now() - t0) / 1000;
		return { case: '', stepsPerSecond: steps / elapsed, steps };
	} finally {
		tf.dispose([x, y]);
		model.dispose();
	}
}

async function main() {
	const backend = (new URLSearchParams(location.search).get('backend') ?? 'wasm') as BackendName;
	const seconds = Number(new URLSearchParams(location.search).get('seconds') ?? 3);
	if (!(await activate(backend))) throw new Error(`${backend} could not start`);
	const rows: Row[] = [];
	const add = async (name: string, r: () => Promise<Row>) => {
		try {
			rows.push({ ...(await r()), case: name });
		} catch (e) {
			rows.push({
				case: name,
				stepsPerSecond: NaN,
				steps: 0,
				error: String((e as Error).message ?? e)
			});
		}
		document.getElementById('out')!.textContent = JSON.stringify(rows, null, 1);
	};
	const digits = mlpTask(1024);
	const net = mlp([64, 128, 128, 10]);
	await add('peer: tfjs-layers model.fit, MLP full', () => peer(digits, seconds));
	await add('ours: MLP full', () => ours(net, digits, { method: 'full' }, 64, seconds));
	await add('ours: MLP LoRA r=4', () =>
		ours(net, digits, { method: 'lora', rank: 4 }, 64, seconds)
	);
	const gpt = transformer({ vocab: 21, context: 32, dModel: 48, heads: 4, layers: 2 });
	const text = textTask(256, 32, 21);
	await add('ours: transformer full', () => ours(gpt, text, { method: 'full' }, 16, seconds));
	await add('ours: transformer LoRA r=4', () =>
		ours(gpt, text, { method: 'lora', rank: 4 }, 16, seconds)
	);
	(window as unknown as { benchResult: unknown }).benchResult = { backend: tf.getBackend(), rows };
}

main().catch((e) => {
	(window as unknown as { benchResult: unknown }).benchResult = { error: String(e?.message ?? e) };
});
