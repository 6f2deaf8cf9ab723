/**
 * The experiment queue through the worker's host in Node (cpu backend, files from disk): runs
 * arrive in order with every measure asked for, a seed gives the same results, cancel stops the
 * queue, divergence is reported per run, and no tensor outlives a queue.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adapterSimilarity } from '$lib/math/spectrum';
import { buildModel, unpackWeights, type ModelManifest } from '$lib/model/weightsFile';
import type { QueuedResult, QueuedRun, RunSpec } from '$lib/trainer/protocol';
import { diskSources } from '../../../scripts/node/diskSources';
import { runQueue } from '$lib/trainer/worker/experiments';
import { hostHarness } from './hostHarness';
import { smallShiftLora } from './smallShiftLora';
import { waitFor } from './waitFor';

const manifest: ModelManifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8'));

async function harness() {
	const { host, events, of } = hostHarness();
	await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
	/** Wait until `n` queues have ended. */
	const done = async (n = 1) => {
		await waitFor(() => of('queue-done').length >= n, `${n} queue(s) to end`);
		return of('queue-done')[n - 1];
	};
	return { host, events, of, done };
}

const lora = (rank: number): RunSpec => smallShiftLora({ rank, alpha: 2 * rank, seed: 7 });

const runs: QueuedRun[] = [
	{
		id: 'lora-2',
		spec: lora(2),
		steps: 30,
		measure: {
			spectrum: 'l1',
			factors: 'l1',
			truncation: { layer: 'l1', ks: [0, 1, 2, 128] },
			original: { kind: 'digits', task: 'pretrain' },
			curveEvery: 10
		}
	},
	{ id: 'lora-8', spec: lora(8), steps: 30, measure: { factors: 'l1' } },
	{
		id: 'full',
		spec: { ...lora(1), method: 'full', lr: 1e-3 },
		steps: 20,
		measure: { spectrum: 'l0', truncation: { layer: 'l0', ks: [64] } }
	}
];

describe('experiment queue', () => {
	it('runs in order, measures what each run asks for, and leaks nothing', async () => {
		const { host, of, done } = await harness();
		const before = tf.memory().numTensors;
		await host.handle({ type: 'queue', runs });
		expect(await done()).toEqual({ type: 'queue-done', cancelled: false, completed: 3 });
		expect(tf.memory().numTensors).toBe(before);
		const results = of('queue-result');
		expect(results.map((r) => [r.index, r.total, r.result.id])).toEqual([
			[0, 3, 'lora-2'],
			[1, 3, 'lora-8'],
			[2, 3, 'full']
		]);
		const progress = of('queue-progress');
		expect(progress.length).toBeGreaterThan(0);
		expect(progress.at(-1)).toMatchObject({ id: 'full', index: 2, step: 20, steps: 20 });

		const [a, b, full] = results.map((r) => r.result);
		for (const r of [a, b, full]) {
			expect(r.backend).toBe('cpu');
			expect(r.diverged).toBeUndefined();
			expect(r.startAccuracy).toBeGreaterThan(0.6);
			expect(r.testAccuracy).toBeGreaterThan(0.6);
			expect(r.trainAccuracy).toBeGreaterThan(0.6);
			expect(r.testLoss).toBeGreaterThan(0);
			expect(r.seconds).toBeGreaterThan(0);
		}
		expect(a.steps).toBe(30);
		expect(a.trainableParams).toBe(2 * (128 + 128));
		expect(b.trainableParams).toBe(8 * (128 + 128));
		expect(full.trainableParams).toBe(64 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10);

		// The spectrum of a rank-2 update: two non-zero singular values, descending.
		const sv = a.singularValues!;
		expect(sv.length).toBe(128);
		expect(sv[0]).toBeGreaterThan(0);
		expect(sv[1]).toBeGreaterThan(0);
		expect(sv[2]).toBeLessThan(1e-5 * sv[0]);
		expect([...sv].sort((x, y) => y - x)).toEqual(sv);
		expect(full.singularValues!.length).toBe(64);

		// Truncating ΔW to rank 0 gives the base back; to full rank (or the adapter's rank), the tuned model.
		const trunc = new Map(a.truncation!.map(({ k, accuracy }) => [k, accuracy]));
		expect(trunc.get(0)).toBe(a.startAccuracy);
		expect(trunc.get(2)).toBe(a.testAccuracy);
		expect(trunc.get(128)).toBe(a.testAccuracy);
		expect(full.truncation).toEqual([{ k: 64, accuracy: full.testAccuracy }]);

		// A curve point every 10 steps, from the start to the end.
		expect(a.curve!.map((p) => p.step)).toEqual([0, 10, 20, 30]);
		expect(a.curve![0].testAccuracy).toBe(a.startAccuracy);
		expect(a.curve![3].testAccuracy).toBe(a.testAccuracy);

		expect(a.originalAccuracy).toBeGreaterThan(0.9);
		expect(b.originalAccuracy).toBeUndefined();

		// LoRA factors in the paper's layout, A [r, in] and B [out, r]: φ between the two ranks in [0, 1].
		for (const [r, rank] of [
			[a, 2],
			[b, 8]
		] as const) {
			const f = r.factors!;
			expect([f.layer, f.rank, f.inDim, f.outDim]).toEqual(['l1', rank, 128, 128]);
			expect(f.A.length).toBe(rank * 128);
			expect(f.B.length).toBe(128 * rank);
			expect(Math.max(...f.B.map(Math.abs))).toBeGreaterThan(0);
		}
		const phi = adapterSimilarity(a.factors!, b.factors!);
		expect(phi.length).toBe(2 * 8);
		for (const v of phi) {
			expect(v).toBeGreaterThanOrEqual(0);
			expect(v).toBeLessThanOrEqual(1);
		}
		await host.handle({ type: 'dispose' });
	});

	it('gives the same results for the same seed', async () => {
		const small = runs.slice(0, 2).map((r) => ({ ...r, steps: 12 }));
		const once = async () => {
			const { host, of, done } = await harness();
			await host.handle({ type: 'queue', runs: small });
			await done();
			await host.handle({ type: 'dispose' });
			return of('queue-result').map(({ result: { seconds, ...rest } }) => (void seconds, rest));
		};
		const [x, y] = [await once(), await once()];
		expect(x.length).toBe(2);
		expect(y).toEqual(x);
		const other = { ...small[0], spec: { ...small[0].spec, seed: 8 } };
		const { host, of, done } = await harness();
		await host.handle({ type: 'queue', runs: [other] });
		await done();
		expect(of('queue-result')[0].result.factors!.A).not.toEqual(x[0].factors!.A);
		await host.handle({ type: 'dispose' });
	});

	it('records in a script exactly what the worker measures', async () => {
		const small = runs.map((r) => ({ ...r, steps: 6 }));
		const { host, of, done } = await harness();
		await host.handle({ type: 'queue', runs: small });
		await done();
		await host.handle({ type: 'dispose' });
		const before = tf.memory().numTensors;
		const indices: number[] = [];
		const scripted = await runQueue(small, diskSources(), {
			backend: 'cpu',
			onResult: (_r, i) => void indices.push(i)
		});
		expect(tf.memory().numTensors).toBe(before);
		expect(indices).toEqual([0, 1, 2]);
		const strip = ({ seconds, ...rest }: QueuedResult) => (void seconds, rest);
		expect(scripted.map(strip)).toEqual(of('queue-result').map((e) => strip(e.result)));
	});

	it('scores an untouched base on its original task as its pretraining did', async () => {
		const { host, of, done } = await harness();
		await host.handle({
			type: 'queue',
			runs: [
				{
					id: 'digits10',
					spec: lora(2),
					steps: 0,
					measure: { original: { kind: 'digits', task: 'pretrain' } }
				},
				{
					id: 'digits5',
					spec: { ...lora(2), task: { kind: 'digits', task: 'new-classes' } },
					steps: 0,
					measure: { original: { kind: 'digits', task: 'pretrain-0to4' } }
				}
			]
		});
		await done();
		const [ten, five] = of('queue-result').map((r) => r.result);
		expect(ten.steps).toBe(0);
		expect(ten.testAccuracy).toBe(ten.startAccuracy);
		expect(ten.originalAccuracy).toBeCloseTo(manifest.models.digits10.testAccuracy, 4);
		expect(five.originalAccuracy).toBeCloseTo(manifest.models.digits5.testAccuracy, 4);
		// The new classes are labels the digits5 base never saw: it starts near chance there.
		expect(five.startAccuracy).toBeLessThan(0.4);
		await host.handle({ type: 'dispose' });
	});

	it('reports a diverging run and goes on with the next, leaking nothing', async () => {
		const { host, of, done } = await harness();
		const before = tf.memory().numTensors;
		await host.handle({
			type: 'queue',
			runs: [
				{
					id: 'boom',
					spec: { ...lora(1), method: 'full', lr: 10 },
					steps: 200,
					measure: { spectrum: 'l1', curveEvery: 5 }
				},
				{ id: 'fine', spec: lora(2), steps: 5 }
			]
		});
		expect(await done()).toMatchObject({ cancelled: false, completed: 2 });
		expect(tf.memory().numTensors).toBe(before);
		const [boom, fine] = of('queue-result').map((r) => r.result);
		expect(boom.diverged).toMatch(/diverged.*learning rate/s);
		expect(boom.steps).toBeLessThan(200);
		expect(boom.steps % 5).toBe(0);
		expect(Number.isFinite(boom.testAccuracy)).toBe(true);
		expect(boom.singularValues).toBeUndefined();
		expect(fine.diverged).toBeUndefined();
		expect(fine.steps).toBe(5);
		expect(of('error')).toEqual([]);
		await host.handle({ type: 'dispose' });
	});

	it('stops on cancel, on pause and when a new queue replaces it (not on configure), leaking nothing', async () => {
		const { host, of, done } = await harness();
		const before = tf.memory().numTensors;
		const long: QueuedRun[] = [{ id: 'long', spec: lora(2), steps: 50_000 }];
		const progressed = async (n: number) => {
			await waitFor(() => of('queue-progress').length >= n, `${n} progress event(s)`);
		};
		await host.handle({ type: 'queue', runs: long });
		await progressed(1);
		await host.handle({ type: 'cancel' });
		expect(await done(1)).toEqual({ type: 'queue-done', cancelled: true, completed: 0 });
		expect(tf.memory().numTensors).toBe(before);

		await host.handle({ type: 'queue', runs: long });
		await progressed(2);
		await host.handle({ type: 'pause' });
		expect(await done(2)).toMatchObject({ cancelled: true, completed: 0 });
		expect(tf.memory().numTensors).toBe(before);

		// Configuring a run (for its base weights, say) leaves a queue alone.
		await host.handle({ type: 'queue', runs: long });
		await progressed(3);
		await host.handle({ type: 'configure', spec: lora(4) });
		await host.handle({ type: 'base', layer: 'l1' });
		expect(of('base').length).toBe(1);
		expect(of('queue-done').length).toBe(2);
		const seen = of('queue-progress').length;
		await progressed(seen + 1);
		expect(of('queue-done').length).toBe(2);
		await host.handle({ type: 'queue', runs: long });
		await progressed(seen + 2);
		await host.handle({ type: 'queue', runs: [{ id: 'short', spec: lora(2), steps: 3 }] });
		expect(await done(3)).toMatchObject({ cancelled: true, completed: 0 });
		expect(await done(4)).toMatchObject({ cancelled: true, completed: 0 });
		expect(await done(5)).toMatchObject({ cancelled: false, completed: 1 });
		expect(of('queue-result').map((r) => r.result.id)).toEqual(['short']);
		// Progress is posted at most every 50 ms (and at a run's end), never per chunk.
		const steps = of('queue-progress').filter((p) => p.id === 'long').length;
		expect(steps).toBeLessThan(1000);
		// The configured run holds its tensors until disposed; the queues hold none.
		await host.handle({ type: 'dispose' });
		expect(tf.memory().numTensors).toBe(before);
	});

	it('answers a bad queue with an input error and ends it', async () => {
		const { host, of, done } = await harness();
		await host.handle({ type: 'queue', runs: [{ id: 'bad', spec: lora(2), steps: -1 }] });
		expect(await done()).toMatchObject({ cancelled: true, completed: 0 });
		expect(of('error')[0]).toMatchObject({ kind: 'input' });
		expect(of('error')[0].message).toMatch(/steps/);
		await host.handle({
			type: 'queue',
			runs: [
				{ id: 'ok', spec: lora(2), steps: 2 },
				{ id: 'wrong layer', spec: lora(2), steps: 2, measure: { spectrum: 'l9' } }
			]
		});
		expect(await done(2)).toMatchObject({ cancelled: true, completed: 1 });
		expect(of('error')[1].message).toMatch(/l9.*l0, l1, l2/);
		await host.handle({
			type: 'queue',
			runs: [{ id: 'no adapter', spec: lora(2), steps: 2, measure: { factors: 'l0' } }]
		});
		expect(await done(3)).toMatchObject({ cancelled: true, completed: 0 });
		expect(of('error')[2].message).toMatch(/l0.*no LoRA adapter/);
		await host.handle({ type: 'dispose' });
	});
});

describe('base weights', () => {
	it('sends W₀ of a layer of the configured run and its singular values', async () => {
		const { host, of } = await harness();
		await host.handle({ type: 'base', layer: 'l1' });
		expect(of('error')[0].message).toMatch(/configure a run first/);
		await host.handle({ type: 'configure', spec: lora(2) });
		await host.handle({ type: 'base', layer: 'l1' });
		const base = of('base')[0];
		expect([base.layer, base.rows, base.cols]).toEqual(['l1', 128, 128]);
		const entry = manifest.models.digits10;
		const shipped = unpackWeights(
			buildModel(entry.config).params,
			new Uint8Array(readFileSync(`static/models/${entry.file}`))
		);
		expect(base.values).toEqual(shipped['l1.W']);
		expect(base.singularValues.length).toBe(128);
		// ‖W₀‖²_F = Σ σᵢ²
		const fro = shipped['l1.W'].reduce((s, v) => s + v * v, 0);
		const sum = base.singularValues.reduce((s, v) => s + v * v, 0);
		expect(sum).toBeCloseTo(fro, 2);
		await host.handle({ type: 'base', layer: 'nope' });
		expect(of('error')[1]).toMatchObject({ kind: 'input' });
		await host.handle({ type: 'dispose' });
	});
});
