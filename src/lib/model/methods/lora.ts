/**
 * LoRA (Hu et al. 2021, arXiv 2106.09685): every base weight is frozen, and each adapted linear
 * layer gains a trainable low-rank update scaled by α/r,
 *
 *   y = x·W₀ + b + (α/r)·(x·A)·B,   A: [in, r] Gaussian,  B: [r, out] zero at start,
 *
 * the paper's h = W₀x + (α/r)·B·A·x written for row vectors (our A and B are the transposes of
 * the paper's), so ΔW = (α/r)·A·B starts at zero and has rank ≤ r. It trains r·(in + out)
 * parameters per adapted matrix. `merge()` folds ΔW into W₀ for inference at no extra cost;
 * `unmerge()` takes it out again.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '$lib/math/rng';
import type { ModelDef } from '../model';
import type { Weights } from '../params';
import type { LinearCache } from '../access';
import { matMul } from '../kernels/linalg';
import { reluBackward, toVariable, Tuned, type TuningConfig } from '../tuned';

interface Adapter {
	A: tf.Variable<tf.Rank.R2>;
	B: tf.Variable<tf.Rank.R2>;
	/** α/r as a number, and as a scalar tensor made once (a number in an op uploads anew). */
	scale: number;
	scaleTensor: tf.Scalar;
}

/** Frozen base plus trainable low-rank adapters on the target linear layers. */
export class LoraTuned extends Tuned {
	private readonly adapters = new Map<string, Adapter>();
	private merged = false;
	readonly rank: number;
	readonly alpha: number;
	readonly targets: string[];

	constructor(model: ModelDef, weights: Weights, config: TuningConfig, rng: Rng) {
		super(model, weights, () => false);
		const rank = config.rank ?? 4;
		const alpha = config.alpha ?? rank;
		if (!Number.isInteger(rank) || rank < 1)
			throw new RangeError(`LoRA rank must be ≥ 1, got ${rank}`);
		if (!Number.isFinite(alpha) || alpha <= 0)
			throw new RangeError(`LoRA α must be > 0, got ${alpha}`);
		const targets =
			config.targets ?? model.linears.map((l) => l.name).filter((n) => !model.head.includes(n));
		if (targets.length === 0) throw new Error('LoRA needs at least one target layer');
		this.rank = rank;
		this.alpha = alpha;
		this.targets = targets;
		for (const name of targets) {
			const { inDim, outDim } = this.linearSpec(name);
			if (rank > Math.min(inDim, outDim)) {
				throw new RangeError(`rank ${rank} exceeds min(${inDim}, ${outDim}) of ${name}`);
			}
			const stream = rng.fork(`lora:${name}`);
			const a = new Float32Array(inDim * rank);
			const std = 1 / Math.sqrt(inDim);
			for (let i = 0; i < a.length; i++) a[i] = stream.normal(0, std);
			const A = this.hold('trainable', () =>
				toVariable(tf.tensor2d(a, [inDim, rank]), true, `${name}.A`)
			);
			const B = this.hold('trainable', () =>
				toVariable(tf.zeros([rank, outDim]) as tf.Tensor2D, true, `${name}.B`)
			);
			// α/r is a constant: a frozen tensor of 4 bytes per adapted layer.
			const scaleTensor = this.hold('frozen', () => tf.scalar(alpha / rank));
			this.adapters.set(name, { A, B, scale: alpha / rank, scaleTensor });
			this.trainable.push({ name: `${name}.A`, variable: A }, { name: `${name}.B`, variable: B });
		}
	}

	override linear(name: string, x: tf.Tensor2D, activation?: 'relu'): tf.Tensor2D {
		const ad = this.active(name);
		if (!ad) return super.linear(name, x, activation);
		const z = tf.add(
			super.linear(name, x),
			tf.mul(tf.matMul(tf.matMul(x, ad.A), ad.B), ad.scaleTensor)
		);
		return (activation === 'relu' ? tf.relu(z) : z) as tf.Tensor2D;
	}

	/** The layer's adapter when it adds to the output: not merged, W not replaced. */
	private active(name: string): Adapter | undefined {
		return this.merged || this.overrides.has(name) ? undefined : this.adapters.get(name);
	}

	/**
	 * The layer's adapter in the paper's layout (Hu et al. 2021): A [r, inDim] and B [outDim, r],
	 * so that ΔWᵀ = (α/r)·B·A; this class stores their transposes. Caller owns the arrays.
	 */
	async factors(name: string): Promise<{ A: Float32Array; B: Float32Array; scale: number }> {
		const ad = this.adapters.get(name);
		if (!ad) throw new RangeError(`${name} has no LoRA adapter`);
		const [a, b] = await Promise.all([ad.A.data<'float32'>(), ad.B.data<'float32'>()]);
		const [inDim, r] = ad.A.shape;
		const outDim = ad.B.shape[1];
		return { A: transposed(a, inDim, r), B: transposed(b, r, outDim), scale: ad.scale };
	}

	override linearTrains(name: string): boolean {
		return (this.adapters.has(name) && !this.merged) || super.linearTrains(name);
	}

	/** Forward keeping s·x·A (s = α/r), which both adapter gradients need. */
	override linearForward(name: string, x: tf.Tensor2D, activation?: 'relu'): LinearCache {
		const ad = this.active(name);
		if (!ad) return super.linearForward(name, x, activation);
		const xa = tf.mul(matMul(x, ad.A), ad.scaleTensor) as tf.Tensor2D;
		const z = tf.add(this.linearNoTape(name, x, false), matMul(xa, ad.B)) as tf.Tensor2D;
		const relu = activation === 'relu';
		return { name, x, out: relu ? tf.relu(z) : z, relu, saved: [xa] };
	}

	/**
	 * With z = x·W₀ + b + s·(x·A)·B: ∂L/∂B = (s·x·A)ᵀ·∂z, ∂L/∂A = xᵀ·(s·∂z·Bᵀ), and
	 * ∂L/∂x = ∂z·W₀ᵀ + (s·∂z·Bᵀ)·Aᵀ. W₀ and b are frozen and get nothing.
	 */
	override linearBackward(
		cache: LinearCache,
		dOut: tf.Tensor2D,
		needInput: boolean,
		grads: Map<string, tf.Tensor>
	): tf.Tensor2D | undefined {
		const ad = this.active(cache.name);
		if (!ad) return super.linearBackward(cache, dOut, needInput, grads);
		const { name, x } = cache;
		const dz = reluBackward(cache, dOut);
		grads.set(`${name}.B`, matMul(cache.saved[0] as tf.Tensor2D, dz, { transposeA: true }));
		const dxa = tf.mul(matMul(dz, ad.B, { transposeB: true }), ad.scaleTensor) as tf.Tensor2D;
		grads.set(`${name}.A`, matMul(x, dxa, { transposeA: true }));
		if (!needInput) return undefined;
		const w0 = this.param(`${name}.W`) as tf.Tensor2D;
		return tf.add(
			matMul(dz, w0, { transposeB: true }),
			matMul(dxa, ad.A, { transposeB: true })
		) as tf.Tensor2D;
	}

	/** ΔW = (α/r)·A·B as a tensor [in, out]; caller owns it. */
	private delta(name: string): tf.Tensor2D {
		const ad = this.adapters.get(name);
		if (!ad) throw new Error(`${name} has no LoRA adapter`);
		return tf.tidy(() => tf.mul(tf.matMul(ad.A, ad.B), ad.scale));
	}

	override async deltaW(name: string): Promise<Float32Array> {
		if (!this.adapters.has(name)) {
			this.linearSpec(name);
			return new Float32Array(this.linearSpec(name).inDim * this.linearSpec(name).outDim);
		}
		const d = this.delta(name);
		try {
			return await d.data<'float32'>();
		} finally {
			d.dispose();
		}
	}

	/** Whether the adapters are currently folded into the frozen weights. */
	get isMerged(): boolean {
		return this.merged;
	}

	/** Fold every ΔW into its W₀, so a forward pass costs what the base model costs. */
	merge(): void {
		if (this.merged) return;
		this.shiftBase(1);
		this.merged = true;
	}

	/** Take the adapters back out of W₀ (exactly up to float rounding). */
	unmerge(): void {
		if (!this.merged) return;
		this.shiftBase(-1);
		this.merged = false;
	}

	private shiftBase(sign: 1 | -1): void {
		for (const name of this.adapters.keys()) {
			const key = `${name}.W`;
			const old = this.frozen.get(key)!;
			const d = this.delta(name);
			this.frozen.set(
				key,
				tf.tidy(() => tf.add(old, tf.mul(d, sign)))
			);
			old.dispose();
			d.dispose();
		}
	}

	override async exportWeights(): Promise<Weights> {
		const wasMerged = this.merged;
		this.merge();
		try {
			return await super.exportWeights();
		} finally {
			if (!wasMerged) this.unmerge();
		}
	}

	override dispose(): void {
		for (const ad of this.adapters.values()) {
			ad.A.dispose();
			ad.B.dispose();
			ad.scaleTensor.dispose();
		}
		this.adapters.clear();
		super.dispose();
	}
}

/** The transpose of a rows×cols row-major matrix. */
function transposed(m: Float32Array, rows: number, cols: number): Float32Array {
	const out = new Float32Array(m.length);
	for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j];
	return out;
}
