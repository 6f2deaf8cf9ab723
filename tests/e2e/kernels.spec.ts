/**
 * Our kernels on every backend in real Chromium (WebGPU through SwiftShader, WebGL, WebAssembly,
 * cpu): the kernel check page (tests/e2e/kernels/page.ts, built by `npm test` into
 * build-test-kernels/) runs each one and tfjs's own ops (or, for Adam, plain JavaScript) on the
 * same inputs. The trainer tests only see whether the loss falls; this sees the numbers.
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

interface Check {
	backend: string;
	kernels: string[];
	diffs: Record<string, number>;
	error?: string;
}

describe('our kernels against tfjs', () => {
	for (const [backend, expected] of [
		[
			'webgpu',
			['WhyPeftMatMul', 'WhyPeftColSum', 'WhyPeftSoftmaxXent', 'WhyPeftReluGrad', 'WhyPeftAdam']
		],
		['webgl', ['WhyPeftColSum', 'WhyPeftSoftmaxXent', 'WhyPeftReluGrad', 'WhyPeftAdam']],
		['wasm', ['WhyPeftAdam']],
		[
			'cpu',
			['WhyPeftMatMul', 'WhyPeftColSum', 'WhyPeftSoftmaxXent', 'WhyPeftReluGrad', 'WhyPeftAdam']
		]
	] as const) {
		it(`${backend}: every kernel agrees within 1e-4`, { timeout: 180_000 }, async () => {
			const page = await (await getBrowser()).newPage();
			try {
				await page.goto(`${server.url}?backend=${backend}`);
				await waitFor(page, () => page.evaluate(() => 'kernelCheck' in window), 150_000);
				const check = (await page.evaluate(
					() => (window as unknown as { kernelCheck: unknown }).kernelCheck
				)) as Check;
				expect(check.error).toBeUndefined();
				expect(check.backend).toBe(backend);
				expect([...check.kernels].sort()).toEqual([...expected].sort());
				expect(Object.keys(check.diffs).length).toBeGreaterThan(30);
				const bad = Object.entries(check.diffs).filter(([, d]) => !(d <= 1e-4));
				expect(bad).toEqual([]);
			} finally {
				await page.close();
			}
		});
	}
});
