/**
 * The shipped weight format: one little-endian float32 array per parameter, concatenated in the
 * model's spec order, no header; the manifest beside it names the model and carries the sha256.
 * Tiny, streamable, and trivially checked against the specs' sizes.
 */
import type { ModelDef } from './model';
import { mlp } from './mlp';
import { sizeOf, type ParamSpec, type Weights } from './params';
import { transformer, type TransformerConfig } from './transformer';

/** How a shipped model is built: enough to rebuild its `ModelDef`. */
export type ModelConfig =
	{ kind: 'mlp'; sizes: number[] } | ({ kind: 'transformer' } & TransformerConfig);

/** The model a config describes. */
export function buildModel(config: ModelConfig): ModelDef {
	if (config.kind === 'mlp') return mlp(config.sizes);
	const { vocab, context, dModel, heads, layers } = config;
	return transformer({ vocab, context, dModel, heads, layers });
}

/** One shipped base model, as the manifest describes it. */
export interface BaseModelEntry {
	id: string;
	title: string;
	file: string;
	bytes: number;
	sha256: string;
	config: ModelConfig;
	/** What it was pretrained on, with which seed and how long. */
	pretraining: { task: string; seed: number; steps: number; lr: number; batchSize: number };
	/** Held-out accuracy after pretraining, in [0, 1] (next-character accuracy for a language model). */
	testAccuracy: number;
	parameters: number;
	/**
	 * For a language model: held-out loss in bits per character, beside what simpler models of
	 * the same text score on the same held-out split.
	 */
	language?: {
		corpora: string[];
		heldOutBitsPerChar: number;
		baselines: { uniform: number; unigram: number; bigram: number; untrained: number };
		/** Characters of text seen in pretraining (steps × batch × context). */
		charactersSeen: number;
		seconds: number;
		backend: string;
	};
}

/** The manifest of `static/models/`. */
export interface ModelManifest {
	models: Record<string, BaseModelEntry>;
}

/** Pack weights in spec order as little-endian float32. Caller owns the bytes. */
export function packWeights(specs: readonly ParamSpec[], weights: Weights): Uint8Array {
	const total = specs.reduce((n, s) => n + sizeOf(s.shape), 0);
	const out = new Float32Array(total);
	let offset = 0;
	for (const s of specs) {
		const w = weights[s.name];
		if (!w || w.length !== sizeOf(s.shape))
			throw new Error(`weights for ${s.name} are missing or mis-sized`);
		out.set(w, offset);
		offset += w.length;
	}
	return new Uint8Array(out.buffer);
}

/** Unpack bytes written by `packWeights`. Throws when the size does not match the specs. */
export function unpackWeights(specs: readonly ParamSpec[], bytes: Uint8Array): Weights {
	const total = specs.reduce((n, s) => n + sizeOf(s.shape), 0);
	if (bytes.byteLength !== total * 4) {
		throw new Error(`weight file has ${bytes.byteLength} bytes, the model needs ${total * 4}`);
	}
	const all = new Float32Array(bytes.slice().buffer);
	const out: Weights = {};
	let offset = 0;
	for (const s of specs) {
		const n = sizeOf(s.shape);
		out[s.name] = all.slice(offset, offset + n);
		offset += n;
	}
	return out;
}
