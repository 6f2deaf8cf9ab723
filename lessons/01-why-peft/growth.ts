/**
 * What lesson 1's growth figure counts and says, apart from how it draws: the five ways of
 * counting memory, the bytes each gives for a model, one row per model against the largest
 * accelerator of its day, the number formats of the figure and its one-sentence summary.
 */
import { format } from 'd3-format';
import {
	largestAcceleratorAt,
	monthName,
	yearOf,
	MODELS,
	type Accelerator,
	type LandmarkModel
} from '$lib/data/landmarks';
import { GB, fullFineTuneBytes, kvCacheBytes, weightBytes } from '$lib/math/footprint';
import { LLAMA2_7B, peftState } from './fineTune';

export const MEMORY_MODES = ['weights', 'inference', 'training', 'lora', 'qlora'] as const;
export type MemoryMode = (typeof MEMORY_MODES)[number];
export const DEFAULT_MODE: MemoryMode = 'training';
export const MODE_TEXT: Record<MemoryMode, { label: string; hint: string; words: string }> = {
	weights: {
		label: 'Weights only',
		hint: '16-bit, 2 bytes per parameter',
		words: 'weights only'
	},
	inference: {
		label: 'Inference',
		hint: '16-bit weights + KV cache of one full-length sequence',
		words: 'inference'
	},
	training: {
		label: 'Full fine-tuning with Adam',
		hint: '16 bytes per parameter, activations not counted',
		words: 'full fine-tuning'
	},
	lora: {
		label: 'LoRA',
		hint: 'frozen 16-bit base + rank-8 adapters on query and value',
		words: 'LoRA fine-tuning'
	},
	qlora: {
		label: 'QLoRA',
		hint: '4-bit base + rank-64 adapters on every linear layer',
		words: 'QLoRA fine-tuning'
	}
};

/** The landmark models and the 7B model, in order of release (the last one is annotated). */
export const ALL_MODELS: readonly LandmarkModel[] = [...MODELS, LLAMA2_7B].sort(
	(a, b) => yearOf(a.released) - yearOf(b.released)
);

/** Whether a way of counting is a parameter-efficient fine-tune. */
export const isPeft = (how: MemoryMode): how is 'lora' | 'qlora' =>
	how === 'lora' || how === 'qlora';

/** Bytes a model needs under a way of counting. */
export function bytesFor(m: LandmarkModel, how: MemoryMode): number {
	if (how === 'weights') return weightBytes(m.params);
	if (how === 'inference') return weightBytes(m.params) + kvCacheBytes(m, m.context);
	if (isPeft(how)) return peftState(m, how).total;
	return fullFineTuneBytes(m.params);
}

/** One model under one way of counting, against the largest accelerator launched by its release. */
export interface GrowthRow {
	model: LandmarkModel;
	/** Memory needed, GB. */
	gb: number;
	accel: Accelerator;
	/** Memory needed over the accelerator's memory. */
	ratio: number;
	/** Parameters the adapters train (LoRA, QLoRA); 0 otherwise. */
	trainable: number;
}

/** Every model's row under a way of counting, in release order. */
export function growthRows(how: MemoryMode): GrowthRow[] {
	return ALL_MODELS.map((m) => {
		const gb = bytesFor(m, how) / GB;
		const accel = largestAcceleratorAt(m.released)!;
		const trainable = isPeft(how) ? peftState(m, how).trainable : 0;
		return { model: m, gb, accel, ratio: gb / accel.memoryGB, trainable };
	});
}

const gbFormat = format('.3~r');
const tbFormat = format('.2~r');
export const intFormat = format(',');
/** "878 GB", "6.5 TB": GB below 1,000 GB, TB above. */
export const formatGB = (gb: number) =>
	gb >= 1000 ? `${tbFormat(gb / 1000)} TB` : `${gbFormat(gb)} GB`;
export const formatRatio = (r: number) => (r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`);
export const formatParams = (n: number) => `${+(n / 1e9).toPrecision(5)}B`;
/** "4.19M", "2.49B": trainable parameters of an adapter. */
export const formatTrainable = (n: number) =>
	n >= 1e9 ? `${+(n / 1e9).toPrecision(3)}B` : `${+(n / 1e6).toPrecision(3)}M`;

/** The figure's sentence: the latest model's need, the gap, how many fit, and the 7B model. */
export function growthSummary(rows: readonly GrowthRow[], mode: MemoryMode): string {
	const peft = isPeft(mode);
	const r = rows.at(-1)!;
	const what =
		mode === 'training'
			? `Fully fine-tuning ${r.model.name} with Adam needs about ${formatGB(r.gb)} of model state`
			: peft
				? `${mode === 'lora' ? 'LoRA' : 'QLoRA'} cuts the model state for fine-tuning ${r.model.name} to about ${formatGB(r.gb)}`
				: mode === 'inference'
					? `Serving ${r.model.name} in 16 bits, with the KV cache of one ${intFormat(r.model.context)}-token sequence, needs about ${formatGB(r.gb)}`
					: `Just holding the 16-bit weights of ${r.model.name} takes about ${formatGB(r.gb)}`;
	const fits = rows.filter((q) => q.ratio <= 1).map((q) => q.model.name);
	const tally =
		fits.length === 0
			? `None of the ${rows.length} models fits on one accelerator of its day`
			: `${fits.length === 1 ? 'Only 1' : fits.length} of the ${rows.length} models (${fits.join(', ')}) ${fits.length === 1 ? 'fits on one accelerator of its day' : 'fit on one accelerator of their day'}`;
	const caveat = mode === 'training' || peft ? ', and that is before counting activations.' : '.';
	const small = rows.find((q) => q.model.id === LLAMA2_7B.id)!;
	const seven = peft
		? ` ${small.model.name} needs about ${formatGB(small.gb)}, against ${formatGB(fullFineTuneBytes(small.model.params) / GB)} to fine-tune it fully.`
		: '';
	return `${what}, ${formatRatio(r.ratio)} the ${r.accel.memoryGB} GB of the largest single accelerator launched by ${monthName(r.model.released)} (${r.accel.name}). ${tally}${caveat}${seven}`;
}
