#!/usr/bin/env node
/**
 * `npm test`: every check the project has, in one command, ending with one line
 * `N passed, N failed` (and `, N skipped` when any test was skipped) that sums them all. The
 * quality gates (svelte-check, ESLint, Prettier) and the test build count one each; Vitest's unit
 * and browser suites count per test. The browser suite runs against a build made under the
 * sub-path /why-peft, which proves the course works when hosted below a folder.
 *
 * Vitest counts as failed whenever anything says it failed, not only a failing test: a file that
 * failed outside its tests (a `beforeAll` or `afterAll` that threw, a file that would not load),
 * `success: false` in its report, a non-zero exit (an unhandled error shows only there), a kill,
 * or no report at all. scripts/testReport.js decides what counts; the skipped tests and every
 * reason for a failure are listed above the last line. Exits non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { summarizeVitest, summaryLines } from './testReport.js';

let passed = 0;
let failed = 0;
/** @type {string[]} */
const failures = [];

/**
 * Run a command as one pass/fail check.
 * @param {string} name @param {string} command @param {string[]} args
 * @param {Record<string, string>} [env]
 */
function gate(name, command, args, env = {}) {
	console.log(`\n▶ ${name}`);
	const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
	if (r.status === 0) passed++;
	else {
		failed++;
		failures.push(name);
	}
	return r.status === 0;
}

spawnSync('npx', ['svelte-kit', 'sync'], { stdio: 'inherit' });
gate('svelte-check', 'npx', ['svelte-check', '--fail-on-warnings']);
gate('eslint', 'npx', ['eslint', '.']);
gate('prettier', 'npx', ['prettier', '--check', '.']);
rmSync('build-test', { recursive: true, force: true });
const built =
	gate('build (under /why-peft)', 'npx', ['vite', 'build'], {
		BASE_PATH: '/why-peft',
		BUILD_DIR: 'build-test'
	}) &&
	gate('build the kernel check page', 'npx', [
		'vite',
		'build',
		'--config',
		'tests/e2e/kernels/vite.config.ts'
	]);

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
rmSync(report, { force: true });
console.log(`\n▶ vitest${built ? '' : ' (unit only: the build failed)'}`);
const vitest = spawnSync(
	'npx',
	[
		'vitest',
		'run',
		...(built ? [] : ['--project', 'unit']),
		'--reporter=default',
		'--reporter=json',
		`--outputFile.json=${report}`
	],
	{ stdio: 'inherit' }
);
let parsed = null;
if (existsSync(report)) {
	try {
		parsed = JSON.parse(readFileSync(report, 'utf8'));
	} catch (e) {
		console.error(`Could not read ${report}: ${e instanceof Error ? e.message : e}`);
	}
}
const v = summarizeVitest(parsed, vitest, { root: process.cwd() });

for (const line of summaryLines({
	passed: passed + v.passed,
	failed: failed + v.failed,
	skipped: v.skipped,
	failures: [...failures, ...v.failures],
	skippedNames: v.skippedNames
}))
	console.log(line);
process.exit(failed + v.failed === 0 ? 0 : 1);
