/**
 * The trainer on a real GPU, without a browser: tfjs's WebGPU backend on Dawn (the WebGPU
 * implementation inside Chromium) through the `webgpu` npm package's `dawn.node`, in Node. For a
 * session lent a GPU machine, where no Chromium is installed; CI never runs it. It checks what
 * the course claims for a reader with a real GPU, the way the worker meets it:
 *
 * 1. the automatic choice: a real adapter is detected and WebGPU is chosen at once;
 * 2. the worker's host fine-tunes the shipped digits base on WebGPU (full and LoRA), and the
 *    held-out accuracy and losses match the same runs on the cpu backend;
 * 3. no tensor leaks on WebGPU;
 * 4. steps per second of the benchmark's cases (scripts/bench/cases.ts) on WebGPU and on
 *    WebAssembly on the same machine, to see whether "WebGPU at once" is the right call.
 *
 * Prints one JSON object, and exits 1 when a check fails (./verdict.ts: WebGPU's losses within
 * 0.02 of cpu's at every tenth step, held-out accuracy within 2 points, no errors, fallbacks or
 * leaked tensors), listing the failures under `failures`. Build and carry: see
 * scripts/gpu-node/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { activate, probeWebGPU } from '$lib/trainer/worker/backends';
import { diskLoaders } from '../node/diskSources';
import { TrainerHost } from '$lib/trainer/worker/host';
import type { TrainerEvent, RunSpec } from '$lib/trainer/protocol';
import { benchCases } from '../bench/cases';
import { benchFailures, hostFailures } from './verdict';

const out: Record<string, unknown> = { node: process.version, tfjs: tf.version_core };
const failures: string[] = [];
const dawnPath = process.env.DAWN_NODE;
const seconds = Number(process.env.CHECK_SECONDS ?? 3);

function log(key: string, value: unknown) {
	out[key] = value;
	console.error(`${key}: ${JSON.stringify(value)}`);
}

if (dawnPath) {
	const { create, globals } = createRequire(import.meta.url)(dawnPath);
	Object.assign(globalThis, globals);
	Object.defineProperty(globalThis, 'navigator', {
		value: { gpu: create([]) },
		configurable: true
	});
}

/** Fine-tune through the worker's host: `steps` steps, then the losses and accuracies. */
async function hostRun(backend: 'auto' | 'cpu' | 'webgpu', spec: RunSpec, steps: number) {
	const events: TrainerEvent[] = [];
	const host = new TrainerHost(
		(e) => void events.push(e),
		() => diskLoaders()
	);
	const t0 = performance.now();
	await host.handle({ type: 'init', backend, assets: '' });
	const ready = events.find((e) => e.type === 'ready');
	await host.handle({ type: 'configure', spec });
	const before = tf.memory().numTensors;
	const losses: number[] = [];
	for (let i = 0; i < steps / 10; i++) {
		await host.handle({ type: 'step', steps: 10 });
		const m = events.filter((e) => e.type === 'metrics').at(-1);
		if (m?.type === 'metrics') losses.push(m.loss);
	}
	const evals = events.filter((e) => e.type === 'evaluation');
	const last = evals.at(-1);
	const errors = events.filter((e) => e.type === 'error' || e.type === 'fallback');
	const afterSteps = tf.memory().numTensors;
	await host.handle({ type: 'dispose' });
	return {
		ready: ready?.type === 'ready' ? { backend: ready.backend, reason: ready.reason } : null,
		backendRan: tf.getBackend(),
		startAccuracy: evals[0]?.type === 'evaluation' ? evals[0].testAccuracy : null,
		testAccuracy: last?.type === 'evaluation' ? last.testAccuracy : null,
		losses,
		tensorsAfterConfigure: before,
		tensorsAfterSteps: afterSteps,
		errors,
		seconds: (performance.now() - t0) / 1000
	};
}

async function main() {
	const adapter = await probeWebGPU();
	log('adapter', adapter);
	// Without a real GPU, 'auto' would warm up WebAssembly through the page's asset URLs, which
	// do not exist in Node; the check is then a dry run on the cpu backend.
	const auto = adapter.available && !adapter.software ? 'auto' : 'cpu';
	// A dry run checks the script, not a GPU: it fails, saying so.
	if (auto === 'cpu')
		failures.push(`no real GPU adapter (${adapter.description}): a dry run on cpu`);
	const spec = (method: 'full' | 'lora'): RunSpec => ({
		task: { kind: 'digits', task: 'affine-strong' },
		method,
		rank: 4,
		alpha: 8,
		lr: method === 'lora' ? 3e-3 : 1e-3,
		batchSize: 64,
		seed: 7
	});
	for (const method of process.env.CHECK_HOST === '0' ? [] : (['full', 'lora'] as const)) {
		const gpu = await hostRun(auto, spec(method), 200);
		const cpu = await hostRun('cpu', spec(method), 200);
		const diff = Math.max(...gpu.losses.map((l, i) => Math.abs(l - cpu.losses[i])));
		log(`host-${method}`, { webgpu: gpu, cpu, maxLossDiff: diff });
		failures.push(...hostFailures(method, gpu, cpu, auto === 'auto' ? 'webgpu' : 'cpu'));
	}
	const results: Record<string, unknown> = {};
	const variants = (process.env.CHECK_VARIANTS ?? 'webgpu,wasm').split(',');
	for (const variant of variants) {
		const [backend, option] = variant.split('+') as ['webgpu' | 'wasm', string | undefined];
		// Experiments on a real GPU: tfjs's submit batch (`submit100`: 100 commands per submit
		// instead of 15) and the plain small-matrix kernels the course uses on software adapters.
		if (option === 'submit100') tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 100);
		if (option === 'small') await import('$lib/model/kernels/smallWebgpu');
		if (backend === 'wasm') {
			// The course's own registration points at bundled asset URLs; in Node, at files.
			const wasm = await import('@tensorflow/tfjs-backend-wasm');
			wasm.setWasmPaths(process.env.WASM_DIR ?? 'node_modules/@tensorflow/tfjs-backend-wasm/dist/');
			await import('$lib/model/kernels/adamWasm');
			if (!(await tf.setBackend('wasm'))) {
				results[variant] = 'could not start';
				continue;
			}
		} else if (!(await activate(backend))) {
			results[variant] = 'could not start';
			continue;
		}
		const start = tf.memory().numTensors;
		results[variant] = {
			rows: await benchCases(seconds, 25),
			leaked: tf.memory().numTensors - start
		};
		log(`bench-${variant}`, results[variant]);
	}
	for (const [variant, result] of Object.entries(results))
		failures.push(...benchFailures(variant, result));
	log('failures', failures);
	console.log(JSON.stringify(out));
	if (failures.length) process.exitCode = 1;
}

main().catch((e) => {
	log('error', String(e?.stack ?? e));
	console.log(JSON.stringify(out));
	process.exitCode = 1;
});
