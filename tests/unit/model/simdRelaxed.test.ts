/**
 * The relaxed-SIMD builds of our kernels (fused multiply-add in the products and attention), which
 * Chromium runs: Node 20 compiles them only behind --experimental-wasm-relaxed-simd, so this runs
 * a child Node with that flag. Each export must agree with the plain build's on the same inputs,
 * within float rounding, at shapes that take every edge path (rows and columns not multiples of
 * 4 or 8, sequences not multiples of 4). Without the flag, the course must not pick them.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasRelaxedSimd } from '$lib/model/kernels/simdKernels';

const DIR = 'src/lib/model/kernels/simd';

/** Runs in the child: both builds on one imported memory each, the same inputs, max rel. diffs. */
const CHILD = `
import { readFileSync } from 'node:fs';
const out = {};
const bytes = (f) => readFileSync('${DIR}/' + f);
out.validatesPlain = WebAssembly.validate(bytes('kernels-shared.wasm'));
out.validatesRelaxed = WebAssembly.validate(bytes('kernels-shared-relaxed.wasm'));
if (!out.validatesRelaxed) {
	console.log(JSON.stringify(out));
	process.exit(0);
}
const inst = async (f) => {
	const memory = new WebAssembly.Memory({ initial: 256 });
	const { instance } = await WebAssembly.instantiate(bytes(f), { env: { memory } });
	return { ex: instance.exports, f32: () => new Float32Array(memory.buffer) };
};
const builds = [await inst('kernels-shared.wasm'), await inst('kernels-shared-relaxed.wasm')];
let s = 12345;
const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
const rel = (a, b) => {
	let m = 0, top = 0;
	for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); top = Math.max(top, Math.abs(b[i])); }
	return m / top;
};
const runBoth = (len, fill, call, outAt, outLen) => {
	const data = Float32Array.from({ length: len }, rnd);
	const res = builds.map(({ ex, f32 }) => {
		f32().set(data, 1024);
		f32().fill(0, 1024 + len, 1024 + len + outLen + 8192);
		call(ex, 4096);
		return f32().slice(outAt / 4, outAt / 4 + outLen);
	});
	return { diff: rel(res[1], res[0]), same: res[0].every((x, i) => x === res[1][i]) };
};
// A product with a bias: m 37, k 50, n 21, and its transposed-a form.
for (const ta of [0, 1]) {
	const [m, k, n] = [37, 50, 21];
	const a = 4096, b = a + 4 * m * k, bias = b + 4 * k * n, c = bias + 4 * n;
	out['matmul ta=' + ta] = runBoth(m * k + k * n + n, 0,
		(ex) => ex.matmul_part(a, b, bias, m, k, n, ta, 0, c, 0, 0, m), c, m * n);
}
// Attention forward and backward: b 2, t 7, heads 2, d 24 (dh 12).
{
	const [bb, t, heads, d] = [2, 7, 2, 24];
	const n = bb * t * d, np = bb * heads * t * t;
	const q = 4096, k = q + 4 * n, v = k + 4 * n, dctx = v + 4 * n, ctx = dctx + 4 * n;
	const probs = ctx + 4 * n, dq = probs + 4 * np, dk = dq + 4 * n, dv = dk + 4 * n, ds = dv + 4 * n;
	out.attention = runBoth(4 * n, 0,
		(ex) => ex.attention_part(q, k, v, bb, t, heads, d, ctx, probs, 0, bb * heads), ctx, n);
	out['attention grad'] = runBoth(4 * n, 0, (ex) => {
		ex.attention_part(q, k, v, bb, t, heads, d, ctx, probs, 0, bb * heads);
		ex.attention_grad_part(dctx, q, k, v, probs, bb, t, heads, d, dq, dk, dv, ds, 0, bb * heads);
	}, dq, 3 * n);
}
// Softmax cross-entropy (the relaxed build's replacement for the JS loop): rows 5, classes 11.
{
	const [rows, classes] = [5, 11];
	const z = 4096, t = z + 4 * rows * classes, loss = t + 4 * rows * classes, grad = loss + 4 * rows;
	out.xent = runBoth(2 * rows * classes, 0,
		(ex) => ex.softmax_xent_part(z, t, 0.2, rows, classes, loss, grad, 0, rows), loss, rows * (classes + 1));
}
console.log(JSON.stringify(out));
`;

function child(flags: string[]): Record<string, unknown> {
	const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', CHILD], {
		encoding: 'utf8'
	});
	if (r.status !== 0) throw new Error(r.stderr);
	return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('the relaxed-SIMD kernels', () => {
	it('agree with the plain build within float rounding: products, attention, cross-entropy', () => {
		const out = child(['--experimental-wasm-relaxed-simd']) as Record<
			string,
			{ diff: number; same: boolean } | boolean
		>;
		expect(out.validatesPlain).toBe(true);
		expect(out.validatesRelaxed).toBe(true);
		for (const name of ['matmul ta=0', 'matmul ta=1', 'attention', 'attention grad', 'xent']) {
			const r = out[name] as { diff: number; same: boolean };
			expect(r.diff, name).toBeLessThan(1e-5);
		}
	});

	it('are taken exactly where the runtime compiles relaxed SIMD (Node 20: only behind the flag)', () => {
		const noFlag = child([]) as { validatesPlain: boolean; validatesRelaxed: boolean };
		expect(noFlag.validatesPlain).toBe(true);
		// This test process runs without the flag too: the course's own check must say what the
		// runtime says, so here (Node 20) it binds the plain build.
		expect(hasRelaxedSimd()).toBe(noFlag.validatesRelaxed);
	});
});
