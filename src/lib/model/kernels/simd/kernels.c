/*
 * The transformer's hot loops in WebAssembly SIMD (128-bit, four floats a lane group): causal
 * attention forward and backward, GELU and its derivative, layer norm forward and backward.
 * JavaScript cannot reach SIMD, and on the course's two-core reference machine its scalar loops
 * run about 1 GMAC/s; these run several times that. Compiled by scripts/wasm/build.sh with
 * Debian's clang 16 into kernels.wasm (and the in-place builds, plain and relaxed), which `../simdKernels.ts` loads and calls. Every pointer is
 * a byte offset into this module's own memory; the caller copies tensors in and results out.
 *
 * No libc and no data segment: the only memory this module touches is what it is handed.
 * Shapes follow ../transformerArrays.ts, the scalar reference these must agree with; widths
 * (dh, d) must be multiples of 4, which the caller checks.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef float f32;

static inline v128_t splat(f32 x) { return wasm_f32x4_splat(x); }

/*
 * acc + x·y, four lanes. The relaxed build (clang -mrelaxed-simd, run where the browser has
 * WebAssembly's relaxed SIMD) lets the engine fuse the two into one multiply-add instruction:
 * one rounding instead of two, so its sums differ from the plain build's in the last bits, and
 * the products run up to half again as fast. Each build is deterministic on its own, threads
 * or none. The plain build computes exactly what it always did.
 */
#ifdef __wasm_relaxed_simd__
typedef f32 f32x4 __attribute__((vector_size(16)));
static inline v128_t madd(v128_t acc, v128_t x, v128_t y) {
	return (v128_t)__builtin_wasm_relaxed_madd_f32x4((f32x4)x, (f32x4)y, (f32x4)acc);
}
#else
static inline v128_t madd(v128_t acc, v128_t x, v128_t y) {
	return wasm_f32x4_add(acc, wasm_f32x4_mul(x, y));
}
#endif

static inline f32 hsum(v128_t v) {
	v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
	v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
	return wasm_f32x4_extract_lane(v, 0);
}

static inline f32 hmax(v128_t v) {
	v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
	v = wasm_f32x4_max(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
	return wasm_f32x4_extract_lane(v, 0);
}

/*
 * e^x for four lanes (Cephes' expf): x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6
 * polynomial, 2^n built in the exponent bits. Relative error about 2e-7; inputs are clamped to
 * [−87.3, 88], so the result is never infinite (e^−87.3 ≈ 1.2e−38 stands in for 0). Written
 * with `madd`: the plain build computes exactly what it did with separate products and sums
 * (x − n·c is x + n·(−c), exactly), the relaxed build fuses them.
 */
static inline v128_t vexp(v128_t x) {
	x = wasm_f32x4_min(wasm_f32x4_max(x, splat(-87.3f)), splat(88.0f));
	v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, splat(1.44269504088896341f)));
	v128_t r = madd(x, n, splat(-0.693359375f));
	r = madd(r, n, splat(2.12194440e-4f));
	v128_t y = splat(1.9875691500e-4f);
	y = madd(splat(1.3981999507e-3f), y, r);
	y = madd(splat(8.3334519073e-3f), y, r);
	y = madd(splat(4.1665795894e-2f), y, r);
	y = madd(splat(1.6666665459e-1f), y, r);
	y = madd(splat(5.0000001201e-1f), y, r);
	y = madd(wasm_f32x4_add(r, splat(1.0f)), wasm_f32x4_mul(y, r), r);
	v128_t pow2n = wasm_i32x4_shl(
		wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
	return wasm_f32x4_mul(y, pow2n);
}

#define GELU_C 0.7978845608028654f
#define GELU_A 0.044715f

/*
 * GELU through e = exp(2u), u = √(2/π)·(x + 0.044715·x³): ½(1 + tanh u) = e/(e + 1) and
 * 1 − tanh²u = 4e/(e + 1)², precise where tanh u is near ±1 (see transformerArrays.ts).
 * Writes ½(1 + tanh u) to *half and 1 − tanh²u to *sech2.
 */
static inline void gelu_parts(v128_t z, v128_t *half, v128_t *sech2) {
	v128_t z3 = wasm_f32x4_mul(wasm_f32x4_mul(z, z), z);
	v128_t u = wasm_f32x4_mul(splat(GELU_C), madd(z, splat(GELU_A), z3));
	v128_t e = vexp(wasm_f32x4_add(u, u));
	v128_t s = wasm_f32x4_div(splat(1.0f), wasm_f32x4_add(e, splat(1.0f)));
	*half = wasm_f32x4_mul(e, s);
	*sech2 = wasm_f32x4_mul(wasm_f32x4_mul(splat(4.0f), *half), s);
}

static inline v128_t gelu4(v128_t z) {
	v128_t half, sech2;
	gelu_parts(z, &half, &sech2);
	return wasm_f32x4_mul(z, half);
}

static void gelu(const f32 *x, f32 *y, int n) {
	int i = 0;
	for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, gelu4(wasm_v128_load(x + i)));
	for (; i < n; i++) y[i] = wasm_f32x4_extract_lane(gelu4(splat(x[i])), 0);
}

/* Elements [lo, hi) of `gelu` (lo a multiple of 4). */
EXPORT(gelu_part)
void gelu_part(const f32 *x, f32 *y, int n, int lo, int hi) {
	(void)n;
	gelu(x + lo, y + lo, hi - lo);
}

/* GELU′(z) = ½(1 + tanh u) + ½z·(1 − tanh²u)·u′, and GELU(z) itself into *y. */
static inline v128_t gelu_d4(v128_t z, v128_t *y) {
	v128_t half, sech2;
	gelu_parts(z, &half, &sech2);
	*y = wasm_f32x4_mul(z, half);
	v128_t du = wasm_f32x4_mul(splat(GELU_C), madd(splat(1.0f), splat(3.0f * GELU_A), wasm_f32x4_mul(z, z)));
	v128_t b = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(splat(0.5f), z), sech2), du);
	return wasm_f32x4_add(half, b);
}

static inline v128_t gelu_grad4(v128_t dy, v128_t z) {
	v128_t y;
	return wasm_f32x4_mul(dy, gelu_d4(z, &y));
}

static void gelu_grad(const f32 *dy, const f32 *x, f32 *dx, int n) {
	int i = 0;
	for (; i + 4 <= n; i += 4) {
		wasm_v128_store(dx + i, gelu_grad4(wasm_v128_load(dy + i), wasm_v128_load(x + i)));
	}
	for (; i < n; i++) dx[i] = wasm_f32x4_extract_lane(gelu_grad4(splat(dy[i]), splat(x[i])), 0);
}

/*
 * Elements [lo, hi) of GELU and its derivative in one pass (lo a multiple of 4): y = GELU(x) as
 * `gelu` computes it and d = GELU′(x) as `gelu_grad` computes it, so that a backward pass that
 * kept d needs only dy·d (`mul_part`), the same floats as `gelu_grad`, without a second e^x.
 */
EXPORT(gelu_d_part)
void gelu_d_part(const f32 *x, f32 *y, f32 *d, int n, int lo, int hi) {
	(void)n;
	int i = lo;
	for (; i + 4 <= hi; i += 4) {
		v128_t yi;
		wasm_v128_store(d + i, gelu_d4(wasm_v128_load(x + i), &yi));
		wasm_v128_store(y + i, yi);
	}
	for (; i < hi; i++) {
		v128_t yi;
		d[i] = wasm_f32x4_extract_lane(gelu_d4(splat(x[i]), &yi), 0);
		y[i] = wasm_f32x4_extract_lane(yi, 0);
	}
}

/* Elements [lo, hi) of out = a·b, element by element (lo a multiple of 4). */
EXPORT(mul_part)
void mul_part(const f32 *a, const f32 *b, f32 *out, int n, int lo, int hi) {
	(void)n;
	int i = lo;
	for (; i + 4 <= hi; i += 4)
		wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
	for (; i < hi; i++) out[i] = a[i] * b[i];
}

/* Elements [lo, hi) of `gelu_grad` (lo a multiple of 4). */
EXPORT(gelu_grad_part)
void gelu_grad_part(const f32 *dy, const f32 *x, f32 *dx, int n, int lo, int hi) {
	(void)n;
	gelu_grad(dy + lo, x + lo, dx + lo, hi - lo);
}

/*
 * Layer norm of rows [lo, hi) of `rows` rows of width d (d % 4 == 0); see layerNormArrays. Each
 * row is normalized on its own, so threads can share the rows out.
 */
EXPORT(layer_norm_part)
void layer_norm_part(const f32 *x, const f32 *g, const f32 *s, int rows, int d, f32 eps, f32 *y,
		f32 *xhat, f32 *rstd, int lo, int hi) {
	(void)rows;
	for (int r = lo; r < hi; r++) {
		const f32 *xr = x + r * d;
		v128_t acc = splat(0.0f);
		for (int c = 0; c < d; c += 4) acc = wasm_f32x4_add(acc, wasm_v128_load(xr + c));
		v128_t mean = splat(hsum(acc) / (f32)d);
		v128_t vv = splat(0.0f);
		for (int c = 0; c < d; c += 4) {
			v128_t e = wasm_f32x4_sub(wasm_v128_load(xr + c), mean);
			vv = wasm_f32x4_add(vv, wasm_f32x4_mul(e, e));
		}
		f32 inv = 1.0f / __builtin_sqrtf(hsum(vv) / (f32)d + eps);
		rstd[r] = inv;
		v128_t vinv = splat(inv);
		for (int c = 0; c < d; c += 4) {
			v128_t h = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), mean), vinv);
			wasm_v128_store(xhat + r * d + c, h);
			wasm_v128_store(y + r * d + c, wasm_f32x4_add(wasm_f32x4_mul(h, wasm_v128_load(g + c)), wasm_v128_load(s + c)));
		}
	}
}

/*
 * Layer norm's backward pass in two parts that threads can share: dx for rows [lo, hi) (each
 * row on its own), and dg, ds for the columns [4·lo, 4·hi) (each column summed over every row
 * in row order), as layerNormGradArrays does; either part over any ranges gives the same floats.
 */
EXPORT(layer_norm_grad_dx_part)
void layer_norm_grad_dx_part(const f32 *dy, const f32 *xhat, const f32 *rstd, const f32 *g,
		int rows, int d, f32 *dx, int lo, int hi) {
	(void)rows;
	for (int r = lo; r < hi; r++) {
		const f32 *dyr = dy + r * d;
		const f32 *hr = xhat + r * d;
		v128_t m1 = splat(0.0f), m2 = splat(0.0f);
		for (int c = 0; c < d; c += 4) {
			v128_t gy = wasm_f32x4_mul(wasm_v128_load(dyr + c), wasm_v128_load(g + c));
			v128_t h = wasm_v128_load(hr + c);
			m1 = wasm_f32x4_add(m1, gy);
			m2 = wasm_f32x4_add(m2, wasm_f32x4_mul(gy, h));
		}
		v128_t vm1 = splat(hsum(m1) / (f32)d), vm2 = splat(hsum(m2) / (f32)d), inv = splat(rstd[r]);
		for (int c = 0; c < d; c += 4) {
			v128_t gy = wasm_f32x4_mul(wasm_v128_load(dyr + c), wasm_v128_load(g + c));
			v128_t h = wasm_v128_load(hr + c);
			v128_t o = wasm_f32x4_sub(wasm_f32x4_sub(gy, vm1), wasm_f32x4_mul(h, vm2));
			wasm_v128_store(dx + r * d + c, wasm_f32x4_mul(inv, o));
		}
	}
}

EXPORT(layer_norm_grad_dgds_part)
void layer_norm_grad_dgds_part(const f32 *dy, const f32 *xhat, int rows, int d, f32 *dg, f32 *ds,
		int lo, int hi) {
	for (int c = 4 * lo; c < 4 * hi; c += 4) {
		v128_t vg = splat(0.0f), vs = splat(0.0f);
		for (int r = 0; r < rows; r++) {
			v128_t gy = wasm_v128_load(dy + r * d + c);
			vg = wasm_f32x4_add(vg, wasm_f32x4_mul(gy, wasm_v128_load(xhat + r * d + c)));
			vs = wasm_f32x4_add(vs, gy);
		}
		wasm_v128_store(dg + c, vg);
		wasm_v128_store(ds + c, vs);
	}
}

static inline f32 dot(const f32 *a, const f32 *b, int n) {
	v128_t acc = wasm_f32x4_mul(wasm_v128_load(a), wasm_v128_load(b));
	for (int c = 4; c < n; c += 4) acc = madd(acc, wasm_v128_load(a + c), wasm_v128_load(b + c));
	return hsum(acc);
}

/* y += a·x over n (n % 4 == 0). */
static inline void axpy(f32 *y, f32 a, const f32 *x, int n) {
	v128_t va = splat(a);
	for (int c = 0; c < n; c += 4) wasm_v128_store(y + c, madd(wasm_v128_load(y + c), va, wasm_v128_load(x + c)));
}

/* The four sums of a0..a3's lanes, as one vector [Σa0, Σa1, Σa2, Σa3]. */
static inline v128_t hsum4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
	v128_t s01 = wasm_f32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 4, 2, 6), wasm_i32x4_shuffle(a0, a1, 1, 5, 3, 7));
	v128_t s23 = wasm_f32x4_add(wasm_i32x4_shuffle(a2, a3, 0, 4, 2, 6), wasm_i32x4_shuffle(a2, a3, 1, 5, 3, 7));
	return wasm_f32x4_add(wasm_i32x4_shuffle(s01, s23, 0, 1, 4, 5), wasm_i32x4_shuffle(s01, s23, 2, 3, 6, 7));
}

/* [x·r0, x·r1, x·r2, x·r3] over n floats (n % 4 == 0): four rows a stride `s` apart against x. */
static inline v128_t dot4(const f32 *x, const f32 *r, int s, int n) {
	v128_t a0 = splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
	for (int c = 0; c < n; c += 4) {
		v128_t xv = wasm_v128_load(x + c);
		a0 = madd(a0, xv, wasm_v128_load(r + c));
		a1 = madd(a1, xv, wasm_v128_load(r + s + c));
		a2 = madd(a2, xv, wasm_v128_load(r + 2 * s + c));
		a3 = madd(a3, xv, wasm_v128_load(r + 3 * s + c));
	}
	return hsum4(a0, a1, a2, a3);
}

/* y += w[0]·r0 + w[1]·r1 + w[2]·r2 + w[3]·r3 over n floats, rows a stride `s` apart: y read and
 * written once for four rows. */
static inline void axpy4(f32 *y, const f32 *w, const f32 *r, int s, int n) {
	v128_t w0 = splat(w[0]), w1 = splat(w[1]), w2 = splat(w[2]), w3 = splat(w[3]);
	for (int c = 0; c < n; c += 4) {
		v128_t acc = wasm_v128_load(y + c);
		acc = madd(acc, w0, wasm_v128_load(r + c));
		acc = madd(acc, w1, wasm_v128_load(r + s + c));
		acc = madd(acc, w2, wasm_v128_load(r + 2 * s + c));
		acc = madd(acc, w3, wasm_v128_load(r + 3 * s + c));
		wasm_v128_store(y + c, acc);
	}
}

/*
 * y (n floats) += Σ_m w[m·wstep]·r_m over `count` rows r_m = r + m·s: the same sums, in the same
 * order (row after row), as axpy4 over blocks of four rows and then axpy over the rest, but with
 * y held in registers throughout instead of loaded and stored once per block. Specialised for a head's
 * width of 8, 12, 16, 24 or 32 floats (2 to 8 vectors), which covers the course's transformers;
 * other widths take the axpy4 loop.
 */
#define DEFINE_ROWACC(NV)                                                                          \
	static void rowacc_##NV(f32 *y, const f32 *w, int wstep, const f32 *r, int s, int count) {  \
		v128_t acc[NV];                                                                            \
		for (int c = 0; c < NV; c++) acc[c] = wasm_v128_load(y + 4 * c);                           \
		for (int m = 0; m < count; m++, r += s) {                                                  \
			const v128_t wm = splat(w[m * wstep]);                                                 \
			for (int c = 0; c < NV; c++) acc[c] = madd(acc[c], wm, wasm_v128_load(r + 4 * c));     \
		}                                                                                          \
		for (int c = 0; c < NV; c++) wasm_v128_store(y + 4 * c, acc[c]);                           \
	}
DEFINE_ROWACC(2)
DEFINE_ROWACC(3)
DEFINE_ROWACC(4)
DEFINE_ROWACC(6)
DEFINE_ROWACC(8)

/*
 * out[4b..4b+3] = dot4(x, r + 4b·s, s, n) for blocks b < blocks: x·r_j for 4·blocks rows r_j =
 * r + j·s, the same sums in the same order as dot4, with x held in registers across the blocks.
 */
#define DEFINE_DOTS(NV)                                                                            \
	static void dots_##NV(const f32 *x, const f32 *r, int s, int blocks, f32 *out) {            \
		v128_t xv[NV];                                                                             \
		for (int c = 0; c < NV; c++) xv[c] = wasm_v128_load(x + 4 * c);                            \
		for (int b = 0; b < blocks; b++, r += 4 * s, out += 4) {                                   \
			v128_t a0 = splat(0.0f), a1 = a0, a2 = a0, a3 = a0;                                    \
			for (int c = 0; c < NV; c++) {                                                         \
				a0 = madd(a0, xv[c], wasm_v128_load(r + 4 * c));                                   \
				a1 = madd(a1, xv[c], wasm_v128_load(r + s + 4 * c));                               \
				a2 = madd(a2, xv[c], wasm_v128_load(r + 2 * s + 4 * c));                           \
				a3 = madd(a3, xv[c], wasm_v128_load(r + 3 * s + 4 * c));                           \
			}                                                                                      \
			wasm_v128_store(out, hsum4(a0, a1, a2, a3));                                           \
		}                                                                                          \
	}
DEFINE_DOTS(2)
DEFINE_DOTS(3)
DEFINE_DOTS(4)
DEFINE_DOTS(6)
DEFINE_DOTS(8)

static void dots(const f32 *x, const f32 *r, int s, int blocks, f32 *out, int n) {
	switch (n) {
	case 8: dots_2(x, r, s, blocks, out); return;
	case 12: dots_3(x, r, s, blocks, out); return;
	case 16: dots_4(x, r, s, blocks, out); return;
	case 24: dots_6(x, r, s, blocks, out); return;
	case 32: dots_8(x, r, s, blocks, out); return;
	}
	for (int b = 0; b < blocks; b++) wasm_v128_store(out + 4 * b, dot4(x, r + 4 * b * s, s, n));
}

static void rowacc(f32 *y, const f32 *w, int wstep, const f32 *r, int s, int count, int n) {
	switch (n) {
	case 8: rowacc_2(y, w, wstep, r, s, count); return;
	case 12: rowacc_3(y, w, wstep, r, s, count); return;
	case 16: rowacc_4(y, w, wstep, r, s, count); return;
	case 24: rowacc_6(y, w, wstep, r, s, count); return;
	case 32: rowacc_8(y, w, wstep, r, s, count); return;
	}
	int m = 0;
	f32 w4[4];
	for (; m + 4 <= count; m += 4) {
		w4[0] = w[m * wstep], w4[1] = w[(m + 1) * wstep];
		w4[2] = w[(m + 2) * wstep], w4[3] = w[(m + 3) * wstep];
		axpy4(y, w4, r + m * s, s, n);
	}
	for (; m < count; m++) axpy(y, w[m * wstep], r + m * s, n);
}

/*
 * Causal attention of one (batch row, head) pair `bh` (= bb · heads + hh); see attentionArrays.
 * Scores go four keys at a time (one reduction of four accumulators instead of four horizontal
 * sums), and the context row stays in registers while it sums the value rows (`rowacc`).
 */
static void attention_one(const f32 *q, const f32 *k, const f32 *v, int t, int heads, int d,
		int bh, f32 *ctx, f32 *probs) {
	const int dh = d / heads, bb = bh / heads, hh = bh % heads;
	const f32 scale = 1.0f / __builtin_sqrtf((f32)dh);
	const int col = bb * t * d + hh * dh;
	f32 *pbase = probs + bh * t * t;
	const v128_t vscale = splat(scale);
	for (int i = 0; i < t; i++) {
		const f32 *qi = q + col + i * d;
		f32 *p = pbase + i * t;
		v128_t vmx4 = splat(-3.0e38f);
		int j = 0;
		dots(qi, k + col, d, (i + 1) / 4, p, dh);
		for (; j + 4 <= i + 1; j += 4) {
			v128_t s = wasm_f32x4_mul(wasm_v128_load(p + j), vscale);
			wasm_v128_store(p + j, s);
			vmx4 = wasm_f32x4_max(vmx4, s);
		}
		f32 mx = hmax(vmx4);
		for (; j <= i; j++) {
			f32 s = dot(qi, k + col + j * d, dh) * scale;
			p[j] = s;
			mx = s > mx ? s : mx;
		}
		v128_t vmx = splat(mx), vsum = splat(0.0f);
		j = 0;
		for (; j + 4 <= i + 1; j += 4) {
			v128_t e = vexp(wasm_f32x4_sub(wasm_v128_load(p + j), vmx));
			wasm_v128_store(p + j, e);
			vsum = wasm_f32x4_add(vsum, e);
		}
		f32 sum = hsum(vsum);
		for (; j <= i; j++) {
			f32 e = wasm_f32x4_extract_lane(vexp(splat(p[j] - mx)), 0);
			p[j] = e;
			sum += e;
		}
		f32 inv = 1.0f / sum;
		v128_t vinv = splat(inv);
		for (j = 0; j + 4 <= i + 1; j += 4) wasm_v128_store(p + j, wasm_f32x4_mul(wasm_v128_load(p + j), vinv));
		for (; j <= i; j++) p[j] *= inv;
		f32 *ci = ctx + col + i * d;
		for (int c = 0; c < dh; c += 4) wasm_v128_store(ci + c, splat(0.0f));
		rowacc(ci, p, 1, v + col, d, i + 1, dh);
		for (j = i + 1; j < t; j++) p[j] = 0.0f;
	}
}

/*
 * Causal multi-head attention (see attentionArrays; dh = d/heads a multiple of 4) for the (batch
 * row, head) pairs [lo, hi) of b · heads: each pair writes only its own columns of
 * ctx and its own block of probs, so threads given disjoint ranges never touch the same float,
 * and the result is the same, bit for bit, however the pairs are shared out.
 */
EXPORT(attention_part)
void attention_part(const f32 *q, const f32 *k, const f32 *v, int b, int t, int heads, int d,
		f32 *ctx, f32 *probs, int lo, int hi) {
	for (int bh = lo; bh < hi; bh++) attention_one(q, k, v, t, heads, d, bh, ctx, probs);
}

/*
 * Attention's backward pass for one (batch row, head) pair; ds is scratch of t × t floats. Row by
 * row: dp = g·vⱼ four keys at a time, the score gradients ds (kept), and dq from them; then
 * column by column, dk and dv summed over the rows that attend to each key, each dk and dv row
 * held in registers while it sums (`rowacc`).
 */
static void attention_grad_one(const f32 *dctx, const f32 *q, const f32 *k, const f32 *v,
		const f32 *probs, int t, int heads, int d, int bh, f32 *dq, f32 *dk, f32 *dv, f32 *ds) {
	const int dh = d / heads, bb = bh / heads, hh = bh % heads;
	const f32 scale = 1.0f / __builtin_sqrtf((f32)dh);
	const int col = bb * t * d + hh * dh;
	const f32 *pbase = probs + bh * t * t;
	for (int i = 0; i < t; i++) {
		const f32 *gi = dctx + col + i * d;
		const f32 *p = pbase + i * t;
		f32 *dsi = ds + i * t;
		v128_t vrow = splat(0.0f);
		int j = 0;
		dots(gi, v + col, d, (i + 1) / 4, dsi, dh);
		for (; j + 4 <= i + 1; j += 4) vrow = madd(vrow, wasm_v128_load(p + j), wasm_v128_load(dsi + j));
		f32 rowdot = hsum(vrow);
		for (; j <= i; j++) {
			f32 dp = dot(gi, v + col + j * d, dh);
			dsi[j] = dp;
			rowdot += p[j] * dp;
		}
		v128_t vr = splat(rowdot), vs = splat(scale);
		for (j = 0; j + 4 <= i + 1; j += 4)
			wasm_v128_store(dsi + j, wasm_f32x4_mul(wasm_f32x4_mul(wasm_v128_load(p + j),
				wasm_f32x4_sub(wasm_v128_load(dsi + j), vr)), vs));
		for (; j <= i; j++) dsi[j] = p[j] * (dsi[j] - rowdot) * scale;
		f32 *dqi = dq + col + i * d;
		rowacc(dqi, dsi, 1, k + col, d, i + 1, dh);
	}
	for (int j = 0; j < t; j++) {
		rowacc(dv + col + j * d, pbase + j * t + j, t, dctx + col + j * d, d, t - j, dh);
		rowacc(dk + col + j * d, ds + j * t + j, t, q + col + j * d, d, t - j, dh);
	}
}

/*
 * Attention's backward pass (see attentionGradArrays) for the pairs [lo, hi): disjoint columns
 * again. dq, dk, dv must come zeroed; ds is t × t floats of scratch, one per thread.
 */
EXPORT(attention_grad_part)
void attention_grad_part(const f32 *dctx, const f32 *q, const f32 *k, const f32 *v,
		const f32 *probs, int b, int t, int heads, int d, f32 *dq, f32 *dk, f32 *dv, f32 *ds,
		int lo, int hi) {
	for (int bh = lo; bh < hi; bh++)
		attention_grad_one(dctx, q, k, v, probs, t, heads, d, bh, dq, dk, dv, ds);
}

/* out [cols, rows] = aᵀ for a [rows, cols]; 4×4 blocks through registers where both divide by 4. */
EXPORT(transpose)
void transpose(const f32 *a, int rows, int cols, f32 *out) {
	int r4 = rows - rows % 4, c4 = cols - cols % 4;
	for (int i = 0; i < r4; i += 4) {
		for (int j = 0; j < c4; j += 4) {
			v128_t x0 = wasm_v128_load(a + i * cols + j);
			v128_t x1 = wasm_v128_load(a + (i + 1) * cols + j);
			v128_t x2 = wasm_v128_load(a + (i + 2) * cols + j);
			v128_t x3 = wasm_v128_load(a + (i + 3) * cols + j);
			v128_t t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5);
			v128_t t1 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5);
			v128_t t2 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7);
			v128_t t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);
			wasm_v128_store(out + j * rows + i, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
			wasm_v128_store(out + (j + 1) * rows + i, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
			wasm_v128_store(out + (j + 2) * rows + i, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
			wasm_v128_store(out + (j + 3) * rows + i, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
		}
		for (int j = c4; j < cols; j++)
			for (int r = i; r < i + 4; r++) out[j * rows + r] = a[r * cols + j];
	}
	for (int i = r4; i < rows; i++)
		for (int j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
}

/*
 * Column sums of x [rows, cols] for the column groups [lo, hi), for threads to share: group q < cols / 4 is columns
 * 4q..4q+3, and one more group, when cols % 4 != 0, is the last few columns. Each column is the
 * same sum, in the same order (row by row), whoever computes it.
 */
static void col_sum_group(const f32 *x, int rows, int cols, f32 *out, int q) {
	const int quads = cols / 4;
	if (q < quads) {
		const int j = 4 * q;
		v128_t acc = splat(0.0f);
		for (int i = 0; i < rows; i++) acc = wasm_f32x4_add(acc, wasm_v128_load(x + i * cols + j));
		wasm_v128_store(out + j, acc);
	} else {
		for (int j = 4 * quads; j < cols; j++) {
			f32 acc = 0.0f;
			for (int i = 0; i < rows; i++) acc += x[i * cols + j];
			out[j] = acc;
		}
	}
}

EXPORT(col_sum_part)
void col_sum_part(const f32 *x, int rows, int cols, f32 *out, int lo, int hi) {
	for (int q = lo; q < hi; q++) col_sum_group(x, rows, cols, out, q);
}

/*
 * Natural log of one float x ≥ 1 (Cephes' logf): x = 2^e·m with m in [√½, √2), log(m) by a
 * degree-9 polynomial in m − 1. Relative error about 1e-7. Called once per row below.
 */
static f32 log1(f32 x) {
	union {
		f32 f;
		int i;
	} u = {x};
	f32 e = (f32)(((u.i >> 23) & 0xff) - 126);
	u.i = (u.i & 0x007fffff) | 0x3f000000;
	f32 m = u.f;
	if (m < 0.70710678f) {
		e -= 1.0f;
		m = m + m - 1.0f;
	} else {
		m = m - 1.0f;
	}
	f32 z = m * m;
	f32 y = 7.0376836292e-2f;
	y = y * m - 1.1514610310e-1f;
	y = y * m + 1.1676998740e-1f;
	y = y * m - 1.2420140846e-1f;
	y = y * m + 1.4249322787e-1f;
	y = y * m - 1.6668057665e-1f;
	y = y * m + 2.0000714765e-1f;
	y = y * m - 2.4999993993e-1f;
	y = y * m + 3.3333331174e-1f;
	y = y * m * z;
	y += -2.12194440e-4f * e;
	y += -0.5f * z;
	return m + y + 0.693359375f * e;
}

/*
 * Softmax cross-entropy for rows [lo, hi) of logits z [rows, classes] against targets t (one-hot
 * or soft, same shape): row_loss[i] = −Σ t·log softmax(z) and grad = (softmax(z) − t)·inv, as
 * `softmaxXentArrays` in ../linalgHost.ts computes in double; here in float32, four classes at a
 * time, e^x by `vexp`. Rows are independent, so threads share them out. NaN or infinite logits
 * give a NaN loss, as there.
 */
EXPORT(softmax_xent_part)
void softmax_xent_part(const f32 *z, const f32 *t, f32 inv, int rows, int classes, f32 *row_loss,
		f32 *grad, int lo, int hi) {
	(void)rows;
	const int c4 = classes - classes % 4;
	for (int i = lo; i < hi; i++) {
		const f32 *zr = z + i * classes, *tr = t + i * classes;
		f32 *gr = grad + i * classes;
		v128_t mx = splat(-__builtin_inff());
		int j = 0;
		for (; j < c4; j += 4) mx = wasm_f32x4_max(mx, wasm_v128_load(zr + j));
		f32 max = hmax(mx);
		for (; j < classes; j++) max = zr[j] > max || zr[j] != zr[j] ? zr[j] : max;
		v128_t vmax = splat(max), acc = splat(0.0f);
		for (j = 0; j < c4; j += 4)
			acc = wasm_f32x4_add(acc, vexp(wasm_f32x4_sub(wasm_v128_load(zr + j), vmax)));
		f32 sum = hsum(acc);
		for (; j < classes; j++) sum += wasm_f32x4_extract_lane(vexp(splat(zr[j] - max)), 0);
		const f32 log_sum = log1(sum) + max;
		const v128_t vls = splat(log_sum), vinv = splat(inv);
		v128_t loss = splat(0.0f);
		for (j = 0; j < c4; j += 4) {
			v128_t zl = wasm_f32x4_sub(wasm_v128_load(zr + j), vls);
			v128_t tt = wasm_v128_load(tr + j);
			wasm_v128_store(gr + j, wasm_f32x4_mul(wasm_f32x4_sub(vexp(zl), tt), vinv));
			loss = wasm_f32x4_add(loss, wasm_f32x4_mul(tt, zl));
		}
		f32 l = hsum(loss);
		for (; j < classes; j++) {
			f32 zl = zr[j] - log_sum;
			gr[j] = (wasm_f32x4_extract_lane(vexp(splat(zl)), 0) - tr[j]) * inv;
			l += tr[j] * zl;
		}
		row_loss[i] = -l;
	}
}

/*
 * out = a + b, or ((0 + a) + b) + c when `three`, elementwise over elements [lo, hi) of n (lo a
 * multiple of 4): the residual sums of a transformer step, in the order tfjs's Add and AddN take
 * them (AddN starts from +0, so −0 + −0 + −0 gives +0 there, and here).
 */
EXPORT(sum_part)
void sum_part(const f32 *a, const f32 *b, const f32 *c, int three, f32 *out, int n, int lo, int hi) {
	(void)n;
	int i = lo;
	if (three) {
		for (; i + 4 <= hi; i += 4)
			wasm_v128_store(out + i, wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(splat(0.0f),
					wasm_v128_load(a + i)), wasm_v128_load(b + i)), wasm_v128_load(c + i)));
		for (; i < hi; i++) out[i] = ((0.0f + a[i]) + b[i]) + c[i];
	} else {
		for (; i + 4 <= hi; i += 4)
			wasm_v128_store(out + i, wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)));
		for (; i < hi; i++) out[i] = a[i] + b[i];
	}
}

/* g = dout where out > 0, else 0 (ReLU's gradient from its output). */
EXPORT(relu_grad)
void relu_grad(const f32 *dout, const f32 *out, int n, f32 *g) {
	int i = 0;
	for (; i + 4 <= n; i += 4) {
		v128_t keep = wasm_f32x4_gt(wasm_v128_load(out + i), splat(0.0f));
		wasm_v128_store(g + i, wasm_v128_and(wasm_v128_load(dout + i), keep));
	}
	for (; i < n; i++) g[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}

/*
 * out[r, :] = src[idx[r], :] for r < n, rows of `cols` 4-byte values: a bit copy, so it serves
 * int32 tensors (token ids, labels) as well as floats.
 */
EXPORT(gather_rows)
void gather_rows(const f32 *src, int cols, const int *idx, int n, f32 *out) {
	int c4 = cols - cols % 4;
	for (int r = 0; r < n; r++) {
		const f32 *s = src + idx[r] * cols;
		f32 *o = out + r * cols;
		int c = 0;
		for (; c < c4; c += 4) wasm_v128_store(o + c, wasm_v128_load(s + c));
		for (; c < cols; c++) o[c] = s[c];
	}
}

/*
 * Adam's fused update (see ../adamKernel.ts): m′ = β₁m + c₁g, v′ = β₂v + c₂g², θ′ = θ − s·m′/(√v′ + ε̂),
 * in float32 as PyTorch computes it. c₁ = 1 − β₁ and c₂ = 1 − β₂ come from the caller, computed
 * in double and rounded once, as PyTorch does: 1 − β₂ taken here from the float32 β₂ would be
 * 1.3e-5 too small, and every step 6.7e-6 too long (found by the PyTorch reference).
 */
EXPORT(adam)
void adam(const f32 *x, const f32 *g, const f32 *m, const f32 *v, int n, f32 beta1, f32 beta2,
		f32 c1s, f32 c2s, f32 step, f32 eps, f32 *xo, f32 *mo, f32 *vo) {
	v128_t b1 = splat(beta1), b2 = splat(beta2), c1 = splat(c1s), c2 = splat(c2s);
	v128_t s = splat(step), e = splat(eps);
	int i = 0;
	for (; i + 4 <= n; i += 4) {
		v128_t gi = wasm_v128_load(g + i);
		v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(b1, wasm_v128_load(m + i)), wasm_f32x4_mul(c1, gi));
		v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(b2, wasm_v128_load(v + i)),
				wasm_f32x4_mul(c2, wasm_f32x4_mul(gi, gi)));
		wasm_v128_store(mo + i, mi);
		wasm_v128_store(vo + i, vi);
		v128_t upd = wasm_f32x4_div(wasm_f32x4_mul(s, mi), wasm_f32x4_add(wasm_f32x4_sqrt(vi), e));
		wasm_v128_store(xo + i, wasm_f32x4_sub(wasm_v128_load(x + i), upd));
	}
	for (; i < n; i++) {
		f32 mi = beta1 * m[i] + c1s * g[i];
		f32 vi = beta2 * v[i] + c2s * g[i] * g[i];
		mo[i] = mi;
		vo[i] = vi;
		xo[i] = x[i] - step * mi / (__builtin_sqrtf(vi) + eps);
	}
}

/*
 * The step's products: c [m, n] = op(a)·b (+ bias, then ReLU if asked) for b [k, n], op(a) being
 * a [m, k] itself or, with `ta`, aᵀ for a [k, m] (a weight's gradient, inputsᵀ·(output
 * gradients)). tfjs's XNNPACK product packs b on every call, and a training step's b change every
 * step; here nothing is copied. Element (i, t) of op(a) is a[i·rs + t·ts], so one loop serves
 * both layouts. Each 4×8 block of c sums k outer products in eight registers, op(a)'s four values
 * splatted from memory and b's eight loaded as two vectors, starting from the bias (as XNNPACK
 * does: the same sums in the same order, bit for bit); bias and ReLU apply as the block is
 * stored. Blocks run along b's columns outermost, so a strip of b (k × 8) stays in the
 * first-level cache while every row block passes it. Columns past the last block of eight (a
 * vocabulary of 21, say) go by four, then one by one. `bias` may be 0 (none).
 */
static inline v128_t out_act(v128_t x, int relu) {
	return relu ? wasm_f32x4_max(x, splat(0.0f)) : x;
}

static void gemm(const f32 *a, int ta, const f32 *b, const f32 *bias, int m, int k, int n,
		int relu, f32 *c, f32 *cs, int lo, int hi) {
	const int rs = ta ? 1 : k, ts = ta ? m : 1;
	// A weight's gradient xᵀ·dz and its bias's, dz's column sums, in one call: the chunk holding
	// row 0 sums b's columns exactly as col_sum_part does (same order, same bits).
	if (cs && lo == 0)
		for (int q = 0; q < (n + 3) / 4; q++) col_sum_group(b, k, n, cs, q);
	int n8 = n - n % 8, n4 = n - n % 4, m4 = lo + (hi - lo) - (hi - lo) % 4;
	for (int j = 0; j < n8; j += 8) {
		v128_t z0 = bias ? wasm_v128_load(bias + j) : splat(0.0f);
		v128_t z1 = bias ? wasm_v128_load(bias + j + 4) : splat(0.0f);
		int i = lo;
		for (; i < m4; i += 4) {
			v128_t c00 = z0, c01 = z1, c10 = z0, c11 = z1, c20 = z0, c21 = z1, c30 = z0, c31 = z1;
			const f32 *p0 = a + i * rs, *p1 = p0 + rs, *p2 = p1 + rs, *p3 = p2 + rs, *pb = b + j;
			for (int t = 0, o = 0; t < k; t++, o += ts, pb += n) {
				v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 4);
				v128_t x0 = wasm_v128_load32_splat(p0 + o), x1 = wasm_v128_load32_splat(p1 + o);
				v128_t x2 = wasm_v128_load32_splat(p2 + o), x3 = wasm_v128_load32_splat(p3 + o);
				c00 = madd(c00, x0, b0);
				c01 = madd(c01, x0, b1);
				c10 = madd(c10, x1, b0);
				c11 = madd(c11, x1, b1);
				c20 = madd(c20, x2, b0);
				c21 = madd(c21, x2, b1);
				c30 = madd(c30, x3, b0);
				c31 = madd(c31, x3, b1);
			}
			f32 *o = c + i * n + j;
			wasm_v128_store(o, out_act(c00, relu));
			wasm_v128_store(o + 4, out_act(c01, relu));
			wasm_v128_store(o + n, out_act(c10, relu));
			wasm_v128_store(o + n + 4, out_act(c11, relu));
			wasm_v128_store(o + 2 * n, out_act(c20, relu));
			wasm_v128_store(o + 2 * n + 4, out_act(c21, relu));
			wasm_v128_store(o + 3 * n, out_act(c30, relu));
			wasm_v128_store(o + 3 * n + 4, out_act(c31, relu));
		}
		for (; i < hi; i++) {
			v128_t c0 = z0, c1 = z1;
			const f32 *pa = a + i * rs, *pb = b + j;
			for (int t = 0, o = 0; t < k; t++, o += ts, pb += n) {
				v128_t x = wasm_v128_load32_splat(pa + o);
				c0 = madd(c0, x, wasm_v128_load(pb));
				c1 = madd(c1, x, wasm_v128_load(pb + 4));
			}
			wasm_v128_store(c + i * n + j, out_act(c0, relu));
			wasm_v128_store(c + i * n + j + 4, out_act(c1, relu));
		}
	}
	for (int j = n8; j < n4; j += 4) {
		v128_t z = bias ? wasm_v128_load(bias + j) : splat(0.0f);
		int i = lo;
		for (; i < m4; i += 4) {
			v128_t c0 = z, c1 = z, c2 = z, c3 = z;
			const f32 *p0 = a + i * rs, *p1 = p0 + rs, *p2 = p1 + rs, *p3 = p2 + rs, *pb = b + j;
			for (int t = 0, o = 0; t < k; t++, o += ts, pb += n) {
				v128_t y = wasm_v128_load(pb);
				c0 = madd(c0, wasm_v128_load32_splat(p0 + o), y);
				c1 = madd(c1, wasm_v128_load32_splat(p1 + o), y);
				c2 = madd(c2, wasm_v128_load32_splat(p2 + o), y);
				c3 = madd(c3, wasm_v128_load32_splat(p3 + o), y);
			}
			wasm_v128_store(c + i * n + j, out_act(c0, relu));
			wasm_v128_store(c + (i + 1) * n + j, out_act(c1, relu));
			wasm_v128_store(c + (i + 2) * n + j, out_act(c2, relu));
			wasm_v128_store(c + (i + 3) * n + j, out_act(c3, relu));
		}
		for (; i < hi; i++) {
			v128_t acc = z;
			const f32 *pa = a + i * rs, *pb = b + j;
			for (int t = 0, o = 0; t < k; t++, o += ts, pb += n)
				acc = madd(acc, wasm_v128_load32_splat(pa + o), wasm_v128_load(pb));
			wasm_v128_store(c + i * n + j, out_act(acc, relu));
		}
	}
	for (int j = n4; j < n; j++) {
		for (int i = lo; i < hi; i++) {
			f32 sum = bias ? bias[j] : 0.0f;
			for (int t = 0; t < k; t++) sum += a[i * rs + t * ts] * b[t * n + j];
			c[i * n + j] = relu && sum < 0.0f ? 0.0f : sum;
		}
	}
}

/*
 * Rows [lo, hi) of op(a)·b + bias, then ReLU if asked (`bias` 0 for none), and with `cs` (0 for
 * none) b's column sums into cs: each row of c is the same sums in the same order whichever call
 * computes it, so threads sharing out the rows give the one-call result bit for bit.
 */
EXPORT(matmul_part)
void matmul_part(const f32 *a, const f32 *b, const f32 *bias, int m, int k, int n, int ta,
		int relu, f32 *c, f32 *cs, int lo, int hi) {
	gemm(a, ta, b, bias, m, k, n, relu, c, cs, lo, hi);
}
