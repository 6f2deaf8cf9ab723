#!/usr/bin/env node
/**
 * `npm run bench`: timings in headless Chromium, compared as ratios within one run (timings on a
 * shared two-core machine are noisy, so only ratios are meaningful and none of this is a test).
 *
 * 1. Steps per second of our trainer per backend (wasm, webgl, webgpu, cpu) for the MLP and the
 *    character transformer, small (d 48, 2 layers, 16×32 tokens a step), large (d 128,
 *    4 layers, 16×64 tokens) and the course's language model as the lab trains it (d 96,
 *    3 layers, 8×64 tokens), full fine-tuning and LoRA, against two peers: the same MLP
 *    fine-tune written the usual way with tfjs-layers `model.fit`, on the same backend; and every
 *    case written in PyTorch on the CPU with two threads (scripts/bench/torch_peer.py, run by
 *    Debian's /usr/bin/python3 when it can import torch, else skipped with a note), once before
 *    the browser's runs and once after. Per backend, ours ÷ PyTorch for every case both have.
 *    PyTorch's products go through the system's libblas.so.3: the run names it, and says so
 *    when it is Debian's reference BLAS, which makes PyTorch many times slower than usual.
 * 2. The lab widget as a reader meets it (automatic backend): time from the widget's start to its
 *    first training step, training speed there, and main-thread tasks over 50 ms while it trains;
 *    and lesson 4's spectrum lab while it trains: long tasks and spectrum refreshes per second.
 * 3. The SVD toolkit (src/lib/math/svd.ts) against ml-matrix's SingularValueDecomposition on the
 *    same seeded matrices, like for like: our singularValues against ml-matrix with no vectors, our
 *    svd against its full U, S, V. Median milliseconds of interleaved repetitions, and the ratios.
 * 4. Our matrix product alone (scripts/bench/gemm.ts) in GFLOP/s on the language model's product
 *    shapes, one thread and the helper threads (with BENCH_ISOLATE=1), beside PyTorch's BLAS on
 *    the same shapes (torch_peer.py --gemm): WebAssembly's 128-bit SIMD against native code.
 *
 * Builds the benchmark pages and the site, then writes bench-results/bench.json with the parts
 * that ran. Environment: BENCH_ONLY, a comma list of the parts to run, trainer, lab, svd and gemm
 * (default all four); BENCH_SECONDS (per trainer case, default 3; the cases of one model run
 * interleaved in rounds); BENCH_CASES, the trainer's case groups, mlp, transformer, large and lm
 * (default all four; leave out large for a quick run: on the cpu and webgpu backends of a
 * GPU-less machine its steps take seconds); BENCH_BACKENDS (default wasm,webgl,webgpu,cpu; add
 * wasm-plain for WebAssembly with our kernels' plain SIMD build instead of the relaxed one, fused
 * multiply-add off, to print what fusing gives);
 * BENCH_LAB=0 to skip the lab part; BENCH_ISOLATE=1 to serve the trainer's page cross-origin
 * isolated (tfjs's threaded WebAssembly build: its thread count is reported, and each transformer's
 * full fine-tuning is also timed with our SIMD kernels' helper threads off, giving what they add); BENCH_CHUNK_MS to size the chunks of queued steps, ours and
 * PyTorch's (default: as the worker does); BENCH_PROFILE, a transformer group (lm, large or
 * transformer), to print where a step of its full fine-tuning goes, kernel by kernel, on each
 * backend (with BENCH_CASES= empty, only that); BENCH_SVD_SIZES (default 256x256,64x64,128x512) and
 * BENCH_SVD_REPS (default 9).
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
const caseGroups = process.env.BENCH_CASES ?? 'mlp,transformer,large,lm';
/** Thrown to skip the lab part (BENCH_LAB=0). */
class Skip extends Error {}
const parts = new Set(
	(process.env.BENCH_ONLY ?? 'trainer,lab,svd,gemm').split(',').filter(Boolean)
);
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

/** @type {boolean | undefined} */
let torchImports;
/** Whether Debian's /usr/bin/python3 can import torch (asked once). */
function hasTorch() {
	torchImports ??= spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;
	return torchImports;
}

/**
 * Run scripts/bench/torch_peer.py with `args` (and `env`): the JSON of its last line of output.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
function torchPeerJson(args, env = process.env) {
	const r = spawnSync('/usr/bin/python3', ['scripts/bench/torch_peer.py', ...args], {
		encoding: 'utf8',
		env,
		stdio: ['ignore', 'pipe', 'inherit']
	});
	if (r.status !== 0) throw new Error('the PyTorch peer failed');
	return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
}

/**
 * The native peer: the trainer's cases in PyTorch on the CPU (two threads): its JSON, with steps
 * per second by case name, or undefined when Debian's python3 cannot import torch.
 * @param {string} when a word for the log: before or after the browser's runs
 * @returns {{ torch: string, threads: number, ompWaitPolicy: string, blas: string, stepsPerSecond: Record<string, number> } | undefined}
 */
function torchPeer(when) {
	if (!hasTorch()) {
		if (when === 'before')
			console.log(
				'PyTorch peer skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)'
			);
		return undefined;
	}
	console.log(`▶ PyTorch peer (CPU, 2 threads), ${when} the browser's runs`);
	const args = ['--seconds', String(seconds), '--cases', caseGroups];
	if (process.env.BENCH_CHUNK_MS) args.push('--chunk-ms', process.env.BENCH_CHUNK_MS);
	return torchPeerJson(args);
}

/**
 * Part 4: our matrix product alone, GFLOP/s per shape of the language model's step, beside
 * PyTorch's BLAS on the same shapes when Debian's python3 has torch.
 * @param {string} url the benchmark server's address
 */
async function benchGemm(url) {
	const page = await browser.newPage();
	await page.goto(`${url}?part=gemm`);
	await page.waitForFunction(() => 'benchResult' in window, null, { timeout: 600_000 });
	const r = await page.evaluate(() => /** @type {any} */ (window).benchResult);
	await page.close();
	if (r.error) {
		console.log(`gemm: ${r.error}`);
		return { error: r.error };
	}
	// One process per thread count: OpenBLAS's pthread build takes its count from the environment
	// when it loads, whatever torch.set_num_threads says (without OPENBLAS_NUM_THREADS=1 a
	// "one-thread" torch.mm ran on both cores here).
	const torchRuns = (hasTorch() ? [1, 2] : []).map((threads) =>
		torchPeerJson(['--gemm', '--threads', String(threads)], {
			...process.env,
			OPENBLAS_NUM_THREADS: String(threads),
			OMP_NUM_THREADS: String(threads)
		})
	);
	const torch = torchRuns.length
		? {
				blas: torchRuns[0].blas,
				gflops: Object.fromEntries(
					Object.keys(torchRuns[0].gflops).map((k) => [
						k,
						Object.assign({}, ...torchRuns.map((t) => t.gflops[k]))
					])
				)
			}
		: undefined;
	console.log(
		`matrix products, GFLOP/s (best of 12 batches; ours ${r.fused ? 'with' : 'without'} fused multiply-add):`
	);
	/** @type {Record<string, Record<string, number>>} */
	const out = {};
	for (const row of r.rows) {
		out[row.shape] = { ...row.gflops, ...(torch?.gflops?.[row.shape] ?? {}) };
		console.log(
			`  ${row.shape.padEnd(22)} ` +
				Object.entries(out[row.shape])
					.map(([k, v]) => `${k} ${v.toFixed(1)}`)
					.join(' · ')
		);
	}
	return { fused: r.fused, threads: r.threads, blas: torch?.blas, gflops: out };
}

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
/** @type {{ date: string, seconds: number, cases: string, backends: Record<string, any>, torch?: any, svd: any, lab: any, spectrumLab: any }} */
const result = {
	date: new Date().toISOString(),
	seconds,
	cases: caseGroups,
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
	// BENCH_ISOLATE=1: cross-origin isolated, so tfjs may run its threaded WebAssembly build.
	const benchServer = await serve({
		dir: 'bench-results/app',
		port: 0,
		isolate: process.env.BENCH_ISOLATE === '1'
	});
	// PyTorch before and after the browser's runs, so that a drift in the machine's speed during
	// the run shows as a difference between the two instead of tilting every ratio one way.
	const torchBefore = backends.length && caseGroups ? torchPeer('before') : undefined;
	for (const backend of backends) {
		const page = await browser.newPage();
		const query = backend === 'wasm-plain' ? 'backend=wasm&relaxed=0' : `backend=${backend}`;
		await page.goto(
			`${benchServer.url}?${query}&seconds=${seconds}&cases=${caseGroups}${process.env.BENCH_CHUNK_MS ? `&chunkMs=${process.env.BENCH_CHUNK_MS}` : ''}`
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
			crossOriginIsolated: r.crossOriginIsolated,
			wasmThreads: r.wasmThreads,
			simdInPlace: r.simdInPlace,
			simdFused: r.simdFused,
			simdThreads: r.simdThreads,
			helpersGain: Object.fromEntries(
				Object.keys(rows)
					.filter((k) => k.endsWith(', our kernels on 1 thread'))
					.map((k) => {
						const full = k.replace(', our kernels on 1 thread', '');
						return [full, rows[full] / rows[k]];
					})
			),
			oursOverPeer: rows['ours: MLP full'] / peer,
			loraOverFull: {
				mlp: rows['ours: MLP LoRA r=4'] / rows['ours: MLP full'],
				transformer: rows['ours: transformer LoRA r=4'] / rows['ours: transformer full'],
				transformerLarge:
					rows['ours: transformer large LoRA r=4'] / rows['ours: transformer large full'],
				languageModel: rows['ours: language model LoRA r=4'] / rows['ours: language model full']
			}
		};
		console.log(
			`${backend}:${r.crossOriginIsolated ? ` cross-origin isolated, ${r.wasmThreads} WebAssembly thread(s),` : ''}` +
				(r.simdInPlace === null
					? ''
					: ` our SIMD kernels ${r.simdInPlace ? 'in place' : 'copying'}` +
						(r.simdFused ? ', fused multiply-add' : ''))
		);
		for (const [k, v] of Object.entries(rows))
			console.log(
				`  ${k.padEnd(40)} ${errors[k] ? `failed: ${errors[k]}` : `${v.toFixed(1)} steps/s`}`
			);
		if (peer)
			console.log(`  ours / peer (MLP full): ${(rows['ours: MLP full'] / peer).toFixed(2)}×`);
		for (const [k, v] of Object.entries(result.backends[backend].helpersGain))
			console.log(`  ${k} with our kernels on ${r.simdThreads} threads ÷ on 1: ${v.toFixed(2)}×`);
	}
	// BENCH_PROFILE=lm (a transformer group): where a step of its full fine-tuning goes.
	if (process.env.BENCH_PROFILE) {
		for (const backend of backends) {
			const page = await browser.newPage();
			const query = backend === 'wasm-plain' ? 'backend=wasm&relaxed=0' : `backend=${backend}`;
			await page.goto(`${benchServer.url}?${query}&profile=${process.env.BENCH_PROFILE}`);
			await page.waitForFunction(() => 'benchResult' in window, null, { timeout: 600_000 });
			const r = await page.evaluate(() => /** @type {any} */ (window).benchResult);
			await page.close();
			if (r.error) {
				console.log(`profile on ${backend}: ${r.error}`);
				continue;
			}
			const p = r.profile;
			(result.profiles ??= {})[backend] = p;
			console.log(
				`profile of ${process.env.BENCH_PROFILE} full on ${backend} (${r.simdThreads} thread(s)): ` +
					`${p.wallMsPerStep.toFixed(2)} ms a step, ${p.kernelsPerStep.toFixed(0)} kernels ` +
					`taking ${p.kernelMsPerStep.toFixed(2)} ms under the profiler`
			);
			for (const row of p.rows.slice(0, 30))
				console.log(
					`  ${row.msPerStep.toFixed(3).padStart(8)} ms ${row.callsPerStep.toFixed(1).padStart(5)}×  ${row.kernel.slice(0, 90)}`
				);
		}
	}
	const fused = result.backends.wasm?.stepsPerSecond;
	const plain = result.backends['wasm-plain']?.stepsPerSecond;
	if (fused && plain) {
		console.log('wasm ÷ wasm-plain (our kernels with fused multiply-add ÷ without, this run):');
		for (const k of Object.keys(fused))
			if (k.startsWith('ours') && Number.isFinite(plain[k]))
				console.log(`  ${k.padEnd(40)} ${(fused[k] / plain[k]).toFixed(2)}×`);
	}
	const torchAfter = torchBefore ? torchPeer('after') : undefined;
	if (torchBefore && torchAfter) {
		const before = torchBefore.stepsPerSecond;
		const after = torchAfter.stepsPerSecond;
		/** @type {Record<string, number>} */
		const mean = {};
		for (const k of Object.keys(before)) mean[k] = (before[k] + after[k]) / 2;
		const { torch, threads, ompWaitPolicy, blas } = torchAfter;
		result.torch = { torch, threads, ompWaitPolicy, blas, before, after, stepsPerSecond: mean };
		console.log(
			`PyTorch ${torch} on the CPU, ${threads} threads, BLAS ${blas} (mean of a run before ` +
				'and one after the browser’s; only ratios within one run count):'
		);
		// Debian's alternatives fall back on the reference BLAS, plain loops on one thread.
		if (/\/blas\/libblas/.test(blas))
			console.log(
				'  note: that is the reference BLAS, many times slower than an optimised one: ' +
					'install libopenblas0-pthread for a PyTorch as people run it'
			);
		for (const [k, v] of Object.entries(mean))
			console.log(
				`  ${k.padEnd(40)} ${v.toFixed(1)} steps/s (before ${before[k].toFixed(1)}, after ${after[k].toFixed(1)})`
			);
		for (const backend of backends) {
			const b = result.backends[backend];
			if (!b.stepsPerSecond) continue;
			b.oursOverTorch = Object.fromEntries(
				Object.keys(mean)
					.filter((k) => Number.isFinite(b.stepsPerSecond[k]))
					.map((k) => [k, b.stepsPerSecond[k] / mean[k]])
			);
			console.log(`ours on ${backend} ÷ PyTorch on the CPU (steps per second, this run):`);
			for (const [k, v] of Object.entries(b.oursOverTorch))
				console.log(`  ${k.padEnd(40)} ${v.toFixed(3)}×`);
		}
	}
	if (parts.has('svd')) result.svd = await benchSvd(benchServer.url);
	if (parts.has('gemm')) result.gemm = await benchGemm(benchServer.url);
	await benchServer.close();

	if (!withLab) throw new Skip();
	const site = await serve({ dir: 'build', port: 0 });
	// No service worker: storing the whole course (17 MB) on the first visit would load the
	// machine while the lab is timed.
	const context = await browser.newContext({ serviceWorkers: 'block' });
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
