/**
 * What every view of the shift lab reads and returns. A view is a pure reading of the grid's cells
 * for the chosen condition: the chart's lines and axes, the sentence under it and the tables (the
 * first one is the one the export buttons save). The figure (`ShiftLab.svelte`) owns the controls
 * and the live queue; it builds a `ShiftContext` from them and hands it to the view it shows.
 *
 *   ShiftLab (controls, live queue) ──ShiftContext──▶ view.chart / view.summary / view.tables
 */
import type { ComponentProps } from 'svelte';
import type { Column } from '$lib/ui/exportData';
import type ShiftLabChart from './ShiftLabChart.svelte';
import {
	BASE_METHOD,
	SHIFT_METHODS,
	conditionKey,
	type Cell,
	type Condition,
	type ShiftMethod
} from './shiftLab';

/** What a view needs to know: the cells, the chosen condition and which cells are live. */
export interface ShiftContext {
	/** Recorded cells with live ones replacing them by key. */
	cells: Map<string, Cell>;
	/** `cells` and the untouched base's (`base@condition`), for lines and tables. */
	withBase: Map<string, Cell>;
	/** The recorded cells alone, as shipped. */
	recorded: readonly Cell[];
	/** The chosen condition: a point of the shift axis, or a task. */
	condition: Condition;
	/** The chosen stop of the shift axis (0 to `SHIFT_STOPS`). */
	stop: number;
	/** Whether the cell `method@condition` came from a live run. */
	isLive: (method: string, condition: string) => boolean;
}

/** The props of `ShiftLabChart` a view decides (all but the bound SVG and the height). */
export type ShiftChart = Omit<ComponentProps<typeof ShiftLabChart>, 'svg' | 'height'>;

/** A data table of a view; `suffix` is added to the figure's file name. */
export interface ShiftTable {
	caption: string;
	columns: readonly Column<unknown>[];
	rows: readonly unknown[];
	open?: boolean;
	suffix?: string;
}

/** A table with its row type checked where it is made, then kept as `ShiftTable`. */
export function table<R>(t: {
	caption: string;
	columns: readonly Column<R>[];
	rows: readonly R[];
	open?: boolean;
	suffix?: string;
}): ShiftTable {
	return t as unknown as ShiftTable;
}

/** One view of the shift lab's runs. */
export interface ShiftView {
	/** Whether the view picks a task (`features`, `tradeoff`) or a point on the shift axis. */
	picks: 'shift' | 'task';
	/** Whether a live queue of this view trains only full fine-tuning (its spectrum). */
	fullOnly?: boolean;
	/** Caption of the first table. */
	caption: (ctx: ShiftContext) => string;
	chart: (ctx: ShiftContext) => ShiftChart;
	/** The sentence under the chart, after the figure's "Recorded …" or "Live …". */
	summary: (ctx: ShiftContext) => string;
	tables: (ctx: ShiftContext) => ShiftTable[];
}

/** Colour and dash of each method's line. */
export const METHOD_STYLE: Record<string, { color: string; dash?: string }> = {
	full: { color: 'var(--fg)' },
	'lora-1': { color: 'var(--series-2)', dash: '2 3' },
	'lora-4': { color: 'var(--series-2)', dash: '7 3' },
	'lora-16': { color: 'var(--series-1)', dash: '7 3' },
	'lora-64': { color: 'var(--series-1)' },
	head: { color: 'var(--series-3)' },
	bitfit: { color: 'var(--series-4)' },
	base: { color: 'var(--muted)', dash: '1 4' }
};

/** The grid's methods and, last, the base before fine-tuning: the rows of the tables. */
export const WITH_BASE: readonly ShiftMethod[] = [...SHIFT_METHODS, BASE_METHOD];

/** A point of the shift axis as a condition. */
export const shiftCondition = (s: number): Condition => ({ kind: 'shift', s });

/** The key of the shift axis's point s (`s0.5000`). */
export const shiftKey = (s: number) => conditionKey(shiftCondition(s));

/** Ticks of an accuracy axis, and how they read. */
export const ACCURACY_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
export const percentTick = (v: number) => `${Math.round(v * 100)}%`;

/** The LoRA methods of the grid up to a rank. */
export const loraRanksBelow = (maxRank: number) =>
	SHIFT_METHODS.filter((m) => m.method === 'lora' && (m.rank ?? 0) <= maxRank);
