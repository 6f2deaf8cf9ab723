/**
 * Our kernels on every backend in real Chromium (WebGPU through SwiftShader, WebGL with packed
 * textures and without, WebAssembly, cpu): the kernel check page (tests/e2e/kernels/page.ts,
 * built by `npm test` into build-test-kernels/) runs each one and tfjs's own ops (or, for Adam,
 * plain JavaScript) on the same inputs, checks the transformer's hand-written backward pass
 * against tfjs's tape, and counts what one transformer training step runs with our kernels and
 * without, and runs the Node tests' PyTorch references (the transformer's base, full and LoRA
 * steps; the MLP's steps for every method) through the hand-written step on that backend. The
 * trainer tests only see whether the loss falls; this sees the numbers. Then the
 * same seeded MLP and transformer runs train 100 steps on every backend, and their loss curves
 * must match cpu's step by step (tests/e2e/kernels/parity.ts).
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
	torch: { worst: Record<string, { worst: number; tol: number }>; ms: number };
	fused: boolean | null;
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

/** Kinds of check each PyTorch reference run must report (tests/e2e/kernels/torch.ts). */
const TORCH_KINDS = [
	'transformer base logits',
	'transformer base loss',
	...['full', 'lora'].flatMap((m) =>
		['loss', 'gradient', 'value'].map((k) => `transformer ${m} ${k}`)
	),
	'mlp base loss',
	...['full', 'lora', 'head', 'bitfit', 'subspace'].flatMap((m) =>
		['loss', 'gradient', 'value'].map((k) => `mlp ${m} ${k}`)
	)
];

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
				// Chromium has WebAssembly relaxed SIMD: on wasm, the checks below run the fused
				// build of our kernels (products and attention with fused multiply-add).
				expect(check.fused).toBe(name === 'wasm' ? true : null);

				// The MLP's kernels within 1e-4 absolute; Adam's update, m and v within 1e-4 relative.
				expect([...check.kernels].sort()).toEqual([...mlp, 'WhyPeftAdam'].sort());
				expect(Object.keys(check.diffs).length).toBeGreaterThan(30);
				expect(Object.entries(check.diffs).filter(([, d]) => !(d <= 1e-4))).toEqual([]);
				// Adam's update itself, relative: within 1e-4, so a step 0.1% off fails.
				expect(Object.keys(check.diffs).filter((k) => k.startsWith('adam Δθ'))).toHaveLength(3);

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

				// PyTorch's float64 references through the hand-written step on this backend
				// (tests/e2e/kernels/torch.ts): every kind of check ran, and each one's worst error,
				// relative to 1 + |ref|, is within the Node tests' own float32 tolerance on every
				// backend (1e-5 for logits, losses and gradients, 1e-4 for values after three Adam
				// steps; tests/unit/model/*Reference.ts). Measured worst, cpu / wasm / WebGL / WebGPU
				// (SwiftShader): transformer values 9e-7 / 2e-7 / 2.4e-6 / 2.8e-6, transformer losses
				// 7e-8 / 1.4e-7 / 1.0e-6 / 1.0e-6, MLP values 7e-8 / 5e-8 / 2e-7 / 2e-7, gradients
				// 9e-8 or less everywhere. KERNELS_TORCH_WORST=1 prints them.
				const torch = Object.entries(check.torch.worst);
				if (process.env.KERNELS_TORCH_WORST)
					console.info(
						`${name} (${Math.round(check.torch.ms)} ms)\n` +
							torch.map(([k, { worst }]) => `${k}: ${worst.toExponential(1)}`).join('\n')
					);
				for (const kind of TORCH_KINDS) expect(check.torch.worst, kind).toHaveProperty([kind]);
				expect(torch.filter(([, { worst, tol }]) => !(worst <= tol))).toEqual([]);
			} finally {
				await page.close();
			}
		});
	}
});

describe('training parity across backends', () => {
	interface Parity {
		backend: string;
		mlp: number[];
		transformer: number[];
		error?: string;
	}
	const curves: Record<string, Parity> = {};

	/** The page's two loss curves on one backend (cached: the comparisons share them). */
	async function run(backend: string): Promise<Parity> {
		if (curves[backend]) return curves[backend];
		const page = await (await getBrowser()).newPage();
		try {
			await page.goto(`${server.url}?backend=${backend}&parity=1`);
			await waitFor(page, () => page.evaluate(() => 'kernelCheck' in window), 200_000);
			const r = (await page.evaluate(
				() => (window as unknown as { kernelCheck: unknown }).kernelCheck
			)) as Parity;
			expect(r.error).toBeUndefined();
			expect(r.backend).toBe(backend);
			curves[backend] = r;
			return r;
		} finally {
			await page.close();
		}
	}

	/** Largest |a − b| / b over the steps. */
	const worst = (a: number[], b: number[]) => Math.max(...b.map((v, i) => Math.abs(a[i] - v) / v));

	it('cpu: 100 steps of each run, the loss falling', { timeout: 240_000 }, async () => {
		const cpu = await run('cpu');
		for (const losses of [cpu.mlp, cpu.transformer]) {
			expect(losses).toHaveLength(100);
			expect(losses.every(Number.isFinite)).toBe(true);
			expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.8);
		}
	});

	// Float32 on every backend, with different summation orders (SIMD lanes, GPU threads), over
	// 100 Adam steps. Measured here: wasm within 1.3e-6 of cpu at every step, WebGL and WebGPU
	// (SwiftShader) within 1.8e-5. 1e-4 leaves room for other GPUs and still catches a kernel
	// that is off by 0.1%.
	for (const backend of ['wasm', 'webgl', 'webgpu']) {
		it(
			`${backend}: the same losses as cpu at every step, within 1e-4 relative`,
			{ timeout: 240_000 },
			async () => {
				const [cpu, other] = [await run('cpu'), await run(backend)];
				expect(worst(other.mlp, cpu.mlp)).toBeLessThan(1e-4);
				expect(worst(other.transformer, cpu.transformer)).toBeLessThan(1e-4);
			}
		);
	}
});
