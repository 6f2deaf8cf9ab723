/**
 * The base models, tasks and matrices lesson 4's figures offer, as plain data the URL can name.
 * Layer names follow the models (`src/lib/model/mlp.ts`, `transformer.ts`); the shapes are those
 * of the shipped bases in `static/models/manifest.json`.
 */
import type { TaskSpec } from '$lib/trainer/protocol';

/** One base model with one fine-tuning task. */
export interface Setup {
	label: string;
	task: TaskSpec;
	/** Matrices a reader may watch, with [in, out] shapes, first the default. */
	layers: readonly { name: string; label: string; inDim: number; outDim: number }[];
	lr: number;
	batchSize: number;
}

const MLP_LAYERS = [
	{ name: 'l1', label: 'hidden layer 2 (128 → 128)', inDim: 128, outDim: 128 },
	{ name: 'l0', label: 'hidden layer 1 (64 pixels → 128)', inDim: 64, outDim: 128 },
	{ name: 'l2', label: 'output head (128 → 10)', inDim: 128, outDim: 10 }
] as const;

const D = 48;
const TRANSFORMER_LAYERS = [0, 1].flatMap((b) => [
	{ name: `h${b}.q`, label: `block ${b + 1}, W_q (48 → 48)`, inDim: D, outDim: D },
	{ name: `h${b}.k`, label: `block ${b + 1}, W_k (48 → 48)`, inDim: D, outDim: D },
	{ name: `h${b}.v`, label: `block ${b + 1}, W_v (48 → 48)`, inDim: D, outDim: D },
	{ name: `h${b}.o`, label: `block ${b + 1}, W_o (48 → 48)`, inDim: D, outDim: D },
	{ name: `h${b}.up`, label: `block ${b + 1}, MLP up (48 → 192)`, inDim: D, outDim: 4 * D },
	{ name: `h${b}.down`, label: `block ${b + 1}, MLP down (192 → 48)`, inDim: 4 * D, outDim: D }
]);

export const SETUPS = {
	'digits-small': {
		label: 'Digits MLP · small shift (tilted digits)',
		task: { kind: 'digits', task: 'affine-small' },
		layers: MLP_LAYERS,
		lr: 0.003,
		batchSize: 64
	},
	'digits-permuted': {
		label: 'Digits MLP · large drift (permuted pixels)',
		task: { kind: 'digits', task: 'permuted' },
		layers: MLP_LAYERS,
		lr: 0.003,
		batchSize: 64
	},
	planted: {
		label: 'Teacher–student MLP · planted rank-2 change',
		task: { kind: 'synthetic', rank: 2, relNorm: 1 },
		layers: [
			{ name: 'l0', label: 'hidden layer (32 → 64)', inDim: 32, outDim: 64 },
			{ name: 'l1', label: 'output head (64 → 10)', inDim: 64, outDim: 10 }
		],
		lr: 0.003,
		batchSize: 64
	},
	'text-small': {
		label: 'Tiny transformer · text, small shift',
		task: { kind: 'text', task: 'finetune-small' },
		layers: TRANSFORMER_LAYERS,
		lr: 0.003,
		batchSize: 16
	},
	'text-large': {
		label: 'Tiny transformer · text, large shift',
		task: { kind: 'text', task: 'finetune-large' },
		layers: TRANSFORMER_LAYERS,
		lr: 0.003,
		batchSize: 16
	}
} as const satisfies Record<string, Setup>;

export type SetupId = keyof typeof SETUPS;
export const SETUP_IDS = Object.keys(SETUPS) as SetupId[];

/** Presets a teacher can pick: a setup and a matrix. */
export const PRESETS = {
	narrow: { label: 'Narrow task', setup: 'digits-small', layer: 'l1' },
	big: { label: 'Big shift', setup: 'digits-permuted', layer: 'l1' }
} as const satisfies Record<string, { label: string; setup: SetupId; layer: string }>;

/** The names of a setup's matrices. */
export function layerNames(id: SetupId): string[] {
	return SETUPS[id].layers.map((l) => l.name);
}

/** A setup's matrix by name, or its default. */
export function layerOf(id: SetupId, name: string) {
	const layers: Setup['layers'] = SETUPS[id].layers;
	return layers.find((l) => l.name === name) ?? layers[0];
}
