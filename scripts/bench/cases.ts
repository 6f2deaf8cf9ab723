/**
 * The benchmark's cases, shared by the Chromium page (`page.ts`) and the real-GPU check in Node
 * (`scripts/gpu-node/check.ts`): our trainer on the MLP and the character transformer (a small
 * one and a large one), and the peer, the same MLP written the usual way with tfjs-layers
 * `model.fit`, timed in interleaved rounds. `torch_peer.py` times the same cases, under the same
 * names, in PyTorch. Timings, not tests.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '$lib/math/rng';
import { initWeights } from '$lib/model/params';
import { mlp } from '$lib/model/mlp';
import { transformer } from '$lib/model/transformer';
import type { ModelDef } from '$lib/model/model';
import type { TuningConfig } from '$lib/model/tuned';
import { trainSplitTask, type TaskData } from '$lib/trainer/worker/tasks';
import { nextChunkSize } from '$lib/trainer/worker/chunks';
import { Trainer } from '$lib/trainer/worker/trainer';
import { setSimdThreadsActive } from '$lib/model/kernels/simdKernels';

const rng = createRng(0);

export interface Row {
	case: string;
	stepsPerSecond: number;
	steps: number;
	error?: string;
}

function mlpTask(n: number): TaskData {
	const x = Float32Array.from({ length: n * 64 }, () => rng.uniform());
	const y = Int32Array.from({ length: n }, () => rng.int(10));
	return trainSplitTask('bench', { inWidth: 64, outWidth: 1, classes: 10 }, { x, y, n });
}

function textTask(n: number, t: number, vocab: number): TaskData {
	const x = Int32Array.from({ length: n * t }, () => rng.int(vocab));
	const y = Int32Array.from({ length: n * t }, () => rng.int(vocab));
	return trainSplitTask('bench', { inWidth: t, outWidth: t, classes: vocab }, { x, y, n });
}

/** A case under test: `chunk()` runs some steps and says how many; `dispose()` frees it. */
interface Runner {
	chunk(): Promise<number>;
	dispose(): void;
}

/**
 * Our trainer on one configuration: chunks of queued steps with one read-back each, sized as the
 * worker's loop sizes them (about `chunkMs` each; the worker uses CHUNK_TARGET_MS).
 */
function ours(
	model: ModelDef,
	task: TaskData,
	tuning: TuningConfig,
	batchSize: number,
	chunkMs: number
): Runner & { trainer: Trainer } {
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
		dispose: () => t.dispose(),
		trainer: t
	};
}

/**
 * `runner` with the SIMD kernels' helper threads off during its chunks: on a cross-origin
 * isolated page, the same case on one thread for our kernels, to measure what the helpers give.
 */
function oneThread(runner: Runner): Runner {
	return {
		chunk: async () => {
			setSimdThreadsActive(false);
			try {
				return await runner.chunk();
			} finally {
				setSimdThreadsActive(true);
			}
		},
		dispose: () => runner.dispose()
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
	// In a tidy: the labels' tensor would otherwise outlive the case (one tensor leaked per run).
	const y = tf.tidy(() => tf.oneHot(tf.tensor1d(task.train.y, 'int32'), 10));
	const perEpoch = Math.ceil(task.train.n / 64);
	return {
		chunk: async () => {
			await model.fit(x, y, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });
			return perEpoch;
		},
		dispose: () => {
			tf.dispose([x, y]);
			// model.dispose() leaves the optimizer's moment estimates behind.
			model.optimizer.dispose();
			model.dispose();
		}
	};
}

/** The one-thread twin of case `name`, when asked for. */
function oneThreadCase(on: boolean, name: string, make: () => Runner): [string, () => Runner][] {
	return on ? [[`${name}, our kernels on 1 thread`, () => oneThread(make())]] : [];
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
export async function interleaved(
	cases: [string, () => Runner][],
	seconds: number
): Promise<Row[]> {
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

/**
 * Groups of cases, each timed interleaved within itself: the MLP (with the tfjs-layers peer), the
 * small character transformer, a large one (vocab 96, context 64, d 128, 4 heads, 4 layers,
 * 16 sequences of 64 a batch), which a quick run may leave out, and the course's English language
 * model as the lab fine-tunes it (`englishlm`: vocab 96, context 64, d 96, 4 heads, 3 layers,
 * 8 sequences of 64 a batch).
 */
/** The small character transformer: shape and sequences a batch. */
const SMALL = [{ vocab: 21, context: 32, dModel: 48, heads: 4, layers: 2 }, 16] as const;

/** The two larger transformers: group, case name, shape, sequences a batch. */
const SIZED = [
	['large', 'transformer large', { vocab: 96, context: 64, dModel: 128, heads: 4, layers: 4 }, 16],
	['lm', 'language model', { vocab: 96, context: 64, dModel: 96, heads: 4, layers: 3 }, 8]
] as const;

/** Every transformer group, the small one first, as `SIZED` lists them. */
const TRANSFORMERS = [['transformer', 'transformer', ...SMALL], ...SIZED] as const;

/** One kernel's share of a profiled step: its name and input shapes, calls and milliseconds. */
export interface KernelRow {
	kernel: string;
	callsPerStep: number;
	msPerStep: number;
}

/**
 * Where a step of full fine-tuning goes, for a transformer group (`large`, `lm`, or
 * `transformer` for the small one): `steps` steps under `tf.profile`, kernels grouped by name and
 * input shapes, slowest first, beside the wall time per step without the profiler. On the
 * WebAssembly backend a kernel's time is the wall time of its call, helper threads included.
 */
export async function profileCase(
	group: CaseGroup,
	steps: number,
	chunkMs: number
): Promise<{
	wallMsPerStep: number;
	kernelMsPerStep: number;
	kernelsPerStep: number;
	rows: KernelRow[];
}> {
	const found = TRANSFORMERS.find(([g]) => g === group);
	if (!found) throw new RangeError(`no transformer in group ${group}`);
	const [, , shape, batch] = found;
	const gpt = transformer(shape);
	const runner = ours(
		gpt,
		textTask(256, shape.context, shape.vocab),
		{ method: 'full' },
		batch,
		chunkMs
	);
	const t = runner.trainer;
	try {
		await t.run(steps);
		const t0 = performance.now();
		await t.run(steps);
		const wallMsPerStep = (performance.now() - t0) / steps;
		// tf.profile's type wants tensors back; what the steps return does not matter here.
		const info = await tf.profile(async () => {
			await t.run(steps);
			return [];
		});
		const by = new Map<string, KernelRow>();
		for (const k of info.kernels) {
			const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
			const row = by.get(key) ?? { kernel: key, callsPerStep: 0, msPerStep: 0 };
			row.callsPerStep += 1 / steps;
			const ms = await k.kernelTimeMs;
			row.msPerStep += (typeof ms === 'number' ? ms : NaN) / steps;
			by.set(key, row);
		}
		const rows = [...by.values()].sort((a, b) => b.msPerStep - a.msPerStep);
		return {
			wallMsPerStep,
			kernelMsPerStep: rows.reduce((s, r) => s + r.msPerStep, 0),
			kernelsPerStep: info.kernels.length / steps,
			rows
		};
	} finally {
		runner.dispose();
	}
}

export const CASE_GROUPS = ['mlp', 'transformer', 'large', 'lm'] as const;
export type CaseGroup = (typeof CASE_GROUPS)[number];

/**
 * The benchmark's rows on the active backend, group by group in `CASE_GROUPS` order: each case
 * gets `seconds` times its group's factor (3 for the MLP, 2 for a transformer).
 */
export async function benchCases(
	seconds: number,
	chunkMs: number,
	groups: readonly CaseGroup[] = CASE_GROUPS,
	/** Also time each model's full fine-tuning with our kernels on one thread. */
	compareThreads = false
): Promise<Row[]> {
	for (const g of groups) {
		if (!CASE_GROUPS.includes(g)) throw new RangeError(`unknown case group ${g}`);
	}
	const rows: Row[] = [];
	if (groups.includes('mlp')) {
		const digits = mlpTask(1024);
		const net = mlp([64, 128, 128, 10]);
		rows.push(
			...(await interleaved(
				[
					['peer: tfjs-layers model.fit, MLP full', () => peer(digits)],
					['ours: MLP full', () => ours(net, digits, { method: 'full' }, 64, chunkMs)],
					['ours: MLP LoRA r=4', () => ours(net, digits, { method: 'lora', rank: 4 }, 64, chunkMs)],
					...oneThreadCase(compareThreads, 'ours: MLP full', () =>
						ours(net, digits, { method: 'full' }, 64, chunkMs)
					)
				],
				seconds * 3
			))
		);
	}
	if (groups.includes('transformer')) {
		const gpt = transformer(SMALL[0]);
		const text = textTask(256, 32, 21);
		rows.push(
			...(await interleaved(
				[
					['ours: transformer full', () => ours(gpt, text, { method: 'full' }, SMALL[1], chunkMs)],
					[
						'ours: transformer LoRA r=4',
						() => ours(gpt, text, { method: 'lora', rank: 4 }, SMALL[1], chunkMs)
					],
					...oneThreadCase(compareThreads, 'ours: transformer full', () =>
						ours(gpt, text, { method: 'full' }, SMALL[1], chunkMs)
					)
				],
				seconds * 2
			))
		);
	}
	for (const [group, name, shape, batch] of SIZED) {
		if (!groups.includes(group)) continue;
		const gpt = transformer(shape);
		const text = textTask(256, 64, 96);
		rows.push(
			...(await interleaved(
				[
					[`ours: ${name} full`, () => ours(gpt, text, { method: 'full' }, batch, chunkMs)],
					[
						`ours: ${name} LoRA r=4`,
						() => ours(gpt, text, { method: 'lora', rank: 4 }, batch, chunkMs)
					],
					...oneThreadCase(compareThreads, `ours: ${name} full`, () =>
						ours(gpt, text, { method: 'full' }, batch, chunkMs)
					)
				],
				seconds * 2
			))
		);
	}
	return rows;
}
