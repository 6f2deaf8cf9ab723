/**
 * The experiment queue through the worker's host in Node (cpu backend, files from disk): runs
 * arrive in order with every measure asked for, a seed gives the same results, cancel stops the
 * queue, divergence is reported per run, and no tensor outlives a queue.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loraSubspaceSimilarity } from '$lib/math/spectrum';
import { parseDigits } from '$lib/model/data/digits';
import { buildModel, unpackWeights, type ModelManifest } from '$lib/model/weightsFile';
import type { QueuedRun } from '$lib/trainer/experimentSpec';
import { TrainerHost } from '$lib/trainer/host';
import type { Event, RunSpec } from '$lib/trainer/protocol';
import type { Loaders } from '$lib/trainer/sources';

const manifest: ModelManifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8'));
const diskLoaders = (): Loaders => ({
	digits: async () => parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin'))),
	base: async (id) => {
		const entry = manifest.models[id];
		const bytes = new Uint8Array(readFileSync(`static/models/${entry.file}`));
		return { entry, weights: unpackWeights(buildModel(entry.config).params, bytes) };
	}
});

async function harness() {
	const events: Event[] = [];
	const host = new TrainerHost((e) => void events.push(e), diskLoaders);
	const of = <T extends Event['type']>(type: T) =>
		events.filter((e): e is Extract<Event, { type: T }> => e.type === type);
	await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
	/** Wait until `n` queues have ended. */
	const done = async (n = 1) => {
		for (let i = 0; i < 3000 && of('queue-done').length < n; i++)
			await new Promise((r) => setTimeout(r, 10));
		expect(of('queue-done').length).toBe(n);
		return of('queue-done')[n - 1];
	};
	return { host, events, of, done };
}

const lora = (rank: number): RunSpec => ({
	task: { kind: 'digits', task: 'affine-small', strength: 1 },
	method: 'lora',
	rank,
	alpha: 2 * rank,
	targets: ['l1'],
	lr: 3e-3,
	batchSize: 32,
	seed: 7
});

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
		const phi = loraSubspaceSimilarity(
			Float32Array.from(a.factors!.A),
			2,
			Float32Array.from(b.factors!.A),
			8,
			128
		);
		expect(phi.length).toBe(2 * 8);
		for (const v of phi) {
			expect(v).toBeGreaterThanOrEqual(0);
			expect(v).toBeLessThanOrEqual(1);
		}
		await host.handle({ type: 'dispose' });
	});
});
