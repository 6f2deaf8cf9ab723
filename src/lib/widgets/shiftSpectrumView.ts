/**
 * The shift lab's `spectrum` view: the singular values of full fine-tuning's update to the first
 * layer (`SPECTRUM_LAYER`), divided by the largest, at a few shifts and the chosen one, with how
 * much of the update's energy its top directions hold. A live queue of this view trains full
 * fine-tuning alone.
 */
import type { Column } from '$lib/ui/exportData';
import { effectiveRank, energyCaptured, rankForEnergy, stableRank } from '$lib/math/spectrum';
import { pct } from '$lib/format';
import { SHIFT_STOPS, SHIFT_VALUES, SPECTRUM_LAYER, shiftWords } from './shiftLab';
import type { ShiftLine } from './ShiftLabChart.svelte';
import { shiftKey, table, type ShiftContext, type ShiftView } from './shiftView';

/** Full fine-tuning's update at one stop of the axis: its singular values, and whether live. */
export interface SpectrumRow {
	s: number;
	sv: number[];
	live: boolean;
}

/** Spectra of full fine-tuning's update, one per stop of the axis (empty where not measured). */
export function spectra(ctx: Pick<ShiftContext, 'cells' | 'isLive'>): SpectrumRow[] {
	return SHIFT_VALUES.map((s) => ({
		s,
		sv: ctx.cells.get(`full@${shiftKey(s)}`)?.singularValues ?? [],
		live: ctx.isLive('full', shiftKey(s))
	}));
}

/** The stops always drawn, beside the chosen one. */
const SPECTRUM_SHOWN = [0, 2, 6, 10, 12];
const COLORS = [
	'var(--series-3)',
	'var(--series-1)',
	'var(--series-4)',
	'var(--series-2)',
	'var(--fg)'
];

/** One line per shown stop: σᵢ/σ₁ against i, the chosen stop solid. */
export function spectrumLines(rows: readonly SpectrumRow[], stop: number): ShiftLine[] {
	const shown = [...new Set([...SPECTRUM_SHOWN, stop])].sort((a, b) => a - b);
	return shown.map((k, i) => {
		const { s, sv } = rows[k];
		const top = sv[0] || 1;
		return {
			id: `s${k}`,
			label: `shift ${s.toFixed(2)}${k === stop ? ' (chosen)' : ''}`,
			color: COLORS[i % COLORS.length],
			dash: k === stop ? undefined : '6 3',
			points: sv.map((v, j) => ({ x: j + 1, y: v / top }))
		};
	});
}

/** A column of the spectrum table read from a measured spectrum; "—" where none was measured. */
const measured = (
	label: string,
	of: (sv: number[]) => number,
	format?: (v: number) => string
): Column<SpectrumRow> => ({
	label,
	numeric: true,
	value: (r) => (r.sv.length ? of(r.sv) : null),
	...(format && { format: (r: SpectrumRow) => (r.sv.length ? format(of(r.sv)) : '—') })
});

export const spectrumColumns: Column<SpectrumRow>[] = [
	{
		label: 'Shift',
		value: (r) => r.s,
		format: (r) => `${r.s.toFixed(2)}${r.live ? ' (live)' : ''}`
	},
	{
		label: 'σ₁',
		numeric: true,
		value: (r) => r.sv[0] ?? null,
		format: (r) => (r.sv[0] ?? NaN).toFixed(3)
	},
	measured('Energy in top 1', (sv) => energyCaptured(sv, 1), pct),
	measured('Energy in top 4', (sv) => energyCaptured(sv, 4), pct),
	measured('Directions for 90%', (sv) => rankForEnergy(sv, 0.9)),
	measured('Effective rank', effectiveRank, (v) => v.toFixed(1)),
	measured('Stable rank', stableRank, (v) => v.toFixed(2))
];

export const spectrumView: ShiftView = {
	picks: 'shift',
	fullOnly: true,
	caption: () =>
		`Full fine-tuning's update to the first layer (${SPECTRUM_LAYER}), by domain shift`,
	chart: (ctx) => ({
		lines: spectrumLines(spectra(ctx), ctx.stop),
		xDomain: [1, 64],
		yDomain: [0.01, 1],
		logX: true,
		logY: true,
		xTicks: [1, 2, 4, 8, 16, 32, 64],
		yTicks: [0.01, 0.1, 1],
		xLabel: 'Direction i (log scale)',
		yLabel: 'σᵢ / σ₁ (log scale)',
		label:
			"Singular values of full fine-tuning's update to the first layer, divided by the largest, for several domain shifts. The sentence below and the data table give the numbers."
	}),
	summary(ctx) {
		const rows = spectra(ctx);
		const shift = ctx.stop / SHIFT_STOPS;
		const here = rows[ctx.stop];
		if (!here.sv.length) return 'Full fine-tuning has no recorded update at this shift.';
		const r90 = rankForEnergy(here.sv, 0.9);
		const ends = [rows[0], rows[SHIFT_STOPS]].filter((x) => x.sv.length);
		const endText = ends
			.map((x) => `${rankForEnergy(x.sv, 0.9)} at shift ${x.s.toFixed(2)}`)
			.join(' and ');
		return `At ${shiftWords(shift)} (shift ${shift.toFixed(2)}), the top 4 of the ${here.sv.length} directions of full fine-tuning's update to the first layer hold ${pct(energyCaptured(here.sv, 4))} of its energy, and ${r90} directions are needed for 90% (${endText}). Its effective rank is ${effectiveRank(here.sv).toFixed(1)}.`;
	},
	tables: (ctx) => [
		table({ caption: spectrumView.caption(ctx), columns: spectrumColumns, rows: spectra(ctx) })
	]
};
