/**
 * What figures 4 and 5 of lesson 4 offer alike: the digits tasks and the English language model,
 * the matrices of each (the MLP's hidden layers, or the language model's one choice), each task's
 * steps, and their URL entries (`<prefix>-task`, `<prefix>-layer`, `<prefix>-steps`).
 */
import { LM_LR_TRAINING } from '$lib/data/lmLowRank';
import { choice, number, type Param } from '$lib/ui/urlTable';
import {
	LAYERS,
	LAYER_LABELS,
	STEPS,
	TASKS,
	TASK_LABELS,
	type LayerKey,
	type TaskKey
} from './recordedSpec';

/** The digits tasks, and the language model on the modern addresses. */
export type FigTask = TaskKey | 'lm';
export const FIG_TASKS: FigTask[] = [...(Object.keys(TASKS) as TaskKey[]), 'lm'];
export const FIG_TASK_LABELS: Record<FigTask, string> = {
	...TASK_LABELS,
	lm: 'English language model · addresses of 1990–2021'
};
/** Steps of a task's recorded runs, the default of its figure. */
export const stepsOf = (t: FigTask) => (t === 'lm' ? LM_LR_TRAINING.steps : STEPS);

/** The matrices a figure offers for each task, and their words. */
export interface Matrices {
	keys(task: FigTask): string[];
	label(task: FigTask, layer: string): string;
}

/** The MLP's hidden layers for the digits; `lm` (its key and words) for the language model. */
export function matrices(lm: { key: string; label: string }): Matrices {
	return {
		keys: (t) => (t === 'lm' ? [lm.key] : Object.keys(LAYERS)),
		label: (t, l) => (t === 'lm' ? lm.label : LAYER_LABELS[l as LayerKey])
	};
}

/** The values these entries read. */
export interface TaskValues {
	task: FigTask;
	layer: string;
	steps: number;
}

/** The task, matrix and steps entries of a figure's URL table, under `prefix`. */
export function taskParams<V extends TaskValues>(
	prefix: string,
	m: Matrices
): { task: Param<FigTask, V>; layer: Param<string, V>; steps: Param<number, V> } {
	const layerDefault = (t: FigTask) => (m.keys(t).includes('l1') ? 'l1' : m.keys(t)[0]);
	return {
		task: choice<FigTask, V>(`${prefix}-task`, FIG_TASKS, 'small', 'task here', (t) =>
			FIG_TASK_LABELS[t].toLowerCase()
		),
		layer: choice<string, V>(
			`${prefix}-layer`,
			(v) => m.keys(v.task),
			(v) => layerDefault(v.task),
			'matrix here',
			(l, v) => m.label(v.task, l).toLowerCase()
		),
		steps: number<V>(`${prefix}-steps`, {
			min: 10,
			max: 5000,
			fallback: (v) => stepsOf(v.task),
			integer: true,
			label: 'number of steps'
		})
	};
}
