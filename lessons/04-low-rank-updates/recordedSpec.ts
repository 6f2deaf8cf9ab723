/**
 * The runs behind lesson 4's recorded results, as queue entries (`QueuedRun`), shared by the
 * recording script (`scripts/lowrank.ts`) and the figures, so that "Run live" repeats exactly
 * what was recorded. Plain data: no tfjs.
 */
import type { QueuedRun, RunSpec } from '$lib/trainer/protocol';
import { truncationKs } from './rankFigure';

/** Steps of every recorded run. */
export const STEPS = 600;
/** The tasks compared: the narrow small shift and the large drift. */
export const TASKS = { small: 'affine-small', big: 'permuted' } as const;
export type TaskKey = keyof typeof TASKS;
/** Matrices the recorded runs measure (hidden layers of the 64-128-128-10 MLP). */
export const LAYERS = { l0: { inDim: 64, outDim: 128 }, l1: { inDim: 128, outDim: 128 } } as const;
export type LayerKey = keyof typeof LAYERS;

/** How the figures name each task and layer in their controls and sentences. */
export const TASK_LABELS: Record<TaskKey, string> = {
	small: 'Small shift (tilted digits)',
	big: 'Large drift (permuted pixels)'
};
export const LAYER_LABELS: Record<LayerKey, string> = {
	l1: 'Hidden layer 2 (128 → 128)',
	l0: 'Hidden layer 1 (64 → 128)'
};
/** LoRA ranks of the recorded sweep. */
export const LORA_RANKS = [1, 2, 4, 8, 16, 32, 64, 128];
/** The two ranks whose adapters figure 5 compares, as in LoRA §7. */
export const PHI_RANKS = [8, 64] as const;

/** A digits run of the lesson: Adam, learning rate 0.003, batch 64, seed 1. */
export function digitsSpec(task: TaskKey, extra: Partial<RunSpec> = {}): RunSpec {
	return {
		task: { kind: 'digits', task: TASKS[task] },
		method: 'full',
		lr: 0.003,
		batchSize: 64,
		seed: 1,
		...extra
	};
}

/** Full fine-tuning id of a task and layer: `full-small-l1`. */
export const fullId = (task: TaskKey, layer: LayerKey) => `full-${task}-${layer}`;
/** LoRA id: `lora-small-l1-r8`. */
export const loraId = (task: TaskKey, layer: LayerKey, r: number) => `lora-${task}-${layer}-r${r}`;

/** LoRA on one layer with α = 2r (so α/r = 2 at every rank). */
export function loraSpec(task: TaskKey, layer: LayerKey, r: number, alpha = 2 * r): RunSpec {
	return digitsSpec(task, { method: 'lora', rank: r, alpha, targets: [layer] });
}

export const LOWRANK = {
	/** Full fine-tuning, spectrum and truncation of each layer. */
	fullRuns(): QueuedRun[] {
		return (Object.keys(TASKS) as TaskKey[]).flatMap((task) =>
			(Object.keys(LAYERS) as LayerKey[]).map((layer) => ({
				id: fullId(task, layer),
				spec: digitsSpec(task),
				steps: STEPS,
				measure: {
					spectrum: layer,
					truncation: {
						layer,
						ks: truncationKs(Math.min(LAYERS[layer].inDim, LAYERS[layer].outDim))
					},
					curveEvery: 50
				}
			}))
		);
	},
	/** LoRA on hidden layer 2 only, at every rank of the sweep. */
	loraRuns(): QueuedRun[] {
		return (Object.keys(TASKS) as TaskKey[]).flatMap((task) =>
			LORA_RANKS.map((r) => ({
				id: loraId(task, 'l1', r),
				spec: loraSpec(task, 'l1', r),
				steps: STEPS,
				measure: { spectrum: 'l1', curveEvery: 50 }
			}))
		);
	},
	/** The two adapters of figure 5, with their factors. */
	phiRuns(task: TaskKey = 'small', layer: LayerKey = 'l1'): QueuedRun[] {
		return PHI_RANKS.map((r) => ({
			id: loraId(task, layer, r),
			spec: loraSpec(task, layer, r),
			steps: STEPS,
			measure: { factors: layer }
		}));
	}
};
