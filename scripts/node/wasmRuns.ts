/**
 * What the recording scripts share: tfjs's WebAssembly backend started from node_modules, and one
 * queued run prepared and trained to its end through the runner the trainer worker uses
 * (`src/lib/trainer/worker/experiments.ts`). Node only.
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { QueuedResult, QueuedRun } from '../../src/lib/trainer/protocol';
import { prepareQueued, runQueued } from '../../src/lib/trainer/worker/experiments';
import type { RunSources } from '../../src/lib/trainer/worker/sources';

/** Point tfjs at node_modules' WebAssembly binaries and make `wasm` the backend; throws if it does not start. */
export async function startWasm(): Promise<void> {
	setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
	if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
}

/** Prepare `run` from `sources` and train it to its end on the current backend, `chunk` steps at a time. */
export async function runToEnd(
	run: QueuedRun,
	sources: RunSources,
	chunk: number
): Promise<QueuedResult> {
	const ready = await prepareQueued(run, sources);
	const result = await runQueued(run, ready, {
		backend: tf.getBackend(),
		stopped: () => false,
		chunk
	});
	if (!result) throw new Error(`${run.id} stopped`);
	return result;
}
