/** Table columns of lesson 2's figures: a raw number for CSV, a formatted one for the page. */
import type { Column } from '$lib/ui/exportData';

/** A right-aligned numeric column: `get` gives the raw value, `show` how it reads. */
export function numberColumn<Row>(
	label: string,
	get: (row: Row) => number,
	show: (value: number) => string = String
): Column<Row> {
	return { label, value: get, format: (r) => show(get(r)), numeric: true };
}

/** A text column. */
export function textColumn<Row>(label: string, get: (row: Row) => string): Column<Row> {
	return { label, value: get };
}

/** A formatter with `digits` decimals. */
export const fixed =
	(digits: number) =>
	(v: number): string =>
		v.toFixed(digits);
