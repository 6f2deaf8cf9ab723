/**
 * Writing text with the character transformer: one character at a time from a prompt, at a
 * temperature, from a seed. Plain loops over the weights as plain arrays (the model's effective
 * weights, adapters merged in, as `Tuned.exportWeights` gives them), with a key–value cache, so a
 * new character costs one row through each matrix (about 0.7 M multiply–adds for the course's
 * language model) instead of the whole window again. No tfjs, so the same seed and the same
 * weights give the same text on every backend, in the worker, in Node and in tests.
 *
 * Positions are learned and absolute, so a window cannot slide one character at a time over a
 * cache. When the window is full, the sampler keeps its last `context/2` characters, rebuilds the
 * cache over them at positions 0…, and goes on: every character is predicted from between
 * context/2 and context − 1 characters before it (or from all of the prompt while it is shorter).
 */
import { createRng } from '$lib/math/rng';
import { GELU_A, GELU_C, LAYERNORM_EPS } from './kernels/transformerArrays';
import type { Weights } from './params';
import type { TransformerConfig } from './transformer';

/** How to sample. */
export interface SampleOptions {
	/** Token ids to start from; at least one (a newline, id 0, when the reader gives none). */
	prompt: Int32Array;
	/** Characters to write after the prompt. */
	length: number;
	/** Softmax temperature; 0 takes the most likely character every time. */
	temperature: number;
	/** Seed of the draws. */
	seed: number;
}

/** Highest temperature a sampler accepts: beyond it the text is noise. */
export const MAX_TEMPERATURE = 2;

/**
 * A language model ready to write: the weights of a transformer and its caches. Reuse one for
 * several samples of the same weights; make a new one when the weights change.
 */
export class TextSampler {
	private readonly d: number;
	private readonly dh: number;
	private readonly keys: Float32Array[];
	private readonly values: Float32Array[];
	/** Scratch rows. */
	private readonly h: Float64Array;
	private readonly a: Float64Array;
	private readonly q: Float64Array;
	private readonly ctx: Float64Array;
	private readonly up: Float64Array;
	private readonly tmp: Float64Array;
	private readonly scores: Float64Array;
	readonly logits: Float64Array;
	/** Positions filled in the cache. */
	private filled = 0;

	constructor(
		private readonly cfg: TransformerConfig,
		private readonly w: Weights
	) {
		const { dModel: d, heads, context, layers, vocab } = cfg;
		this.d = d;
		this.dh = d / heads;
		for (const name of ['tok', 'pos', 'out.W', 'out.b', 'lnf.g', 'lnf.s']) {
			if (!w[name]) throw new Error(`the weights have no ${name}`);
		}
		this.keys = Array.from({ length: layers }, () => new Float32Array(context * d));
		this.values = Array.from({ length: layers }, () => new Float32Array(context * d));
		this.h = new Float64Array(d);
		this.a = new Float64Array(d);
		this.q = new Float64Array(d);
		this.ctx = new Float64Array(d);
		this.up = new Float64Array(4 * d);
		this.tmp = new Float64Array(Math.max(4 * d, vocab));
		this.scores = new Float64Array(context);
		this.logits = new Float64Array(vocab);
	}

	/** Forget the cache: the next `push` is at position 0. */
	clear(): void {
		this.filled = 0;
	}

	/** Positions in the cache. */
	get length(): number {
		return this.filled;
	}

	/**
	 * Feed one token at the next position; afterwards `logits` holds the prediction of the token
	 * after it. Throws when the window is full (call `clear` and feed again).
	 */
	push(id: number): void {
		const { d, dh, cfg, w } = this;
		const t = this.filled;
		if (t >= cfg.context) throw new RangeError('the context window is full');
		if (!Number.isInteger(id) || id < 0 || id >= cfg.vocab)
			throw new RangeError(`token ${id} is outside the vocabulary`);
		const tok = w.tok;
		const pos = w.pos;
		const h = this.h;
		for (let c = 0; c < d; c++) h[c] = tok[id * d + c] + pos[t * d + c];
		const scale = 1 / Math.sqrt(dh);
		for (let i = 0; i < cfg.layers; i++) {
			const K = this.keys[i];
			const V = this.values[i];
			layerNorm(h, w[`h${i}.ln1.g`], w[`h${i}.ln1.s`], this.a);
			matVec(this.a, w[`h${i}.q.W`], w[`h${i}.q.b`], this.q);
			matVec(this.a, w[`h${i}.k.W`], w[`h${i}.k.b`], this.tmp);
			K.set(this.tmp.subarray(0, d), t * d);
			matVec(this.a, w[`h${i}.v.W`], w[`h${i}.v.b`], this.tmp);
			V.set(this.tmp.subarray(0, d), t * d);
			for (let hd = 0; hd < cfg.heads; hd++) {
				const o = hd * dh;
				let max = -Infinity;
				for (let j = 0; j <= t; j++) {
					let s = 0;
					for (let c = 0; c < dh; c++) s += this.q[o + c] * K[j * d + o + c];
					s *= scale;
					this.scores[j] = s;
					if (s > max) max = s;
				}
				let sum = 0;
				for (let j = 0; j <= t; j++) {
					const e = Math.exp(this.scores[j] - max);
					this.scores[j] = e;
					sum += e;
				}
				for (let c = 0; c < dh; c++) this.ctx[o + c] = 0;
				for (let j = 0; j <= t; j++) {
					const p = this.scores[j] / sum;
					for (let c = 0; c < dh; c++) this.ctx[o + c] += p * V[j * d + o + c];
				}
			}
			matVec(this.ctx, w[`h${i}.o.W`], w[`h${i}.o.b`], this.tmp);
			for (let c = 0; c < d; c++) h[c] += this.tmp[c];
			layerNorm(h, w[`h${i}.ln2.g`], w[`h${i}.ln2.s`], this.a);
			matVec(this.a, w[`h${i}.up.W`], w[`h${i}.up.b`], this.up);
			for (let c = 0; c < this.up.length; c++) this.up[c] = gelu(this.up[c]);
			matVec(this.up, w[`h${i}.down.W`], w[`h${i}.down.b`], this.tmp);
			for (let c = 0; c < d; c++) h[c] += this.tmp[c];
		}
		layerNorm(h, w['lnf.g'], w['lnf.s'], this.a);
		matVec(this.a, w['out.W'], w['out.b'], this.logits);
		this.filled = t + 1;
	}

	/**
	 * The prompt's continuation: `length` new token ids (the prompt not included), drawn from
	 * softmax(logits / temperature) with a generator seeded by `seed`.
	 */
	sample(options: SampleOptions): Int32Array {
		const { prompt, length, temperature, seed } = options;
		if (prompt.length < 1) throw new RangeError('the prompt needs at least one character');
		if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE))
			throw new RangeError(`temperature must lie in [0, ${MAX_TEMPERATURE}]`);
		if (!Number.isInteger(length) || length < 0) throw new RangeError('length must be ≥ 0');
		const { context } = this.cfg;
		const keep = Math.max(1, context >> 1);
		const all = Array.from(prompt);
		this.clear();
		// A prompt longer than the window: start from its last `context` characters.
		for (const id of all.slice(-context)) this.push(id);
		const rng = createRng(seed).fork('sample');
		const out = new Int32Array(length);
		for (let n = 0; n < length; n++) {
			const next = draw(this.logits, temperature, rng.uniform());
			out[n] = next;
			all.push(next);
			if (n + 1 === length) break;
			if (this.filled === context) {
				this.clear();
				for (const id of all.slice(-keep)) this.push(id);
			} else this.push(next);
		}
		return out;
	}
}

/**
 * One draw from softmax(logits / temperature) by inverting the cumulative sum at `u` ∈ [0, 1);
 * temperature 0 (or a vanishing one) takes the arg max, the lowest index on a tie.
 */
export function draw(logits: ArrayLike<number>, temperature: number, u: number): number {
	let best = 0;
	for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
	if (temperature <= 1e-6) return best;
	const max = logits[best];
	let sum = 0;
	const p = new Float64Array(logits.length);
	for (let i = 0; i < logits.length; i++) {
		p[i] = Math.exp((logits[i] - max) / temperature);
		sum += p[i];
	}
	let target = u * sum;
	for (let i = 0; i < p.length; i++) {
		target -= p[i];
		if (target < 0) return i;
	}
	// Rounding left a sliver past the last one: take the last with any mass.
	for (let i = p.length - 1; i >= 0; i--) if (p[i] > 0) return i;
	return best;
}

/** out = x·W + b with W [x.length, out.length] row-major (only the first W.length/x.length of out). */
function matVec(x: Float64Array, W: Float32Array, b: Float32Array, out: Float64Array): void {
	const n = x.length;
	const m = W.length / n;
	for (let j = 0; j < m; j++) out[j] = b[j];
	for (let i = 0; i < n; i++) {
		const xi = x[i];
		if (xi === 0) continue;
		const row = i * m;
		for (let j = 0; j < m; j++) out[j] += xi * W[row + j];
	}
}

function layerNorm(x: Float64Array, g: Float32Array, s: Float32Array, out: Float64Array): void {
	const n = x.length;
	let mean = 0;
	for (let c = 0; c < n; c++) mean += x[c];
	mean /= n;
	let variance = 0;
	for (let c = 0; c < n; c++) variance += (x[c] - mean) ** 2;
	variance /= n;
	const rstd = 1 / Math.sqrt(variance + LAYERNORM_EPS);
	for (let c = 0; c < n; c++) out[c] = (x[c] - mean) * rstd * g[c] + s[c];
}

function gelu(z: number): number {
	const e = Math.exp(2 * GELU_C * (z + GELU_A * z * z * z));
	if (e === Infinity) return z;
	return (z * e) / (e + 1);
}
