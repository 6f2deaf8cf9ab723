/**
 * A scaling ladder whose backend fails mid-rung (as a lost GPU device makes it fail) moves to the
 * next backend, says so, trains that rung again from its start there, keeps the rungs already
 * finished, and ends with the same losses as a ladder that never failed; nothing leaks.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDigits } from '$lib/model/data/digits';
import type { LadderSpec, TrainerEvent } from '$lib/trainer/protocol';
import { Ladder } from '$lib/trainer/worker/ladder';
import { digitsTask } from '$lib/trainer/worker/tasks';
import { ladderHost } from './ladderHost';
import { waitFor } from './waitFor';

// In Node, tfjs's WebAssembly binaries are read from disk: point the backend's URLs there.
const dist = vi.hoisted(() => `${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist`);
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url', () => ({
	default: `${dist}/tfjs-backend-wasm.wasm`
}));
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url', () => ({
	default: `${dist}/tfjs-backend-wasm-simd.wasm`
}));
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url', () => ({
	default: `${dist}/tfjs-backend-wasm-threaded-simd.wasm`
}));

const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
const small: LadderSpec = { widths: [2, 4, 8], steps: 100, batchSize: 64, lr: 0.01, seed: 1 };

afterEach(() => vi.restoreAllMocks());

describe('TrainerHost ladder when its backend fails', () => {
	it('goes on from the rung in training on the next backend', { timeout: 60_000 }, async () => {
		const events: TrainerEvent[] = [];
		const host = ladderHost(events, digits);
		await host.handle({ type: 'init', backend: 'wasm', assets: '/' });
		expect(events.find((e) => e.type === 'ready')).toMatchObject({ backend: 'wasm' });
		const before = tf.memory().numTensors;
		// Fail once, in the second rung, as a backend that has lost its device would.
		const advance = Ladder.prototype.advance;
		let failed = false;
		vi.spyOn(Ladder.prototype, 'advance').mockImplementation(async function (this: Ladder, n) {
			if (!failed && this.results.length === 1 && this.stepsDone > 120) {
				failed = true;
				throw new Error('the backend broke');
			}
			return advance.call(this, n);
		});
		await host.handle({ type: 'ladder', spec: small });
		await waitFor(() => events.filter((e) => e.type === 'rung').length >= 3, 'all rungs', 30_000);
		expect(failed).toBe(true);
		const fallback = events.find((e) => e.type === 'fallback');
		expect(fallback).toEqual({
			type: 'fallback',
			from: 'wasm',
			to: 'cpu',
			message:
				'WebAssembly failed (the backend broke); continuing on plain JavaScript from the start of the rung of width 4.'
		});
		const rungs = events.filter((e) => e.type === 'rung');
		expect(rungs.map((r) => [r.width, r.backend])).toEqual([
			[2, 'wasm'],
			[4, 'cpu'],
			[8, 'cpu']
		]);
		expect(events.some((e) => e.type === 'error')).toBe(false);
		// The rungs after the failure trained from their seeded starts on cpu, as an unbroken
		// ladder's would there.
		const direct = new Ladder(digitsTask(digits, 'pretrain', undefined, small.seed), small);
		while (!direct.done) await advance.call(direct, 100);
		expect(rungs[1].testLoss).toBeCloseTo(direct.results[1].testLoss, 4);
		expect(rungs[2].testLoss).toBeCloseTo(direct.results[2].testLoss, 4);
		await host.handle({ type: 'dispose' });
		expect(tf.memory().numTensors).toBe(before);
	});
});
