#!/usr/bin/env node
/**
 * `npm test`: every check the project has, in one command, ending with one line
 * `N passed, N failed` that sums them all. The quality gates (svelte-check, ESLint, Prettier) and
 * the test build count one each; Vitest's unit and browser suites count per test. The browser
 * suite runs against a build made under the sub-path /why-peft, which proves the course works
 * when hosted below a folder. Exits non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

let passed = 0;
let failed = 0;
const failures = [];

/** Run a command as one pass/fail check. */
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
spawnSync(
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
if (existsSync(report)) {
	const r = JSON.parse(readFileSync(report, 'utf8'));
	passed += r.numPassedTests;
	failed += r.numFailedTests;
	// A file that fails to load counts as a failure even though none of its tests ran.
	const broken = r.testResults.filter(
		(f) => f.status === 'failed' && f.assertionResults.length === 0
	);
	failed += broken.length;
	for (const f of broken) failures.push(`could not run ${f.name}`);
	for (const f of r.testResults)
		for (const a of f.assertionResults)
			if (a.status === 'failed') failures.push(`${a.ancestorTitles.join(' › ')} › ${a.title}`);
} else {
	failed++;
	failures.push('vitest produced no report');
}

if (failures.length) console.log(`\nFailed:\n  ${failures.join('\n  ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
