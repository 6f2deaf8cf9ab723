/**
 * The lab's digits fine-tune (`FineTuneDemo.svelte`): its tasks and methods, its settings as the
 * URL keeps them (one table: `task`, `method`, `rank`, `alpha`, `lr`, `seed`, `steps`, `backend`),
 * the run it asks the worker for, and the reading of its curves (the table's rows, the sentence
 * under the chart). Plain data: nothing here loads tfjs.
 *
 *   location.search ──FT_PARAMS (read by LiveRun)──▶ FineTuneState ──fineTuneSpec──▶ RunSpec ──▶ worker
 *   client.losses, client.evals ──lossRows / fineTuneSummary──▶ table, sentence
 */
import { pct } from '$lib/format';
import { BACKEND_CHOICES, type BackendOption } from '$lib/trainer/choices';
import type { EvalPoint, LossPoint } from '$lib/trainer/client.svelte';
import type { RunSpec } from '$lib/trainer/protocol';
import type { Column } from '$lib/ui/exportData';
import { choice, number, type ParamTable } from '$lib/ui/urlTable';
import { LAB_METHODS, type LabMethod } from './languageLab';

/** The digits tasks the lab offers, with their labels. */
export const FT_TASKS = {
	'affine-small': 'Slightly distorted digits (small shift)',
	'affine-strong': 'Distorted digits (medium shift)',
	relabel: 'Digits with their labels swapped',
	'new-classes': 'New classes: 5–9 for a model that knows 0–4',
	permuted: 'Scrambled pixels (large drift)'
} as const;
export type FineTuneTask = keyof typeof FT_TASKS;

/** The fine-tuning methods, with their labels: the lab's four (its language model offers the same). */
export const FT_METHODS = LAB_METHODS;
export type FineTuneMethod = LabMethod;

/** The smallest adapted matrix is 64×128, so a rank above 64 cannot exist. */
export const FT_MAX_RANK = 64;
/** The most steps one run may be given (about ten minutes on WebAssembly here). */
export const FT_MAX_STEPS = 100_000;
/** Bounds of the learning rate, in the field and the URL. */
export const FT_LR = { min: 1e-5, max: 10, label: 'learning rate' } as const;

/** Everything the figure's controls hold. */
export interface FineTuneState {
	task: FineTuneTask;
	method: FineTuneMethod;
	rank: number;
	alpha: number;
	lr: number;
	seed: number;
	/** The run stops by itself after this many steps. */
	steps: number;
	backend: BackendOption;
}

const keysOf = <T extends string>(o: Record<T, string>) => Object.keys(o) as T[];

/** The figure's URL parameters, in reading order, with their bounds and defaults. */
export const FT_PARAMS: ParamTable<FineTuneState> = {
	task: choice('task', keysOf(FT_TASKS), 'affine-small', 'task'),
	method: choice('method', keysOf(FT_METHODS), 'lora', 'method'),
	rank: number('rank', {
		min: 1,
		max: FT_MAX_RANK,
		fallback: 4,
		integer: true,
		label: 'LoRA rank'
	}),
	alpha: number('alpha', { min: 0.01, max: 1024, fallback: 8, label: 'LoRA α' }),
	lr: number('lr', { ...FT_LR, fallback: 0.003 }),
	seed: number('seed', { min: 0, max: 1e9, fallback: 1, integer: true, label: 'seed' }),
	steps: number('steps', {
		min: 1,
		max: FT_MAX_STEPS,
		fallback: 1000,
		integer: true,
		label: 'step limit'
	}),
	backend: choice('backend', BACKEND_CHOICES, 'auto', 'backend')
};

/** The run the worker trains: the pretrained digits MLP on the chosen task, batch 64. */
export function fineTuneSpec(s: FineTuneState): RunSpec {
	return {
		task: { kind: 'digits', task: s.task },
		method: s.method,
		rank: s.rank,
		alpha: s.alpha,
		lr: s.lr,
		batchSize: 64,
		seed: s.seed,
		watch: 'l1',
		maxSteps: s.steps
	} as RunSpec;
}

/** One row per step that has a point on either curve: the chart's two series side by side. */
export interface LossRow {
	step: number;
	loss: number | null;
	testLoss: number | null;
	test: number | null;
	train: number | null;
}

/** The training losses and held-out evaluations merged by step, in step order. */
export function lossRows(losses: readonly LossPoint[], evals: readonly EvalPoint[]): LossRow[] {
	const byStep: Record<number, LossRow> = {};
	const row = (step: number) =>
		(byStep[step] ??= { step, loss: null, testLoss: null, test: null, train: null });
	for (const p of losses) row(p.step).loss = p.loss;
	for (const e of evals) Object.assign(row(e.step), e);
	return Object.values(byStep).sort((a, b) => a.step - b.step);
}

/** A numeric column of the table: the raw value for the CSV, `format` for the page ('' when none). */
const column = (
	label: string,
	key: keyof LossRow,
	format: (v: number) => string
): Column<LossRow> => ({
	label,
	value: (r) => r[key],
	format: (r) => (r[key] === null ? '' : format(r[key])),
	numeric: true
});
const fourDigits = (v: number) => String(+v.toPrecision(4));

/** The table's and the CSV's columns. */
export const LOSS_COLUMNS: Column<LossRow>[] = [
	{ label: 'step', value: (r) => r.step, numeric: true },
	column('training loss (nats)', 'loss', fourDigits),
	column('held-out loss (nats)', 'testLoss', fourDigits),
	column('held-out accuracy', 'test', pct),
	column('training accuracy', 'train', pct)
];

/**
 * The sentence under the chart: the base's held-out accuracy before any step, then where the run
 * stands, with the parameters it trains.
 * @param trainable the run's trainable parameters, once the worker has configured it
 */
export function fineTuneSummary(
	s: Pick<FineTuneState, 'task' | 'method' | 'rank'>,
	first: EvalPoint | undefined,
	last: EvalPoint | undefined,
	trainable: number | undefined
): string {
	if (!first || !last || trainable === undefined) return 'The trainer has not started yet.';
	const what = s.method === 'lora' ? `LoRA (rank ${s.rank})` : FT_METHODS[s.method].toLowerCase();
	if (last.step === 0) {
		return `Before fine-tuning, the pretrained model scores ${pct(first.test)} on held-out ${FT_TASKS[s.task].toLowerCase()}.`;
	}
	return (
		`After ${last.step} steps of ${what}, training ${trainable.toLocaleString('en')} ` +
		`parameters, held-out accuracy is ${pct(last.test)} (${pct(first.test)} before).`
	);
}
