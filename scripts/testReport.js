/**
 * What a Vitest run adds to `npm test`'s totals, read from its JSON report and its exit status.
 * Pure: scripts/test.js runs Vitest and prints; this decides what counts.
 *
 * What Vitest 4's JSON reporter writes, checked against throwaway suites:
 * - a test that fails: its assertion result is `failed`, its file `failed`;
 * - a `beforeAll` that throws: the file is `failed` and its tests `skipped`, with no failed test
 *   (the file's `message` holds the error for a top-level hook, and is empty for one inside a
 *   `describe`);
 * - an `afterAll` that throws: the file is `failed` and its tests `passed`;
 * - a file that cannot load: `failed`, with no assertion results and the error in `message`;
 * - an unhandled error or rejection: nothing at all in the report, which says `success: true`;
 *   only the exit status (1) tells;
 * - `it.skip` is `skipped`, `it.todo` is `todo` (`numPendingTests` and `numTodoTests`).
 * So every one of these is checked, and a run counts as failed whenever any of them says so.
 */
import { relative } from 'node:path';

/**
 * @typedef {object} AssertionResult
 * @property {string[]} ancestorTitles
 * @property {string} title
 * @property {string} status `passed`, `failed`, `skipped`, `todo` or `pending`
 * @property {string[]} [failureMessages]
 */

/**
 * @typedef {object} FileResult
 * @property {string} name the file's absolute path
 * @property {string} status `passed` or `failed`
 * @property {string} [message] the file's first error, or ''
 * @property {AssertionResult[]} assertionResults
 */

/**
 * The parts of Vitest's JSON report read here.
 * @typedef {object} VitestReport
 * @property {boolean} success
 * @property {FileResult[]} testResults
 */

/**
 * How the Vitest process ended, as `spawnSync` returns it.
 * @typedef {object} VitestExit
 * @property {number | null} status the exit code, or null when killed by a signal
 * @property {string | null} [signal] the signal that killed it
 * @property {Error} [error] why it could not be started
 */

/**
 * @typedef {object} Totals
 * @property {number} passed
 * @property {number} failed
 * @property {number} skipped skipped, todo and pending tests
 * @property {string[]} failures one line per reason, for the `Failed:` list
 * @property {string[]} skippedNames one line per skipped test
 */

/**
 * @param {string | undefined} message
 * @returns {string} its first line, or a pointer to Vitest's own output when there is none
 */
function firstLine(message) {
	const line = (message ?? '').split('\n')[0].trim();
	return line || 'no message: see its output above';
}

/**
 * Totals for one Vitest run. Every test counts once, as passed, failed or skipped. A failed file
 * with no failed test in it (a hook threw, or it could not load) adds one failure. A run that
 * failed with nothing above to show for it (`success: false`, a non-zero exit, a kill, no report)
 * adds one more, whatever the number of reasons; every reason is still named.
 * @param {VitestReport | null} report the parsed JSON report, or null when there is none
 * @param {VitestExit} exit
 * @param {{ root?: string }} [options] `root`: show test files relative to it
 * @returns {Totals}
 */
export function summarizeVitest(report, exit, options = {}) {
	/** @param {string} path */
	const show = (path) => (options.root ? relative(options.root, path) : path);
	/** @type {Totals} */
	const t = { passed: 0, failed: 0, skipped: 0, failures: [], skippedNames: [] };

	for (const file of report?.testResults ?? []) {
		const tests = file.assertionResults ?? [];
		let failedHere = 0;
		let skippedHere = 0;
		for (const a of tests) {
			const name = [show(file.name), ...a.ancestorTitles, a.title].join(' › ');
			if (a.status === 'passed') t.passed++;
			else if (a.status === 'failed') {
				t.failed++;
				failedHere++;
				t.failures.push(name);
			} else {
				t.skipped++;
				skippedHere++;
				t.skippedNames.push(a.status === 'skipped' ? name : `${name} (${a.status})`);
			}
		}
		if (file.status === 'failed' && failedHere === 0) {
			// Its failure lies outside its tests, so no test above has counted it.
			t.failed++;
			const why = firstLine(file.message);
			const where = show(file.name);
			if (tests.length === 0) t.failures.push(`vitest: could not run ${where} (${why})`);
			else if (skippedHere === 0)
				t.failures.push(`vitest: file failed after its tests: ${where} (${why})`);
			else {
				const when = skippedHere === tests.length ? 'before its tests ran' : 'outside its tests';
				t.failures.push(
					`vitest: file failed ${when}: ${where} (${why}; ${skippedHere} of ${tests.length} tests skipped)`
				);
			}
		}
	}

	const explained = t.failed > 0;
	/** @type {string[]} */
	const run = [];
	if (!report) run.push('vitest wrote no readable report');
	else if (report.success !== true && !explained)
		run.push(`vitest reported success: ${report.success} but no failed test or file`);
	if (exit.error) run.push(`vitest could not run: ${exit.error.message}`);
	else if (exit.status === null)
		run.push(exit.signal ? `vitest was killed by ${exit.signal}` : 'vitest did not exit normally');
	else if (exit.status !== 0 && !report) run.push(`vitest exited with status ${exit.status}`);
	else if (exit.status !== 0 && !explained)
		run.push(
			`vitest exited with status ${exit.status} but reported no failed test ` +
				'(an unhandled error? see its output above)'
		);
	if (run.length) {
		t.failed++;
		t.failures.push(...run);
	}
	return t;
}

/**
 * The end of `npm test`'s output: the skipped tests, the failures, and the last line
 * `N passed, N failed`, with `, N skipped` added when any were.
 * @param {Totals} t
 * @returns {string[]} lines to print
 */
export function summaryLines(t) {
	const lines = [];
	if (t.skippedNames.length) lines.push('', 'Skipped:', ...t.skippedNames.map((s) => `  ${s}`));
	if (t.failures.length) lines.push('', 'Failed:', ...t.failures.map((f) => `  ${f}`));
	lines.push(
		'',
		`${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}`
	);
	return lines;
}
