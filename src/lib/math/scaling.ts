/**
 * Neural scaling laws: how pretraining loss falls with parameters N, tokens D and compute C, and how
 * a fixed compute budget is best split between N and D. Implements Hoffmann et al. 2022
 * ("Chinchilla", arXiv 2203.15556) Eq 10 and its closed-form frontier Eq 4, with the paper's
 * unrounded fit as the default, the rounded fit as printed and the Besiroglu et al. 2024
 * (arXiv 2404.10102) refit; the single-variable, joint and compute laws of Kaplan et al. 2020
 * (arXiv 2001.08361) with their own constants; and a robust fit of y ≈ c + a·x^(−b) so lessons can
 * fit their own measurements. Pure TypeScript, no DOM: runs in Node, browser and worker alike.
 *
 * Units throughout: N in parameters, D in tokens, C in FLOP (C = 6·N·D), loss in nats per token.
 * Bad arguments throw a RangeError that names the argument.
 */

/**
 * A Chinchilla-form parametric loss L(N, D) = E + A/N^alpha + B/D^beta (Hoffmann et al. 2022,
 * Eq 10). E, A and B are in nats per token (A and B scale N^alpha and D^beta); alpha and beta are
 * dimensionless.
 */
export interface Fit {
	/** Irreducible loss, nats/token: the limit as N and D go to infinity. */
	E: number;
	/** Coefficient of the parameter term, nats/token · parameters^alpha. */
	A: number;
	/** Coefficient of the data term, nats/token · tokens^beta. */
	B: number;
	/** Exponent of N. */
	alpha: number;
	/** Exponent of D. */
	beta: number;
}

/**
 * Published fits of Eq 10.
 * - `chinchilla`: Hoffmann et al. 2022 Approach 3, unrounded values behind the paper's figures
 *   (ln A = 6.0073404, ln B = 6.0179186, ln E = 0.5267228, α = 0.33917084, β = 0.2849083). Default.
 * - `chinchillaRounded`: the same fit as printed in Eq 10 (E 1.69, A 406.4, B 410.7, α 0.34,
 *   β 0.28). Its compute-optimal sizes differ visibly from the unrounded fit's.
 * - `besiroglu`: Besiroglu et al. 2024 refit of Chinchilla's data (E 1.8172, A 482.01, B 2085.43,
 *   α 0.3478, β 0.3658).
 */
export const FITS: { chinchilla: Fit; chinchillaRounded: Fit; besiroglu: Fit } = Object.freeze({
	chinchilla: Object.freeze({
		E: Math.exp(0.5267228),
		A: Math.exp(6.0073404),
		B: Math.exp(6.0179186),
		alpha: 0.33917084,
		beta: 0.2849083
	}),
	chinchillaRounded: Object.freeze({ E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28 }),
	besiroglu: Object.freeze({ E: 1.8172, A: 482.01, B: 2085.43, alpha: 0.3478, beta: 0.3658 })
});

/** FLOP in one petaflop/s-day, 1e15 · 86 400 (Kaplan et al. 2020, §1.3). */
export const PF_DAY = 8.64e19;

/**
 * Constants of Kaplan et al. 2020. Each law has its own fit; never mix them.
 * - `N`: Eq 1.1, L(N) = (N_c/N)^α_N, N in non-embedding parameters.
 * - `D`: Eq 1.2, L(D) = (D_c/D)^α_D, D in tokens.
 * - `C`: Eq 1.3, L(C_min) = (C_c/C_min)^α_C, C_c in PF-days.
 * - `ND`: Eq 1.5 with Table 2's joint fit (α_N 0.076, α_D 0.103, N_c 6.4e13, D_c 1.8e13).
 * - `allocation`: compute-efficient N ∝ C_min^0.73 and D ∝ C_min^0.27 (Eq 1.7 and §6.1).
 */
export const KAPLAN = Object.freeze({
	N: Object.freeze({ alphaN: 0.076, Nc: 8.8e13 }),
	D: Object.freeze({ alphaD: 0.095, Dc: 5.4e13 }),
	C: Object.freeze({ alphaC: 0.05, CcPfDays: 3.1e8 }),
	ND: Object.freeze({ alphaN: 0.076, alphaD: 0.103, Nc: 6.4e13, Dc: 1.8e13 }),
	allocation: Object.freeze({ pN: 0.73, pD: 0.27 })
});

function requirePositive(name: string, value: number): void {
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
		throw new RangeError(`${name} must be a finite positive number, got ${String(value)}`);
	}
}

function requireFit(fit: Fit): void {
	if (fit === null || typeof fit !== 'object') {
		throw new RangeError(`fit must be an object {E, A, B, alpha, beta}, got ${String(fit)}`);
	}
	if (typeof fit.E !== 'number' || !Number.isFinite(fit.E) || fit.E < 0) {
		throw new RangeError(`fit.E must be a finite non-negative number, got ${String(fit.E)}`);
	}
	requirePositive('fit.A', fit.A);
	requirePositive('fit.B', fit.B);
	requirePositive('fit.alpha', fit.alpha);
	requirePositive('fit.beta', fit.beta);
}

/**
 * Training compute of a dense transformer, C ≈ 6·N·D FLOP (Kaplan et al. 2020 §2.1; Hoffmann et
 * al. 2022 §3): 2N FLOP per token forward, 4N backward.
 * @param N parameters
 * @param D training tokens
 * @returns FLOP
 */
export function trainingFlops(N: number, D: number): number {
	requirePositive('N', N);
	requirePositive('D', D);
	return 6 * N * D;
}

/**
 * Chinchilla parametric loss, L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, Eq 10).
 * @param N parameters
 * @param D training tokens
 * @param fit defaults to `FITS.chinchilla` (unrounded)
 * @returns predicted loss, nats/token
 */
export function chinchillaLoss(N: number, D: number, fit: Fit = FITS.chinchilla): number {
	requirePositive('N', N);
	requirePositive('D', D);
	requireFit(fit);
	return fit.E + fit.A / N ** fit.alpha + fit.B / D ** fit.beta;
}

/**
 * Exponents of the compute-optimal frontier, N_opt ∝ C^a and D_opt ∝ C^b with a = β/(α+β) and
 * b = α/(α+β), a + b = 1 (Hoffmann et al. 2022, Eq 4; Table 2 lists a ≈ 0.46 for Approach 3).
 * @param fit defaults to `FITS.chinchilla`
 * @returns dimensionless exponents {a, b}
 */
export function exponents(fit: Fit = FITS.chinchilla): { a: number; b: number } {
	requireFit(fit);
	const sum = fit.alpha + fit.beta;
	return { a: fit.beta / sum, b: fit.alpha / sum };
}

/**
 * Compute-optimal allocation under a fit, the closed form of Hoffmann et al. 2022 Eq 4:
 * N_opt = G·(C/6)^a, D_opt = G⁻¹·(C/6)^b, G = (αA/(βB))^(1/(α+β)). It minimises Eq 10 subject to
 * C = 6·N·D, so N_opt·D_opt = C/6 exactly.
 * @param C training compute, FLOP
 * @param fit defaults to `FITS.chinchilla` (unrounded)
 * @returns N parameters, D tokens and the loss there in nats/token
 */
export function computeOptimal(
	C: number,
	fit: Fit = FITS.chinchilla
): { N: number; D: number; loss: number } {
	requirePositive('C', C);
	requireFit(fit);
	const { a, b } = exponents(fit);
	const G = ((fit.alpha * fit.A) / (fit.beta * fit.B)) ** (1 / (fit.alpha + fit.beta));
	const N = G * (C / 6) ** a;
	const D = (C / 6) ** b / G;
	return { N, D, loss: chinchillaLoss(N, D, fit) };
}

/** A point on an iso-FLOP curve: N parameters, D tokens, loss in nats/token. */
export interface IsoFlopPoint {
	N: number;
	D: number;
	loss: number;
}

/**
 * Points along the iso-FLOP curve D = C/(6N), the profiles of Hoffmann et al. 2022 Figure 3
 * (Approach 2) drawn from Eq 10. N is spaced evenly in log between `range[0]` and `range[1]`, by
 * default two decades either side of the compute-optimal N.
 * @param C training compute, FLOP
 * @param fit defaults to `FITS.chinchilla`
 * @param nPoints number of points, an integer ≥ 2 (default 101)
 * @param range [N_min, N_max] in parameters, N_min < N_max
 * @returns nPoints points in increasing N
 */
export function isoFlopCurve(
	C: number,
	fit: Fit = FITS.chinchilla,
	nPoints = 101,
	range?: [number, number]
): IsoFlopPoint[] {
	requirePositive('C', C);
	requireFit(fit);
	if (!Number.isInteger(nPoints) || nPoints < 2) {
		throw new RangeError(`nPoints must be an integer ≥ 2, got ${String(nPoints)}`);
	}
	let lo: number;
	let hi: number;
	if (range) {
		[lo, hi] = range;
		requirePositive('range[0]', lo);
		requirePositive('range[1]', hi);
		if (!(lo < hi))
			throw new RangeError(`range must satisfy range[0] < range[1], got [${lo}, ${hi}]`);
	} else {
		const { N } = computeOptimal(C, fit);
		lo = N / 100;
		hi = N * 100;
	}
	const logLo = Math.log(lo);
	const step = (Math.log(hi) - logLo) / (nPoints - 1);
	const points: IsoFlopPoint[] = [];
	for (let i = 0; i < nPoints; i++) {
		const N = i === 0 ? lo : i === nPoints - 1 ? hi : Math.exp(logLo + i * step);
		const D = C / (6 * N);
		points.push({ N, D, loss: chinchillaLoss(N, D, fit) });
	}
	return points;
}

/**
 * Kaplan's loss against model size, data unlimited: L(N) = (N_c/N)^α_N with α_N = 0.076,
 * N_c = 8.8e13 (Kaplan et al. 2020, Eq 1.1).
 * @param N non-embedding parameters
 * @returns loss, nats/token
 */
export function kaplanLossN(N: number): number {
	requirePositive('N', N);
	return (KAPLAN.N.Nc / N) ** KAPLAN.N.alphaN;
}

/**
 * Kaplan's loss against dataset size, large model with early stopping: L(D) = (D_c/D)^α_D with
 * α_D = 0.095, D_c = 5.4e13 tokens (Kaplan et al. 2020, Eq 1.2).
 * @param D tokens
 * @returns loss, nats/token
 */
export function kaplanLossD(D: number): number {
	requirePositive('D', D);
	return (KAPLAN.D.Dc / D) ** KAPLAN.D.alphaD;
}

/**
 * Kaplan's joint law, L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (Kaplan et al. 2020, Eq 1.5), with
 * its own Table 2 fit: α_N = 0.076, α_D = 0.103, N_c = 6.4e13, D_c = 1.8e13. As D → ∞ it tends to
 * (N_c/N)^α_N with N_c = 6.4e13, not Eq 1.1's 8.8e13: the two fits differ.
 * @param N non-embedding parameters
 * @param D tokens
 * @returns loss, nats/token
 */
export function kaplanLossND(N: number, D: number): number {
	requirePositive('N', N);
	requirePositive('D', D);
	const { alphaN, alphaD, Nc, Dc } = KAPLAN.ND;
	return ((Nc / N) ** (alphaN / alphaD) + Dc / D) ** alphaD;
}

/**
 * Kaplan's loss against compute on the compute-efficient frontier, L(C_min) = (C_c/C_min)^α_C with
 * α_C = 0.050, C_c = 3.1e8 PF-days (Kaplan et al. 2020, Eq 1.3). Takes FLOP and converts with
 * 1 PF-day = 8.64e19 FLOP.
 * @param C minimum training compute C_min, FLOP
 * @returns loss, nats/token
 */
export function kaplanLossC(C: number): number {
	requirePositive('C', C);
	return (KAPLAN.C.CcPfDays / (C / PF_DAY)) ** KAPLAN.C.alphaC;
}

/** A point (C FLOP, N parameters) that pins the constant of Kaplan's allocation N ∝ C^0.73. */
export interface KaplanAnchor {
	/** Compute, FLOP. */
	C: number;
	/** Parameters at that compute. */
	N: number;
}

/**
 * Default anchor of `kaplanAllocation`: Kaplan's own fit N_opt = (1.3·10⁹)·C_min^0.73 with C_min in
 * PF-days (Kaplan et al. 2020, Figure 14 left; Table 6 lists N_e = 1.3·10⁹ parameters, p_N = 0.73;
 * §6.1 Eq 6.1 states only the proportionality), i.e. N = 1.3e9 non-embedding parameters at
 * 1 PF-day. Table 6 also gives D_e = 2·10¹⁰ tokens with p_D = 0.27, which does not satisfy
 * C = 6·N·D with N_e (6 × 1.3e9 × 2e10 = 1.56e20 FLOP against 8.64e19 in a PF-day); we keep
 * C = 6·N·D and derive D from it instead.
 */
export const KAPLAN_ANCHOR: KaplanAnchor = Object.freeze({ C: PF_DAY, N: 1.3e9 });

/**
 * An anchor at which `kaplanAllocation` agrees with a Chinchilla fit's optimum at compute C, for
 * figures that compare the two slopes (0.73 against about 0.46) from a common point.
 * @param C reference compute, FLOP
 * @param fit defaults to `FITS.chinchilla`
 */
export function chinchillaAnchor(C: number, fit: Fit = FITS.chinchilla): KaplanAnchor {
	return { C, N: computeOptimal(C, fit).N };
}

/**
 * Kaplan's compute-efficient allocation, N ∝ C^0.73 and D ∝ C^0.27 (Kaplan et al. 2020, Eq 1.7 and
 * §6.1): N = N₀·(C/C₀)^0.73 from an anchor (C₀, N₀), and D = C/(6N), which is ∝ C^0.27 and keeps
 * C = 6·N·D. Kaplan's C_min assumes training at the critical batch size and N counts non-embedding
 * parameters; this treats C as C_min.
 * @param C training compute, FLOP
 * @param anchor defaults to `KAPLAN_ANCHOR` (1.3e9 parameters at 1 PF-day)
 * @returns N parameters, D tokens
 */
export function kaplanAllocation(
	C: number,
	anchor: KaplanAnchor = KAPLAN_ANCHOR
): { N: number; D: number } {
	requirePositive('C', C);
	requirePositive('anchor.C', anchor.C);
	requirePositive('anchor.N', anchor.N);
	const N = anchor.N * (C / anchor.C) ** KAPLAN.allocation.pN;
	return { N, D: C / (6 * N) };
}

/** Result of `fitPowerLaw`: y ≈ c + a·x^(−b), with r2 the coefficient of determination in y. */
export interface PowerLawFit {
	a: number;
	b: number;
	c: number;
	r2: number;
	/** Sum of squared residuals in y space. */
	sse: number;
}

/** Options of `fitPowerLaw`. */
export interface PowerLawOptions {
	/** Fit the offset c ≥ 0 (default true); false forces c = 0, a pure power law. */
	offset?: boolean;
	/** Search interval for the exponent b (default [1e-4, 10]). */
	bRange?: [number, number];
}

interface Linear {
	a: number;
	c: number;
	sse: number;
}

/** Best a > 0, c ≥ 0 for a fixed b: a linear least-squares problem in (c, a). */
function solveLinear(x: number[], y: number[], b: number, offset: boolean): Linear | null {
	const n = x.length;
	let su = 0;
	let suu = 0;
	let sy = 0;
	let suy = 0;
	const u = new Array<number>(n);
	for (let i = 0; i < n; i++) {
		u[i] = x[i] ** -b;
		su += u[i];
		suu += u[i] * u[i];
		sy += y[i];
		suy += u[i] * y[i];
	}
	let a = suy / suu;
	let c = 0;
	if (offset) {
		const det = n * suu - su * su;
		// Nearly constant u (b tiny or x nearly equal): the offset and slope are not separable.
		if (det > 1e-12 * n * suu) {
			const cFree = (sy * suu - su * suy) / det;
			const aFree = (n * suy - su * sy) / det;
			// Outside c ≥ 0, a > 0 the constrained optimum for this b lies on c = 0 (or a → 0,
			// excluded), so fall back to the pure power law; the search over b does the rest.
			if (cFree >= 0 && aFree > 0) {
				a = aFree;
				c = cFree;
			}
		}
	}
	if (!(a > 0) || !Number.isFinite(a)) return null;
	let sse = 0;
	for (let i = 0; i < n; i++) {
		const r = y[i] - c - a * u[i];
		sse += r * r;
	}
	return { a, c, sse };
}

/**
 * Golden-section search for the minimum of `f`, unimodal on [lo, hi]: at most `iterations` steps,
 * stopping once the bracket is no wider than `tol`. Returns the final bracket and the better of
 * its two inner points with its value.
 */
export function goldenSection(
	f: (x: number) => number,
	lo: number,
	hi: number,
	iterations: number,
	tol = 0
): { lo: number; hi: number; x: number; fx: number } {
	const phi = (Math.sqrt(5) - 1) / 2;
	let m1 = hi - phi * (hi - lo);
	let m2 = lo + phi * (hi - lo);
	let f1 = f(m1);
	let f2 = f(m2);
	for (let it = 0; it < iterations && hi - lo > tol; it++) {
		if (f1 <= f2) {
			hi = m2;
			m2 = m1;
			f2 = f1;
			m1 = hi - phi * (hi - lo);
			f1 = f(m1);
		} else {
			lo = m1;
			m1 = m2;
			f1 = f2;
			m2 = lo + phi * (hi - lo);
			f2 = f(m2);
		}
	}
	return f1 <= f2 ? { lo, hi, x: m1, fx: f1 } : { lo, hi, x: m2, fx: f2 };
}

/**
 * Least-squares fit of y ≈ c + a·x^(−b) with a > 0, b > 0 and, optionally, c ≥ 0, minimising the
 * sum of squared residuals in y space. For fixed b the model is linear in (c, a), so those are
 * solved exactly and only b is searched: a log-spaced grid over `bRange`, then golden-section
 * refinement in log b. No logarithm of y is taken, so noisy y near c are fine. The form is Kaplan
 * et al. 2020's L(N) = (N_c/N)^α_N (c = 0, a = N_c^α_N, b = α_N) and one term of Hoffmann et al.
 * 2022 Eq 10.
 * @param x abscissae, finite and > 0 (e.g. parameters, tokens or FLOP), at least 3
 * @param y ordinates, finite (e.g. loss in nats/token), same length as x
 * @returns {a, b, c, r2, sse}; r2 = 1 − SSE/SST in y space (1 when y has no variance and fits)
 * @throws RangeError on fewer than 3 points, mismatched lengths, non-finite values or x ≤ 0;
 *   Error when no decreasing power law (a > 0) fits
 */
export function fitPowerLaw(x: number[], y: number[], options: PowerLawOptions = {}): PowerLawFit {
	if (!Array.isArray(x) || !Array.isArray(y)) throw new RangeError('x and y must be arrays');
	if (x.length !== y.length) {
		throw new RangeError(`x and y must have the same length, got ${x.length} and ${y.length}`);
	}
	if (x.length < 3) throw new RangeError(`fitPowerLaw needs at least 3 points, got ${x.length}`);
	for (let i = 0; i < x.length; i++) {
		requirePositive(`x[${i}]`, x[i]);
		if (typeof y[i] !== 'number' || !Number.isFinite(y[i])) {
			throw new RangeError(`y[${i}] must be a finite number, got ${String(y[i])}`);
		}
	}
	const offset = options.offset ?? true;
	const [bLo, bHi] = options.bRange ?? [1e-4, 10];
	requirePositive('bRange[0]', bLo);
	requirePositive('bRange[1]', bHi);
	if (!(bLo < bHi)) throw new RangeError(`bRange must satisfy bRange[0] < bRange[1]`);

	// Rescale x so x^(−b) stays in floating-point range for large x (FLOP ~ 1e24) and large b.
	let logMean = 0;
	for (const xi of x) logMean += Math.log(xi);
	const x0 = Math.exp(logMean / x.length);
	const xs = x.map((xi) => xi / x0);
	const cost = (logB: number): number =>
		solveLinear(xs, y, Math.exp(logB), offset)?.sse ?? Number.POSITIVE_INFINITY;

	const lo = Math.log(bLo);
	const hi = Math.log(bHi);
	const steps = 400;
	let best = 0;
	let bestCost = Number.POSITIVE_INFINITY;
	for (let k = 0; k <= steps; k++) {
		const s = cost(lo + ((hi - lo) * k) / steps);
		if (s < bestCost) {
			bestCost = s;
			best = k;
		}
	}
	if (!Number.isFinite(bestCost)) {
		throw new Error('fitPowerLaw: no decreasing power law (a > 0) fits these data');
	}
	const refined = goldenSection(
		cost,
		lo + ((hi - lo) * Math.max(0, best - 1)) / steps,
		lo + ((hi - lo) * Math.min(steps, best + 1)) / steps,
		200,
		1e-14
	);
	const logB = refined.fx > bestCost ? lo + ((hi - lo) * best) / steps : refined.x;
	const b = Math.exp(logB);
	const lin = solveLinear(xs, y, b, offset);
	if (!lin) throw new Error('fitPowerLaw: no decreasing power law (a > 0) fits these data');

	let mean = 0;
	for (const yi of y) mean += yi;
	mean /= y.length;
	let sst = 0;
	for (const yi of y) sst += (yi - mean) ** 2;
	const r2 = sst > 0 ? 1 - lin.sse / sst : lin.sse === 0 ? 1 : 0;
	// Undo the rescaling: a·(x/x0)^(−b) = (a·x0^b)·x^(−b).
	return { a: lin.a * x0 ** b, b, c: lin.c, r2, sse: lin.sse };
}
