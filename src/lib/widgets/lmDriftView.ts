/**
 * Reading the language model's recorded drift dial (`$lib/data/lmDrift.ts`) for its figure in
 * lessons 5 and 6: each method at its own best learning rate on a target, the share of full
 * fine-tuning's gain it recovers, what it forgot of the base's era, the series of the dial, and
 * the sentence that says it. Plain data, no tfjs, no DOM.
 */
import {
	baseCell,
	bestCell,
	gainRecovered,
	LM_DIAL,
	LM_METHODS,
	type LmCell,
	type LmTarget
} from '$lib/data/lmDrift';

/** How the figure names each text: a control's label, and the text as a sentence names it. */
export const TARGET_WORDS: Record<LmTarget, { label: string; short: string }> = {
	'sotu-1870-1909': { label: 'Addresses 1870–1909', short: 'the addresses of 1870–1909' },
	'sotu-1910-1949': { label: 'Addresses 1910–1949', short: 'the addresses of 1910–1949' },
	'sotu-1950-1989': { label: 'Addresses 1950–1989', short: 'the addresses of 1950–1989' },
	'sotu-1990-2021': { label: 'Addresses 1990–2021', short: 'the addresses of 1990–2021' },
	'moby-dick': { label: 'Moby-Dick (1851)', short: 'Moby-Dick' },
	'd3-code': { label: 'd3’s JavaScript', short: 'd3’s JavaScript' }
};

/** One row of the figure's table: the base, or a method at its best rate on the target. */
export interface MethodRow {
	id: string;
	label: string;
	/** The run shown (the base's zero-step run for the base); null where none is recorded. */
	cell: LmCell | null;
	/** Its learning rate (the best of the method's set); absent for the base. */
	lr?: number;
	/** Share of full fine-tuning's gain recovered (null for the base, or where undefined). */
	recovered: number | null;
}

/** The base, then every method of the grid at its best learning rate on `target`. */
export function methodRows(cells: readonly LmCell[], target: LmTarget): MethodRow[] {
	const base = baseCell(cells, target);
	return [
		{ id: 'base', label: 'Base (no fine-tuning)', cell: base, recovered: null },
		...LM_METHODS.map((m): MethodRow => {
			const cell = bestCell(cells, m.id, target);
			return {
				id: m.id,
				label: m.label,
				cell,
				lr: cell?.lr,
				recovered: gainRecovered(cells, m.id, target)
			};
		})
	];
}

/** Held-out bits per character of each method along the dial in time, at its best rate there. */
export function dialSeries(
	cells: readonly LmCell[]
): { id: string; label: string; points: { x: number; y: number }[] }[] {
	return methodRows(cells, LM_DIAL[0]).map((row) => ({
		id: row.id,
		label: row.label,
		points: LM_DIAL.map((t, i) => {
			const cell = row.id === 'base' ? baseCell(cells, t) : bestCell(cells, row.id, t);
			return { x: i + 1, y: cell?.bits ?? NaN };
		})
	}));
}

/** Bits with two decimals. */
export const bits = (v: number) => v.toFixed(2);
/** A share as a whole percentage. */
export const percent = (v: number) => `${Math.round(v * 100)}%`;

/**
 * The figure's sentence for `target`: where the base starts, what full fine-tuning reaches, each
 * other method's result and share of that gain, and what each kept of the base's own era.
 */
export function driftSummary(cells: readonly LmCell[], target: LmTarget): string {
	const rows = methodRows(cells, target);
	const base = rows[0].cell;
	const full = rows.find((r) => r.id === 'full')?.cell;
	if (!base || !full) return `Nothing is recorded for ${TARGET_WORDS[target].short}.`;
	const others = rows
		.slice(1)
		.filter((r) => r.id !== 'full' && r.cell)
		.map(
			(r) =>
				`${r.label} ${bits(r.cell!.bits)}${r.recovered === null ? '' : ` (${percent(r.recovered)} of that gain)`}`
		);
	const kept = rows
		.slice(1)
		.filter((r) => r.cell)
		.map((r) => `${r.label.split(' (')[0]} ${bits(r.cell!.originalBits)}`);
	return (
		`On ${TARGET_WORDS[target].short} the base scores ${bits(base.bits)} bits per character ` +
		`(${bits(base.originalBits)} on its own era). Full fine-tuning brings it to ${bits(full.bits)}; ` +
		`${others.join(', ')}. Afterwards, on the base's own era: ${kept.join(', ')} bits per character.`
	);
}
