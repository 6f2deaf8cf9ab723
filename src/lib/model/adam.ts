/**
 * Adam (Kingma & Ba 2015) with bias correction, written out so that the optimizer state is ours
 * to measure and the update is one short chain of ops per variable. Matches PyTorch's
 * `torch.optim.Adam` (no weight decay): the bias corrections are folded into the step size and
 * ε, an exact rewrite of θ ← θ − lr·m̂/(√v̂ + ε).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from './tuned';
import { heldBy, toVariable } from './tuned';
import { fusedAdam, hasFusedAdam } from './kernels/adamKernel';

/** Adam's hyperparameters. */
export interface AdamConfig {
	lr: number;
	beta1?: number;
	beta2?: number;
	eps?: number;
}

/** Adam's state as plain data. */
export interface AdamState {
	t: number;
	m: Float32Array[];
	v: Float32Array[];
}

/** Overwrite a variable's values from an array of the same size. */
export function assignValues(x: tf.Variable, values: Float32Array): void {
	if (values.length !== x.size) throw new Error(`expected ${x.size} values, got ${values.length}`);
	const t = tf.tensor(values, x.shape);
	x.assign(t);
	t.dispose();
}

/** First and second moments for each trainable variable; owns them. */
export class Adam {
	private readonly m: tf.Variable[];
	private readonly v: tf.Variable[];
	private t = 0;
	readonly beta1: number;
	readonly beta2: number;
	readonly eps: number;

	constructor(
		private readonly vars: NamedVariable[],
		public lr: number,
		{
			beta1 = 0.9,
			beta2 = 0.999,
			eps = 1e-8,
			fused = true
		}: Omit<AdamConfig, 'lr'> & {
			/** Use the backend's fused kernel when it has one (set false to compare with the op chain). */
			fused?: boolean;
		} = {}
	) {
		this.fused = fused;
		this.beta1 = beta1;
		this.beta2 = beta2;
		this.eps = eps;
		const [state, bytes] = heldBy(() => ({
			m: vars.map((x) => toVariable(tf.zerosLike(x.variable), false, `adam.m.${x.name}`)),
			v: vars.map((x) => toVariable(tf.zerosLike(x.variable), false, `adam.v.${x.name}`)),
			// Constants live on the device once: a JS number in an op becomes a new scalar tensor,
			// and on a GPU backend a new upload, every time.
			c: [beta1, 1 - beta1, beta2, 1 - beta2].map((x) => tf.scalar(x))
		}));
		this.m = state.m;
		this.v = state.v;
		this.c = state.c;
		this.held = bytes;
	}

	private readonly c: tf.Scalar[];
	private readonly fused: boolean;
	private readonly held: number;

	/** Steps taken so far. */
	get steps(): number {
		return this.t;
	}

	/** Apply one update from gradients aligned with the variables. Does not dispose `grads`. */
	apply(grads: tf.Tensor[]): void {
		this.t += 1;
		const bc1 = 1 - this.beta1 ** this.t;
		const bc2 = 1 - this.beta2 ** this.t;
		const stepSize = (this.lr * Math.sqrt(bc2)) / bc1;
		const epsHat = this.eps * Math.sqrt(bc2);
		if (this.fused && hasFusedAdam()) {
			const attrs = { beta1: this.beta1, beta2: this.beta2, stepSize, eps: epsHat };
			for (let i = 0; i < this.vars.length; i++) {
				const x = this.vars[i].variable;
				const [x1, m1, v1] = fusedAdam(x, grads[i], this.m[i], this.v[i], attrs);
				x.assign(x1);
				this.m[i].assign(m1);
				this.v[i].assign(v1);
				tf.dispose([x1, m1, v1]);
			}
			return;
		}
		const [b1, oneMinusB1, b2, oneMinusB2] = this.c;
		tf.tidy(() => {
			const step = tf.scalar(stepSize);
			const eps = tf.scalar(epsHat);
			for (let i = 0; i < this.vars.length; i++) {
				const g = grads[i];
				const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, oneMinusB1));
				const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), oneMinusB2));
				this.m[i].assign(m);
				this.v[i].assign(v);
				const x = this.vars[i].variable;
				x.assign(tf.sub(x, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), step)));
			}
		});
	}

	/** The moments and step count as plain arrays (caller owns), for moving a run elsewhere. */
	async exportState(): Promise<AdamState> {
		const read = (ts: tf.Variable[]) =>
			Promise.all(ts.map(async (t) => (await t.data<'float32'>()).slice()));
		return { t: this.t, m: await read(this.m), v: await read(this.v) };
	}

	/** Load moments and step count written by `exportState` for the same variables. */
	importState(state: AdamState): void {
		if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
			throw new Error('optimizer state does not match the variables');
		}
		this.t = state.t;
		this.m.forEach((x, i) => assignValues(x, state.m[i]));
		this.v.forEach((x, i) => assignValues(x, state.v[i]));
	}

	/**
	 * Bytes of optimizer state, measured by tfjs's engine as it was made: two fp32 moments per
	 * trainable parameter and the four scalar constants β₁, 1 − β₁, β₂, 1 − β₂.
	 */
	bytes(): number {
		return this.held;
	}

	dispose(): void {
		for (const t of [...this.m, ...this.v, ...this.c]) t.dispose();
	}
}
