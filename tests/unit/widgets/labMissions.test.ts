/**
 * The lab's missions (src/lib/widgets/labMissions.ts): the log keeps one result per setting;
 * each mission's start is a query its widget reads without a complaint, that clears only that
 * widget's settings; and each check is met exactly when its goal is, told from runs like those
 * the lab finishes (accuracies and bits of the kind a pilot of the lab's settings measured).
 */
import { describe, expect, it, vi } from 'vitest';
import { DIGIT_TASKS } from '$lib/model/data/digits';
import { readTable } from '$lib/ui/urlTable';

vi.mock('$app/navigation', () => ({ replaceState: vi.fn() }));
vi.mock('$app/state', () => ({ page: { state: {} } }));

const { parseLabQuery, LAB_DEFAULTS, LAB_METHODS } = await import('$lib/widgets/languageLab');
const { FT_PARAMS } = await import('$lib/widgets/fineTune');
const {
	MISSIONS,
	LAB_FIGURES,
	WITHIN_BITS,
	checkDivergence,
	checkDriftGap,
	checkLmMatch,
	checkSmallestRank,
	emptyLog,
	logEvent,
	missionSearch
} = await import('$lib/widgets/labMissions');
type DigitsRun = import('$lib/widgets/labMissions').DigitsRun;
type LmRun = import('$lib/widgets/labMissions').LmRun;
type LabLog = import('$lib/widgets/labMissions').LabLog;

// Runs at the widgets' default settings unless a test says otherwise.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
const { backend: _ftBackend, ...ftDefaults } = readTable(FT_PARAMS, '').values;
const digits = (o: Partial<DigitsRun>): DigitsRun => ({
	...ftDefaults,
	accuracy: 0.9,
	trainable: 1792,
	...o
});
const { corpus, method, rank, targets, lr, seed, steps } = LAB_DEFAULTS;
const lm = (o: Partial<LmRun>): LmRun => ({
	corpus,
	method,
	rank,
	targets,
	lr,
	seed,
	steps,
	bits: 2.3,
	trainable: 9216,
	...o
});
const withRuns = (...runs: (DigitsRun | LmRun)[]): LabLog =>
	runs.reduce<LabLog>(
		(log, run) => logEvent(log, 'task' in run ? { kind: 'digits', run } : { kind: 'lm', run }),
		emptyLog()
	);
const mission = (id: string) => MISSIONS.find((m) => m.id === id)!;

describe('the log', () => {
	it('keeps one result per setting, the latest, and one entry per divergence', () => {
		let log = withRuns(digits({ accuracy: 0.8 }), digits({ accuracy: 0.85 }));
		expect(log.digits).toHaveLength(1);
		expect(log.digits[0].accuracy).toBe(0.85);
		log = logEvent(log, { kind: 'digits', run: digits({ rank: 8 }) });
		expect(log.digits).toHaveLength(2);
		// Head-only runs differ in nothing LoRA's rank says: one entry whatever the rank field holds.
		log = withRuns(digits({ method: 'head', rank: 4 }), digits({ method: 'head', rank: 9 }));
		expect(log.digits).toHaveLength(1);
		const d = { lab: 'digits' as const, method: 'full', lr: 0.1, step: 50 };
		log = logEvent(logEvent(log, { kind: 'diverged', divergence: d }), {
			kind: 'diverged',
			divergence: { ...d }
		});
		expect(log.diverged).toHaveLength(1);
	});
});

describe('mission starts', () => {
	it('are four, each with a goal, on a widget of the page', () => {
		expect(MISSIONS.length).toBeGreaterThanOrEqual(3);
		expect(MISSIONS.length).toBeLessThanOrEqual(5);
		expect(new Set(MISSIONS.map((m) => m.id)).size).toBe(MISSIONS.length);
		for (const m of MISSIONS) {
			expect(m.goal.length).toBeGreaterThan(40);
			expect(LAB_FIGURES[m.lab]).toBeTruthy();
		}
	});

	it("set only the digits widget's own settings, to values it offers", () => {
		const methods = ['full', 'lora', 'head', 'bitfit'];
		for (const m of MISSIONS.filter((m) => m.lab === 'digits')) {
			const q = new URLSearchParams(missionSearch('', m));
			expect(Object.keys(DIGIT_TASKS)).toContain(q.get('task'));
			expect(methods).toContain(q.get('method'));
			for (const k of q.keys()) expect(['task', 'method', 'lr']).toContain(k);
		}
	});

	it('set the language model to a state it reads without a message', () => {
		for (const m of MISSIONS.filter((m) => m.lab === 'lm')) {
			const { state, messages } = parseLabQuery(new URLSearchParams(missionSearch('', m)));
			expect(messages).toEqual([]);
			expect(state.method in LAB_METHODS).toBe(true);
			for (const k of Object.keys(m.start)) expect(k.startsWith('lm-')).toBe(true);
		}
		const { state } = parseLabQuery(new URLSearchParams(missionSearch('', mission('lm-match'))));
		expect(state).toMatchObject({ corpus: 'sotu-1990-2021', method: 'full', lr: 0.001 });
		expect(state.steps).toBe(LAB_DEFAULTS.steps);
	});

	it("clear the widget's other settings and keep the other widget's and the backends", () => {
		const before = '?rank=9&lr=0.5&backend=wasm&lm-rank=16&lm-backend=cpu';
		const q = new URLSearchParams(missionSearch(before, mission('smallest-rank')));
		expect(q.get('rank')).toBeNull();
		expect(q.get('lr')).toBeNull();
		expect(q.get('method')).toBe('full');
		expect(q.get('backend')).toBe('wasm');
		expect(q.get('lm-rank')).toBe('16');
		const r = new URLSearchParams(missionSearch(before, mission('lm-match')));
		expect(r.get('lm-rank')).toBeNull();
		expect(r.get('lm-backend')).toBe('cpu');
		expect(r.get('rank')).toBe('9');
		expect(r.get('lm-method')).toBe('full');
	});
});

describe('the smallest-rank check', () => {
	const full = digits({ method: 'full', accuracy: 0.9192, trainable: 26122 });

	it('wants a full fine-tuning run first', () => {
		const c = checkSmallestRank(withRuns(digits({ rank: 64, accuracy: 0.95 })));
		expect(c.met).toBe(false);
		expect(c.detail).toMatch(/No full fine-tuning run/);
	});

	it('is met by a rank within a point whose rank below falls short', () => {
		const log = withRuns(
			full,
			digits({ rank: 8, accuracy: 0.8858 }),
			digits({ rank: 12, accuracy: 0.9109 }),
			digits({ rank: 32, accuracy: 0.9164 })
		);
		const open = checkSmallestRank(log);
		expect(open.met).toBe(false);
		expect(open.detail).toMatch(/rank 12 is within a point \(91\.1%\); now show that rank 11/);
		const c = checkSmallestRank(
			logEvent(log, { kind: 'digits', run: digits({ rank: 11, accuracy: 0.9 }) })
		);
		expect(c.met).toBe(true);
		expect(c.detail).toBe(
			'Full fine-tuning: 91.9% after 1000 steps. LoRA at rank 12: 91.1%, within a point, and rank 11 falls short.'
		);
		expect(
			mission('smallest-rank').check(
				logEvent(log, { kind: 'digits', run: digits({ rank: 11, accuracy: 0.9 }) })
			).met
		).toBe(true);
	});

	it('takes rank 1 within a point as the smallest there is', () => {
		const c = checkSmallestRank(withRuns(full, digits({ rank: 1, accuracy: 0.915 })));
		expect(c.met).toBe(true);
		expect(c.detail).toMatch(/rank 1 is the smallest there is/);
	});

	it('is not met when the rank below is also within a point, nor exactly at the edge plus a hair', () => {
		const log = withRuns(
			full,
			digits({ rank: 12, accuracy: 0.915 }),
			digits({ rank: 11, accuracy: 0.913 })
		);
		expect(checkSmallestRank(log).met).toBe(false);
		const edge = withRuns(full, digits({ rank: 1, accuracy: 0.9192 - 0.0101 }));
		expect(checkSmallestRank(edge).met).toBe(false);
	});

	it('compares only runs with the same task, learning rate, seed and steps', () => {
		for (const other of [{ lr: 0.01 }, { seed: 2 }, { steps: 500 }, { task: 'permuted' }]) {
			const log = withRuns(full, digits({ rank: 1, accuracy: 0.95, ...other }));
			expect(checkSmallestRank(log).met, JSON.stringify(other)).toBe(false);
		}
	});
});

describe('the large-drift check', () => {
	it('is met once full fine-tuning and head only have finished with the same settings', () => {
		const full = digits({ task: 'permuted', method: 'full', accuracy: 0.9833 });
		const head = digits({ task: 'permuted', method: 'head', accuracy: 0.9359 });
		expect(checkDriftGap(withRuns(full)).met).toBe(false);
		expect(checkDriftGap(withRuns(full, { ...head, lr: 0.01 })).met).toBe(false);
		expect(checkDriftGap(withRuns(head, digits({ method: 'full' }))).met).toBe(false);
		const c = checkDriftGap(withRuns(full, head));
		expect(c.met).toBe(true);
		expect(c.detail).toBe(
			'Full fine-tuning: 98.3%; head only: 93.6%, 4.7 points behind, after 1000 steps.'
		);
	});
});

describe('the divergence check', () => {
	it('is met by any run the guard stopped, and says the highest rate that finished', () => {
		const log = withRuns(digits({ method: 'full', lr: 0.03 }));
		const open = checkDivergence(log);
		expect(open.met).toBe(false);
		expect(open.detail).toMatch(/0\.03/);
		const c = checkDivergence(
			logEvent(log, {
				kind: 'diverged',
				divergence: { lab: 'digits', method: 'full', lr: 0.1, step: 50 }
			})
		);
		expect(c.met).toBe(true);
		expect(c.detail).toBe(
			'The digits model diverged at learning rate 0.1, step 50, and the guard stopped it. The highest rate that finished: 0.03.'
		);
	});
});

describe('the language-model check', () => {
	const full = lm({ method: 'full', lr: 0.001, bits: 2.056, trainable: 360384 });

	it(`is met by LoRA within ${WITHIN_BITS} bits of the best full run, with fewer parameters`, () => {
		expect(checkLmMatch(withRuns(lm({}))).met).toBe(false);
		// W_q and W_v alone, even at rank 64, stay short.
		const qv = lm({ rank: 64, bits: 2.246, trainable: 73728 });
		const c0 = checkLmMatch(withRuns(full, qv));
		expect(c0.met).toBe(false);
		expect(c0.detail).toMatch(/Closest: LoRA rank 64 on W_q and W_v, 2\.246 \(0\.190 behind\)/);
		const all = lm({ rank: 16, targets: 'all', bits: 2.106, trainable: 82944 });
		const c = checkLmMatch(withRuns(full, qv, all));
		expect(c.met).toBe(true);
		expect(c.detail).toMatch(/every linear layer, 2\.106 \(0\.050 behind\), 82,944 parameters\.$/);
	});

	it('compares with the best full run of the same seed and steps, and not a worse one', () => {
		const worse = lm({ method: 'full', lr: 0.003, bits: 2.195, trainable: 360384 });
		const qv = lm({ rank: 64, bits: 2.246, trainable: 73728 });
		expect(checkLmMatch(withRuns(worse, qv)).met).toBe(true);
		expect(checkLmMatch(withRuns(worse, full, qv)).met).toBe(false);
		expect(checkLmMatch(withRuns(full, lm({ bits: 2.0, steps: 400 }))).met).toBe(false);
		expect(checkLmMatch(withRuns(full, lm({ bits: 2.0, corpus: 'd3-code' }))).met).toBe(false);
	});

	it('does not count a LoRA that trains as many parameters as full fine-tuning', () => {
		const big = lm({ bits: 2.0, trainable: 360384 });
		expect(checkLmMatch(withRuns(full, big)).met).toBe(false);
	});
});
