/**
 * The lab's guided missions: a few short goals, each with the settings it starts from (written
 * into the URL, where the lab's two widgets read their state) and a check the page can run
 * against the runs the reader has finished, so a mission says "done" when the lab can tell.
 * Plain data and pure functions: the widgets report each finished or diverged run as a
 * `LabEvent`, the page folds them into a `LabLog`, and every mission's `check` reads that log.
 *
 *   widget ── LabEvent (run reached its step limit, or diverged) ──▶ logEvent ──▶ LabLog
 *   LabLog ──▶ mission.check ──▶ { met, detail }            shown under each mission
 *   "Set up" ──▶ missionSearch(location.search) ──▶ URL ──▶ the widget is made again, reads it
 */
import { pct } from '$lib/format';

/** A digits run that reached its step limit, with the settings it ran under. */
export interface DigitsRun {
	/** Task id of `FineTuneDemo` ("affine-small", "permuted", …). */
	task: string;
	method: 'full' | 'lora' | 'head' | 'bitfit';
	rank: number;
	alpha: number;
	lr: number;
	seed: number;
	steps: number;
	/** Held-out accuracy at the last step, in [0, 1]. */
	accuracy: number;
	trainable: number;
}

/** A language-model run that reached its step limit. */
export interface LmRun {
	/** Text id of `LanguageLab` ("sotu-1990-2021", …). */
	corpus: string;
	method: 'full' | 'lora' | 'head' | 'bitfit';
	rank: number;
	/** Which layers LoRA adapted: "qv" or "all". */
	targets: string;
	lr: number;
	seed: number;
	steps: number;
	/** Held-out bits per character at the last step. */
	bits: number;
	trainable: number;
}

/** A run stopped by the trainer's guard against a loss that is no longer finite. */
export interface Divergence {
	lab: 'digits' | 'lm';
	method: string;
	lr: number;
	/** The step at which the guard stopped it. */
	step: number;
}

/** What a widget reports to the page. */
export type LabEvent =
	| { kind: 'digits'; run: DigitsRun }
	| { kind: 'lm'; run: LmRun }
	| { kind: 'diverged'; divergence: Divergence };

/** Every run the reader has finished on this page, newest last. */
export interface LabLog {
	digits: DigitsRun[];
	lm: LmRun[];
	diverged: Divergence[];
}

/** A log with nothing in it. */
export const emptyLog = (): LabLog => ({ digits: [], lm: [], diverged: [] });

/** Settings of a digits run without its result: two runs with the same key are the same run. */
const digitsKey = (r: DigitsRun) =>
	[r.task, r.method, r.method === 'lora' ? `${r.rank}/${r.alpha}` : '', r.lr, r.seed, r.steps].join(
		'|'
	);
const lmKey = (r: LmRun) =>
	[
		r.corpus,
		r.method,
		r.method === 'lora' ? `${r.rank}/${r.targets}` : '',
		r.lr,
		r.seed,
		r.steps
	].join('|');

/**
 * The log with `e` added: a run with the same settings as one already logged replaces it (the
 * same seed gives the same run), so the log never holds two answers to one question.
 * @returns a new log; `log` is not changed
 */
export function logEvent(log: LabLog, e: LabEvent): LabLog {
	if (e.kind === 'digits') {
		const k = digitsKey(e.run);
		return { ...log, digits: [...log.digits.filter((r) => digitsKey(r) !== k), e.run] };
	}
	if (e.kind === 'lm') {
		const k = lmKey(e.run);
		return { ...log, lm: [...log.lm.filter((r) => lmKey(r) !== k), e.run] };
	}
	const d = e.divergence;
	const seen = log.diverged.some(
		(x) => x.lab === d.lab && x.method === d.method && x.lr === d.lr && x.step === d.step
	);
	return seen ? log : { ...log, diverged: [...log.diverged, d] };
}

/** Whether a mission is met, and a sentence on where the reader stands. */
export interface MissionCheck {
	met: boolean;
	detail: string;
}

/** Which widget a mission sets up: its figure id on the lab page. */
export type MissionLab = 'digits' | 'lm';

/** One guided mission. */
export interface Mission {
	id: string;
	title: string;
	/** The goal, in a sentence or three. */
	goal: string;
	lab: MissionLab;
	/** URL parameters of the starting point, the widget's own keys; the rest are its defaults. */
	start: Record<string, string | number>;
	check: (log: LabLog) => MissionCheck;
}

/** The figure id of each widget on the lab page. */
export const LAB_FIGURES: Record<MissionLab, string> = {
	digits: 'finetune-demo',
	lm: 'language-lab'
};

/** URL keys of the digits widget's run settings (its `backend` is left as the reader chose). */
const DIGITS_KEYS = ['task', 'method', 'rank', 'alpha', 'lr', 'seed', 'steps'];

/**
 * The query string that sets a mission's starting point: the widget's own settings are cleared
 * to their defaults, then the mission's are set; the other widget's, and the backends, are kept.
 * @param search the current `location.search`
 * @returns the new query with its leading `?`, or `''`
 */
export function missionSearch(search: string, m: Mission): string {
	const q = new URLSearchParams(search);
	for (const k of [...q.keys()]) {
		const mine =
			m.lab === 'digits' ? DIGITS_KEYS.includes(k) : k.startsWith('lm-') && k !== 'lm-backend';
		if (mine) q.delete(k);
	}
	for (const [k, v] of Object.entries(m.start)) q.set(k, String(v));
	const s = q.toString();
	return s ? `?${s}` : '';
}

const points = (v: number) => `${(v * 100).toFixed(1)} points`;

/** Within this many points (as a fraction) of full fine-tuning counts as matching it. */
export const WITHIN_POINT = 0.01;
/** Within this many bits per character of full fine-tuning counts as matching it. */
export const WITHIN_BITS = 0.1;

/** The digits runs comparable with `full`: same task, learning rate, seed and steps. */
function sameDigitsRun(a: DigitsRun, b: DigitsRun): boolean {
	return a.task === b.task && a.lr === b.lr && a.seed === b.seed && a.steps === b.steps;
}

/**
 * The smallest-rank mission's check: some LoRA rank r within `WITHIN_POINT` of full
 * fine-tuning's accuracy (same task, rate, seed and steps), with r = 1 or rank r − 1 tried
 * under the same settings and falling short. The smallest such r is reported.
 */
export function checkSmallestRank(log: LabLog, task = 'affine-small'): MissionCheck {
	const fulls = log.digits.filter((r) => r.task === task && r.method === 'full');
	if (!fulls.length) {
		return { met: false, detail: 'No full fine-tuning run on this task has finished yet.' };
	}
	let best: { r: number; run: DigitsRun; full: DigitsRun } | null = null;
	let nearest: { r: number; run: DigitsRun; full: DigitsRun } | null = null;
	for (const full of fulls) {
		const loras = log.digits.filter((r) => r.method === 'lora' && sameDigitsRun(r, full));
		const within = (r: DigitsRun) => r.accuracy >= full.accuracy - WITHIN_POINT - 1e-9;
		for (const run of loras.filter(within)) {
			if (!nearest || run.rank < nearest.r) nearest = { r: run.rank, run, full };
			const below = loras.find((x) => x.rank === run.rank - 1);
			const proven = run.rank === 1 || (below !== undefined && !within(below));
			if (proven && (!best || run.rank < best.r)) best = { r: run.rank, run, full };
		}
	}
	const fullText = (f: DigitsRun) => `Full fine-tuning: ${pct(f.accuracy)} after ${f.steps} steps`;
	if (best) {
		const below =
			best.r === 1 ? 'rank 1 is the smallest there is' : `rank ${best.r - 1} falls short`;
		return {
			met: true,
			detail: `${fullText(best.full)}. LoRA at rank ${best.r}: ${pct(best.run.accuracy)}, within a point, and ${below}.`
		};
	}
	if (nearest) {
		return {
			met: false,
			detail: `${fullText(nearest.full)}. LoRA at rank ${nearest.r} is within a point (${pct(nearest.run.accuracy)}); now show that rank ${nearest.r - 1} is not.`
		};
	}
	const tried = log.digits
		.filter((r) => r.method === 'lora' && fulls.some((f) => sameDigitsRun(r, f)))
		.map((r) => r.rank)
		.sort((a, b) => a - b);
	return {
		met: false,
		detail: `${fullText(fulls.at(-1)!)}. ${tried.length ? `LoRA ranks tried with the same settings, none within a point yet: ${tried.join(', ')}.` : 'No LoRA run with the same settings has finished yet.'}`
	};
}

/**
 * The large-drift mission's check: full fine-tuning and head-only training both finished on
 * the large drift with the same settings; the gap between them is what the reader came to see.
 */
export function checkDriftGap(log: LabLog): MissionCheck {
	const on = log.digits.filter((r) => r.task === 'permuted');
	for (const full of on.filter((r) => r.method === 'full')) {
		const head = on.find((r) => r.method === 'head' && sameDigitsRun(r, full));
		if (head) {
			const gap = full.accuracy - head.accuracy;
			return {
				met: true,
				detail: `Full fine-tuning: ${pct(full.accuracy)}; head only: ${pct(head.accuracy)}, ${gap >= 0 ? `${points(gap)} behind` : `${points(-gap)} ahead`}, after ${full.steps} steps.`
			};
		}
	}
	const done = [...new Set(on.map((r) => r.method))];
	return {
		met: false,
		detail: done.length
			? `Finished on the large drift so far: ${done.join(', ')}. Run full fine-tuning and head only with the same learning rate, seed and steps.`
			: 'No run on the large drift has finished yet.'
	};
}

/** The divergence mission's check: any run the guard stopped; the largest safe rate for scale. */
export function checkDivergence(log: LabLog): MissionCheck {
	const d = log.diverged.at(-1);
	const safe = Math.max(0, ...log.digits.map((r) => r.lr), ...log.lm.map((r) => r.lr));
	if (d) {
		const where = d.lab === 'digits' ? 'The digits model' : 'The language model';
		return {
			met: true,
			detail: `${where} diverged at learning rate ${d.lr}, step ${d.step}, and the guard stopped it.${safe ? ` The highest rate that finished: ${safe}.` : ''}`
		};
	}
	return {
		met: false,
		detail: safe
			? `The highest learning rate that finished its steps so far: ${safe}.`
			: 'No run has diverged yet.'
	};
}

/**
 * The language-model mission's check: a LoRA run on the text within `WITHIN_BITS` bits per
 * character of the best full fine-tuning run with the same seed and steps, training fewer
 * parameters.
 */
export function checkLmMatch(log: LabLog, corpus = 'sotu-1990-2021'): MissionCheck {
	const on = log.lm.filter((r) => r.corpus === corpus);
	const fulls = on.filter((r) => r.method === 'full');
	if (!fulls.length) {
		return { met: false, detail: 'No full fine-tuning run on this text has finished yet.' };
	}
	let closest: { run: LmRun; full: LmRun } | null = null;
	for (const run of on.filter((r) => r.method === 'lora')) {
		const same = fulls.filter((f) => f.seed === run.seed && f.steps === run.steps);
		if (!same.length) continue;
		const full = same.reduce((a, b) => (b.bits < a.bits ? b : a));
		if (!closest || run.bits - full.bits < closest.run.bits - closest.full.bits)
			closest = { run, full };
	}
	const bestFull = fulls.reduce((a, b) => (b.bits < a.bits ? b : a));
	const fullText = (f: LmRun) =>
		`Full fine-tuning: ${f.bits.toFixed(3)} bits per character (learning rate ${f.lr}, ${f.trainable.toLocaleString('en')} parameters)`;
	if (!closest) {
		return {
			met: false,
			detail: `${fullText(bestFull)}. No LoRA run with the same seed and steps has finished yet.`
		};
	}
	const { run, full } = closest;
	const gap = run.bits - full.bits;
	const what = `LoRA rank ${run.rank} on ${run.targets === 'qv' ? 'W_q and W_v' : 'every linear layer'}`;
	const met = gap <= WITHIN_BITS + 1e-9 && run.trainable < full.trainable;
	return {
		met,
		detail: `${fullText(full)}. Closest: ${what}, ${run.bits.toFixed(3)} (${gap >= 0 ? `${gap.toFixed(3)} behind` : `${(-gap).toFixed(3)} ahead`}), ${run.trainable.toLocaleString('en')} parameters.${met ? '' : ` Not within ${WITHIN_BITS} yet.`}`
	};
}

/** The missions, in the order the page lists them. */
export const MISSIONS: readonly Mission[] = [
	{
		id: 'smallest-rank',
		title: 'The smallest rank within a point',
		goal: 'On the small shift, train full fine-tuning to its step limit, then LoRA at a few ranks with the same learning rate, seed and steps. Find the smallest rank whose held-out accuracy comes within 1 point of full fine-tuning’s, and show that the rank just below it does not.',
		lab: 'digits',
		start: { task: 'affine-small', method: 'full' },
		check: (log) => checkSmallestRank(log)
	},
	{
		id: 'drift-gap',
		title: 'How far the head alone gets',
		goal: 'On the large drift every image’s pixels are scrambled by one fixed permutation, so the base’s first layer no longer sees strokes where it learned them. Train full fine-tuning, then head only, with the same settings, and read how far training only the last layer falls behind. Then try LoRA and BitFit on the same task.',
		lab: 'digits',
		start: { task: 'permuted', method: 'full' },
		check: checkDriftGap
	},
	{
		id: 'diverge',
		title: 'Break it on purpose',
		goal: 'Raise the learning rate of full fine-tuning, a step at a time, until the loss stops being a number and the trainer’s guard stops the run with a message. Which rate is the first to diverge?',
		lab: 'digits',
		start: { task: 'affine-small', method: 'full', lr: 0.003 },
		check: checkDivergence
	},
	{
		id: 'lm-match',
		title: 'As good as full fine-tuning, for less',
		goal: 'On the language model’s later era, the addresses of 1990–2021, train full fine-tuning at learning rate 0.001 to its step limit. Then find a LoRA setting (rank, layers adapted, learning rate) that comes within 0.1 bits per character of it while training fewer parameters. LoRA on W_q and W_v alone is a hard place to start.',
		lab: 'lm',
		start: { 'lm-corpus': 'sotu-1990-2021', 'lm-method': 'full', 'lm-lr': 0.001 },
		check: (log) => checkLmMatch(log)
	}
];
