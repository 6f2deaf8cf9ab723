#!/usr/bin/env node
/**
 * `node scripts/leaks.js`: the leak and lifecycle checks of tests/e2e/lifecycle.spec.ts at full
 * size (issue 14), on demand; `npm test` runs a sample of the same checks. In real Chromium, on
 * each tfjs backend (webgpu through SwiftShader, webgl, wasm, cpu): the lab's digits figure
 * trains LEAK_STEPS steps (default 10,000) and its worker's tensor count must end where it began;
 * on webgpu the GPU device is then lost mid-run. Every live figure is mounted, started and
 * unmounted LIFECYCLE_CYCLES times (default 50) by client-side navigation: no worker left, no
 * tensor on the page. Writes bench-results/leaks.json (counts before and after per backend, the
 * page's JS heap after each tour) and prints a summary. On a shared two-core machine without a
 * GPU it took about an hour: webgpu's 10,000 steps on SwiftShader 21 minutes, webgl's 7, the 50
 * tours 16.
 *
 * Builds the site under /why-peft into build-leaks/ first, unless WHY_PEFT_TEST_BUILD names a
 * build already made (as npm test's build-test/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const steps = process.env.LEAK_STEPS ?? '10000';
const cycles = process.env.LIFECYCLE_CYCLES ?? '50';
const out = 'bench-results/leaks.json';

let build = process.env.WHY_PEFT_TEST_BUILD;
if (!build) {
	build = 'build-leaks';
	console.log(`▶ build under /why-peft into ${build}/`);
	const r = spawnSync('npx', ['vite', 'build'], {
		stdio: 'inherit',
		env: { ...process.env, BASE_PATH: '/why-peft', BUILD_DIR: build }
	});
	if (r.status !== 0) process.exit(r.status ?? 1);
} else if (!existsSync(`${build}/index.html`)) {
	console.error(`${build}/index.html is missing`);
	process.exit(1);
}

mkdirSync('bench-results', { recursive: true });
console.log(`▶ lifecycle checks: ${steps} steps a backend, ${cycles} tours of the live figures`);
const r = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', 'tests/e2e/lifecycle.spec.ts'], {
	stdio: 'inherit',
	env: {
		...process.env,
		WHY_PEFT_TEST_BUILD: build,
		LEAK_STEPS: steps,
		LIFECYCLE_CYCLES: cycles,
		LEAK_REPORT: out
	}
});

if (existsSync(out)) {
	const report = JSON.parse(readFileSync(out, 'utf8'));
	console.log(`\nTensors in the trainer worker, before and after training (${out}):`);
	for (const [backend, m] of Object.entries(report.steps ?? {})) {
		const { steps: n, seconds, before, after } = /** @type {any} */ (m);
		console.log(
			`  ${backend.padEnd(6)} ${String(n).padStart(6)} steps in ${seconds.toFixed(0).padStart(4)} s: ` +
				`${before.numTensors} tensors / ${before.numDataBuffers} buffers / ${before.numBytes} bytes before, ` +
				`${after.numTensors} / ${after.numDataBuffers} / ${after.numBytes} after`
		);
	}
	if (report.deviceLost) {
		const { to, after } = report.deviceLost;
		console.log(`  webgpu device lost: went on on ${to}, ${after.numTensors} tensors after`);
	}
	if (report.heapAfterEachTour) {
		const heap = /** @type {number[]} */ (report.heapAfterEachTour).map((b) =>
			(b / 1e6).toFixed(2)
		);
		console.log(`Page JS heap after each of ${report.cycles} tours (MB): ${heap.join(' ')}`);
	}
}
process.exit(r.status ?? 1);
