#!/usr/bin/env node
/**
 * `npm run soak`: the lab's digits figure trains for a long time (30 minutes by default) in
 * headless Chromium, and every minute the script reads, after a forced garbage collection, the
 * JavaScript heap of the page and of its trainer worker (CDP `Runtime.getHeapUsage`) and the
 * worker's tfjs tensor count and bytes. A run that reaches its step limit is reset and trained
 * again, so the soak also goes through many resets. It prints a table and a least-squares slope
 * per series over the samples after the first minute (the warm-up: compiled code, the first
 * curves filling), and says whether each stays flat, that is, does not grow (a leak grows; a
 * heap that shrinks after the warm-up is not one):
 *
 *   heap (page, worker)   slope × duration < max(1 MiB, 5% of its mean)
 *   tensors, tensor bytes slope × duration < 1 tensor (or 1 KiB)
 *
 * Not part of `npm test` (it takes as long as it is told to). Serves an existing build; make one
 * with `BASE_PATH=/why-peft BUILD_DIR=build-test npx vite build` (what `npm test` makes) first.
 * Environment: SOAK_MINUTES (default 30), SOAK_SAMPLE_SECONDS (default 60), SOAK_BUILD (default
 * build-test), SOAK_BACKEND (default wasm; auto, webgl, webgpu, cpu), SOAK_STEPS (the step limit
 * of each run, default 20000), SOAK_OUT (a JSON file for the samples, default
 * bench-results/soak.json). Exits 1 when a series is not flat.
 *
 *     SOAK_MINUTES=3 SOAK_SAMPLE_SECONDS=20 SOAK_BUILD=build-test npm run soak
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';
import { serve } from './serve.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const sampleSeconds = Number(process.env.SOAK_SAMPLE_SECONDS ?? 60);
const dir = process.env.SOAK_BUILD ?? 'build-test';
const backend = process.env.SOAK_BACKEND ?? 'wasm';
const stepLimit = Number(process.env.SOAK_STEPS ?? 20000);
const out = process.env.SOAK_OUT ?? 'bench-results/soak.json';

/**
 * Least-squares slope of `ys` against `xs`.
 * @param {number[]} xs
 * @param {number[]} ys
 */
function slope(xs, ys) {
	const n = xs.length;
	if (n < 2) return 0;
	const mx = xs.reduce((a, b) => a + b, 0) / n;
	const my = ys.reduce((a, b) => a + b, 0) / n;
	let num = 0;
	let den = 0;
	for (let i = 0; i < n; i++) {
		num += (xs[i] - mx) * (ys[i] - my);
		den += (xs[i] - mx) ** 2;
	}
	return den ? num / den : 0;
}

/**
 * A CDP channel to a worker through the browser's session (non-flat attach: Playwright gives no
 * session of its own to a dedicated worker).
 * @param {import('playwright-core').CDPSession} browserSession
 * @param {string} targetId
 */
async function workerChannel(browserSession, targetId) {
	const { sessionId } = await browserSession.send('Target.attachToTarget', {
		targetId,
		flatten: false
	});
	let id = 0;
	/** @type {Map<number, (m: any) => void>} */
	const waiting = new Map();
	browserSession.on('Target.receivedMessageFromTarget', (e) => {
		if (e.sessionId !== sessionId) return;
		const m = JSON.parse(e.message);
		waiting.get(m.id)?.(m);
		waiting.delete(m.id);
	});
	/** @param {string} method @param {object} [params] */
	return (method, params = {}) =>
		new Promise((resolve, reject) => {
			const i = ++id;
			waiting.set(i, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result)));
			void browserSession.send('Target.sendMessageToTarget', {
				sessionId,
				message: JSON.stringify({ id: i, method, params })
			});
		});
}

async function main() {
	if (!existsSync(`${dir}/index.html`)) {
		throw new Error(
			`${dir}/ is missing: build it with BASE_PATH=/why-peft BUILD_DIR=${dir} npx vite build`
		);
	}
	const server = await serve({ dir, base: '/why-peft', port: 0 });
	const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
	try {
		// No service worker: storing the whole course for offline use is not what is measured.
		const context = await browser.newContext({
			viewport: { width: 1280, height: 900 },
			serviceWorkers: 'block'
		});
		const page = await context.newPage();
		const errors = /** @type {string[]} */ ([]);
		page.on('pageerror', (e) => errors.push(e.message));
		await page.goto(`${server.url}lab/?backend=${backend}&steps=${stepLimit}`);
		const fig = page.getByRole('figure', { name: 'Fine-tune a digits model, live' });
		const train = fig.getByRole('button', { name: 'Train', exact: true });
		await train.waitFor();
		await page.waitForFunction(
			() => document.querySelector('[data-testid="trainable"]') !== null,
			null,
			{ timeout: 120_000 }
		);
		const pageCdp = await context.newCDPSession(page);
		const browserCdp = await browser.newBrowserCDPSession();
		const { targetInfos } = await browserCdp.send('Target.getTargets');
		const worker = targetInfos.find((t) => t.type === 'worker' && t.url.includes('trainer.worker'));
		if (!worker) throw new Error('no trainer worker found');
		const inWorker = await workerChannel(browserCdp, worker.targetId);

		let runs = 0;
		let stepsDone = 0;
		const step = async () => Number(await page.getByTestId('step').innerText());
		await train.click();

		/** Keep it training: a run that stopped at its limit is reset and started again. */
		const keepTraining = async () => {
			if (await train.isVisible().catch(() => false)) {
				if ((await step()) >= stepLimit) {
					runs += 1;
					stepsDone += stepLimit;
					await fig.getByRole('button', { name: 'Reset' }).click();
					await page.waitForFunction(
						() => document.querySelector('[data-testid="step"]')?.textContent === '0'
					);
				}
				await train.click();
			}
		};

		const samples = [];
		const t0 = Date.now();
		const end = t0 + minutes * 60_000;
		const sample = async () => {
			await pageCdp.send('HeapProfiler.collectGarbage');
			await inWorker('HeapProfiler.collectGarbage');
			const pageHeap = (await pageCdp.send('Runtime.getHeapUsage')).usedSize;
			const workerHeap = (await inWorker('Runtime.getHeapUsage')).usedSize;
			const mem = (
				await inWorker('Runtime.evaluate', {
					expression: 'JSON.stringify(globalThis._tfengine.memory())',
					returnByValue: true
				})
			).result.value;
			const { numTensors, numBytes } = JSON.parse(mem);
			const s = {
				minute: (Date.now() - t0) / 60_000,
				steps: stepsDone + (await step()),
				runs,
				pageHeap,
				workerHeap,
				tensors: numTensors,
				tensorBytes: numBytes
			};
			samples.push(s);
			const mb = (/** @type {number} */ b) => (b / 2 ** 20).toFixed(2).padStart(7);
			console.log(
				`${s.minute.toFixed(1).padStart(6)} ${String(s.steps).padStart(8)} ${String(runs).padStart(4)}` +
					` ${mb(pageHeap)} ${mb(workerHeap)} ${String(numTensors).padStart(7)} ${String(numBytes).padStart(10)}`
			);
		};
		console.log(
			`Soak: the lab's digits figure on ${backend}, ${minutes} min, a sample every ${sampleSeconds} s, runs of ${stepLimit} steps`
		);
		console.log('   min    steps runs page MiB wkr MiB tensors tensor B');
		let next = t0;
		while (Date.now() < end) {
			if (Date.now() >= next) {
				await sample();
				next += sampleSeconds * 1000;
			}
			await keepTraining();
			await page.waitForTimeout(1000);
		}
		await sample();

		// Judge after the warm-up: the first minute, or the first fifth of a shorter soak.
		const warm = Math.min(1, minutes / 5);
		const judged = samples.filter((s) => s.minute >= warm);
		const xs = judged.map((s) => s.minute);
		const duration = xs.at(-1) - xs[0];
		/** @param {keyof typeof samples[0]} key @param {(mean: number) => number} allowed */
		const judge = (key, allowed) => {
			const ys = judged.map((s) => /** @type {number} */ (s[key]));
			const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
			const k = slope(xs, ys);
			const drift = k * duration;
			return {
				series: key,
				mean,
				slopePerMinute: k,
				drift,
				allowed: allowed(mean),
				flat: drift < allowed(mean)
			};
		};
		const verdicts = [
			judge('pageHeap', (m) => Math.max(2 ** 20, 0.05 * m)),
			judge('workerHeap', (m) => Math.max(2 ** 20, 0.05 * m)),
			judge('tensors', () => 1),
			judge('tensorBytes', () => 1024)
		];
		console.log(
			`\n${samples.at(-1).steps} steps, ${runs} runs reset; judged over ${duration.toFixed(1)} min ` +
				`(${judged.length} samples from minute ${warm.toFixed(1)}, after the warm-up)`
		);
		for (const v of verdicts) {
			console.log(
				`${v.series.padEnd(12)} mean ${v.mean.toFixed(0).padStart(9)}  slope ${v.slopePerMinute.toFixed(1).padStart(9)}/min` +
					`  drift ${v.drift.toFixed(0).padStart(8)} (allowed +${v.allowed.toFixed(0)})  ${v.flat ? 'flat' : 'GROWS'}`
			);
		}
		if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
		mkdirSync(dirname(out), { recursive: true });
		writeFileSync(
			out,
			JSON.stringify({ backend, minutes, stepLimit, samples, verdicts, errors }, null, '\t')
		);
		console.log(`samples in ${out}`);
		if (!verdicts.every((v) => v.flat) || errors.length) process.exitCode = 1;
	} finally {
		await browser.close();
		await server.close();
	}
}

await main();
