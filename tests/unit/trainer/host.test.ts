/**
 * The worker protocol end to end in Node: the host (the worker's body) on the cpu backend with
 * files read from disk instead of fetched. Requests in, typed events out.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { RunSpec } from '$lib/trainer/protocol';
import { HOST_SPEC, hostHarness } from './hostHarness';
import { waitFor } from './waitFor';

const harness = hostHarness;

const spec: RunSpec = { ...HOST_SPEC, watch: 'l1' };

describe('TrainerHost', () => {
	it('starts on the backend asked for, fine-tunes, snapshots, and leaks nothing', async () => {
		const { host, of } = harness();
		await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
		const ready = of('ready')[0];
		expect(ready.backend).toBe('cpu');
		expect(ready.reason).toBe('Chosen by you.');
		const before = tf.memory().numTensors;
		await host.handle({ type: 'configure', spec });
		const conf = of('configured')[0];
		expect(conf.trainableParams).toBe(4 * (64 + 128) + 4 * (128 + 128));
		// Two moments per trainable value, and Adam's four scalar constants (16 B).
		expect(conf.ledger.optimizer).toBe(2 * conf.ledger.trainable + 16);
		expect(conf.ledger.transientPeak).toBeGreaterThan(0);
		const start = of('evaluation')[0];
		expect(start.step).toBe(0);
		// The pretrained base already reads lightly distorted digits well.
		expect(start.testAccuracy).toBeGreaterThan(0.6);
		await host.handle({ type: 'step', steps: 60 });
		const metrics = of('metrics');
		expect(metrics.at(-1)!.step).toBe(60);
		await host.handle({ type: 'snapshot' });
		const snap = of('snapshot')[0];
		expect([snap.layer, snap.rows, snap.cols, snap.step]).toEqual(['l1', 128, 128, 60]);
		expect(snap.values.length).toBe(128 * 128);
		expect(Math.max(...snap.values.map(Math.abs))).toBeGreaterThan(0);
		await host.handle({ type: 'dispose' });
		expect(tf.memory().numTensors).toBe(before);
	});

	it('runs until paused, and stops by itself at maxSteps', async () => {
		const { host, of } = harness();
		await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
		await host.handle({ type: 'configure', spec: { ...spec, maxSteps: 40 } });
		await host.handle({ type: 'run' });
		await waitFor(() => of('metrics').some((m) => m.step > 0), 'the first training metrics');
		await host.handle({ type: 'pause' });
		const paused = of('metrics').at(-1)!.step;
		expect(paused).toBeGreaterThan(0);
		await host.handle({ type: 'run' });
		// Wait for the loop's final evaluation: a slow machine may also evaluate at step 40 mid-run.
		const done = () => of('evaluation').at(-1)?.step === 40 && !of('evaluation').at(-1)!.running;
		await waitFor(done, 'the final evaluation at step 40');
		expect(of('evaluation').at(-1)!.step).toBe(40);
		expect(of('evaluation').at(-1)!.running).toBe(false);
		await host.handle({ type: 'dispose' });
	});

	it('reports divergence with an explanation, and reset recovers', async () => {
		const { host, of } = harness();
		await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
		await host.handle({ type: 'configure', spec: { ...spec, method: 'full', lr: 10 } });
		for (let i = 0; i < 10 && of('error').length === 0; i++) {
			await host.handle({ type: 'step', steps: 10 });
		}
		const err = of('error')[0];
		expect(err.kind).toBe('divergence');
		expect(err.message).toMatch(/learning rate/);
		await host.handle({ type: 'reset' });
		expect(of('evaluation').at(-1)!.step).toBe(0);
		await host.handle({ type: 'dispose' });
	});

	it('answers bad input with a clear error event, not an exception', async () => {
		const { host, of } = harness();
		await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
		await host.handle({
			type: 'configure',
			spec: { ...spec, task: { kind: 'digits', task: 'nope' } }
		});
		expect(of('error')[0]).toMatchObject({ kind: 'input' });
		expect(of('error')[0].message).toMatch(/nope/);
		await host.handle({ type: 'configure', spec: { ...spec, rank: 0 } });
		expect(of('error')[1].message).toMatch(/rank/);
	});
});
