/**
 * The English language model as the worker serves it (`TrainerHost` in Node, files from disk):
 * an `english` task loads a shipped corpus and the `englishlm` base, the live curve starts where
 * the base stands on that text, Generate writes seeded text from the current weights (same seed,
 * same text), training changes what it writes, a Generate sent while training is answered
 * between chunks, and only the language model accepts it. Nothing leaks.
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { diskSources } from '../../../scripts/node/diskSources';
import type { RunSpec } from '$lib/trainer/protocol';
import { hostHarness } from './hostHarness';
import {
	ENGLISH_TEST_WINDOWS,
	ENGLISH_TRAIN_WINDOWS,
	ENGLISH_WINDOW
} from '$lib/trainer/worker/sources';
import { waitFor } from './waitFor';

const harness = hostHarness;

const spec: RunSpec = {
	task: { kind: 'english', corpus: 'sotu-1990-2021' },
	method: 'full',
	lr: 3e-3,
	batchSize: 8,
	seed: 2
};

// WebAssembly, as the page would pick here (the cpu backend takes minutes over this model). Set
// up before the host's `init`, which in Node cannot resolve the wasm files' URLs itself.
beforeAll(async () => {
	setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
	await tf.setBackend('wasm');
});

const ask = { type: 'generate', prompt: 'The ', length: 200, temperature: 0.8, seed: 4 } as const;

describe('the english task', () => {
	it('is windows of a shipped corpus’s own split, fine-tuning the English base', async () => {
		const { task, baseId } = await diskSources().task(spec.task, 1);
		expect(baseId).toBe('englishlm');
		expect(task.name).toMatch(/1990/);
		expect([task.inWidth, task.outWidth, task.classes]).toEqual([
			ENGLISH_WINDOW,
			ENGLISH_WINDOW,
			96
		]);
		expect([task.train.n, task.test.n]).toEqual([ENGLISH_TRAIN_WINDOWS, ENGLISH_TEST_WINDOWS]);
		await expect(
			diskSources().task({ kind: 'english', corpus: 'nope' as 'd3-code' }, 1)
		).rejects.toThrow(/unknown text corpus/);
	});
});

describe('TrainerHost with the language model', () => {
	it(
		'writes seeded text, training changes it, and Generate is answered while it trains',
		{ timeout: 60_000 },
		async () => {
			const { host, of } = harness();
			await host.handle({ type: 'init', backend: 'wasm', assets: '/' });
			expect(of('ready')[0].backend).toBe('wasm');
			const before = tf.memory().numTensors;
			await host.handle({ type: 'configure', spec });
			expect(of('configured')[0].task).toMatch(/State of the Union/);
			// The base, trained on 1790–1869, is a language model of modern addresses too, if a worse
			// one: well under the 6.6 bits of guessing, above its 1.5 on its own era.
			const bits = of('evaluation')[0].testLoss / Math.LN2;
			expect(bits).toBeGreaterThan(1.5);
			expect(bits).toBeLessThan(3);

			await host.handle(ask);
			await host.handle(ask);
			await host.handle({ ...ask, seed: 5 });
			const [a, b, c] = of('sample');
			expect(a.step).toBe(0);
			expect(a.text).toHaveLength(200);
			expect(b.text).toBe(a.text);
			expect(c.text).not.toBe(a.text);
			expect(a.prompt).toBe('The ');

			await host.handle({ type: 'step', steps: 20 });
			await host.handle(ask);
			const after = of('sample')[3];
			expect(after.step).toBe(20);
			expect(after.text).not.toBe(a.text);

			await host.handle({ type: 'run' });
			await host.handle({ ...ask, prompt: '“Quoted” — 😀', temperature: 9, length: 1e9 });
			await waitFor(() => of('sample').length === 5, 'a sample while training');
			await host.handle({ type: 'pause' });
			const live = of('sample')[4];
			expect(live.step).toBeGreaterThan(20);
			expect(live.prompt).toBe('"Quoted" -- ');
			expect(live.dropped).toEqual(['😀']);
			// Clamped, not refused: the hottest temperature allowed and the longest text.
			expect(live.temperature).toBe(2);
			expect(live.text).toHaveLength(2000);

			await host.handle({ type: 'dispose' });
			expect(tf.memory().numTensors).toBe(before);
		}
	);

	it('answers Generate on a digits run with an input error', async () => {
		const { host, of } = harness();
		await host.handle({ type: 'init', backend: 'wasm', assets: '/' });
		await host.handle({
			type: 'configure',
			spec: { ...spec, task: { kind: 'digits', task: 'affine-small' }, batchSize: 32 }
		});
		await host.handle(ask);
		expect(of('sample')).toHaveLength(0);
		expect(of('error').at(-1)).toMatchObject({ kind: 'input', message: /language model/ });
		await host.handle({ type: 'dispose' });
	});
});
