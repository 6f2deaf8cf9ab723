/**
 * The shift lab's two views along the shift axis: `accuracy` (held-out accuracy of every method
 * at each shift) and `forgetting` (accuracy on the base's own clean digits after each fine-tune).
 * Both draw one line per method over the thirteen stops, with the base as a dotted grey line, and
 * tabulate method × shift.
 */
import { pct } from '$lib/format';
import type { Column } from '$lib/ui/exportData';
import {
	SHIFT_METHODS,
	SHIFT_STOPS,
	SHIFT_VALUES,
	conditionSummary,
	gainShare,
	gapToFull,
	points,
	share,
	shiftWords,
	conditionKey,
	type Cell,
	type ShiftMethod
} from './shiftLab';
import type { ShiftLine } from './ShiftLabChart.svelte';
import {
	ACCURACY_TICKS,
	METHOD_STYLE,
	WITH_BASE,
	loraRanksBelow,
	percentTick,
	shiftKey,
	table,
	type ShiftChart,
	type ShiftContext,
	type ShiftView
} from './shiftView';

const SHIFT_TICKS = [0, 0.25, 0.5, 0.75, 1];

/** One line per method (and the base) along the shift axis, y read from each cell by `get`. */
export function byShift(withBase: Map<string, Cell>, get: (c: Cell) => number): ShiftLine[] {
	return WITH_BASE.map((m) => ({
		id: m.id,
		label: m.label,
		...METHOD_STYLE[m.id],
		points: SHIFT_VALUES.map((s) => {
			const c = withBase.get(`${m.id}@${shiftKey(s)}`);
			return { x: s, y: c ? get(c) : NaN };
		})
	}));
}

/** A row of the method × shift tables. */
export interface MethodRow {
	m: ShiftMethod;
}
const methodRows: MethodRow[] = WITH_BASE.map((m) => ({ m }));
/** The share of full fine-tuning's gain has no meaning for the base (it is 0 by definition). */
const shareRows: MethodRow[] = SHIFT_METHODS.map((m) => ({ m }));

/** Method × shift columns: `get` reads a cell, `fmt` writes it; live cells say so. */
export function shiftColumns(
	ctx: Pick<ShiftContext, 'withBase' | 'isLive'>,
	get: (c: Cell) => number,
	fmt: (v: number) => string
): Column<MethodRow>[] {
	return [
		{ label: 'Method', value: (r) => r.m.label },
		...SHIFT_VALUES.map((s): Column<MethodRow> => ({
			label: `Shift ${s.toFixed(2)}`,
			numeric: true,
			value: (r) => {
				const c = ctx.withBase.get(`${r.m.id}@${shiftKey(s)}`);
				return c && Number.isFinite(get(c)) ? get(c) : null;
			},
			format: (r) => {
				const k = shiftKey(s);
				const c = ctx.withBase.get(`${r.m.id}@${k}`);
				return c ? `${fmt(get(c))}${ctx.isLive(r.m.id, k) ? ' (live)' : ''}` : '—';
			}
		}))
	];
}

/**
 * The chart both views draw: every method's `get` along the axis (shift 0 to 1 against accuracy),
 * with the chosen shift marked.
 */
const axisChart =
	(get: (c: Cell) => number, text: Pick<ShiftChart, 'xLabel' | 'yLabel' | 'label'>) =>
	(ctx: ShiftContext): ShiftChart => ({
		lines: byShift(ctx.withBase, get),
		xDomain: [0, 1],
		yDomain: [0, 1],
		xTicks: SHIFT_TICKS,
		yTicks: ACCURACY_TICKS,
		formatY: percentTick,
		marker: ctx.stop / SHIFT_STOPS,
		...text
	});

/** The method × shift table of `get`, in percent, open. */
const axisTable = (ctx: ShiftContext, caption: string, get: (c: Cell) => number) =>
	table({ caption, columns: shiftColumns(ctx, get, pct), rows: methodRows, open: true });

export const accuracyView: ShiftView = {
	picks: 'shift',
	caption: () => 'Held-out accuracy by method and domain shift',
	chart: axisChart((c) => c.accuracy, {
		xLabel: 'Domain shift',
		yLabel: 'Held-out accuracy',
		label:
			'Held-out accuracy of each method against domain shift, with the base model before fine-tuning as a dotted grey line. The sentence below and the data table give the numbers.'
	}),
	summary(ctx) {
		const lows = SHIFT_VALUES.map((s) =>
			Math.max(
				...loraRanksBelow(4)
					.map((m) => gapToFull(ctx.cells, m.id, shiftKey(s)))
					.filter(Number.isFinite),
				-Infinity
			)
		);
		const trend =
			Number.isFinite(lows[0]) && Number.isFinite(lows[SHIFT_STOPS])
				? ` Along the axis, the better of LoRA r = 1 and r = 4 is ${points(lows[0])} points from full fine-tuning with no shift and ${points(lows[SHIFT_STOPS])} at the largest drift.`
				: '';
		return `${conditionSummary(ctx.cells, ctx.condition)}${trend}`;
	},
	tables: (ctx) => [
		axisTable(ctx, accuracyView.caption(ctx), (c) => c.accuracy),
		// Absolute gaps grow partly because there is more to learn: the share corrects for it.
		table({
			caption:
				"Share of full fine-tuning's gain each method recovers, (accuracy − base) / (full − base); — where full fine-tuning gained under 2 points",
			columns: shiftColumns(ctx, (c) => gainShare(ctx.cells, c.method, c.condition), share),
			rows: shareRows,
			suffix: '-share'
		})
	]
};

export const forgettingView: ShiftView = {
	picks: 'shift',
	caption: () => 'Accuracy on clean digits after fine-tuning, by method and domain shift',
	chart: axisChart((c) => c.original, {
		xLabel: 'Domain shift of the fine-tuning data',
		yLabel: 'Accuracy on clean digits afterwards',
		label:
			"Accuracy on the original clean digits after each fine-tune, against the domain shift it was fine-tuned on, with the base model's own accuracy before fine-tuning as a dotted grey line. The sentence below and the data table give the numbers."
	}),
	summary(ctx) {
		const { cells } = ctx;
		const key = conditionKey(ctx.condition);
		const shift = ctx.stop / SHIFT_STOPS;
		const row = SHIFT_METHODS.map((m) => ({ m, c: cells.get(`${m.id}@${key}`) })).filter(
			(x) => x.c && Number.isFinite(x.c.original)
		);
		if (!row.length) return 'Nothing measured at this shift yet.';
		const full = cells.get(`full@${key}`);
		const start = ctx.recorded.find((c) => c.method === 'full' && c.condition === 's0.0000');
		const lora = row.filter((x) => x.m.method === 'lora');
		const less = lora.filter((x) => full && x.c!.original > full.original).length;
		const across = SHIFT_VALUES.filter((s) => {
			const k = shiftKey(s);
			const f = cells.get(`full@${k}`)?.original;
			const l = loraRanksBelow(4).map((m) => cells.get(`${m.id}@${k}`)?.original ?? NaN);
			return f !== undefined && l.every((v) => v > f);
		}).length;
		return `The base scores ${pct(start?.start)} on clean digits. After fine-tuning at ${shiftWords(shift)} (shift ${shift.toFixed(2)}), full fine-tuning keeps ${pct(full?.original)} of clean digits right; ${row
			.filter((x) => x.m.id !== 'full')
			.map((x) => `${x.m.label} ${pct(x.c!.original)}`)
			.join(
				', '
			)}. Here ${less} of ${lora.length} LoRA ranks forget less than full fine-tuning; along the whole axis, LoRA at ranks 1 and 4 both forget less at ${across} of ${SHIFT_VALUES.length} shifts.`;
	},
	tables: (ctx) => [axisTable(ctx, forgettingView.caption(ctx), (c) => c.original)]
};
