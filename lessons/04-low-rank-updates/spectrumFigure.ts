/**
 * What figure 2 of lesson 4 (SpectrumLab) draws, as pure functions of its spectra: the chart's
 * series and energy marks, the norm sentence, and the data table's rows and columns. The figure
 * keeps the state; these only shape it.
 */
import type { SpectrumSeries } from '$lib/charts/SpectrumChart.svelte';
import type { Column } from '$lib/ui/exportData';
import { scaleSpectrum, spectrumStats, type SpectrumStats } from './spectra';

/** ΔW's spectrum (if not all zero), W₀'s, and a random matrix's of ΔW's norm, for the chart. */
export function spectrumSeries(
	sigma: ArrayLike<number> | null,
	stats: SpectrumStats | null,
	base: ArrayLike<number> | null,
	random: ArrayLike<number> | null,
	recorded: boolean
): SpectrumSeries[] {
	const out: SpectrumSeries[] = [];
	const nonzero = !!stats && stats.frobenius > 0;
	if (nonzero && sigma)
		out.push({
			id: 'delta',
			label: recorded ? 'ΔW (update, recorded)' : 'ΔW (update)',
			color: 'var(--series-1)',
			values: sigma
		});
	if (base)
		out.push({
			id: 'base',
			label: 'W₀ (base)',
			color: 'var(--series-3)',
			values: base,
			dashed: true
		});
	if (random && nonzero)
		out.push({
			id: 'random',
			label: 'random, same norm as ΔW',
			color: 'var(--series-2)',
			values: random,
			dashed: true
		});
	return out;
}

/** ΔW's cumulative energy with its 90% and 99% ranks marked; none while ΔW is zero. */
export function energyOf(stats: SpectrumStats | null) {
	if (!stats || !(stats.frobenius > 0)) return undefined;
	return {
		values: stats.cumulative,
		color: 'var(--series-4)',
		marks: [
			{ rank: stats.rank90, label: `90%: ${stats.rank90}` },
			{ rank: stats.rank99, label: `99%: ${stats.rank99}` }
		]
	};
}

/** "‖ΔW‖_F = 0.123 (4.5% of ‖W₀‖_F)", the share left out before W₀ is known. */
export function normWords(stats: SpectrumStats, base: SpectrumStats | null): string {
	const rel = base && base.frobenius > 0 ? stats.frobenius / base.frobenius : null;
	return (
		`‖ΔW‖_F = ${stats.frobenius.toFixed(3)}` +
		(rel !== null ? ` (${(rel * 100).toFixed(1)}% of ‖W₀‖_F)` : '')
	);
}

/** One row of the data table: σᵢ of ΔW, its cumulative energy, σᵢ of W₀ and of the random matrix. */
export interface SpectrumRow {
	i: number;
	delta: number;
	cumulative: number;
	base: number | null;
	random: number | null;
}

/** The table's rows for ΔW's spectrum `sigma`, beside `base` and the random unit spectrum scaled to it. */
export function spectrumRows(
	sigma: ArrayLike<number> | null,
	randomUnit: ArrayLike<number>,
	base: ArrayLike<number> | null
): SpectrumRow[] {
	if (!sigma) return [];
	const st = spectrumStats(sigma);
	const r = scaleSpectrum(randomUnit, st.frobenius);
	return Array.from(sigma, (v, i) => ({
		i: i + 1,
		delta: v,
		cumulative: st.cumulative[i],
		base: base?.[i] ?? null,
		random: r[i] ?? null
	}));
}

const g = (v: number | null) => (v === null ? '' : v.toPrecision(4));
export const SPECTRUM_COLUMNS: Column<SpectrumRow>[] = [
	{ label: 'i', value: (r) => r.i, numeric: true },
	{ label: 'σᵢ of ΔW', value: (r) => r.delta, format: (r) => g(r.delta), numeric: true },
	{
		label: 'Cumulative energy of ΔW',
		value: (r) => r.cumulative,
		format: (r) => `${(r.cumulative * 100).toFixed(1)}%`,
		numeric: true
	},
	{ label: 'σᵢ of W₀', value: (r) => r.base, format: (r) => g(r.base), numeric: true },
	{
		label: 'σᵢ of a random matrix, same norm',
		value: (r) => r.random,
		format: (r) => g(r.random),
		numeric: true
	}
];
