#!/usr/bin/env node
/**
 * `npm run bench`: timings in headless Chromium, compared as ratios within one run (timings on a
 * shared two-core machine are noisy, so only ratios are meaningful and none of this is a test).
 *
 * 1. Steps per second of our trainer per backend (wasm, webgl, webgpu, cpu) for the MLP and the
 *    character transformer, full fine-tuning and LoRA, against the peer: the same MLP fine-tune
 *    written the usual way with tfjs-layers `model.fit`, on the same backend.
 * 2. The lab widget as a reader meets it (automatic backend): time from the widget's start to its
 *    first training step, training speed there, and main-thread tasks over 50 ms while it trains;
 *    and lesson 4's spectrum lab while it trains: long tasks and spectrum refreshes per second.
 * 3. The SVD toolkit (src/lib/math/svd.ts) against ml-matrix's SingularValueDecomposition on the
 *    same seeded matrices, like for like: our singularValues against ml-matrix with no vectors, our
 *    svd against its full U, S, V. Median milliseconds of interleaved repetitions, and the ratios.
 *
 * Builds the benchmark pages and the site, then writes bench-results/bench.json with the parts
 * that ran. Environment: BENCH_ONLY, a comma list of the parts to run, trainer, lab and svd
 * (default all three); BENCH_SECONDS (per trainer case, default 3; the cases of one model run
 * interleaved in rounds); BENCH_BACKENDS (default wasm,webgl,webgpu,cpu); BENCH_LAB=0 to skip
 * the lab part; BENCH_CHUNK_MS to size our trainer's chunks of queued steps (default: as the
 * worker does); BENCH_SVD_SIZES (default 256x256,64x64,128x512) and BENCH_SVD_REPS (default 9).
 * Just the SVD, in under a minute:
 *
 *     BENCH_ONLY=svd npm run bench
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';
import { serve } from './serve.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
/** Thrown to skip the lab part (BENCH_LAB=0). */
class Skip extends Error {}
const parts = new Set((process.env.BENCH_ONLY ?? 'trainer,lab,svd').split(',').filter(Boolean));
const backends = parts.has('trainer')
	? (process.env.BENCH_BACKENDS ?? 'wasm,webgl,webgpu,cpu').split(',').filter(Boolean)
	: [];
const svdSizes = process.env.BENCH_SVD_SIZES ?? '256x256,64x64,128x512';
const svdReps = Number(process.env.BENCH_SVD_REPS ?? 9);

/** @param {string} what @param {string[]} args */
function run(what, args) {
	console.log(`▶ ${what}`);
	const r = spawnSync('npx', args, { stdio: 'inherit' });
	if (r.status !== 0) throw new Error(`${what} failed`);
}

run('build the benchmark page', ['vite', 'build', '--config', 'scripts/bench/vite.config.ts']);
const withLab = parts.has('lab') && process.env.BENCH_LAB !== '0';
if (withLab) run('build the site', ['vite', 'build']);

/**
 * Part 3: the SVD page, one case per size. Returns per size the median ms of each contender and
 * how many times faster ours is than ml-matrix doing the same work.
 * @param {string} url the benchmark server's address
 */
async function benchSvd(url) {
	const page = await browser.newPage();
	await page.goto(`${url}?part=svd&sizes=${svdSizes}&reps=${svdReps}`);
	await page.waitForFunction(() => 'benchResult' in window, null, { timeout: 600_000 });
	const r = await page.evaluate(() => /** @type {any} */ (window).benchResult);
	await page.close();
	if (r.error) {
		console.log(`svd: ${r.error}`);
		return { error: r.error };
	}
	/** @type {Record<string, any>} */
	const out = {};
	console.log(`svd (median of ${svdReps} interleaved repetitions, Chromium):`);
	for (const row of r.rows) {
		const ms = row.ms;
		const ratios = {
			singularValuesVsMlMatrix: ms['ml-matrix: values only'] / ms['ours: singularValues'],
			svdVsMlMatrix: ms['ml-matrix: svd (U, S, V)'] / ms['ours: svd'],
			// ml-matrix's default call forms U and V too: what a reader who just calls it waits.
			singularValuesVsMlMatrixDefault: ms['ml-matrix: svd (U, S, V)'] / ms['ours: singularValues']
		};
		out[`${row.rows}x${row.cols}`] = { ms, ratios, agreement: row.agreement };
		console.log(`  ${row.rows}×${row.cols}:`);
		for (const [k, v] of Object.entries(ms)) console.log(`    ${k.padEnd(28)} ${v.toFixed(2)} ms`);
		console.log(
			`    singular values: ours ${ratios.singularValuesVsMlMatrix.toFixed(1)}× faster; ` +
				`full SVD: ${ratios.svdVsMlMatrix.toFixed(1)}× faster; ` +
				`spectra agree to ${row.agreement.toExponential(1)} of σ₁`
		);
	}
	return out;
}

const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
const result = {
	date: new Date().toISOString(),
	seconds,
	backends: {},
	svd: {},
	lab: {},
	spectrumLab: {}
};

/**
 * Lesson 4's spectrum lab while it trains: main-thread tasks over 50 ms, and how often the
 * spectrum's summary (rewritten with each ΔW snapshot drawn) changes per second.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} url the site's root
 */
async function spectrumLab(context, url) {
	const page = await context.newPage();
	await page.addInitScript(() => {
		/** @type {any} */ (window).longTasks = [];
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) /** @type {any} */ (window).longTasks.push(e.duration);
		}).observe({ type: 'longtask', buffered: true });
	});
	await page.goto(`${url}lessons/low-rank-updates/?spectrum-steps=5000`, { waitUntil: 'load' });
	const figure = page.locator('#fig-spectrum');
	// The figure starts its worker when it comes near the viewport, and pauses when it leaves.
	await figure.scrollIntoViewIfNeeded();
	const train = figure.getByRole('button', { name: 'Train' });
	await train.waitFor();
	const until = Date.now() + 120_000;
	while (!(await train.isEnabled())) {
		if (Date.now() > until) throw new Error('the spectrum lab never became ready');
		await page.waitForTimeout(20);
	}
	await train.click();
	const summary = figure.getByTestId('spectrum-summary');
	await page.waitForFunction(
		(el) => /After \d+ steps/.test(el?.textContent ?? ''),
		await summary.elementHandle(),
		{ timeout: 120_000 }
	);
	await page.evaluate(
		(el) => {
			const w = /** @type {any} */ (window);
			w.longTasks = [];
			w.summaryChanges = 0;
			new MutationObserver(() => w.summaryChanges++).observe(/** @type {Node} */ (el), {
				childList: true,
				characterData: true,
				subtree: true
			});
		},
		await summary.elementHandle()
	);
	const t0 = Date.now();
	await page.waitForTimeout(seconds * 2000);
	const measured = await page.evaluate(() => ({
		longTasks: /** @type {number[]} */ (/** @type {any} */ (window).longTasks),
		changes: /** @type {number} */ (/** @type {any} */ (window).summaryChanges),
		backend: document.querySelector('#fig-spectrum [data-backend]')?.getAttribute('data-backend')
	}));
	const elapsed = (Date.now() - t0) / 1000;
	await page.close();
	return {
		backend: measured.backend,
		spectrumUpdatesPerSecond: measured.changes / elapsed,
		mainThreadTasksOver50ms: measured.longTasks.length,
		longestMainThreadTaskMs: Math.max(0, ...measured.longTasks)
	};
}
try {
	const benchServer = await serve({ dir: 'bench-results/app', port: 0 });
	for (const backend of backends) {
		const page = await browser.newPage();
		await page.goto(
			`${benchServer.url}?backend=${backend}&seconds=${seconds}${process.env.BENCH_CHUNK_MS ? `&chunkMs=${process.env.BENCH_CHUNK_MS}` : ''}`
		);
		await page.waitForFunction(() => 'benchResult' in window, null, { timeout: 600_000 });
		const r = await page.evaluate(() => /** @type {any} */ (window).benchResult);
		await page.close();
		if (r.error) {
			console.log(`${backend}: ${r.error}`);
			result.backends[backend] = { error: r.error };
			continue;
		}
		const rows = Object.fromEntries(
			r.rows.map((/** @type {any} */ x) => [x.case, x.stepsPerSecond])
		);
		const errors = Object.fromEntries(
			r.rows
				.filter((/** @type {any} */ x) => x.error)
				.map((/** @type {any} */ x) => [x.case, x.error])
		);
		const peer = rows['peer: tfjs-layers model.fit, MLP full'];
		result.backends[backend] = {
			stepsPerSecond: rows,
			...(Object.keys(errors).length ? { errors } : {}),
			oursOverPeer: rows['ours: MLP full'] / peer,
			loraOverFull: {
				mlp: rows['ours: MLP LoRA r=4'] / rows['ours: MLP full'],
				transformer: rows['ours: transformer LoRA r=4'] / rows['ours: transformer full']
			}
		};
		console.log(`${backend}:`);
		for (const [k, v] of Object.entries(rows))
			console.log(
				`  ${k.padEnd(40)} ${errors[k] ? `failed: ${errors[k]}` : `${v.toFixed(1)} steps/s`}`
			);
		console.log(`  ours / peer (MLP full): ${(rows['ours: MLP full'] / peer).toFixed(2)}×`);
	}
	if (parts.has('svd')) result.svd = await benchSvd(benchServer.url);
	await benchServer.close();

	if (!withLab) throw new Skip();
	const site = await serve({ dir: 'build', port: 0 });
	const context = await browser.newContext();
	/** Open the lab, press Train as soon as it can be pressed, and time the widget's start. */
	const visit = async () => {
		const page = await context.newPage();
		await page.addInitScript(() => {
			/** @type {any} */ (window).longTasks = [];
			new PerformanceObserver((list) => {
				for (const e of list.getEntries()) /** @type {any} */ (window).longTasks.push(e.duration);
			}).observe({ type: 'longtask', buffered: true });
		});
		await page.goto(`${site.url}lab/?steps=100000`, { waitUntil: 'load' });
		const train = page.getByRole('button', { name: 'Train' });
		await train.waitFor();
		while (!(await train.isEnabled())) await page.waitForTimeout(10);
		await train.click();
		await page.waitForFunction(
			() => performance.getEntriesByName('trainer:first-step').length > 0,
			null,
			{
				timeout: 60_000
			}
		);
		const marks = await page.evaluate(() => {
			const at = (/** @type {string} */ name) => performance.getEntriesByName(name)[0].startTime;
			return {
				start: at('trainer:start'),
				ready: at('trainer:ready'),
				configured: at('trainer:configured'),
				firstStep: at('trainer:first-step')
			};
		});
		await page.evaluate(() => /** @type {any} */ (window.longTasks = []));
		await page.waitForTimeout(seconds * 1000);
		const lab = await page.evaluate(() => ({
			backend: document.querySelector('[data-backend]')?.getAttribute('data-backend'),
			badge: document.querySelector('.badge .now')?.textContent?.trim(),
			why: document.querySelector('.badge .why')?.textContent?.trim(),
			longTasks: /** @type {number[]} */ (/** @type {any} */ (window).longTasks)
		}));
		await page.close();
		return {
			backend: lab.backend,
			reason: lab.why,
			startToReadyMs: marks.ready - marks.start,
			startToConfiguredMs: marks.configured - marks.start,
			startToFirstStepMs: marks.firstStep - marks.start,
			badge: lab.badge,
			mainThreadTasksOver50ms: lab.longTasks.length,
			longestMainThreadTaskMs: Math.max(0, ...lab.longTasks)
		};
	};
	result.lab = { firstVisit: await visit(), nextVisit: await visit() };
	result.spectrumLab = await spectrumLab(context, site.url);
	await context.close();
	await site.close();
	console.log('lab widget:', result.lab);
	console.log('lesson 4, spectrum lab:', result.spectrumLab);
} catch (e) {
	if (!(e instanceof Skip)) throw e;
} finally {
	await browser.close();
}
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/bench.json', `${JSON.stringify(result, null, '\t')}\n`);
console.log('wrote bench-results/bench.json');
