/**
 * Our kernels on every backend in real Chromium (WebGPU through SwiftShader, WebGL with packed
 * textures and without, WebAssembly, cpu): the kernel check page (tests/e2e/kernels/page.ts,
 * built by `npm test` into build-test-kernels/) runs each one and tfjs's own ops (or, for Adam,
 * plain JavaScript) on the same inputs, checks the transformer's hand-written backward pass
 * against tfjs's tape, and counts what one transformer training step runs with our kernels and
 * without. The trainer tests only see whether the loss falls; this sees the numbers.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../scripts/serve.js';
import { getBrowser, waitFor } from './browser';

const DIR = 'build-test-kernels';
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
	if (!existsSync(`${DIR}/index.html`))
		throw new Error(`${DIR}/ is missing: npx vite build --config tests/e2e/kernels/vite.config.ts`);
	server = await serve({ dir: DIR, port: 0 });
});
afterAll(() => server?.close());

interface StepCount {
	kernels: number;
	programs?: number;
}

interface Check {
	backend: string;
	kernels: string[];
	diffs: Record<string, number>;
	transformerKernels: string[];
	transformerDiffs: Record<string, number>;
	gradientDiffs: Record<string, number>;
	stepCounts: { ours: StepCount; ops: StepCount };
	error?: string;
}

const TRANSFORMER = [
	'WhyPeftEmbed',
	'WhyPeftEmbedGrad',
	'WhyPeftLayerNorm',
	'WhyPeftLayerNormGrad',
	'WhyPeftCausalAttention',
	'WhyPeftCausalAttentionGrad',
	'WhyPeftGelu',
	'WhyPeftGeluGrad'
];
/** Outputs of the eight transformer kernels (1, 2, 3, 3, 2, 3, 1, 1), each at three shapes. */
const TRANSFORMER_OUTPUTS = 16 * 3;
const ALL_MLP = ['WhyPeftMatMul', 'WhyPeftColSum', 'WhyPeftSoftmaxXent', 'WhyPeftReluGrad'];
const NO_MATMUL = ['WhyPeftColSum', 'WhyPeftSoftmaxXent', 'WhyPeftReluGrad'];

const RUNS = [
	{ name: 'webgpu', query: 'backend=webgpu', mlp: ALL_MLP, gpu: true },
	{ name: 'webgl', query: 'backend=webgl', mlp: NO_MATMUL, gpu: true },
	{ name: 'webgl, unpacked', query: 'backend=webgl&webglPack=0', mlp: NO_MATMUL, gpu: true },
	{ name: 'wasm', query: 'backend=wasm', mlp: NO_MATMUL, gpu: false },
	{ name: 'cpu', query: 'backend=cpu', mlp: ALL_MLP, gpu: false }
];

describe('our kernels against tfjs', () => {
	for (const { name, query, mlp, gpu } of RUNS) {
		it(`${name}: every kernel agrees with tfjs's ops`, { timeout: 240_000 }, async () => {
			const page = await (await getBrowser()).newPage();
			try {
				await page.goto(`${server.url}?${query}`);
				await waitFor(page, () => page.evaluate(() => 'kernelCheck' in window), 210_000);
				const check = (await page.evaluate(
					() => (window as unknown as { kernelCheck: unknown }).kernelCheck
				)) as Check;
				expect(check.error).toBeUndefined();
				expect(check.backend).toBe(name.split(',')[0]);

				// The MLP's kernels and Adam: within 1e-4, absolute.
				expect([...check.kernels].sort()).toEqual([...mlp, 'WhyPeftAdam'].sort());
				expect(Object.keys(check.diffs).length).toBeGreaterThan(30);
				expect(Object.entries(check.diffs).filter(([, d]) => !(d <= 1e-4))).toEqual([]);

				// The transformer's: each output within 1e-4 of the op chain's, relative to its
				// largest value.
				expect([...check.transformerKernels].sort()).toEqual([...TRANSFORMER].sort());
				expect(Object.keys(check.transformerDiffs)).toHaveLength(TRANSFORMER_OUTPUTS);
				const bad = Object.entries(check.transformerDiffs).filter(([, d]) => !(d < 1e-4));
				expect(bad).toEqual([]);

				// The whole hand-written backward pass against the tape, every trainable variable
				// of full fine-tuning and of LoRA, within 1e-3 of the method's largest gradient.
				const grads = Object.entries(check.gradientDiffs);
				for (const method of ['full', 'lora'])
					expect(grads.filter(([k]) => k.startsWith(`${method} `)).length).toBeGreaterThan(10);
				expect(grads.filter(([, d]) => !(d < 1e-3))).toEqual([]);

				// A step on our kernels runs fewer kernels, and on a GPU fewer programs, than on
				// the op chains: the fused kernels are what the step uses.
				const { ours, ops } = check.stepCounts;
				expect(ours.kernels).toBeLessThan(ops.kernels);
				if (gpu) expect(ours.programs!).toBeLessThan(ops.programs!);
			} finally {
				await page.close();
			}
		});
	}
});
