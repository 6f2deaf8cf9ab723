/**
 * The common body of every fine-tuning method: each base parameter becomes either a frozen
 * tensor (no gradient, no optimizer state) or a trainable variable, and a method may add adapter
 * variables of its own (LoRA's A and B). It answers the model's `ParamAccess` calls, measures
 * what it holds by category for the memory ledger (the bytes tfjs's engine counts as each
 * category's tensors are made), and reads weight updates back as plain data.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; every training path goes through this module.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { LayerAccess, LinearCache } from './access';
import { linearGrads, matMul, reluGrad } from './kernels/linalg';
import type { ModelDef } from './model';
import type { LinearSpec, Weights } from './params';

/** The fine-tuning methods the trainer knows. */
export type MethodId = 'full' | 'lora' | 'head' | 'bitfit' | 'subspace';

/** How to fine-tune. `rank`, `alpha` and `targets` apply to LoRA, `dim` to `subspace`. */
export interface TuningConfig {
	method: MethodId;
	/** LoRA rank r ≥ 1. */
	rank?: number;
	/** LoRA α; the update is scaled by α/r. Defaults to the rank (scale 1). */
	alpha?: number;
	/** Names of the linear layers LoRA adapts; defaults to every linear layer but the head. */
	targets?: string[];
	/** Subspace dimension d of `subspace` (θ = θ₀ + P·z, z: [d]); default 64. */
	dim?: number;
}

/** A trainable tensor with the name the optimizer and snapshots know it by. */
export interface NamedVariable {
	name: string;
	variable: tf.Variable;
}

/** A model's parameters prepared for one fine-tuning method. Owns every tensor it holds. */
export class Tuned implements LayerAccess {
	readonly trainable: NamedVariable[] = [];
	protected readonly frozen = new Map<string, tf.Tensor>();
	protected readonly vars = new Map<string, tf.Variable>();
	protected readonly linearsByName: Map<string, LinearSpec>;
	/** Layers whose W is temporarily replaced (`withWeight`), by layer name. */
	protected readonly overrides = new Map<string, tf.Tensor2D>();
	private readonly initial: Weights;
	/** Bytes by category, measured as the tensors were made (`hold`). */
	private readonly held = { frozen: 0, trainable: 0 };

	/**
	 * @param model the model's structure
	 * @param weights base weights (copied; the caller keeps ownership of its arrays)
	 * @param trains which base parameters become trainable
	 */
	constructor(
		readonly model: ModelDef,
		weights: Weights,
		trains: (name: string) => boolean
	) {
		this.linearsByName = new Map(model.linears.map((l) => [l.name, l]));
		this.initial = {};
		for (const spec of model.params) {
			const values = weights[spec.name];
			if (!values) throw new Error(`base weights lack ${spec.name}`);
			this.initial[spec.name] = values.slice();
			if (trains(spec.name)) {
				const v = this.hold('trainable', () =>
					toVariable(tf.tensor(values, spec.shape), true, spec.name)
				);
				this.vars.set(spec.name, v);
				this.trainable.push({ name: spec.name, variable: v });
			} else {
				this.frozen.set(
					spec.name,
					this.hold('frozen', () => tf.tensor(values, spec.shape))
				);
			}
		}
	}

	/**
	 * Make tensors with `make` and add what they hold to `part` of the ledger: the change in
	 * tfjs's `tf.memory().numBytes` across the call. Every long-lived tensor this object (or a
	 * method's subclass) owns is made through here.
	 */
	protected hold<T>(part: 'frozen' | 'trainable', make: () => T): T {
		const [value, bytes] = heldBy(make);
		this.held[part] += bytes;
		return value;
	}

	param(name: string): tf.Tensor {
		const t =
			(name.endsWith('.W') ? this.overrides.get(name.slice(0, -2)) : undefined) ??
			this.vars.get(name) ??
			this.frozen.get(name);
		if (!t) throw new Error(`no parameter ${name}`);
		return t;
	}

	linear(name: string, x: tf.Tensor2D, activation?: 'relu'): tf.Tensor2D {
		const spec = this.linearsByName.get(name);
		if (!spec) throw new Error(`no linear layer ${name}`);
		return tf.fused.matMul({
			a: x,
			b: this.param(`${name}.W`) as tf.Tensor2D,
			bias: spec.bias ? this.param(`${name}.b`) : undefined,
			activation: activation ?? 'linear'
		}) as tf.Tensor2D;
	}

	linearTrains(name: string): boolean {
		return this.vars.has(`${name}.W`) || this.vars.has(`${name}.b`);
	}

	linearForward(name: string, x: tf.Tensor2D, activation?: 'relu'): LinearCache {
		const relu = activation === 'relu';
		return { name, x, out: this.linearNoTape(name, x, relu), relu, saved: [] };
	}

	/** x·W + b, then ReLU if asked, through the tape-free kernels (`./kernels/linalg`). */
	protected linearNoTape(name: string, x: tf.Tensor2D, relu: boolean): tf.Tensor2D {
		const bias = this.linearSpec(name).bias ? this.param(`${name}.b`) : undefined;
		return matMul(x, this.param(`${name}.W`) as tf.Tensor2D, { bias, relu });
	}

	linearBackward(
		cache: LinearCache,
		dOut: tf.Tensor2D,
		needInput: boolean,
		grads: Map<string, tf.Tensor>
	): tf.Tensor2D | undefined {
		const dz = reluBackward(cache, dOut);
		this.linearParamGrads(cache, dz, grads);
		if (!needInput) return undefined;
		return matMul(dz, this.linearWeight(cache), { transposeB: true });
	}

	/** Set ∂L/∂W and ∂L/∂b of the layer from ∂L/∂z, for those that train. */
	protected linearParamGrads(cache: LinearCache, dz: tf.Tensor2D, grads: Map<string, tf.Tensor>) {
		const { name, x } = cache;
		this.setWeightGrads(name, x, dz, this.vars.has(`${name}.W`), this.vars.has(`${name}.b`), grads);
	}

	/** xᵀ·dz under `name.W` and dz's column sums under `name.b`, each if asked. */
	protected setWeightGrads(
		name: string,
		x: tf.Tensor2D,
		dz: tf.Tensor2D,
		weight: boolean,
		bias: boolean,
		grads: Map<string, tf.Tensor>
	): void {
		const { dW, db } = linearGrads(x, dz, weight, bias);
		if (dW) grads.set(`${name}.W`, dW);
		if (db) grads.set(`${name}.b`, db);
	}

	/** The weight the layer's forward pass used, for ∂L/∂x = ∂L/∂z·Wᵀ. */
	protected linearWeight(cache: LinearCache): tf.Tensor2D {
		return this.param(`${cache.name}.W`) as tf.Tensor2D;
	}

	paramTrains(name: string): boolean {
		return this.vars.has(name);
	}

	paramValue(name: string): tf.Tensor {
		return this.param(name);
	}

	paramBackward(name: string, grad: tf.Tensor, grads: Map<string, tf.Tensor>): void {
		if (this.vars.has(name)) grads.set(name, grad);
	}

	/**
	 * Bytes of the frozen tensors (base weights, and a method's constants such as LoRA's α/r or
	 * the subspace's projection tables), measured by tfjs's engine as they were made.
	 */
	frozenBytes(): number {
		return this.held.frozen;
	}

	/** Bytes of the trainable variables, measured by tfjs's engine as they were made. */
	trainableBytes(): number {
		return this.held.trainable;
	}

	/** Number of trainable parameters. */
	trainableCount(): number {
		return this.trainable.reduce((n, v) => n + v.variable.size, 0);
	}

	/** The linear layer's spec, or an error naming the layer. */
	linearSpec(name: string): LinearSpec {
		const spec = this.linearsByName.get(name);
		if (!spec) throw new Error(`no linear layer ${name}`);
		return spec;
	}

	/**
	 * The weight update ΔW = W − W₀ of a linear layer, [inDim, outDim] row-major. Caller owns
	 * the array. Reads the tensor back asynchronously (no blocking read on a GPU backend).
	 */
	async deltaW(name: string): Promise<Float32Array> {
		this.linearSpec(name);
		const w = await this.param(`${name}.W`).data<'float32'>();
		const w0 = this.initial[`${name}.W`];
		const out = new Float32Array(w.length);
		for (let i = 0; i < w.length; i++) out[i] = w[i] - w0[i];
		return out;
	}

	/**
	 * W₀ of a linear layer, [inDim, outDim] row-major, as the run started from it. Caller owns
	 * the copy.
	 */
	baseWeight(name: string): Float32Array {
		this.linearSpec(name);
		return this.initial[`${name}.W`].slice();
	}

	/**
	 * Run `fn` with the layer's whole effective weight replaced by `W` [inDim, outDim] (an
	 * adapter's update included: `W` stands for W₀ + ΔW), every other parameter as it is; the
	 * trained values are untouched and in force again afterwards. For evaluation only: do not
	 * train inside `fn`.
	 */
	async withWeight<T>(name: string, W: Float32Array, fn: () => Promise<T>): Promise<T> {
		const { inDim, outDim } = this.linearSpec(name);
		if (W.length !== inDim * outDim)
			throw new Error(`${name}: ${W.length} values do not fill its ${inDim}×${outDim} W`);
		if (this.overrides.has(name)) throw new Error(`${name} is already replaced`);
		const t = tf.tensor2d(W, [inDim, outDim]);
		this.overrides.set(name, t);
		try {
			return await fn();
		} finally {
			this.overrides.delete(name);
			t.dispose();
		}
	}

	/** The current effective weights, as plain data the caller owns (adapters merged in). */
	async exportWeights(): Promise<Weights> {
		const out: Weights = {};
		for (const spec of this.model.params) {
			out[spec.name] = (await this.param(spec.name).data<'float32'>()).slice();
		}
		return out;
	}

	/** Frees every tensor this object holds. */
	dispose(): void {
		for (const t of this.frozen.values()) t.dispose();
		for (const v of this.vars.values()) v.dispose();
		for (const t of this.overrides.values()) t.dispose();
		this.overrides.clear();
		this.frozen.clear();
		this.vars.clear();
		this.trainable.length = 0;
	}
}

/** ∂L/∂z from ∂L/∂out through the layer's ReLU (if any): zero where the unit was off. */
export function reluBackward(cache: LinearCache, dOut: tf.Tensor2D): tf.Tensor2D {
	return cache.relu ? reluGrad(dOut, cache.out) : dOut;
}

/**
 * A variable holding `t`'s values; disposes `t` (tf.variable shares the data and leaves the
 * initial tensor behind otherwise). Caller owns the variable.
 */
export function toVariable<R extends tf.Rank>(
	t: tf.Tensor<R>,
	trainable: boolean,
	name: string
): tf.Variable<R> {
	const v = tf.variable(t, trainable, `${name}#${uid()}`);
	t.dispose();
	return v;
}

/**
 * Run `make` and return its result with the bytes it left held: the change in tfjs's own count of
 * live tensor bytes (`tf.memory().numBytes`, size × bytes per element of every live tensor), on
 * whichever backend is active. `make` must be synchronous. Caller owns the result.
 */
export function heldBy<T>(make: () => T): [T, number] {
	const before = tf.memory().numBytes;
	const value = make();
	return [value, tf.memory().numBytes - before];
}

let counter = 0;
/** Variable names must be unique in the tfjs engine; this keeps them so across instances. */
export function uid(): number {
	return ++counter;
}
