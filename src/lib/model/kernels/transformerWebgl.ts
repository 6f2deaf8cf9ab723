/**
 * The transformer's fused kernels (`./transformerOps.ts`) for the WebGL backend, as fragment
 * programs that read and write packed textures (four values a texel, a 2×2 block of a matrix's
 * last two dimensions) as tfjs keeps them by default, so no pack or unpack pass runs between
 * them and tfjs's packed products.
 *
 * Each program computes a whole 2×2 block a fragment from whole texels: attention's scores for
 * queries i, i+1 and keys j, j+1 take dh/2 pairs of texel reads, as tfjs's packed product does,
 * where a value at a time would take 8·dh. On SwiftShader, texel reads, not arithmetic or draw
 * calls, set the pace. Blocks must not straddle a sequence or a head, so these need an even
 * sequence length, head width and row count; otherwise (and with packing off) each output runs
 * as a plain program of one value a fragment (`runScalar`), correct for any shape.
 *
 * Programs a call: embedding 1, its gradient 2, layer norm 4 (a row mean first), its gradient 4,
 * attention 3, its gradient 5, GELU and its gradient 1 each, where tfjs's ops run 6, 7, 20, 24,
 * 39, 27, 15 and 33. On SwiftShader at the course's sizes each ran faster than those ops, from
 * 1.3 times (the embedding) to 12 (GELU's gradient). A quantity several outputs share (a row's
 * mean or log Σ exp, the gradient's Σ_j p·dp) is a small program of its own. Sizes are written
 * into the shader source. Registered by the trainer with the WebGL backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { registerOnce } from './register';
import * as ops from './transformerOps';
import { GELU_A, GELU_C } from './transformerArrays';

type Info = tf.TensorInfo;

/** A number as a GLSL float literal. */
function lit(x: number): string {
	return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** Whether tfjs keeps tensors packed, as it does by default. */
function packing(): boolean {
	return tf.env().getBool('WEBGL_PACK');
}

const even = (...sizes: number[]) => sizes.every((s) => s % 2 === 0);

/**
 * Run a packed program: `userCode` defines `main`, reading whole texels (`getX(…)` is a vec4)
 * and writing one. Caller owns the float32 result.
 */
function runBlocks(
	gl: MathBackendWebGL,
	inputs: Record<string, Info>,
	shape: number[],
	userCode: string
): Info {
	const names = Object.keys(inputs);
	const program: GPGPUProgram = {
		variableNames: names,
		outputShape: shape,
		packedInputs: true,
		packedOutput: true,
		userCode
	};
	return gl.runWebGLProgram(
		program,
		names.map((n) => inputs[n]),
		'float32'
	);
}

const COORDS = ['a', 'b', 'c', 'd'];

/** GLSL: `float <Name>At(int…)`, one element of input `name` of rank `rank`, packed or not. */
function accessor(name: string, rank: number, packed: boolean): string {
	const args = COORDS.slice(0, rank);
	const params = args.map((a) => `int ${a}`).join(', ');
	const call = `get${name}(${args.join(', ')})`;
	if (!packed) return `float ${name}At(${params}) { return ${call}; }`;
	if (rank === 1)
		return `float ${name}At(${params}) { vec4 v = ${call}; return imod(a, 2) == 0 ? v.x : v.y; }`;
	const [r, c] = args.slice(-2);
	return `float ${name}At(${params}) {
		vec4 v = ${call};
		bool left = imod(${c}, 2) == 0;
		return imod(${r}, 2) == 0 ? (left ? v.x : v.y) : (left ? v.z : v.w);
	}`;
}

/**
 * GLSL `main` writing `value(…)` at the output's coordinates: one element, or with packing the
 * 2×2 block (two values for a vector) that a texel holds, zeros past the edges.
 */
function scalarMain(shape: number[], packed: boolean): string {
	const rank = shape.length;
	const type = rank === 1 ? 'int' : `ivec${rank}`;
	const at = (dr: number, dc: number) => {
		if (rank === 1) return `value(o + ${dc})`;
		const p = shape.map((_, i) => `o[${i}]`);
		p[rank - 2] += ` + ${dr}`;
		p[rank - 1] += ` + ${dc}`;
		return `value(${p.join(', ')})`;
	};
	if (!packed) return `void main() { ${type} o = getOutputCoords(); setOutput(${at(0, 0)}); }`;
	if (rank === 1)
		return `void main() {
			int o = getOutputCoords();
			setOutput(vec4(${at(0, 0)}, o + 1 < ${shape[0]} ? ${at(0, 1)} : 0.0, 0.0, 0.0));
		}`;
	const [rows, cols] = shape.slice(-2);
	return `void main() {
		${type} o = getOutputCoords();
		bool right = o[${rank - 1}] + 1 < ${cols};
		bool below = o[${rank - 2}] + 1 < ${rows};
		setOutput(vec4(
			${at(0, 0)},
			right ? ${at(0, 1)} : 0.0,
			below ? ${at(1, 0)} : 0.0,
			right && below ? ${at(1, 1)} : 0.0
		));
	}`;
}

/**
 * Run a program of one value at a time: `value` is the body of `float value(int a[, int b,
 * int c, int d])`, the output at those coordinates, reading inputs an element at a time through
 * `<Name>At(…)`. Packed as tfjs packs. Caller owns the float32 result.
 */
function runScalar(
	gl: MathBackendWebGL,
	inputs: Record<string, Info>,
	shape: number[],
	value: string
): Info {
	const packed = packing();
	const names = Object.keys(inputs);
	const params = COORDS.slice(0, shape.length)
		.map((a) => `int ${a}`)
		.join(', ');
	const program: GPGPUProgram = {
		variableNames: names,
		outputShape: shape,
		packedInputs: packed,
		packedOutput: packed,
		userCode: `
			${names.map((n) => accessor(n, inputs[n].shape.length, packed)).join('\n')}
			float value(${params}) {
				${value}
			}
			${scalarMain(shape, packed)}
		`
	};
	return gl.runWebGLProgram(
		program,
		names.map((n) => inputs[n]),
		'float32'
	);
}

function webgl(backend: unknown): MathBackendWebGL {
	return backend as MathBackendWebGL;
}

registerOnce(ops.EMBED_KERNEL, 'webgl', ({ inputs, backend, attrs }) => {
	const { ids, tok, pos } = inputs as Record<'ids' | 'tok' | 'pos', Info>;
	const { t } = attrs as unknown as { t: number };
	// Once a step, and a gather: one value at a time costs little here.
	return runScalar(
		webgl(backend),
		{ Ids: ids, Tok: tok, Pos: pos },
		[ids.shape[0], tok.shape[1]],
		`
		int id = int(round(IdsAt(a)));
		return TokAt(id, b) + PosAt(imod(a, ${t}), b);`
	);
});

registerOnce(ops.EMBED_GRAD_KERNEL, 'webgl', ({ inputs, backend, attrs }) => {
	const { ids, dH } = inputs as Record<'ids' | 'dH', Info>;
	const { t, vocab } = attrs as unknown as ops.EmbedGradAttrs;
	const gl = webgl(backend);
	const [n, d] = dH.shape;
	const io = { Ids: ids, Grad: dH };
	if (!packing() || !even(n, d, t)) {
		return [
			runScalar(
				gl,
				io,
				[vocab, d],
				`
				float acc = 0.0;
				float v = float(a);
				for (int r = 0; r < ${n}; r++) {
					if (abs(IdsAt(r) - v) < 0.5) acc += GradAt(r, b);
				}
				return acc;`
			),
			runScalar(
				gl,
				{ Grad: dH },
				[t, d],
				`
				float acc = 0.0;
				for (int s = 0; s < ${n / t}; s++) acc += GradAt(s * ${t} + a, b);
				return acc;`
			)
		];
	}
	// Tokens v, v+1 against the ids of rows r, r+1: which of the four pairs match.
	const dTok = runBlocks(
		gl,
		io,
		[vocab, d],
		`
		void main() {
			ivec2 o = getOutputCoords();
			vec4 v = vec4(float(o.x), float(o.x), float(o.x + 1), float(o.x + 1));
			vec4 acc = vec4(0.0);
			for (int r = 0; r < ${n}; r += 2) {
				vec4 hit = vec4(lessThan(abs(getIds(r).xyxy - v), vec4(0.5)));
				vec4 h = getGrad(r, o.y);
				acc += vec4(hit.x * h.xy + hit.y * h.zw, hit.z * h.xy + hit.w * h.zw);
			}
			setOutput(acc);
		}`
	);
	const dPos = runBlocks(
		gl,
		{ Grad: dH },
		[t, d],
		`
		void main() {
			ivec2 o = getOutputCoords();
			vec4 acc = vec4(0.0);
			for (int s = 0; s < ${n / t}; s++) acc += getGrad(s * ${t} + o.x, o.y);
			setOutput(acc);
		}`
	);
	return [dTok, dPos];
});

registerOnce(ops.LAYERNORM_KERNEL, 'webgl', ({ inputs, backend, attrs }) => {
	const { x, g, s } = inputs as Record<'x' | 'g' | 's', Info>;
	const { eps } = attrs as unknown as ops.LayerNormAttrs;
	const gl = webgl(backend);
	const [n, d] = x.shape;
	if (!packing() || !even(n, d)) {
		const mean = `float mean = 0.0;
			for (int c = 0; c < ${d}; c++) mean += XAt(a, c);
			mean /= ${lit(d)};`;
		const rstd = runScalar(
			gl,
			{ X: x },
			[n],
			`
			${mean}
			float v = 0.0;
			for (int c = 0; c < ${d}; c++) { float e = XAt(a, c) - mean; v += e * e; }
			return 1.0 / sqrt(v / ${lit(d)} + ${lit(eps)});`
		);
		const xhat = runScalar(
			gl,
			{ X: x, Rstd: rstd },
			[n, d],
			`
			${mean}
			return (XAt(a, b) - mean) * RstdAt(a);`
		);
		const y = runScalar(
			gl,
			{ Xhat: xhat, Gain: g, Shift: s },
			[n, d],
			`
			return XhatAt(a, b) * GainAt(b) + ShiftAt(b);`
		);
		return [y, xhat, rstd];
	}
	// Rows r and r+1 a texel: the means, then the variances about them.
	const mean = runBlocks(
		gl,
		{ X: x },
		[n],
		`
		void main() {
			int r = getOutputCoords();
			vec2 acc = vec2(0.0);
			for (int c = 0; c < ${d}; c += 2) { vec4 v = getX(r, c); acc += v.xz + v.yw; }
			setOutput(vec4(acc / ${lit(d)}, 0.0, 0.0));
		}`
	);
	const rstd = runBlocks(
		gl,
		{ X: x, Mean: mean },
		[n],
		`
		void main() {
			int r = getOutputCoords();
			vec4 m = getMean(r).xxyy;
			vec2 acc = vec2(0.0);
			for (int c = 0; c < ${d}; c += 2) {
				vec4 e = getX(r, c) - m;
				e *= e;
				acc += e.xz + e.yw;
			}
			setOutput(vec4(1.0 / sqrt(acc / ${lit(d)} + ${lit(eps)}), 0.0, 0.0));
		}`
	);
	const xhat = runBlocks(
		gl,
		{ X: x, Mean: mean, Rstd: rstd },
		[n, d],
		`
		void main() {
			ivec2 o = getOutputCoords();
			setOutput((getX(o.x, o.y) - getMean(o.x).xxyy) * getRstd(o.x).xxyy);
		}`
	);
	gl.disposeIntermediateTensorInfo(mean);
	const y = runBlocks(
		gl,
		{ Xhat: xhat, Gain: g, Shift: s },
		[n, d],
		`
		void main() {
			ivec2 o = getOutputCoords();
			setOutput(getXhat(o.x, o.y) * getGain(o.y).xyxy + getShift(o.y).xyxy);
		}`
	);
	return [y, xhat, rstd];
});

registerOnce(ops.LAYERNORM_GRAD_KERNEL, 'webgl', ({ inputs, backend }) => {
	const { dy, xhat, rstd, g } = inputs as Record<'dy' | 'xhat' | 'rstd' | 'g', Info>;
	const gl = webgl(backend);
	const [n, d] = dy.shape;
	const blocks = packing() && even(n, d);
	// Per row: mean(dy·g) and mean(dy·g·x̂), side by side ([n, 2]).
	const means = blocks
		? runBlocks(
				gl,
				{ Dy: dy, Xhat: xhat, Gain: g },
				[n, 2],
				`
			void main() {
				int r = getOutputCoords().x;
				vec2 m1 = vec2(0.0);
				vec2 m2 = vec2(0.0);
				for (int c = 0; c < ${d}; c += 2) {
					vec4 gy = getDy(r, c) * getGain(c).xyxy;
					vec4 gx = gy * getXhat(r, c);
					m1 += gy.xz + gy.yw;
					m2 += gx.xz + gx.yw;
				}
				setOutput(vec4(m1.x, m2.x, m1.y, m2.y) / ${lit(d)});
			}`
			)
		: runScalar(
				gl,
				{ Dy: dy, Xhat: xhat, Gain: g },
				[n, 2],
				`
			float acc = 0.0;
			for (int c = 0; c < ${d}; c++) {
				float gy = DyAt(a, c) * GainAt(c);
				acc += b == 0 ? gy : gy * XhatAt(a, c);
			}
			return acc / ${lit(d)};`
			);
	const io = { Dy: dy, Xhat: xhat, Rstd: rstd, Gain: g, Means: means };
	const dx = blocks
		? runBlocks(
				gl,
				io,
				[n, d],
				`
			void main() {
				ivec2 o = getOutputCoords();
				vec4 m = getMeans(o.x, 0);
				vec4 gy = getDy(o.x, o.y) * getGain(o.y).xyxy;
				setOutput(getRstd(o.x).xxyy * (gy - m.xxzz - getXhat(o.x, o.y) * m.yyww));
			}`
			)
		: runScalar(
				gl,
				io,
				[n, d],
				`
			float gy = DyAt(a, b) * GainAt(b);
			return RstdAt(a) * (gy - MeansAt(a, 0) - XhatAt(a, b) * MeansAt(a, 1));`
			);
	gl.disposeIntermediateTensorInfo(means);
	// Column sums over the rows, of dy·x̂ and of dy.
	const colSum = (inputs: Record<string, Info>, term: string, scalarTerm: string) =>
		blocks
			? runBlocks(
					gl,
					inputs,
					[d],
					`
				void main() {
					int c = getOutputCoords();
					vec2 acc = vec2(0.0);
					for (int r = 0; r < ${n}; r += 2) { vec4 v = ${term}; acc += v.xy + v.zw; }
					setOutput(vec4(acc, 0.0, 0.0));
				}`
				)
			: runScalar(
					gl,
					inputs,
					[d],
					`
				float acc = 0.0;
				for (int r = 0; r < ${n}; r++) acc += ${scalarTerm};
				return acc;`
				);
	const dg = colSum(
		{ Dy: dy, Xhat: xhat },
		'getDy(r, c) * getXhat(r, c)',
		'DyAt(r, a) * XhatAt(r, a)'
	);
	const ds = colSum({ Dy: dy }, 'getDy(r, c)', 'DyAt(r, a)');
	return [dx, dg, ds];
});

/**
 * GLSL `vec4 dot<A><B>(ra, rb, col)`: the 2×2 block of products of rows ra, ra+1 of A with rows
 * rb, rb+1 of B over one head's columns col … col+dh−1, as (ra·rb, ra·rb+1, ra+1·rb,
 * ra+1·rb+1): a texel of each a column pair, as tfjs's packed product reads them.
 */
function blockDot(A: string, B: string, dh: number): string {
	return `
		vec4 dot${A}${B}(int ra, int rb, int col) {
			vec4 s = vec4(0.0);
			for (int k = 0; k < ${dh}; k += 2) {
				vec4 a = get${A}(ra, col + k);
				vec4 b = get${B}(rb, col + k);
				s += a.xxzz * b.xzxz + a.yyww * b.ywyw;
			}
			return s;
		}`;
}

/**
 * GLSL `main` of a [b·t, d] product with [b, heads, t, t] weights W: out_i = Σ_j W_ij·X_j
 * (`byQuery`, j ≤ i) or out_j = Σ_i W_ij·X_i (i ≥ j), within each sequence and head.
 */
function headProduct(W: string, X: string, t: number, dh: number, byQuery: boolean): string {
	const body = byQuery
		? `if (m > i) break;
				vec4 w = get${W}(seq, head, i, m);
				vec4 x = get${X}(row0 + m, c);
				acc += w.xxzz * x.xyxy + w.yyww * x.zwzw;`
		: `if (m < i) continue;
				vec4 w = get${W}(seq, head, m, i);
				vec4 x = get${X}(row0 + m, c);
				acc += w.xxyy * x.xyxy + w.zzww * x.zwzw;`;
	return `
		void main() {
			ivec2 o = getOutputCoords();
			int c = o.y;
			int seq = o.x / ${t};
			int i = o.x - seq * ${t};
			int row0 = o.x - i;
			int head = c / ${dh};
			vec4 acc = vec4(0.0);
			for (int m = 0; m < ${t}; m += 2) {
				${body}
			}
			setOutput(acc);
		}`;
}

/**
 * GLSL naming, for a [b·heads·t] row `a`: `bh` = b·heads + head, query `i`, the sequence's first
 * row `row0` and the head's first column `col` in the [b·t, d] inputs.
 */
function rowIndex(t: number, heads: number, dh: number): string {
	return `
		int bh = a / ${t};
		int i = a - bh * ${t};
		int row0 = (bh / ${heads}) * ${t};
		int col = imod(bh, ${heads}) * ${dh};`;
}

/** GLSL `prod` = A(ra, col + k)·B(rb, col + k) over one head's dh columns k, a value at a time. */
function headDot(A: string, ra: string, B: string, rb: string, col: string, dh: number): string {
	return `float prod = 0.0;
		for (int k = 0; k < ${dh}; k++) prod += ${A}At(${ra}, ${col} + k) * ${B}At(${rb}, ${col} + k);`;
}

/** GLSL naming, for a [b·t, d] output (a, b): position `i`, `seq`, `row0` and `head`. */
function outIndex(t: number, dh: number): string {
	return `
		int i = imod(a, ${t});
		int seq = a / ${t};
		int row0 = a - i;
		int head = b / ${dh};`;
}

/** GLSL: one step of a running log Σ exp (max `m`, scaled sum `sum`) taking in `s`. */
const SOFTMAX_STEP = `
	void softmaxStep(inout float m, inout float sum, float s) {
		float n = max(m, s);
		sum = sum * exp(m - n) + exp(s - n);
		m = n;
	}`;

registerOnce(ops.ATTENTION_KERNEL, 'webgl', ({ inputs, backend, attrs }) => {
	const { q, k, v } = inputs as Record<'q' | 'k' | 'v', Info>;
	const { b, t, heads } = attrs as unknown as ops.AttentionAttrs;
	const gl = webgl(backend);
	const d = q.shape[1];
	const dh = d / heads;
	const scale = lit(1 / Math.sqrt(dh));
	const rows = [b * heads * t];
	const probsShape = [b, heads, t, t];
	if (!packing() || !even(t, dh)) {
		const lse = runScalar(
			gl,
			{ Q: q, K: k },
			rows,
			`
			${rowIndex(t, heads, dh)}
			float mx = -3.0e38;
			float sum = 0.0;
			for (int j = 0; j < ${t}; j++) {
				if (j > i) break;
				${headDot('Q', 'row0 + i', 'K', 'row0 + j', 'col', dh)}
				float s = prod * ${scale};
				float m = max(mx, s);
				sum = sum * exp(mx - m) + exp(s - m);
				mx = m;
			}
			return mx + log(sum);`
		);
		// value(a, b, c, d): sequence a, head b, query c, key d.
		const probs = runScalar(
			gl,
			{ Q: q, K: k, Lse: lse },
			probsShape,
			`
			if (d > c) return 0.0;
			${headDot('Q', `a * ${t} + c`, 'K', `a * ${t} + d`, `b * ${dh}`, dh)}
			return exp(prod * ${scale} - LseAt((a * ${heads} + b) * ${t} + c));`
		);
		gl.disposeIntermediateTensorInfo(lse);
		const ctx = runScalar(
			gl,
			{ Probs: probs, Vals: v },
			[b * t, d],
			`
			${outIndex(t, dh)}
			float acc = 0.0;
			for (int j = 0; j < ${t}; j++) {
				if (j > i) break;
				acc += ProbsAt(seq, head, i, j) * ValsAt(row0 + j, b);
			}
			return acc;`
		);
		return [ctx, probs];
	}
	// log Σ_j≤i exp(s_ij) for queries i, i+1 of a (sequence, head), a block of keys at a time.
	const lse = runBlocks(
		gl,
		{ Q: q, K: k },
		rows,
		`
		${blockDot('Q', 'K', dh)}
		${SOFTMAX_STEP}
		void main() {
			int o = getOutputCoords();
			int bh = o / ${t};
			int i = o - bh * ${t};
			int row0 = (bh / ${heads}) * ${t};
			int col = imod(bh, ${heads}) * ${dh};
			float m0 = -3.0e38;
			float s0 = 0.0;
			float m1 = -3.0e38;
			float s1 = 0.0;
			for (int j = 0; j < ${t}; j += 2) {
				if (j > i) break;
				vec4 s = dotQK(row0 + i, row0 + j, col) * ${scale};
				softmaxStep(m0, s0, s.x);
				if (j < i) softmaxStep(m0, s0, s.y);
				softmaxStep(m1, s1, s.z);
				softmaxStep(m1, s1, s.w);
			}
			setOutput(vec4(m0 + log(s0), m1 + log(s1), 0.0, 0.0));
		}`
	);
	const probs = runBlocks(
		gl,
		{ Q: q, K: k, Lse: lse },
		probsShape,
		`
		${blockDot('Q', 'K', dh)}
		void main() {
			ivec4 o = getOutputCoords();
			int i = o.z;
			int j = o.w;
			if (j > i) {
				setOutput(vec4(0.0));
				return;
			}
			int row0 = o.x * ${t};
			vec4 s = dotQK(row0 + i, row0 + j, o.y * ${dh}) * ${scale};
			vec4 p = exp(s - getLse((o.x * ${heads} + o.y) * ${t} + i).xxyy);
			if (j == i) p.y = 0.0;
			setOutput(p);
		}`
	);
	gl.disposeIntermediateTensorInfo(lse);
	const ctx = runBlocks(
		gl,
		{ Probs: probs, Vals: v },
		[b * t, d],
		headProduct('Probs', 'Vals', t, dh, true)
	);
	return [ctx, probs];
});

registerOnce(ops.ATTENTION_GRAD_KERNEL, 'webgl', ({ inputs, backend, attrs }) => {
	const { dCtx, q, k, v, probs } = inputs as Record<'dCtx' | 'q' | 'k' | 'v' | 'probs', Info>;
	const { b, t, heads } = attrs as unknown as ops.AttentionAttrs;
	const gl = webgl(backend);
	const d = q.shape[1];
	const dh = d / heads;
	const scale = lit(1 / Math.sqrt(dh));
	const rows = [b * heads * t];
	const probsShape = [b, heads, t, t];
	const out = [b * t, d];
	// dp_ij = dctx_i·v_j; the row's Σ_j p_ij·dp_ij, then ds_ij = p_ij·(dp_ij − that)/√dh;
	// dq_i = Σ_j≤i ds_ij·k_j, dk_j = Σ_i≥j ds_ij·q_i, dv_j = Σ_i≥j p_ij·dctx_i.
	if (!packing() || !even(t, dh)) {
		const rowDot = runScalar(
			gl,
			{ DC: dCtx, Vals: v, Probs: probs },
			rows,
			`
			${rowIndex(t, heads, dh)}
			float acc = 0.0;
			for (int j = 0; j < ${t}; j++) {
				if (j > i) break;
				${headDot('DC', 'row0 + i', 'Vals', 'row0 + j', 'col', dh)}
				acc += ProbsAt(bh / ${heads}, imod(bh, ${heads}), i, j) * prod;
			}
			return acc;`
		);
		// value(a, b, c, d): sequence a, head b, query c, key d.
		const dS = runScalar(
			gl,
			{ DC: dCtx, Vals: v, Probs: probs, RowDot: rowDot },
			probsShape,
			`
			if (d > c) return 0.0;
			${headDot('DC', `a * ${t} + c`, 'Vals', `a * ${t} + d`, `b * ${dh}`, dh)}
			float rd = RowDotAt((a * ${heads} + b) * ${t} + c);
			return ProbsAt(a, b, c, d) * (prod - rd) * ${scale};`
		);
		gl.disposeIntermediateTensorInfo(rowDot);
		const dq = runScalar(
			gl,
			{ DS: dS, K: k },
			out,
			`
			${outIndex(t, dh)}
			float acc = 0.0;
			for (int j = 0; j < ${t}; j++) {
				if (j > i) break;
				acc += DSAt(seq, head, i, j) * KAt(row0 + j, b);
			}
			return acc;`
		);
		const byKey = (W: string, X: string) => `
			${outIndex(t, dh)}
			float acc = 0.0;
			for (int m = 0; m < ${t}; m++) {
				if (m >= i) acc += ${W}At(seq, head, m, i) * ${X}At(row0 + m, b);
			}
			return acc;`;
		const dk = runScalar(gl, { DS: dS, Q: q }, out, byKey('DS', 'Q'));
		gl.disposeIntermediateTensorInfo(dS);
		const dv = runScalar(gl, { Probs: probs, DC: dCtx }, out, byKey('Probs', 'DC'));
		return [dq, dk, dv];
	}
	const rowDot = runBlocks(
		gl,
		{ DC: dCtx, Vals: v, Probs: probs },
		rows,
		`
		${blockDot('DC', 'Vals', dh)}
		void main() {
			int o = getOutputCoords();
			int bh = o / ${t};
			int i = o - bh * ${t};
			int seq = bh / ${heads};
			int head = bh - seq * ${heads};
			int row0 = seq * ${t};
			vec2 acc = vec2(0.0);
			for (int j = 0; j < ${t}; j += 2) {
				if (j > i) break;
				vec4 pdp = getProbs(seq, head, i, j) * dotDCVals(row0 + i, row0 + j, head * ${dh});
				acc += pdp.xz + pdp.yw;
			}
			setOutput(vec4(acc, 0.0, 0.0));
		}`
	);
	const dS = runBlocks(
		gl,
		{ DC: dCtx, Vals: v, Probs: probs, RowDot: rowDot },
		probsShape,
		`
		${blockDot('DC', 'Vals', dh)}
		void main() {
			ivec4 o = getOutputCoords();
			int i = o.z;
			int j = o.w;
			if (j > i) {
				setOutput(vec4(0.0));
				return;
			}
			int row0 = o.x * ${t};
			vec4 dp = dotDCVals(row0 + i, row0 + j, o.y * ${dh});
			vec4 rd = getRowDot((o.x * ${heads} + o.y) * ${t} + i).xxyy;
			setOutput(getProbs(o.x, o.y, i, j) * (dp - rd) * ${scale});
		}`
	);
	gl.disposeIntermediateTensorInfo(rowDot);
	const dq = runBlocks(gl, { DS: dS, K: k }, out, headProduct('DS', 'K', t, dh, true));
	const dk = runBlocks(gl, { DS: dS, Q: q }, out, headProduct('DS', 'Q', t, dh, false));
	gl.disposeIntermediateTensorInfo(dS);
	const dv = runBlocks(
		gl,
		{ Probs: probs, DC: dCtx },
		out,
		headProduct('Probs', 'DC', t, dh, false)
	);
	return [dq, dk, dv];
});

/** GLSL: GELU's tanh as `th` at `z` (float or vec4), without exp(2u)'s overflow. */
function geluTanh(type: string): string {
	return `${type} u = ${lit(GELU_C)} * (z + ${lit(GELU_A)} * z * z * z);
		${type} e2 = exp(-2.0 * abs(u));
		${type} th = sign(u) * (1.0 - e2) / (1.0 + e2);`;
}

const GELU = '0.5 * z * (1.0 + th)';
const GELU_SLOPE = `0.5 * (1.0 + th) + 0.5 * z * (1.0 - th * th) * ${lit(GELU_C)} * (1.0 + ${lit(3 * GELU_A)} * z * z)`;

/** An element-wise program over x's shape: `result` of `z` (x) and `th`, times `dy` if given. */
function elementwise(gl: MathBackendWebGL, inputs: Record<string, Info>, result: string): Info {
	const shape = inputs.X.shape;
	const factor = inputs.Dy ? 'Dy' : undefined;
	if (packing()) {
		return runBlocks(
			gl,
			inputs,
			shape,
			`
			void main() {
				vec4 z = getXAtOutCoords();
				${geluTanh('vec4')}
				setOutput(${factor ? `get${factor}AtOutCoords() * ` : ''}(${result}));
			}`
		);
	}
	return gl.runWebGLProgram(
		{
			variableNames: Object.keys(inputs),
			outputShape: shape,
			userCode: `
				void main() {
					float z = getXAtOutCoords();
					${geluTanh('float')}
					setOutput(${factor ? `get${factor}AtOutCoords() * ` : ''}(${result}));
				}`
		},
		Object.values(inputs),
		'float32'
	);
}

registerOnce(ops.GELU_KERNEL, 'webgl', ({ inputs, backend }) =>
	elementwise(webgl(backend), { X: inputs.x as Info }, GELU)
);

registerOnce(ops.GELU_GRAD_KERNEL, 'webgl', ({ inputs, backend }) => {
	const { dy, x } = inputs as Record<'dy' | 'x', Info>;
	return elementwise(webgl(backend), { X: x, Dy: dy }, GELU_SLOPE);
});
