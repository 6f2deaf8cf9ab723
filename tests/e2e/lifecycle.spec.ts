/**
 * Leaks and lifecycles in real Chromium (issue 14), on every tfjs backend:
 *
 * - tensors: the lab's digits figure, forced onto webgpu (SwiftShader), webgl, wasm and cpu,
 *   trains through its real run loop (chunks, evaluations, checkpoints, ΔW snapshots); the
 *   trainer worker's own tfjs engine must hold as many tensors and data buffers after the run as
 *   before it. On webgpu the run then loses its GPU device mid-run and must move on with a
 *   message, with no tensor of the lost backend left behind.
 * - mount and unmount: every kind of live figure (the lab's two, lesson 2's ladder, lesson 3's
 *   measured ledger, lesson 4's spectrum lab, rank slider and rank agreement, lesson 5's shift
 *   lab and intrinsic dimension) is mounted by a SvelteKit client-side navigation, has its
 *   worker started (its first action pressed) and is unmounted by navigating
 *   away; no worker (nested probe workers included, counted through CDP) may be left, and the
 *   page's main thread never holds a tensor.
 * - no WebGPU: `navigator.gpu` deleted in the page and in every worker script; the course falls
 *   back, says why on the badge, and trains.
 *
 * npm test runs a sample sized to a minute or so; `node scripts/leaks.js` runs the same checks at
 * full size (LEAK_STEPS=10000 on every backend, LIFECYCLE_CYCLES=50) and records what it measured
 * (LEAK_REPORT).
 */
import { writeFileSync } from 'node:fs';
import type { BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { getBrowser, openPage, siteUrl, waitFor } from './browser';
import { text } from './read';

type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * Steps per backend in npm test, sized by what a step of this MLP cost in scripts/leaks.js's
 * 10,000-step runs on a busy two-core machine (wasm 2.7 ms, cpu 24, webgl 41, webgpu 128, after
 * half a minute of compiling shaders): a few seconds each. LEAK_STEPS sets one count for all four.
 */
const SAMPLE_STEPS: Record<Backend, number> = { webgpu: 40, webgl: 150, wasm: 2000, cpu: 150 };
const LEAK_STEPS = Number(process.env.LEAK_STEPS) || 0;
const stepsFor = (b: Backend) => LEAK_STEPS || SAMPLE_STEPS[b];
/** Tours of every live figure: 2 in npm test (10 to 18 s each here), 50 from scripts/leaks.js. */
const CYCLES = Number(process.env.LIFECYCLE_CYCLES) || 2;
/** Milliseconds one step may take at worst, for the time limits (webgpu on a busy machine). */
const WORST_STEP_MS = 400;

/** What the tests measured, written to LEAK_REPORT (a JSON path) when that is set. */
const report: Record<string, unknown> = { steps: {}, cycles: CYCLES };
/** Write what was measured so far (each test saves, so a long run cut short keeps its part). */
function save() {
	if (process.env.LEAK_REPORT)
		writeFileSync(process.env.LEAK_REPORT, JSON.stringify(report, null, '\t') + '\n');
}
afterAll(save);

/** A tfjs engine's counts, read where it lives (tfjs keeps its engine on the global object). */
interface Memory {
	backend: string;
	numTensors: number;
	numDataBuffers: number;
	numBytes: number;
}

const readMemory = (): Memory | null => {
	const engine = (
		globalThis as unknown as {
			_tfengine?: {
				backendName: string;
				memory(): { numTensors: number; numDataBuffers: number; numBytes: number };
			};
		}
	)._tfengine;
	if (!engine) return null;
	const m = engine.memory();
	return {
		backend: engine.backendName,
		numTensors: m.numTensors,
		numDataBuffers: m.numDataBuffers,
		numBytes: m.numBytes
	};
};

/** The page's one trainer worker. */
async function trainerWorker(page: Page): Promise<Worker> {
	let found: Worker | undefined;
	await waitFor(page, () => {
		found = page.workers().find((w) => w.url().includes('trainer.worker'));
		return !!found;
	});
	return found!;
}

/**
 * The worker's tfjs counts at rest: once the figure has stopped training, the fewest tensors
 * seen, read every 200 ms until that fewest has held for 2 s. Tensors only come and go on top
 * of the run's own: on webgpu, for one, the last step's small outputs live until the GPU has
 * read them back (over a second after a pause on SwiftShader here). A leak raises the fewest.
 */
async function settled(page: Page, worker: Worker, ms = 60_000): Promise<Memory> {
	const train = page.locator('#finetune-demo').getByRole('button', { name: 'Train' });
	await waitFor(page, async () => (await train.count()) > 0, ms);
	const end = Date.now() + ms;
	let least: Memory | null = null;
	let since = Date.now();
	while (Date.now() - since < 2000 && Date.now() < end) {
		const now = await worker.evaluate(readMemory);
		if (now && (!least || now.numTensors < least.numTensors)) {
			least = now;
			since = Date.now();
		}
		await page.waitForTimeout(200);
	}
	expect(least?.numTensors).toBeGreaterThan(0);
	return least!;
}

/** No more tensors or buffers than before (fewer only by what was in flight then). */
function expectNoGrowth(after: Memory, before: Memory) {
	expect(after.numTensors).toBeLessThanOrEqual(before.numTensors);
	expect(after.numDataBuffers).toBeLessThanOrEqual(before.numDataBuffers);
	expect(after.numTensors).toBeGreaterThanOrEqual(before.numTensors - 2);
}

const trainedSteps = async (page: Page) => Number(await text(page, 'step'));

describe('tensor count after training, per backend', () => {
	for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
		const steps = stepsFor(backend);
		const lose = backend === 'webgpu';
		const timeout = 120_000 + steps * WORST_STEP_MS + (lose ? 120_000 : 0);
		const title = lose
			? `webgpu: back to its baseline after ${steps} steps, and after losing the GPU device mid-run`
			: `${backend}: back to its baseline after ${steps} steps`;
		it(title, { timeout }, async () => {
			const { page, log, close } = await openPage(`lab/?backend=${backend}&steps=100000&lr=0.01`);
			try {
				const figure = page.locator('#finetune-demo');
				const train = figure.getByRole('button', { name: 'Train' });
				const pause = figure.getByRole('button', { name: 'Pause' });
				// The baseline: after a few steps (so Adam's state and every cache exist), paused.
				await waitFor(page, () => train.isEnabled(), 120_000);
				await train.click();
				const worker = await trainerWorker(page);
				await waitFor(page, async () => (await trainedSteps(page)) >= 2, 120_000);
				await pause.click();
				const before = await settled(page, worker);
				expect(before.backend).toBe(backend);
				const from = await trainedSteps(page);
				const t0 = Date.now();
				await train.click();
				await waitFor(page, async () => (await trainedSteps(page)) >= from + steps, timeout);
				await pause.click();
				const after = await settled(page, worker);
				const seconds = (Date.now() - t0) / 1000;
				const trained = (await trainedSteps(page)) - from;
				(report.steps as Record<string, unknown>)[backend] = {
					steps: trained,
					seconds,
					before,
					after
				};
				save();
				expect(await figure.locator('[data-backend]').getAttribute('data-backend')).toBe(backend);
				expect(after.backend).toBe(backend);
				expectNoGrowth(after, before);
				if (lose) await loseDevice(page, worker, before);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});

/**
 * Train again, destroy the worker's WebGPU device (as a driver reset or an unplugged GPU would),
 * and expect: a message saying what failed and where the run goes on, the badge on the new
 * backend, steps still coming (never a frozen page), and, paused, the same tensors as the
 * baseline: nothing of the lost backend left in the engine.
 */
async function loseDevice(page: Page, worker: Worker, baseline: Memory) {
	const figure = page.locator('#finetune-demo');
	const from = await trainedSteps(page);
	await figure.getByRole('button', { name: 'Train' }).click();
	await waitFor(page, async () => (await trainedSteps(page)) >= from + 2, 60_000);
	const destroyed = await worker.evaluate(() => {
		const engine = (
			globalThis as unknown as { _tfengine?: { backend?: { device?: { destroy(): void } } } }
		)._tfengine;
		engine?.backend?.device?.destroy();
		return engine?.backend?.device !== undefined;
	});
	expect(destroyed).toBe(true);
	const alert = figure.getByRole('alert');
	await waitFor(page, async () => (await alert.count()) > 0, 60_000);
	expect(await alert.innerText()).toMatch(
		/^WebGPU failed \(the GPU device was lost: destroyed\); continuing on (WebGL|WebAssembly|plain JavaScript) from step \d+\.$/
	);
	const now = await figure.locator('[data-backend]').getAttribute('data-backend');
	expect(now).not.toBe('webgpu');
	expect(await figure.locator('.why').innerText()).toBe('Fell back from WebGPU.');
	const at = await trainedSteps(page);
	await waitFor(page, async () => (await trainedSteps(page)) > at + 5, 60_000);
	await figure.getByRole('button', { name: 'Pause' }).click();
	const after = await settled(page, worker);
	report.deviceLost = { to: now, before: baseline, after };
	save();
	expect(after.backend).toBe(now);
	// The run's tensors rebuilt on the new backend and nothing of the lost one: a failed backend
	// whose tensors were never freed would double the count.
	expectNoGrowth(after, baseline);
}

/**
 * Every kind of live figure, by page: its figure's id and how its worker starts (scrolled near,
 * or a button pressed: a figure that starts on the reader's first action).
 */
const LIVE: { path: string; figures: { id: string; press?: string }[] }[] = [
	{
		path: 'lab/',
		figures: [
			{ id: 'finetune-demo', press: 'Train' },
			{ id: 'language-lab', press: 'Fine-tune' }
		]
	},
	{ path: 'lessons/scaling-laws/', figures: [{ id: 'fig-ladder', press: 'Run live' }] },
	{ path: 'lessons/what-fine-tuning-costs/', figures: [{ id: 'measured', press: 'Measure' }] },
	{
		path: 'lessons/low-rank-updates/',
		figures: [
			{ id: 'fig-spectrum', press: 'Train' },
			{ id: 'fig-rank', press: 'Train both' },
			{ id: 'fig-agree', press: 'Run live' }
		]
	},
	{
		path: 'lessons/when-peft-works/',
		figures: [
			{ id: 'fig-shift-lab', press: 'Run live' },
			{ id: 'fig-intrinsic', press: 'Run live' }
		]
	}
];

/** Workers alive in the page, nested ones (a trainer's warm-up probe) included. */
async function workerCount(cdp: CDPSession): Promise<number> {
	const { targetInfos } = await cdp.send('Target.getTargets');
	return targetInfos.filter((t) => t.type === 'worker').length;
}

/** Navigate the way a reader's click does: SvelteKit's client-side router, no page load. */
async function navigate(page: Page, path: string) {
	const href = new URL(siteUrl(path)).pathname;
	await page.evaluate((h) => {
		const a = document.createElement('a');
		a.href = h;
		document.body.append(a);
		a.click();
		a.remove();
	}, href);
	await page.waitForURL(siteUrl(path));
}

describe('live figures mounted and unmounted', () => {
	it(
		`${CYCLES} tours of every live figure leave no worker and no tensor behind`,
		{ timeout: 60_000 + CYCLES * 60_000 },
		async () => {
			const { page, log, close } = await openPage('glossary/');
			try {
				const cdp = await page.context().newCDPSession(page);
				// Set once: still there after every navigation only if none reloaded the page.
				await page.evaluate(() => ((window as unknown as { tour: number }).tour = 1));
				const heap: number[] = [];
				for (let cycle = 0; cycle < CYCLES; cycle++) {
					for (const { path, figures } of LIVE) {
						await navigate(page, path);
						for (const [i, { id, press }] of figures.entries()) {
							const figure = page.locator(`#${id}`);
							await figure.scrollIntoViewIfNeeded();
							if (press) await figure.getByRole('button', { name: press, exact: true }).click();
							// Each figure's worker starts: at least one more than before it.
							await waitFor(page, async () => (await workerCount(cdp)) > i, 30_000);
						}
						expect(await workerCount(cdp), path).toBeGreaterThanOrEqual(figures.length);
						await navigate(page, 'glossary/');
						await waitFor(page, async () => (await workerCount(cdp)) === 0, 10_000);
					}
					expect(await page.evaluate(readMemory)).toBeNull();
					await cdp.send('HeapProfiler.collectGarbage');
					heap.push(await page.evaluate(() => performance.memory.usedJSHeapSize));
					report.heapAfterEachTour = heap;
					save();
				}
				expect(await page.evaluate(() => (window as unknown as { tour?: number }).tour)).toBe(1);
				// A long run (scripts/leaks.js) also checks the page's heap levels off: over 50 tours here
				// it rose 2.8 MB in the first 13 (code and data loaded once), then 0.4 MB in the other 37.
				if (heap.length >= 20) expect(heap.at(-1)! - heap.at(-20)!).toBeLessThan(1e6);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);
});

declare global {
	interface Performance {
		memory: { usedJSHeapSize: number };
	}
}

/**
 * A browser without WebGPU: `navigator.gpu` deleted before any script runs, in the page (an init
 * script) and in every worker (its script served with the same deletion in front), since a
 * worker has a navigator of its own that no page script reaches.
 */
async function withoutWebGPU(context: BrowserContext) {
	await context.addInitScript(() => {
		delete (Navigator.prototype as { gpu?: unknown }).gpu;
	});
	await context.route('**/_app/immutable/workers/*.js', async (route) => {
		const response = await route.fetch();
		const body = `delete WorkerNavigator.prototype.gpu;\n${await response.text()}`;
		await route.fulfill({ response, body });
	});
}

describe('no WebGPU in the browser', () => {
	it('falls back, says why on the badge, and trains', { timeout: 120_000 }, async () => {
		const browser = await getBrowser();
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
		const errors: string[] = [];
		try {
			await withoutWebGPU(context);
			const page = await context.newPage();
			page.on('pageerror', (e) => errors.push(e.message));
			page.on('console', (m) => {
				if (m.type() === 'error') errors.push(m.text());
			});
			// The reader's default, an automatic choice: it must train and say why it is not on WebGPU.
			await page.goto(siteUrl('lab/?steps=30'));
			expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
			const train = page.getByRole('button', { name: 'Train' });
			await waitFor(page, () => train.isEnabled());
			await train.click();
			const worker = await trainerWorker(page);
			expect(await worker.evaluate(() => 'gpu' in navigator)).toBe(false);
			await waitFor(page, async () => (await trainedSteps(page)) >= 30);
			const why = page.locator('#finetune-demo .why');
			await waitFor(page, async () => /warm-up \(/.test(await why.innerText()));
			expect(await why.innerText()).toMatch(/^No WebGPU in this browser\. \S+ was fastest/);
			expect(await page.locator('[data-backend]').getAttribute('data-backend')).not.toBe('webgpu');

			// Asked for WebGPU by name, it says it could not start and why.
			await page.goto(siteUrl('lab/?backend=webgpu&steps=10'));
			await waitFor(page, () => train.isEnabled());
			await train.click();
			await waitFor(page, async () => (await page.locator('[data-backend]').count()) > 0);
			expect(await page.locator('[data-backend]').getAttribute('data-backend')).not.toBe('webgpu');
			expect(await why.innerText()).toMatch(
				/^WebGPU could not start here \(no WebGPU in this browser\); using \S+ instead\.$/
			);
			expect(errors).toEqual([]);
		} finally {
			await context.close();
		}
	});
});
