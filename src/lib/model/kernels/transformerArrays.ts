/**
 * The transformer's fused kernels as plain loops over row-major arrays: embedding lookup and its
 * scatter-add, layer norm and its backward, causal multi-head attention and its backward, and
 * GELU and its derivative. They are the reference every backend's kernel is checked against, and
 * on the cpu and WebAssembly backends they are the kernels themselves (`./transformerHost.ts`
 * runs them on the tensors' own memory). Each writes every element of its outputs, and none
 * allocates: at a few hundred thousand values a step, a fresh array costs more than its loop.
 *
 * Shapes: N = b·t rows (token positions, batch-major), d the model width, `heads` heads of
 * dh = d/heads columns each, side by side in a row, as the q, k and v products leave them.
 */

/** GELU's tanh approximation (GPT-2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export const GELU_C = Math.sqrt(2 / Math.PI);
export const GELU_A = 0.044715;

/** Layer norm's ε, as in GPT-2 and PyTorch's default. */
export const LAYERNORM_EPS = 1e-5;

/**
 * out[r, :] = tok[ids[r], :] + pos[r mod t, :]. @param ids [N] @param tok [V, d]
 * @param pos [≥ t, d] @param out [N, d]
 */
export function embedArrays(
	ids: Int32Array,
	tok: Float32Array,
	pos: Float32Array,
	t: number,
	d: number,
	out: Float32Array
): void {
	for (let r = 0; r < ids.length; r++) {
		const o = r * d;
		const k = ids[r] * d;
		const p = (r % t) * d;
		for (let c = 0; c < d; c++) out[o + c] = tok[k + c] + pos[p + c];
	}
}

/**
 * The embedding's gradients: dTok[v, :] = Σ_{r: ids[r] = v} dH[r, :] (a scatter-add) and
 * dPos[i, :] = Σ_{r mod t = i} dH[r, :]. @param dH [N, d] @param dTok [V, d] @param dPos [t, d]
 */
export function embedGradArrays(
	ids: Int32Array,
	dH: Float32Array,
	t: number,
	d: number,
	dTok: Float32Array,
	dPos: Float32Array
): void {
	dTok.fill(0);
	dPos.fill(0);
	for (let r = 0; r < ids.length; r++) {
		const o = r * d;
		const k = ids[r] * d;
		const p = (r % t) * d;
		for (let c = 0; c < d; c++) {
			const g = dH[o + c];
			dTok[k + c] += g;
			dPos[p + c] += g;
		}
	}
}

/**
 * Layer norm over each row: x̂ = (x − mean)·rstd with rstd = 1/√(var + eps) (biased variance),
 * y = x̂·g + s. Keeps x̂ and rstd for the backward pass.
 * @param x [N, d] @param y [N, d] @param xhat [N, d] @param rstd [N]
 */
export function layerNormArrays(
	x: Float32Array,
	g: Float32Array,
	s: Float32Array,
	d: number,
	eps: number,
	y: Float32Array,
	xhat: Float32Array,
	rstd: Float32Array
): void {
	const rows = rstd.length;
	for (let r = 0; r < rows; r++) {
		const o = r * d;
		let mean = 0;
		for (let c = 0; c < d; c++) mean += x[o + c];
		mean /= d;
		let v = 0;
		for (let c = 0; c < d; c++) {
			const e = x[o + c] - mean;
			v += e * e;
		}
		const inv = 1 / Math.sqrt(v / d + eps);
		rstd[r] = inv;
		for (let c = 0; c < d; c++) {
			const h = (x[o + c] - mean) * inv;
			xhat[o + c] = h;
			y[o + c] = h * g[c] + s[c];
		}
	}
}

/**
 * Layer norm's backward pass from ∂L/∂y: with ĝ = dy·g per element,
 * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), dg = Σ_rows dy·x̂, ds = Σ_rows dy.
 * @param dy [N, d] @param xhat [N, d] @param rstd [N] @param dx [N, d] @param dg [d] @param ds [d]
 */
export function layerNormGradArrays(
	dy: Float32Array,
	xhat: Float32Array,
	rstd: Float32Array,
	g: Float32Array,
	d: number,
	dx: Float32Array,
	dg: Float32Array,
	ds: Float32Array
): void {
	dg.fill(0);
	ds.fill(0);
	const rows = rstd.length;
	for (let r = 0; r < rows; r++) {
		const o = r * d;
		let m1 = 0;
		let m2 = 0;
		for (let c = 0; c < d; c++) {
			const gy = dy[o + c] * g[c];
			m1 += gy;
			m2 += gy * xhat[o + c];
			dg[c] += dy[o + c] * xhat[o + c];
			ds[c] += dy[o + c];
		}
		m1 /= d;
		m2 /= d;
		const inv = rstd[r];
		for (let c = 0; c < d; c++) {
			dx[o + c] = inv * (dy[o + c] * g[c] - m1 - xhat[o + c] * m2);
		}
	}
}

/**
 * Causal multi-head attention: for each sequence, head and position i,
 * p_ij = softmax_j≤i(q_i·k_j/√dh) and ctx_i = Σ_j p_ij·v_j. Heads are the dh-wide column blocks
 * of q, k and v; ctx comes out in the same layout, ready for W_o.
 * @param q [b·t, d] @param k [b·t, d] @param v [b·t, d] @param ctx [b·t, d]
 * @param probs [b, heads, t, t], zero above the diagonal
 */
export function attentionArrays(
	q: Float32Array,
	k: Float32Array,
	v: Float32Array,
	b: number,
	t: number,
	heads: number,
	d: number,
	ctx: Float32Array,
	probs: Float32Array
): void {
	const dh = d / heads;
	const dh4 = dh - (dh % 4);
	const scale = 1 / Math.sqrt(dh);
	for (let bb = 0; bb < b; bb++) {
		const seq = bb * t * d;
		for (let hh = 0; hh < heads; hh++) {
			const col = seq + hh * dh;
			const pBase = (bb * heads + hh) * t * t;
			for (let i = 0; i < t; i++) {
				const qi = col + i * d;
				const pi = pBase + i * t;
				let max = -Infinity;
				// Four running sums: independent chains the CPU can overlap.
				for (let j = 0, kj = col; j <= i; j++, kj += d) {
					let s0 = 0;
					let s1 = 0;
					let s2 = 0;
					let s3 = 0;
					let c = 0;
					for (; c < dh4; c += 4) {
						s0 += q[qi + c] * k[kj + c];
						s1 += q[qi + c + 1] * k[kj + c + 1];
						s2 += q[qi + c + 2] * k[kj + c + 2];
						s3 += q[qi + c + 3] * k[kj + c + 3];
					}
					for (; c < dh; c++) s0 += q[qi + c] * k[kj + c];
					const s = (s0 + s1 + s2 + s3) * scale;
					probs[pi + j] = s;
					if (s > max) max = s;
				}
				let sum = 0;
				for (let j = 0; j <= i; j++) {
					const e = Math.exp(probs[pi + j] - max);
					probs[pi + j] = e;
					sum += e;
				}
				const inv = 1 / sum;
				for (let c = 0; c < dh; c++) ctx[qi + c] = 0;
				for (let j = 0, vj = col; j <= i; j++, vj += d) {
					const p = probs[pi + j] * inv;
					probs[pi + j] = p;
					for (let c = 0; c < dh; c++) ctx[qi + c] += p * v[vj + c];
				}
				for (let j = i + 1; j < t; j++) probs[pi + j] = 0;
			}
		}
	}
}

/**
 * Attention's backward pass from ∂L/∂ctx: dv_j = Σ_i p_ij·dctx_i, dp_ij = dctx_i·v_j,
 * ds_ij = p_ij·(dp_ij − Σ_j' p_ij'·dp_ij')/√dh, dq_i = Σ_j ds_ij·k_j, dk_j = Σ_i ds_ij·q_i.
 * @param dCtx [b·t, d] @param probs [b, heads, t, t] from the forward pass
 * @param dq [b·t, d] @param dk [b·t, d] @param dv [b·t, d]
 * @param scratch at least t values
 */
export function attentionGradArrays(
	dCtx: Float32Array,
	q: Float32Array,
	k: Float32Array,
	v: Float32Array,
	probs: Float32Array,
	b: number,
	t: number,
	heads: number,
	d: number,
	dq: Float32Array,
	dk: Float32Array,
	dv: Float32Array,
	scratch: Float32Array
): void {
	const dh = d / heads;
	const scale = 1 / Math.sqrt(dh);
	dq.fill(0);
	dk.fill(0);
	dv.fill(0);
	const dp = scratch;
	for (let bb = 0; bb < b; bb++) {
		for (let hh = 0; hh < heads; hh++) {
			const col = hh * dh;
			const pBase = (bb * heads + hh) * t * t;
			for (let i = 0; i < t; i++) {
				const qi = (bb * t + i) * d + col;
				const pi = pBase + i * t;
				let dot = 0;
				for (let j = 0; j <= i; j++) {
					const vj = (bb * t + j) * d + col;
					const p = probs[pi + j];
					let s = 0;
					for (let c = 0; c < dh; c++) {
						const g = dCtx[qi + c];
						s += g * v[vj + c];
						dv[vj + c] += p * g;
					}
					dp[j] = s;
					dot += p * s;
				}
				for (let j = 0; j <= i; j++) {
					const ds = probs[pi + j] * (dp[j] - dot) * scale;
					if (ds === 0) continue;
					const kj = (bb * t + j) * d + col;
					for (let c = 0; c < dh; c++) {
						dq[qi + c] += ds * k[kj + c];
						dk[kj + c] += ds * q[qi + c];
					}
				}
			}
		}
	}
}

/**
 * GELU and its derivative through e = exp(2u), u = √(2/π)·(x + 0.044715·x³), instead of tanh:
 * ½(1 + tanh u) = e/(e + 1) and 1 − tanh²u = 4e/(e + 1)², which keep their precision where
 * tanh u is near ±1 (1 − tanh² would cancel), and V8's Math.tanh costs several times Math.exp.
 * Both ends are exact: e overflowing to ∞ gives 1 and 0, e underflowing to 0 gives 0 and 0.
 */
function geluParts(z: number): { half: number; sech2: number } {
	const e = Math.exp(2 * GELU_C * (z + GELU_A * z * z * z));
	if (e === Infinity) return { half: 1, sech2: 0 };
	const s = 1 / (e + 1);
	const half = e * s;
	return { half, sech2: 4 * half * s };
}

/** y = GELU(x) = x·½(1 + tanh u), element by element. */
export function geluArrays(x: Float32Array, y: Float32Array): void {
	for (let i = 0; i < x.length; i++) y[i] = x[i] * geluParts(x[i]).half;
}

/** d = GELU′(x), element by element, rounded to float32 as it is stored. */
export function geluDerivativeArrays(x: Float32Array, d: Float32Array): void {
	for (let i = 0; i < x.length; i++) {
		const z = x[i];
		const { half, sech2 } = geluParts(z);
		const du = GELU_C * (1 + 3 * GELU_A * z * z);
		d[i] = half + 0.5 * z * sech2 * du;
	}
}

/** dx = dy·GELU′(x) = dy·(½(1 + tanh u) + ½x·(1 − tanh²u)·u′), element by element. */
export function geluGradArrays(dy: Float32Array, x: Float32Array, dx: Float32Array): void {
	for (let i = 0; i < x.length; i++) {
		const z = x[i];
		const { half, sech2 } = geluParts(z);
		const du = GELU_C * (1 + 3 * GELU_A * z * z);
		dx[i] = dy[i] * (half + 0.5 * z * sech2 * du);
	}
}
