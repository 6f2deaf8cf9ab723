/**
 * What `npm test` counts from a Vitest run. The fake reports copy the shapes Vitest 4's JSON
 * reporter wrote for throwaway suites: a `beforeAll` that throws leaves the file `failed` and its
 * tests `skipped`; an `afterAll` that throws leaves them `passed`; an unhandled error leaves no
 * trace in the report (`success: true`) and shows only in the exit status.
 */
import { describe, expect, it } from 'vitest';
import {
	summarizeVitest,
	summaryLines,
	type VitestExit,
	type VitestReport
} from '../../../scripts/testReport.js';

const ROOT = '/repo';

/** One test's entry, as the JSON reporter writes it. */
function result(title: string, status: string, ancestorTitles: string[] = []) {
	return {
		ancestorTitles,
		fullName: [...ancestorTitles, title].join(' '),
		status,
		title,
		failureMessages: status === 'failed' ? ['AssertionError: expected 1 to be 2'] : [],
		meta: {},
		tags: []
	};
}

/** One file's entry, as the JSON reporter writes it. */
function file(
	name: string,
	status: 'passed' | 'failed',
	assertionResults: ReturnType<typeof result>[],
	message = ''
) {
	return { assertionResults, startTime: 0, endTime: 1, status, message, name: `${ROOT}/${name}` };
}

/** A whole report; the counts Vitest adds are derived as it derives them. */
function report(testResults: ReturnType<typeof file>[], success: boolean): VitestReport {
	const tests = testResults.flatMap((f) => f.assertionResults);
	const count = (s: string) => tests.filter((t) => t.status === s).length;
	return {
		numTotalTests: tests.length,
		numPassedTests: count('passed'),
		numFailedTests: count('failed'),
		numPendingTests: count('skipped'),
		numTodoTests: count('todo'),
		success,
		testResults
	} as VitestReport;
}

const six = file(
	'tests/unit/ok.test.ts',
	'passed',
	[0, 1, 2, 3, 4, 5].map((i) => result(`p${i}`, 'passed', ['ok']))
);
const OK: VitestExit = { status: 0, signal: null };
const FAILED: VitestExit = { status: 1, signal: null };

/** The summary, as `npm test` prints it. */
const run = (r: VitestReport | null, exit: VitestExit) => {
	const t = summarizeVitest(r, exit, { root: ROOT });
	return { ...t, lines: summaryLines(t) };
};

describe('summarizeVitest', () => {
	it('fails the run from the issue: a beforeAll threw, so one file failed with its tests skipped', () => {
		const setup = file('tests/unit/setup.test.ts', 'failed', [
			result('a', 'skipped', ['ba']),
			result('b', 'skipped', ['ba'])
		]);
		const t = run(report([six, setup], false), FAILED);
		expect(t).toMatchObject({ passed: 6, failed: 1, skipped: 2 });
		expect(t.failures).toEqual([
			'vitest: file failed before its tests ran: tests/unit/setup.test.ts ' +
				'(no message: see its output above; 2 of 2 tests skipped)'
		]);
		expect(t.skippedNames).toEqual([
			'tests/unit/setup.test.ts › ba › a',
			'tests/unit/setup.test.ts › ba › b'
		]);
		expect(t.lines.at(-1)).toBe('6 passed, 1 failed, 2 skipped');
	});

	it("names a top-level beforeAll's error, which Vitest puts in the file's message", () => {
		const setup = file(
			'tests/unit/setup.test.ts',
			'failed',
			[result('a', 'skipped'), result('b', 'skipped')],
			'top setup broke'
		);
		expect(run(report([setup], false), FAILED).failures).toEqual([
			'vitest: file failed before its tests ran: tests/unit/setup.test.ts ' +
				'(top setup broke; 2 of 2 tests skipped)'
		]);
	});

	it('fails a file whose afterAll threw after all its tests passed', () => {
		const teardown = file(
			'tests/unit/teardown.test.ts',
			'failed',
			[result('c', 'passed')],
			'teardown broke'
		);
		const t = run(report([six, teardown], false), FAILED);
		expect(t).toMatchObject({ passed: 7, failed: 1, skipped: 0 });
		expect(t.failures).toEqual([
			'vitest: file failed after its tests: tests/unit/teardown.test.ts (teardown broke)'
		]);
		expect(t.lines.at(-1)).toBe('7 passed, 1 failed');
	});

	it('fails a file that could not load, naming the first line of its error', () => {
		const broken = file(
			'tests/unit/syntax.test.ts',
			'failed',
			[],
			'Parse failure: Parse failed with 1 error:\nUnexpected token'
		);
		const t = run(report([six, broken], false), FAILED);
		expect(t).toMatchObject({ passed: 6, failed: 1 });
		expect(t.failures).toEqual([
			'vitest: could not run tests/unit/syntax.test.ts (Parse failure: Parse failed with 1 error:)'
		]);
	});

	it('fails a run with an unhandled error, which only the exit status shows', () => {
		// Vitest's report for a test whose stray promise rejected: all green, success: true.
		const t = run(report([six], true), FAILED);
		expect(t).toMatchObject({ passed: 6, failed: 1 });
		expect(t.failures).toEqual([
			'vitest exited with status 1 but reported no failed test (an unhandled error? see its output above)'
		]);
		expect(t.lines.at(-1)).toBe('6 passed, 1 failed');
	});

	it('fails a run whose report says success: false and nothing else', () => {
		const t = run(report([six], false), OK);
		expect(t).toMatchObject({ passed: 6, failed: 1 });
		expect(t.failures).toEqual(['vitest reported success: false but no failed test or file']);
	});

	it('fails a run that exits non-zero with a clean report', () => {
		const t = run(report([six], true), { status: 2, signal: null });
		expect(t.failed).toBe(1);
		expect(t.failures).toEqual([
			'vitest exited with status 2 but reported no failed test (an unhandled error? see its output above)'
		]);
	});

	it('counts success: false and a non-zero exit with nothing else to show as one failure', () => {
		const t = run(report([], false), FAILED);
		expect(t.failed).toBe(1);
		expect(t.failures).toHaveLength(2);
	});

	it('fails a run killed by a signal, once, with both reasons named', () => {
		const t = run(null, { status: null, signal: 'SIGKILL' });
		expect(t).toMatchObject({ passed: 0, failed: 1 });
		expect(t.failures).toEqual(['vitest wrote no readable report', 'vitest was killed by SIGKILL']);
		expect(t.lines.at(-1)).toBe('0 passed, 1 failed');
	});

	it('counts a kill even when the report it left was clean', () => {
		const t = run(report([six], true), { status: null, signal: 'SIGTERM' });
		expect(t).toMatchObject({ passed: 6, failed: 1 });
		expect(t.failures).toEqual(['vitest was killed by SIGTERM']);
	});

	it('fails a run that wrote no report, whatever its exit status', () => {
		expect(run(null, FAILED).failures).toEqual([
			'vitest wrote no readable report',
			'vitest exited with status 1'
		]);
		expect(run(null, FAILED).failed).toBe(1);
		expect(run(null, OK)).toMatchObject({
			failed: 1,
			failures: ['vitest wrote no readable report']
		});
	});

	it('fails a run that could not start', () => {
		const t = run(null, { status: null, signal: null, error: new Error('spawnSync npx ENOENT') });
		expect(t.failed).toBe(1);
		expect(t.failures).toContain('vitest could not run: spawnSync npx ENOENT');
	});

	it('counts a failed test once, not again for its file, success: false or the exit status', () => {
		const failing = file('tests/unit/fail.test.ts', 'failed', [
			result('f', 'failed'),
			result('g', 'passed')
		]);
		const t = run(report([six, failing], false), FAILED);
		expect(t).toMatchObject({ passed: 7, failed: 1, skipped: 0 });
		expect(t.failures).toEqual(['tests/unit/fail.test.ts › f']);
	});

	it('counts and names skipped and todo tests without failing the run', () => {
		const skips = file('tests/unit/skip.test.ts', 'passed', [
			result('skipped one', 'skipped', ['s']),
			result('todo one', 'todo', ['s']),
			result('e', 'passed', ['s']),
			result('xf', 'passed', ['s'])
		]);
		const t = run(report([six, skips], true), OK);
		expect(t).toMatchObject({ passed: 8, failed: 0, skipped: 2, failures: [] });
		expect(t.skippedNames).toEqual([
			'tests/unit/skip.test.ts › s › skipped one',
			'tests/unit/skip.test.ts › s › todo one (todo)'
		]);
		expect(t.lines).toEqual([
			'',
			'Skipped:',
			'  tests/unit/skip.test.ts › s › skipped one',
			'  tests/unit/skip.test.ts › s › todo one (todo)',
			'',
			'8 passed, 0 failed, 2 skipped'
		]);
	});

	it('passes a clean run, ending on the same line as before', () => {
		const t = run(report([six], true), OK);
		expect(t).toMatchObject({ passed: 6, failed: 0, skipped: 0, failures: [], skippedNames: [] });
		expect(t.lines).toEqual(['', '6 passed, 0 failed']);
	});

	it('keeps absolute paths when given no root', () => {
		const failing = file('tests/unit/fail.test.ts', 'failed', [result('f', 'failed', ['d'])]);
		expect(summarizeVitest(report([failing], false), FAILED).failures).toEqual([
			'/repo/tests/unit/fail.test.ts › d › f'
		]);
	});
});

describe('summaryLines', () => {
	it('lists skipped tests, then failures, then the last line the CI reads', () => {
		const lines = summaryLines({
			passed: 3,
			failed: 2,
			skipped: 1,
			failures: ['eslint', 'vitest wrote no readable report'],
			skippedNames: ['a › b']
		});
		expect(lines).toEqual([
			'',
			'Skipped:',
			'  a › b',
			'',
			'Failed:',
			'  eslint',
			'  vitest wrote no readable report',
			'',
			'3 passed, 2 failed, 1 skipped'
		]);
		expect(lines.at(-1)).toMatch(/^\d+ passed, \d+ failed(, \d+ skipped)?$/);
	});
});
