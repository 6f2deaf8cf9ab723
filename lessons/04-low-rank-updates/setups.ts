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
	/** Steps of a run, and of the recorded spectra (src/lib/data/lmLowRank.json). */
	steps: number;
}

const MLP_LAYERS = [
	{ name: 'l1', label: 'hidden layer 2 (128 → 128)', inDim: 128, outDim: 128 },
	{ name: 'l0', label: 'hidden layer 1 (64 pixels → 128)', inDim: 64, outDim: 128 },
	{ name: 'l2', label: 'output head (128 → 10)', inDim: 128, outDim: 10 }
] as const;

/** The attention and MLP matrices of every block of a transformer of width d. */
function transformerLayers(blocks: number, d: number) {
	return Array.from({ length: blocks }, (_, b) => [
		{ name: `h${b}.q`, label: `block ${b + 1}, W_q (${d} → ${d})`, inDim: d, outDim: d },
		{ name: `h${b}.k`, label: `block ${b + 1}, W_k (${d} → ${d})`, inDim: d, outDim: d },
		{ name: `h${b}.v`, label: `block ${b + 1}, W_v (${d} → ${d})`, inDim: d, outDim: d },
		{ name: `h${b}.o`, label: `block ${b + 1}, W_o (${d} → ${d})`, inDim: d, outDim: d },
		{
			name: `h${b}.up`,
			label: `block ${b + 1}, MLP up (${d} → ${4 * d})`,
			inDim: d,
			outDim: 4 * d
		},
		{
			name: `h${b}.down`,
			label: `block ${b + 1}, MLP down (${4 * d} → ${d})`,
			inDim: 4 * d,
			outDim: d
		}
	]).flat();
}

const TRANSFORMER_LAYERS = transformerLayers(2, 48);
/** The English language model (`englishlm`): 3 blocks of width 96. */
const ENGLISH_LAYERS = transformerLayers(3, 96);

export const SETUPS = {
	'digits-small': {
		label: 'Digits MLP · small shift (tilted digits)',
		task: { kind: 'digits', task: 'affine-small' },
		layers: MLP_LAYERS,
		lr: 0.003,
		batchSize: 64,
		steps: 600
	},
	'digits-permuted': {
		label: 'Digits MLP · large drift (permuted pixels)',
		task: { kind: 'digits', task: 'permuted' },
		layers: MLP_LAYERS,
		lr: 0.003,
		batchSize: 64,
		steps: 600
	},
	planted: {
		label: 'Teacher–student MLP · planted rank-2 change',
		task: { kind: 'synthetic', rank: 2, relNorm: 1 },
		layers: [
			{ name: 'l0', label: 'hidden layer (32 → 64)', inDim: 32, outDim: 64 },
			{ name: 'l1', label: 'output head (64 → 10)', inDim: 64, outDim: 10 }
		],
		lr: 0.003,
		batchSize: 64,
		steps: 600
	},
	'text-small': {
		label: 'Tiny transformer · text, small shift',
		task: { kind: 'text', task: 'finetune-small' },
		layers: TRANSFORMER_LAYERS,
		lr: 0.003,
		batchSize: 16,
		steps: 600
	},
	'text-large': {
		label: 'Tiny transformer · text, large shift',
		task: { kind: 'text', task: 'finetune-large' },
		layers: TRANSFORMER_LAYERS,
		lr: 0.003,
		batchSize: 16,
		steps: 600
	},
	// The language model's learning rate and steps: full fine-tuning's best rate on each target in
	// the recorded drift dial (src/lib/data/lmDrift.json, 400 steps; LM_FULL_LR in lmLowRank.ts).
	'english-modern': {
		label: 'English language model · addresses of 1990–2021 (drift in time)',
		task: { kind: 'english', corpus: 'sotu-1990-2021' },
		layers: ENGLISH_LAYERS,
		lr: 0.001,
		batchSize: 8,
		steps: 400
	},
	'english-code': {
		label: 'English language model · d3’s JavaScript (a far domain)',
		task: { kind: 'english', corpus: 'd3-code' },
		layers: ENGLISH_LAYERS,
		lr: 0.003,
		batchSize: 8,
		steps: 400
	}
} as const satisfies Record<string, Setup>;

export type SetupId = keyof typeof SETUPS;
export const SETUP_IDS = Object.keys(SETUPS) as SetupId[];

/** Presets a teacher can pick: a setup and a matrix. */
export const PRESETS = {
	narrow: { label: 'Small shift', setup: 'digits-small', layer: 'l1' },
	big: { label: 'Large drift', setup: 'digits-permuted', layer: 'l1' }
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
