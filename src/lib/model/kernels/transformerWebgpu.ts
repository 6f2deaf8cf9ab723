/**
 * The transformer's fused kernels (`./transformerOps.ts`) for the WebGPU backend, as flat
 * programs of one invocation per output value (`./webgpuFlat.ts`): plain loops, no workgroup
 * memory, no barriers. tfjs's WebGPU programs write one tensor each, so a kernel with several
 * outputs runs one program per output, plus one for a per-row quantity that several outputs
 * share. Every loop is over at most a row (d), a sequence (t) or a head (dh), except the
 * embedding's scatter-add, which reads every row once per (token, column).
 *
 * Programs a call: embedding 1, its gradient 2, layer norm 4 (a row mean first), its gradient
 * 4, attention 3, its gradient 5, GELU and its gradient 1 each, where tfjs's ops run 3, 4, 10,
 * 13, 16, 16, 8 and 18. On SwiftShader at the course's sizes (16 sequences of 32, d 48, 4 heads)
 * each ran faster than those ops, from 1.7 times (the embedding) to about 50 (layer norm and its
 * gradient). Sizes are written into the shader source (they key the compiled pipeline), so
 * loops have constant bounds. Registered by the trainer with the WebGPU backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerOnce } from './register';
import { flatProgram } from './webgpuFlat';
import * as ops from './transformerOps';
import { GELU_A, GELU_C } from './transformerArrays';

/** A number as a WGSL float literal. */
function lit(x: number): string {
	return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/**
 * Run a flat program: `body` once per output index `index` of `shape`, reading the storage
 * buffers named in `inputs` (int32 tensors are `array<i32>`). `key` must name every constant
 * written into `body`: it keys the compiled pipeline. Caller owns the float32 result.
 */
function run(
	backend: unknown,
	key: string,
	inputs: Record<string, tf.TensorInfo>,
	shape: number[],
	body: string
): tf.TensorInfo {
	const names = Object.keys(inputs);
	const program = flatProgram(`tf_${key}`, names, shape, '', body);
	return (backend as WebGPUBackend).runWebGPUProgram(
		program,
		names.map((n) => inputs[n]),
		'float32'
	);
}

/** WGSL: tanh(u) as `th`, without the overflow of exp(2u) for large |u|. */
const TANH = `let e2 = exp(-2.0 * abs(u));
		let th = sign(u) * (1.0 - e2) / (1.0 + e2);`;

/** WGSL: `u`, the argument of GELU's tanh, at `z`. */
const GELU_U = `let u = ${lit(GELU_C)} * (z + ${lit(GELU_A)} * z * z * z);`;

registerOnce(ops.EMBED_KERNEL, 'webgpu', ({ inputs, backend, attrs }) => {
	const { ids, tok, pos } = inputs as Record<'ids' | 'tok' | 'pos', tf.TensorInfo>;
	const { t } = attrs as unknown as { t: number };
	const n = ids.shape[0];
	const d = tok.shape[1];
	return run(
		backend,
		`embed_${t}_${d}`,
		{ Ids: ids, Tok: tok, Pos: pos },
		[n, d],
		`
		let r = index / ${d};
		let c = index - r * ${d};
		setOutputAtIndex(index, Tok[Ids[r] * ${d} + c] + Pos[(r % ${t}) * ${d} + c]);`
	);
});

registerOnce(ops.EMBED_GRAD_KERNEL, 'webgpu', ({ inputs, backend, attrs }) => {
	const { ids, dH } = inputs as Record<'ids' | 'dH', tf.TensorInfo>;
	const { t, vocab } = attrs as unknown as ops.EmbedGradAttrs;
	const [n, d] = dH.shape;
	const io = { Ids: ids, Grad: dH };
	const dTok = run(
		backend,
		`embedgrad_tok_${n}_${d}`,
		io,
		[vocab, d],
		`
		let v = index / ${d};
		let c = index - v * ${d};
		var acc = 0.0;
		for (var r = 0; r < ${n}; r++) {
			if (Ids[r] == v) { acc += Grad[r * ${d} + c]; }
		}
		setOutputAtIndex(index, acc);`
	);
	const dPos = run(
		backend,
		`embedgrad_pos_${n}_${t}_${d}`,
		{ Grad: dH },
		[t, d],
		`
		var acc = 0.0;
		for (var r = index; r < ${n * d}; r += ${t * d}) { acc += Grad[r]; }
		setOutputAtIndex(index, acc);`
	);
	return [dTok, dPos];
});

registerOnce(ops.LAYERNORM_KERNEL, 'webgpu', ({ inputs, backend, attrs }) => {
	const { x, g, s } = inputs as Record<'x' | 'g' | 's', tf.TensorInfo>;
	const { eps } = attrs as unknown as ops.LayerNormAttrs;
	const [n, d] = x.shape;
	const gpu = backend as WebGPUBackend;
	const mean = run(
		backend,
		`ln_mean_${d}`,
		{ X: x },
		[n],
		`
		let o = index * ${d};
		var acc = 0.0;
		for (var c = 0; c < ${d}; c++) { acc += X[o + c]; }
		setOutputAtIndex(index, acc / ${lit(d)});`
	);
	const rstd = run(
		backend,
		`ln_rstd_${d}_${eps}`,
		{ X: x, Mean: mean },
		[n],
		`
		let o = index * ${d};
		let m = Mean[index];
		var v = 0.0;
		for (var c = 0; c < ${d}; c++) { let e = X[o + c] - m; v += e * e; }
		setOutputAtIndex(index, 1.0 / sqrt(v / ${lit(d)} + ${lit(eps)}));`
	);
	const xhat = run(
		backend,
		`ln_xhat_${d}`,
		{ X: x, Mean: mean, Rstd: rstd },
		[n, d],
		`
		let r = index / ${d};
		setOutputAtIndex(index, (X[index] - Mean[r]) * Rstd[r]);`
	);
	gpu.disposeData(mean.dataId);
	const y = run(
		backend,
		`ln_y_${d}`,
		{ Xhat: xhat, Gain: g, Shift: s },
		[n, d],
		`
		let c = index % ${d};
		setOutputAtIndex(index, Xhat[index] * Gain[c] + Shift[c]);`
	);
	return [y, xhat, rstd];
});

registerOnce(ops.LAYERNORM_GRAD_KERNEL, 'webgpu', ({ inputs, backend }) => {
	const { dy, xhat, rstd, g } = inputs as Record<'dy' | 'xhat' | 'rstd' | 'g', tf.TensorInfo>;
	const [n, d] = dy.shape;
	const gpu = backend as WebGPUBackend;
	// Per row: mean(dy·g) and mean(dy·g·x̂), side by side.
	const means = run(
		backend,
		`lng_means_${d}`,
		{ Dy: dy, Xhat: xhat, Gain: g },
		[n, 2],
		`
		let o = (index / 2) * ${d};
		let withX = index % 2 == 1;
		var acc = 0.0;
		for (var c = 0; c < ${d}; c++) {
			let gy = Dy[o + c] * Gain[c];
			acc += select(gy, gy * Xhat[o + c], withX);
		}
		setOutputAtIndex(index, acc / ${lit(d)});`
	);
	const dx = run(
		backend,
		`lng_dx_${d}`,
		{ Dy: dy, Xhat: xhat, Rstd: rstd, Gain: g, Means: means },
		[n, d],
		`
		let r = index / ${d};
		let c = index - r * ${d};
		let gy = Dy[index] * Gain[c];
		setOutputAtIndex(index, Rstd[r] * (gy - Means[2 * r] - Xhat[index] * Means[2 * r + 1]));`
	);
	gpu.disposeData(means.dataId);
	const dg = run(
		backend,
		`lng_dg_${n}_${d}`,
		{ Dy: dy, Xhat: xhat },
		[d],
		`
		var acc = 0.0;
		for (var r = index; r < ${n * d}; r += ${d}) { acc += Dy[r] * Xhat[r]; }
		setOutputAtIndex(index, acc);`
	);
	const ds = run(
		backend,
		`lng_ds_${n}_${d}`,
		{ Dy: dy },
		[d],
		`
		var acc = 0.0;
		for (var r = index; r < ${n * d}; r += ${d}) { acc += Dy[r]; }
		setOutputAtIndex(index, acc);`
	);
	return [dx, dg, ds];
});

/**
 * WGSL naming the parts of a flat index over [b, heads, t, t] (`bh` = b·heads + head, query
 * `i`, key `j`) and the offsets of their rows in the [b·t, d] inputs: `qi` of query i's head
 * columns, `row0` of the sequence's first position, `col` of the head's first column.
 */
function pairIndex(t: number, heads: number, d: number): string {
	return `
		let bh = index / ${t * t};
		let i = (index / ${t}) % ${t};
		let j = index % ${t};
		let row0 = (bh / ${heads}) * ${t};
		let col = (bh % ${heads}) * ${d / heads};
		let qi = (row0 + i) * ${d} + col;`;
}

/** WGSL naming a flat index over [b·heads·t] rows: `bh`, `i`, `row0`, `col`, `qi` as above. */
function rowIndex(t: number, heads: number, d: number): string {
	return `
		let bh = index / ${t};
		let i = index % ${t};
		let row0 = (bh / ${heads}) * ${t};
		let col = (bh % ${heads}) * ${d / heads};
		let qi = (row0 + i) * ${d} + col;`;
}

/**
 * WGSL naming a flat index over [b·t, d] outputs: position `i` of its sequence, the sequence's
 * first row `row0`, `col` of the head's first column, `bh` = b·heads + head.
 */
function outIndex(t: number, heads: number, d: number): string {
	const dh = d / heads;
	return `
		let r = index / ${d};
		let c = index - r * ${d};
		let i = r % ${t};
		let row0 = r - i;
		let col = c - c % ${dh};
		let bh = (r / ${t}) * ${heads} + c / ${dh};`;
}

/** WGSL: `prod` = A[a + c]·B[b + c] summed over one head's dh columns. */
function headDot(A: string, a: string, B: string, b: string, dh: number): string {
	return `var prod = 0.0;
			for (var c = 0; c < ${dh}; c++) { prod += ${A}[${a} + c] * ${B}[${b} + c]; }`;
}

registerOnce(ops.ATTENTION_KERNEL, 'webgpu', ({ inputs, backend, attrs }) => {
	const { q, k, v } = inputs as Record<'q' | 'k' | 'v', tf.TensorInfo>;
	const { b, t, heads } = attrs as unknown as ops.AttentionAttrs;
	const d = q.shape[1];
	const dh = d / heads;
	const scale = lit(1 / Math.sqrt(dh));
	const key = `${t}_${heads}_${d}`;
	const gpu = backend as WebGPUBackend;
	// log Σ_j≤i exp(s_ij) per (sequence, head, query), by a running maximum: one pass.
	const lse = run(
		backend,
		`att_lse_${key}`,
		{ Q: q, K: k },
		[b * heads * t],
		`
		${rowIndex(t, heads, d)}
		var mx = -3.0e38;
		var sum = 0.0;
		for (var j = 0; j <= i; j++) {
			let kj = (row0 + j) * ${d} + col;
			${headDot('Q', 'qi', 'K', 'kj', dh)}
			let s = prod * ${scale};
			let m = max(mx, s);
			sum = sum * exp(mx - m) + exp(s - m);
			mx = m;
		}
		setOutputAtIndex(index, mx + log(sum));`
	);
	const probs = run(
		backend,
		`att_probs_${key}`,
		{ Q: q, K: k, Lse: lse },
		[b, heads, t, t],
		`
		${pairIndex(t, heads, d)}
		if (j > i) {
			setOutputAtIndex(index, 0.0);
		} else {
			let kj = (row0 + j) * ${d} + col;
			${headDot('Q', 'qi', 'K', 'kj', dh)}
			setOutputAtIndex(index, exp(prod * ${scale} - Lse[bh * ${t} + i]));
		}`
	);
	gpu.disposeData(lse.dataId);
	const ctx = run(
		backend,
		`att_ctx_${key}`,
		{ Probs: probs, Vals: v },
		[b * t, d],
		`
		${outIndex(t, heads, d)}
		let p = (bh * ${t} + i) * ${t};
		var acc = 0.0;
		for (var j = 0; j <= i; j++) { acc += Probs[p + j] * Vals[(row0 + j) * ${d} + c]; }
		setOutputAtIndex(index, acc);`
	);
	return [ctx, probs];
});

registerOnce(ops.ATTENTION_GRAD_KERNEL, 'webgpu', ({ inputs, backend, attrs }) => {
	const { dCtx, q, k, v, probs } = inputs as Record<
		'dCtx' | 'q' | 'k' | 'v' | 'probs',
		tf.TensorInfo
	>;
	const { b, t, heads } = attrs as unknown as ops.AttentionAttrs;
	const d = q.shape[1];
	const dh = d / heads;
	const key = `${t}_${heads}_${d}`;
	const gpu = backend as WebGPUBackend;
	// dp_ij = dctx_i·v_j; the row's Σ_j p_ij·dp_ij, then ds_ij = p_ij·(dp_ij − that)/√dh.
	const dpDot = headDot('DC', 'qi', 'Vals', 'vj', dh);
	const rowDot = run(
		backend,
		`attg_rowdot_${key}`,
		{ DC: dCtx, Vals: v, Probs: probs },
		[b * heads * t],
		`
		${rowIndex(t, heads, d)}
		let p = index * ${t};
		var acc = 0.0;
		for (var j = 0; j <= i; j++) {
			let vj = (row0 + j) * ${d} + col;
			${dpDot}
			acc += Probs[p + j] * prod;
		}
		setOutputAtIndex(index, acc);`
	);
	const dS = run(
		backend,
		`attg_ds_${key}`,
		{ DC: dCtx, Vals: v, Probs: probs, RowDot: rowDot },
		[b, heads, t, t],
		`
		${pairIndex(t, heads, d)}
		if (j > i) {
			setOutputAtIndex(index, 0.0);
		} else {
			let vj = (row0 + j) * ${d} + col;
			${dpDot}
			let row = bh * ${t} + i;
			setOutputAtIndex(index, Probs[index] * (prod - RowDot[row]) * ${lit(1 / Math.sqrt(dh))});
		}`
	);
	gpu.disposeData(rowDot.dataId);
	// dq_i = Σ_j≤i ds_ij·k_j; dk_j = Σ_i≥j ds_ij·q_i; dv_j = Σ_i≥j p_ij·dctx_i.
	const dq = run(
		backend,
		`attg_dq_${key}`,
		{ DS: dS, K: k },
		[b * t, d],
		`
		${outIndex(t, heads, d)}
		let p = (bh * ${t} + i) * ${t};
		var acc = 0.0;
		for (var j = 0; j <= i; j++) { acc += DS[p + j] * K[(row0 + j) * ${d} + c]; }
		setOutputAtIndex(index, acc);`
	);
	const byKey = (weights: string, rows: string) => `
		${outIndex(t, heads, d)}
		let p = bh * ${t * t} + i;
		var acc = 0.0;
		for (var m = i; m < ${t}; m++) { acc += ${weights}[p + m * ${t}] * ${rows}[(row0 + m) * ${d} + c]; }
		setOutputAtIndex(index, acc);`;
	const dk = run(backend, `attg_dk_${key}`, { DS: dS, Q: q }, [b * t, d], byKey('DS', 'Q'));
	gpu.disposeData(dS.dataId);
	const dv = run(
		backend,
		`attg_dv_${key}`,
		{ Probs: probs, DC: dCtx },
		[b * t, d],
		byKey('Probs', 'DC')
	);
	return [dq, dk, dv];
});

registerOnce(ops.GELU_KERNEL, 'webgpu', ({ inputs, backend }) => {
	const x = inputs.x as tf.TensorInfo;
	return run(
		backend,
		'gelu',
		{ X: x },
		x.shape,
		`
		let z = X[index];
		${GELU_U}
		${TANH}
		setOutputAtIndex(index, 0.5 * z * (1.0 + th));`
	);
});

registerOnce(ops.GELU_GRAD_KERNEL, 'webgpu', ({ inputs, backend }) => {
	const { dy, x } = inputs as Record<'dy' | 'x', tf.TensorInfo>;
	return run(
		backend,
		'gelugrad',
		{ Dy: dy, X: x },
		x.shape,
		`
		let z = X[index];
		${GELU_U}
		${TANH}
		let du = ${lit(GELU_C)} * (1.0 + ${lit(3 * GELU_A)} * z * z);
		setOutputAtIndex(index, Dy[index] * (0.5 * (1.0 + th) + 0.5 * z * (1.0 - th * th) * du));`
	);
});
