/**
 * The benchmark page: on the backend named in `?backend=`, it times training steps of our
 * trainer (MLP 64-128-128-10 and the character transformer, small and large, full fine-tuning
 * and LoRA) and of the peer, the same MLP written the usual way with tfjs-layers `model.fit`
 * (cases in `cases.ts`; `?cases=mlp,transformer,large` chooses the groups). Results go to
 * `window.benchResult` for scripts/bench.js to collect. Timings, not tests: see npm run bench.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '$lib/trainer/protocol';
import { activate, wasmThreads } from '$lib/trainer/worker/backends';
import { CHUNK_TARGET_MS } from '$lib/trainer/worker/chunks';
import { benchCases, CASE_GROUPS, profileCase, type CaseGroup } from './cases';
import { setRelaxedSimdAllowed, simdKernels, simdKernelsOn } from '$lib/model/kernels/simdKernels';
import { wasmMemory } from '$lib/model/kernels/hostKernels';

const params = new URLSearchParams(location.search);
const chunkMs = Number(params.get('chunkMs') ?? CHUNK_TARGET_MS);

async function main() {
	const backend = (params.get('backend') ?? 'wasm') as BackendName;
	const seconds = Number(params.get('seconds') ?? 3);
	// ?relaxed=0: our kernels' plain SIMD build, to compare with the fused one.
	if (params.get('relaxed') === '0') setRelaxedSimdAllowed(false);
	if (!(await activate(backend))) throw new Error(`${backend} could not start`);
	const groups = (params.get('cases')?.split(',').filter(Boolean) ?? [
		...CASE_GROUPS
	]) as CaseGroup[];
	// On an isolated page our kernels have helper threads: time the transformers on one too.
	const memory0 = wasmMemory(tf.backend());
	const helpers = (memory0 && simdKernelsOn(memory0)?.threads()) ?? 1;
	// ?profile=lm: where a step of that group's full fine-tuning goes, kernel by kernel.
	const profile = params.get('profile') as CaseGroup | null;
	if (profile) {
		const steps = Number(params.get('steps') ?? 20);
		(window as unknown as { benchResult: unknown }).benchResult = {
			backend: tf.getBackend(),
			simdThreads: helpers,
			profile: await profileCase(profile, steps, chunkMs)
		};
		return;
	}
	const rows = await benchCases(seconds, chunkMs, groups, helpers > 1);
	document.getElementById('out')!.textContent = JSON.stringify(rows, null, 1);
	// Threads of the WebAssembly backend (more than 1 only on its threaded build, in a cross-origin
	// isolated page) and whether our SIMD kernels work on its memory in place.
	const memory = wasmMemory(tf.backend());
	(window as unknown as { benchResult: unknown }).benchResult = {
		backend: tf.getBackend(),
		crossOriginIsolated: self.crossOriginIsolated,
		wasmThreads: tf.getBackend() === 'wasm' ? wasmThreads() : null,
		simdInPlace: memory ? simdKernelsOn(memory) !== simdKernels() : null,
		simdThreads: helpers,
		simdFused: memory ? (simdKernelsOn(memory)?.fused ?? null) : null,
		rows
	};
}

main().catch((e) => {
	(window as unknown as { benchResult: unknown }).benchResult = { error: String(e?.message ?? e) };
});
