/**
 * Parameters as plain data. A model declares its parameters as specs (name, shape, kind, init);
 * weights travel as `Record<name, Float32Array>` (row-major), which is what pretraining scripts
 * write to disk, what the browser loads and hashes, and what a fine-tuning method turns into
 * frozen tensors and trainable variables. No tensors here, so weights can cross a worker boundary.
 *
 * Linear layers follow tfjs's convention y = x·W + b with W: [in, out], the transpose of the
 * paper's d×k matrix; spectra are the same either way. A linear layer `name` owns the
 * parameters `name.W` and, when it has a bias, `name.b`.
 */
import type { Rng } from '$lib/math/rng';

/** What role a parameter plays; fine-tuning methods choose what to train by kind. */
export type ParamKind = 'weight' | 'bias' | 'gain' | 'shift' | 'embedding';

/** One parameter of a model. */
export interface ParamSpec {
	name: string;
	shape: number[];
	kind: ParamKind;
	/** Initial values: Gaussian with this standard deviation, or a constant. */
	init: { std: number } | { constant: number };
}

/** A linear layer y = x·W + b, W: [inDim, outDim]. */
export interface LinearSpec {
	name: string;
	inDim: number;
	outDim: number;
	bias: boolean;
}

/** Named weights, row-major; the caller owns the arrays. */
export type Weights = Record<string, Float32Array>;

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
	return shape.reduce((a, b) => a * b, 1);
}

/** Parameter specs of a linear layer: `name.W` [inDim, outDim] (He-scaled) and `name.b`. */
export function linearParams(l: LinearSpec, std = Math.sqrt(2 / l.inDim)): ParamSpec[] {
	const W: ParamSpec = {
		name: `${l.name}.W`,
		shape: [l.inDim, l.outDim],
		kind: 'weight',
		init: { std }
	};
	if (!l.bias) return [W];
	return [W, { name: `${l.name}.b`, shape: [l.outDim], kind: 'bias', init: { constant: 0 } }];
}

/** Fresh seeded weights for every spec; the caller owns the arrays. */
export function initWeights(specs: readonly ParamSpec[], rng: Rng): Weights {
	const out: Weights = {};
	for (const s of specs) {
		const v = new Float32Array(sizeOf(s.shape));
		const stream = rng.fork(s.name);
		if ('std' in s.init) for (let i = 0; i < v.length; i++) v[i] = stream.normal(0, s.init.std);
		else v.fill(s.init.constant);
		out[s.name] = v;
	}
	return out;
}

/** Throws unless `weights` holds exactly the specs' parameters with the right sizes. */
export function checkWeights(specs: readonly ParamSpec[], weights: Weights): void {
	for (const s of specs) {
		const w = weights[s.name];
		if (!w) throw new Error(`weights lack ${s.name}`);
		if (w.length !== sizeOf(s.shape)) {
			throw new Error(`${s.name} has ${w.length} values, expected ${sizeOf(s.shape)}`);
		}
	}
	const known = new Set(specs.map((s) => s.name));
	for (const name of Object.keys(weights)) {
		if (!known.has(name)) throw new Error(`unexpected weight ${name}`);
	}
}
