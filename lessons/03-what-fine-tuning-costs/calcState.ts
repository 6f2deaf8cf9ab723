/**
 * The memory calculator's state and its place in the URL. Every query parameter carries the
 * prefix `calc-`, so other figures on the page keep their own. Parsing never throws: a bad value
 * becomes the default (or is clamped into range) with a sentence for the reader, and the state
 * turns into the memory model's `ModelArch` and `TrainingSetup`.
 *
 *   location.search ──parseCalc──▶ { state, messages } ──archOf / setupOf──▶ memory model
 *   control change ──▶ state ──calcParams──▶ writeParams (parameters equal to the default dropped)
 */
import {
	METHODS,
	MODEL_PRESETS,
	PRESET_IDS,
	TARGET_MATRICES,
	type Method,
	type ModelArch,
	type PresetId,
	type TargetMatrix,
	type TrainingSetup
} from '$lib/math/memory';
import { parseChoice, parseNumber, type Parsed } from '$lib/ui/urlState';

/** A hand-written architecture: LLaMA-like (RoPE, RMSNorm, no biases) with these choices. */
export interface CustomModel {
	vocab: number;
	dModel: number;
	layers: number;
	heads: number;
	kvHeads: number;
	dFf: number;
	gated: boolean;
	tied: boolean;
}

/** Everything the calculator's controls set. */
export interface CalcState {
	model: PresetId | 'custom';
	custom: CustomModel;
	rank: number;
	targets: TargetMatrix[];
	batch: number;
	seq: number;
	checkpointing: boolean;
	/** Attention by FlashAttention: the s×s matrices are not stored. */
	flash: boolean;
	precision: 'mixed' | 'fp32';
	optimizer: 'adam' | 'adam8bit' | 'sgd';
	zero: 0 | 1 | 2 | 3;
	devices: number;
	/** The inverse question: memory per device to fit in, in GB (10⁹ bytes). */
	budget: number;
	/** The inverse question: the method asked about. */
	ask: Method;
}

export const CALC_DEFAULTS: CalcState = {
	model: 'llama-2-7b',
	custom: {
		vocab: 32000,
		dModel: 4096,
		layers: 32,
		heads: 32,
		kvHeads: 32,
		dFf: 11008,
		gated: true,
		tied: false
	},
	rank: 8,
	targets: ['q', 'v'],
	batch: 1,
	seq: 512,
	checkpointing: false,
	flash: false,
	precision: 'mixed',
	optimizer: 'adam',
	zero: 0,
	devices: 1,
	budget: 24,
	ask: 'lora'
};

/** Allowed ranges of the numeric controls (the custom model's fields and the run's knobs). */
export const LIMITS = {
	vocab: { min: 1, max: 1_000_000, label: 'vocabulary size' },
	dModel: { min: 1, max: 65_536, label: 'hidden size' },
	layers: { min: 1, max: 1_000, label: 'number of layers' },
	heads: { min: 1, max: 1_024, label: 'number of heads' },
	kvHeads: { min: 1, max: 1_024, label: 'number of key/value heads' },
	dFf: { min: 1, max: 262_144, label: 'MLP width' },
	rank: { min: 1, max: 1_024, label: 'LoRA rank' },
	batch: { min: 1, max: 1_024, label: 'batch size' },
	seq: { min: 1, max: 131_072, label: 'sequence length' },
	devices: { min: 1, max: 4_096, label: 'number of devices' },
	budget: { min: 1, max: 100_000, label: 'memory budget in GB' }
} as const;

export type NumericField = keyof typeof LIMITS;

export const MODEL_CHOICES = [...PRESET_IDS, 'custom'] as const;
const PRECISIONS = ['mixed', 'fp32'] as const;
const OPTIMIZERS = ['adam', 'adam8bit', 'sgd'] as const;
const ZERO_STAGES = ['0', '1', '2', '3'] as const;
const FLAGS = ['0', '1'] as const;

/** Query parameter of each custom-model field. */
const CUSTOM_PARAM: Record<keyof CustomModel, string> = {
	vocab: 'calc-vocab',
	dModel: 'calc-d',
	layers: 'calc-layers',
	heads: 'calc-heads',
	kvHeads: 'calc-kv',
	dFf: 'calc-ff',
	gated: 'calc-gated',
	tied: 'calc-tied'
};

/** Parse one numeric control, clamped to its range and rounded to a whole number. */
export function parseField(
	field: NumericField,
	raw: string | null,
	fallback: number
): Parsed<number> {
	const p = parseNumber(raw, { ...LIMITS[field], fallback, integer: true });
	// "2.5 is not a whole number" names no field: two such values would read as one message.
	const { label } = LIMITS[field];
	return p.message && !p.message.includes(label)
		? { value: p.value, message: `${label[0].toUpperCase()}${label.slice(1)}: ${p.message}` }
		: p;
}

/** Read the matrices LoRA adapts from "q,v"; unknown names are dropped with a message. */
export function parseTargets(raw: string | null): Parsed<TargetMatrix[]> {
	if (raw === null) return { value: [...CALC_DEFAULTS.targets] };
	const names = raw
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	const known = TARGET_MATRICES.filter((t) => names.includes(t));
	const unknown = names.filter((n) => !(TARGET_MATRICES as readonly string[]).includes(n));
	if (known.length === 0) {
		return {
			value: [...CALC_DEFAULTS.targets],
			message: `“${raw.slice(0, 40)}” names no adaptable matrix (${TARGET_MATRICES.join(', ')}); adapting q and v.`
		};
	}
	return unknown.length
		? {
				value: known,
				message: `Unknown matrices ${unknown.map((u) => `“${u.slice(0, 20)}”`).join(', ')} left out.`
			}
		: { value: known };
}

/** The calculator's state from a query string, with a sentence for every value not used as given. */
export function parseCalc(search: string): { state: CalcState; messages: string[] } {
	const q = new URLSearchParams(search);
	const d = CALC_DEFAULTS;
	const messages: string[] = [];
	const take = <T>(p: Parsed<T>): T => {
		if (p.message) messages.push(p.message);
		return p.value;
	};
	const flag = (name: string, fallback: boolean, label: string) =>
		take(
			parseChoice(q.get(name), FLAGS, fallback ? '1' : '0', label, (v) =>
				v === '1' ? 'on' : 'off'
			)
		) === '1';
	const custom: CustomModel = {
		vocab: take(parseField('vocab', q.get(CUSTOM_PARAM.vocab), d.custom.vocab)),
		dModel: take(parseField('dModel', q.get(CUSTOM_PARAM.dModel), d.custom.dModel)),
		layers: take(parseField('layers', q.get(CUSTOM_PARAM.layers), d.custom.layers)),
		heads: take(parseField('heads', q.get(CUSTOM_PARAM.heads), d.custom.heads)),
		kvHeads: take(parseField('kvHeads', q.get(CUSTOM_PARAM.kvHeads), d.custom.kvHeads)),
		dFf: take(parseField('dFf', q.get(CUSTOM_PARAM.dFf), d.custom.dFf)),
		gated: flag(CUSTOM_PARAM.gated, d.custom.gated, 'gated-MLP setting'),
		tied: flag(CUSTOM_PARAM.tied, d.custom.tied, 'tied-embeddings setting')
	};
	const state: CalcState = {
		model: take(parseChoice(q.get('calc-model'), MODEL_CHOICES, d.model, 'model')),
		custom,
		rank: take(parseField('rank', q.get('calc-rank'), d.rank)),
		targets: take(parseTargets(q.get('calc-targets'))),
		batch: take(parseField('batch', q.get('calc-batch'), d.batch)),
		seq: take(parseField('seq', q.get('calc-seq'), d.seq)),
		checkpointing: flag('calc-ckpt', d.checkpointing, 'checkpointing setting'),
		flash: flag('calc-flash', d.flash, 'FlashAttention setting'),
		precision: take(parseChoice(q.get('calc-precision'), PRECISIONS, d.precision, 'precision')),
		optimizer: take(parseChoice(q.get('calc-optimizer'), OPTIMIZERS, d.optimizer, 'optimizer')),
		zero: Number(
			take(parseChoice(q.get('calc-zero'), ZERO_STAGES, String(d.zero) as '0', 'ZeRO stage'))
		) as CalcState['zero'],
		devices: take(parseField('devices', q.get('calc-devices'), d.devices)),
		budget: take(parseField('budget', q.get('calc-budget'), d.budget)),
		ask: take(parseChoice(q.get('calc-ask'), METHODS, d.ask, 'method'))
	};
	return { state, messages };
}

/** The state as query parameters, and the defaults that need not appear in the URL. */
export function calcParams(s: CalcState): {
	values: Record<string, string | number | null>;
	defaults: Record<string, string | number>;
} {
	const flat = (c: CalcState): Record<string, string | number> => ({
		'calc-model': c.model,
		'calc-rank': c.rank,
		'calc-targets': c.targets.join(','),
		'calc-batch': c.batch,
		'calc-seq': c.seq,
		'calc-ckpt': c.checkpointing ? 1 : 0,
		'calc-flash': c.flash ? 1 : 0,
		'calc-precision': c.precision,
		'calc-optimizer': c.optimizer,
		'calc-zero': c.zero,
		'calc-devices': c.devices,
		'calc-budget': c.budget,
		'calc-ask': c.ask,
		...Object.fromEntries(
			(Object.keys(CUSTOM_PARAM) as (keyof CustomModel)[]).map((k) => [
				CUSTOM_PARAM[k],
				typeof c.custom[k] === 'boolean' ? (c.custom[k] ? 1 : 0) : c.custom[k]
			])
		)
	});
	const values: Record<string, string | number | null> = flat(s);
	// The custom model's fields only mean something when the custom model is chosen.
	if (s.model !== 'custom') for (const p of Object.values(CUSTOM_PARAM)) values[p] = null;
	return { values, defaults: flat(CALC_DEFAULTS) };
}

/** The architecture the state describes: a preset, or the custom model (LLaMA-like). */
export function archOf(s: CalcState): ModelArch {
	if (s.model !== 'custom') return MODEL_PRESETS[s.model];
	const c = s.custom;
	return {
		name: 'your model',
		kind: 'decoder',
		vocabSize: c.vocab,
		dModel: c.dModel,
		nLayers: c.layers,
		nHeads: c.heads,
		nKvHeads: c.kvHeads,
		dFf: c.dFf,
		mlp: c.gated ? 'gated' : 'standard',
		lmHead: c.tied ? 'tied' : 'untied',
		positions: 'rotary',
		maxPositions: 131_072,
		attentionBias: false,
		mlpBias: false,
		norm: 'rmsnorm',
		normsPerLayer: 2,
		finalNorm: true
	};
}

/**
 * The memory model's setup for `method` under the state. LoRA and QLoRA both take the chosen
 * rank and the chosen targets that exist in `arch` (a standard MLP has no `gate`).
 */
export function setupOf(s: CalcState, method: Method, arch: ModelArch): TrainingSetup {
	const hasGate = arch.mlp === 'gated';
	return {
		method,
		precision: s.precision,
		optimizer: s.optimizer,
		rank: s.rank,
		targets: s.targets.filter((t) => t !== 'gate' || hasGate),
		batchSize: s.batch,
		seqLen: s.seq,
		gradientCheckpointing: s.checkpointing,
		flashAttention: s.flash,
		zeroStage: s.zero,
		devices: s.devices
	};
}
