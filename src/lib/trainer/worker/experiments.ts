/**
 * The experiment runner: one queued run (`QueuedRun`, see protocol.ts) trained for its
 * steps in chunks, then measured. Free of `self` and the DOM, so the worker's host and Node
 * scripts (recorded results) run exactly the same code. The caller says when to stop (checked
 * between chunks) and hears about each chunk; every tensor is freed whether the run finishes,
 * diverges, is stopped or throws.
 *
 *   prepareQueued(run, sources) ─▶ ReadyRun ─ runQueued(run, ready, ctx) ─▶ QueuedResult | null (stopped)
 *        train in chunks (curve points between) ─▶ final evaluation ─▶ measures ─▶ dispose
 */
import { reconstruct } from '$lib/math/spectrum';
import { singularValues, svd, type Svd } from '$lib/math/svd';
import * as tf from '@tensorflow/tfjs-core';
import { decodeText, encodePrompt, TEXT_VOCAB_SIZE } from '$lib/model/data/text';
import { MAX_TEMPERATURE, TextSampler } from '$lib/model/generate';
import { LoraTuned } from '$lib/model/methods/lora';
import { nextChunkSize } from './chunks';
import type { MeasureSpec, QueuedResult, QueuedRun } from '../protocol';
import type { RunSources } from './sources';
import type { TaskData } from './tasks';
import { DivergenceError, Trainer, type EvalReport, type TrainerConfig } from './trainer';

/** The most steps one queued run may ask for. */
export const MAX_QUEUED_STEPS = 100_000;
/** The longest text `measure.sample` may ask for. */
export const MAX_QUEUED_SAMPLE = 10_000;

/** A queued run with its data loaded: the trainer's configuration and any other task it is scored on. */
export interface ReadyRun {
	config: TrainerConfig;
	/** The held-out split `measure.original` asks for. */
	original?: TaskData;
}

/** How a caller follows and stops a run. */
export interface RunContext {
	/** The backend name reported in the result. */
	backend: string;
	/** Checked before every chunk and before measuring: true stops the run (result null). */
	stopped(): boolean;
	/** Called after each chunk; awaited, so a host can yield to its message queue here. */
	onChunk?(progress: {
		step: number;
		steps: number;
		loss: number;
		/** The size the next chunk will have, for a caller that runs another run after this one. */
		chunk: number;
	}): void | Promise<void>;
	/** The first chunk's size in steps (later ones aim at `CHUNK_TARGET_MS`); default 1. */
	chunk?: number;
}

/** Throws a `RangeError` naming the problem unless `run` is well formed (shapes are checked later). */
export function checkQueuedRun(run: QueuedRun): void {
	const at = `queued run “${String(run?.id)}”`;
	if (!run || typeof run.id !== 'string') throw new RangeError('a queued run needs a string id');
	if (!run.spec || typeof run.spec !== 'object') throw new RangeError(`${at} has no spec`);
	if (!Number.isInteger(run.steps) || run.steps < 0 || run.steps > MAX_QUEUED_STEPS)
		throw new RangeError(`${at}: steps must be a whole number from 0 to ${MAX_QUEUED_STEPS}`);
	const m: MeasureSpec = run.measure ?? {};
	if (m.curveEvery !== undefined && (!Number.isInteger(m.curveEvery) || m.curveEvery < 0))
		throw new RangeError(`${at}: curveEvery must be a whole number ≥ 0`);
	if (m.truncation && !m.truncation.ks.every((k) => Number.isInteger(k) && k >= 0))
		throw new RangeError(`${at}: truncation ranks must be whole numbers ≥ 0`);
	if (m.factors !== undefined && run.spec.method !== 'lora')
		throw new RangeError(`${at}: factors are LoRA's A and B; the method is ${run.spec.method}`);
	if (m.sample) {
		const { prompt, length, temperature, seed } = m.sample;
		if (typeof prompt !== 'string') throw new RangeError(`${at}: the sample's prompt must be text`);
		if (!Number.isInteger(length) || length < 1 || length > MAX_QUEUED_SAMPLE)
			throw new RangeError(
				`${at}: a sample's length must be a whole number from 1 to ${MAX_QUEUED_SAMPLE}`
			);
		if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE))
			throw new RangeError(`${at}: a sample's temperature must lie in [0, ${MAX_TEMPERATURE}]`);
		if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
			throw new RangeError(`${at}: a sample's seed must be a whole number in [0, 2³²)`);
	}
	if (m.charLoss && !m.charLoss.every((id) => Number.isInteger(id) && id >= 0))
		throw new RangeError(`${at}: charLoss names labels by whole-number ids ≥ 0`);
}

/** Load what `run` needs (cached by `sources`): its task, its base, and the task `original` names. */
export async function prepareQueued(run: QueuedRun, sources: RunSources): Promise<ReadyRun> {
	checkQueuedRun(run);
	const { config } = await sources.prepare(run.spec);
	const other = run.measure?.original;
	const original = other ? (await sources.task(other, run.spec.seed)).task : undefined;
	return { config, original };
}

/** Throws a `RangeError` unless every layer and rank `measure` names exists in the model. */
function checkMeasure(run: QueuedRun, t: Trainer): void {
	const m = run.measure ?? {};
	const linears = t.config.model.linears;
	const layer = (name: string, what: string) => {
		const spec = linears.find((l) => l.name === name);
		if (!spec)
			throw new RangeError(
				`queued run “${run.id}”: ${what} names layer “${name}”; the model has ${linears.map((l) => l.name).join(', ')}`
			);
		return spec;
	};
	if (m.spectrum !== undefined) layer(m.spectrum, 'spectrum');
	if (m.factors !== undefined) {
		layer(m.factors, 'factors');
		const tuned = t.parameters;
		if (!(tuned instanceof LoraTuned) || !tuned.targets.includes(m.factors))
			throw new RangeError(`queued run “${run.id}”: layer “${m.factors}” has no LoRA adapter`);
	}
	const shape = t.config.model.transformer;
	if (m.sample && (!shape || shape.vocab !== TEXT_VOCAB_SIZE))
		throw new RangeError(`queued run “${run.id}”: only the English language model writes a sample`);
	if (m.charLoss) {
		const { classes, outWidth } = t.config.task;
		if (outWidth < 2)
			throw new RangeError(`queued run “${run.id}”: charLoss needs a next-character task`);
		const bad = m.charLoss.find((id) => id >= classes);
		if (bad !== undefined)
			throw new RangeError(
				`queued run “${run.id}”: label ${bad} is outside the ${classes} classes`
			);
	}
	if (m.truncation) {
		const { inDim, outDim } = layer(m.truncation.layer, 'truncation');
		const full = Math.min(inDim, outDim);
		const bad = m.truncation.ks.find((k) => k > full);
		if (bad !== undefined)
			throw new RangeError(
				`queued run “${run.id}”: rank ${bad} is above ${m.truncation.layer}'s full rank, ${full}`
			);
	}
}

/**
 * Train `run` from its base for `run.steps` steps, then measure what it asks for. Returns null
 * when `ctx.stopped()` turned true first. A divergence ends training early: the result then
 * carries the explanation in `diverged`, the last numbers measured before it, and no measures.
 * Throws on bad input (`RangeError`) or a failing backend. Frees every tensor it made.
 */
export async function runQueued(
	run: QueuedRun,
	ready: ReadyRun,
	ctx: RunContext
): Promise<QueuedResult | null> {
	checkQueuedRun(run);
	const t = new Trainer(ready.config);
	try {
		checkMeasure(run, t);
		const every = run.measure?.curveEvery || 0;
		let last: EvalReport & { step: number } = { step: 0, ...(await t.evaluate()) };
		const startAccuracy = last.testAccuracy;
		const startLoss = last.testLoss;
		const curve = every ? [{ step: 0, testAccuracy: startAccuracy }] : undefined;
		let chunk = Math.max(1, Math.floor(ctx.chunk ?? 1));
		let seconds = 0;
		let diverged: string | undefined;
		while (t.step < run.steps) {
			if (ctx.stopped()) return null;
			let n = Math.min(chunk, run.steps - t.step);
			if (every) n = Math.min(n, every - (t.step % every));
			const t0 = performance.now();
			let loss: number;
			try {
				loss = (await t.run(n)).loss;
			} catch (e) {
				if (!(e instanceof DivergenceError)) throw e;
				diverged = e.message;
				break;
			}
			const ms = performance.now() - t0;
			seconds += ms / 1000;
			chunk = nextChunkSize(n, ms);
			if (every && t.step % every === 0) {
				last = { step: t.step, ...(await t.evaluate()) };
				curve!.push({ step: t.step, testAccuracy: last.testAccuracy });
			}
			await ctx.onChunk?.({ step: t.step, steps: run.steps, loss, chunk });
		}
		if (ctx.stopped()) return null;
		if (!diverged && last.step !== t.step) last = { step: t.step, ...(await t.evaluate()) };
		const result: QueuedResult = {
			id: run.id,
			testAccuracy: last.testAccuracy,
			testLoss: last.testLoss,
			trainAccuracy: last.trainAccuracy,
			startAccuracy,
			startLoss,
			trainableParams: t.parameters.trainableCount(),
			steps: last.step,
			seconds,
			backend: ctx.backend
		};
		if (curve) result.curve = curve;
		if (diverged) return { ...result, diverged };
		await measure(run.measure ?? {}, t, ready, result);
		return result;
	} finally {
		t.dispose();
	}
}

/** Fill `result` with the measures `m` asks for, from the trained state of `t`. */
async function measure(
	m: MeasureSpec,
	t: Trainer,
	ready: ReadyRun,
	result: QueuedResult
): Promise<void> {
	const tuned = t.parameters;
	if (ready.original) {
		const { accuracy, loss } = await t.evaluateOn(ready.original);
		result.originalAccuracy = accuracy;
		result.originalLoss = loss;
	}
	if (m.charLoss) result.charLoss = await charLoss(t, m.charLoss);
	if (m.sample) {
		const sampler = new TextSampler(t.config.model.transformer!, await tuned.exportWeights());
		const prompt = encodePrompt(m.sample.prompt).ids;
		const ids = sampler.sample({
			// No prompt: start as a document starts, after a newline (as the page's Generate does).
			prompt: prompt.length > 0 ? prompt : Int32Array.of(0),
			length: m.sample.length,
			temperature: m.sample.temperature,
			seed: m.sample.seed
		});
		result.sample = decodeText(ids);
	}
	if (m.spectrum !== undefined) {
		const { inDim, outDim } = tuned.linearSpec(m.spectrum);
		result.singularValues = Array.from(singularValues(await t.deltaW(m.spectrum), inDim, outDim));
	}
	if (m.truncation) {
		const { layer, ks } = m.truncation;
		const { inDim, outDim } = tuned.linearSpec(layer);
		const w0 = tuned.baseWeight(layer);
		let dec: Svd | undefined;
		result.truncation = [];
		for (const k of ks) {
			dec ??= svd(await t.deltaW(layer), inDim, outDim);
			const dwk = reconstruct(dec, inDim, outDim, k);
			const w = new Float32Array(w0.length);
			for (let i = 0; i < w.length; i++) w[i] = w0[i] + dwk[i];
			const { accuracy } = await tuned.withWeight(layer, w, () => t.heldOut());
			result.truncation.push({ k, accuracy });
		}
	}
	if (m.factors !== undefined && tuned instanceof LoraTuned) {
		const { inDim, outDim } = tuned.linearSpec(m.factors);
		const { A, B } = await tuned.factors(m.factors);
		result.factors = {
			layer: m.factors,
			rank: tuned.rank,
			inDim,
			outDim,
			A: Array.from(A),
			B: Array.from(B)
		};
	}
}

/** Rows of held-out windows scored at once by `charLoss`. */
const CHAR_LOSS_ROWS = 64;

/**
 * Held-out loss of `t`'s current weights split by label: mean −ln p(label) over the labels in
 * `ids` and over every other, with their counts (a side without labels reports a loss of 0). The
 * held-out split is uploaded in slices and freed.
 */
async function charLoss(t: Trainer, ids: number[]): Promise<NonNullable<QueuedResult['charLoss']>> {
	const { model, task } = t.config;
	const { test } = task;
	const isIn = new Float32Array(task.classes);
	for (const id of ids) isIn[id] = 1;
	const mask = tf.tensor1d(isIn);
	const sums = [0, 0, 0, 0];
	try {
		for (let start = 0; start < test.n; start += CHAR_LOSS_ROWS) {
			const rows = Math.min(CHAR_LOSS_ROWS, test.n - start);
			const part = tf.tidy(() => {
				const x = tf.tensor2d(
					test.x.slice(start * task.inWidth, (start + rows) * task.inWidth),
					[rows, task.inWidth],
					model.inputDtype
				);
				const y = tf.tensor1d(
					test.y.slice(start * task.outWidth, (start + rows) * task.outWidth),
					'int32'
				);
				const logits = model.infer ? model.infer(t.parameters, x) : model.forward(t.parameters, x);
				const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(y, task.classes)), 1));
				const m = tf.gather(mask, y);
				const rest = tf.sub(1, m);
				return tf.stack([
					tf.sum(tf.mul(nll, m)),
					tf.sum(m),
					tf.sum(tf.mul(nll, rest)),
					tf.sum(rest)
				]);
			});
			const v = await part.data();
			part.dispose();
			for (let i = 0; i < 4; i++) sums[i] += v[i];
		}
	} finally {
		mask.dispose();
	}
	const [inSum, count, restSum, restCount] = sums;
	return {
		loss: count > 0 ? inSum / count : 0,
		count,
		restLoss: restCount > 0 ? restSum / restCount : 0,
		restCount
	};
}

/**
 * Run `runs` in order, each loaded from `sources` and reported to `onResult` as it ends: the
 * queue as a Node script records it (the worker's host runs the same steps with progress,
 * cancellation and backend fallback around them). Stops early, returning what finished, when
 * `ctx.stopped` turns true.
 */
export async function runQueue(
	runs: QueuedRun[],
	sources: RunSources,
	ctx: Omit<RunContext, 'stopped'> & {
		stopped?: () => boolean;
		onResult?: (result: QueuedResult, index: number) => void;
	}
): Promise<QueuedResult[]> {
	runs.forEach(checkQueuedRun);
	const results: QueuedResult[] = [];
	for (const run of runs) {
		const result = await runQueued(run, await prepareQueued(run, sources), {
			...ctx,
			stopped: ctx.stopped ?? (() => false)
		});
		if (!result) break;
		results.push(result);
		ctx.onResult?.(result, results.length - 1);
	}
	return results;
}
