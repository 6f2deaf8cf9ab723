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
