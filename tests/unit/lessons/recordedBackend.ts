import { expect } from 'vitest';
import type { QueuedResult, QueuedRun } from '$lib/trainer/protocol';
/**
 * For tests that re-run a cell of a recorded result: make the backend the recording names (the
 * scripts record on tfjs's WebAssembly backend in Node) the active one, loading only what the
 * recording scripts load. Imported lazily, so that the rest of a lesson's test file runs without it.
 */
export async function useRecordedBackend(backend: string): Promise<string> {
	const tf = await import('@tensorflow/tfjs-core');
	await import('@tensorflow/tfjs-backend-wasm');
	const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
	setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
	if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not start`);
	return tf.getBackend();
}

/** Train `run` again through the worker's runner on the recording's backend, as the scripts did. */
export async function rerunRecorded(backend: string, run: QueuedRun, chunk = 100) {
	const active = await useRecordedBackend(backend);
	const { runQueue } = await import('$lib/trainer/worker/experiments');
	const { diskSources } = await import('../../../scripts/node/diskSources');
	const [r] = await runQueue([run], diskSources(), { backend: active, chunk });
	return r;
}

/**
 * A shift-lab run trained again gives its recorded accuracies: counts over the held-out inputs,
 * recorded to five digits, so the same run gives the same numbers (`start` and `original` where
 * the cell has them).
 */
export function expectRecordedCounts(
	r: QueuedResult,
	want: { accuracy: number | null; start?: number | null; original?: number | null }
): void {
	const round = (v: number) => Number(v.toPrecision(5));
	expect(round(r.testAccuracy)).toBe(want.accuracy);
	if (want.start !== undefined) expect(round(r.startAccuracy)).toBe(want.start);
	if (want.original !== undefined) expect(round(r.originalAccuracy!)).toBe(want.original);
}
