/**
 * The shift lab's two views against LoRA's rank, for a task rather than a shift: `features`
 * (LoRA's accuracy by rank beside full fine-tuning's update cut to rank r, and what that rank
 * costs on a real model) and `tradeoff` (what LoRA learns of the new task and keeps of the
 * base's own, by rank, beside full fine-tuning). Methods without a rank are flat lines.
 */
import { pct } from '$lib/format';
import type { Column } from '$lib/ui/exportData';
import { MODEL_PRESETS, estimateTrainingMemory, type TargetMatrix } from '$lib/math/memory';
import { rankForEnergy } from '$lib/math/spectrum';
import {
	BASE_METHOD,
	SHIFT_METHODS,
	conditionKey,
	conditionLabel,
	conditionSummary,
	gapToFull,
	methodFits,
	points,
	type Cell,
	type ShiftMethod
} from './shiftLab';
import type { ShiftLine } from './ShiftLabChart.svelte';
import {
	ACCURACY_TICKS,
	METHOD_STYLE,
	WITH_BASE,
	percentTick,
	table,
	type ShiftChart,
	type ShiftContext,
	type ShiftView
} from './shiftView';

/** A flat line across the rank axis (1 to 64) at accuracy y, for a method without a rank. */
const across = (y: number | undefined) => [1, 64].map((x) => ({ x, y: y ?? NaN }));

/** The chosen condition's cell of a method. */
const cellOf = (ctx: ShiftContext, id: string) =>
	ctx.cells.get(`${id}@${conditionKey(ctx.condition)}`);

/** The LoRA methods whose rank fits the chosen condition. */
const fittingLoras = (ctx: ShiftContext) =>
	SHIFT_METHODS.filter((m) => m.method === 'lora' && methodFits(m, ctx.condition));

/** The base before fine-tuning, on the new task, as a flat dotted grey line. */
const baseLine = (ctx: ShiftContext, label: string): ShiftLine => ({
	id: 'base',
	label,
	...METHOD_STYLE.base,
	points: across(ctx.withBase.get(`base@${conditionKey(ctx.condition)}`)?.accuracy)
});

/** The axes both views share: LoRA's rank (log) against accuracy. */
function rankChart(lines: ShiftLine[], xLabel: string, label: string): ShiftChart {
	return {
		lines,
		xDomain: [1, 64],
		yDomain: [0, 1],
		logX: true,
		xTicks: [1, 2, 4, 8, 16, 32, 64],
		yTicks: ACCURACY_TICKS,
		formatY: percentTick,
		xLabel,
		yLabel: 'Held-out accuracy',
		label
	};
}

/** A row of the task table: a method and its cell under the chosen condition. */
export interface FeatureRow {
	m: ShiftMethod;
	c: Cell | undefined;
}

/** Every method's row under the chosen condition, the base last. */
const featureRows = (ctx: ShiftContext): FeatureRow[] =>
	WITH_BASE.map((m) => ({ m, c: ctx.withBase.get(`${m.id}@${conditionKey(ctx.condition)}`) }));

export function featureColumns(ctx: ShiftContext): Column<FeatureRow>[] {
	const key = conditionKey(ctx.condition);
	return [
		{ label: 'Method', value: (r) => r.m.label },
		{
			label: 'Held-out accuracy',
			numeric: true,
			value: (r) => r.c?.accuracy ?? null,
			format: (r) => `${pct(r.c?.accuracy)}${r.c && ctx.isLive(r.m.id, key) ? ' (live)' : ''}`
		},
		{
			label: 'Gap to full (points)',
			numeric: true,
			value: (r) => {
				const g = gapToFull(ctx.withBase, r.m.id, key);
				return Number.isFinite(g) ? g * 100 : null;
			},
			format: (r) => points(gapToFull(ctx.withBase, r.m.id, key))
		},
		{
			label: 'Original task after',
			numeric: true,
			value: (r) => r.c?.original ?? null,
			format: (r) => pct(r.c?.original)
		},
		{
			label: 'Trainable parameters',
			numeric: true,
			value: (r) => r.c?.trainableParams ?? null,
			format: (r) => (r.c ? r.c.trainableParams.toLocaleString('en-US') : '—')
		}
	];
}

const taskCaption = (ctx: ShiftContext) => `Each method on ${conditionLabel(ctx.condition)}`;
const taskTables = (ctx: ShiftContext) => [
	table({
		caption: taskCaption(ctx),
		columns: featureColumns(ctx),
		rows: featureRows(ctx),
		open: true
	})
];

/** Directions full fine-tuning's first-layer update needs for 90% of its energy; NaN if unknown. */
export function rank90(ctx: ShiftContext): number {
	const sv = cellOf(ctx, 'full')?.singularValues;
	return sv?.length ? rankForEnergy(sv, 0.9) : NaN;
}

const LLAMA = 'llama-2-7b' as const;
const ALL_TARGETS: TargetMatrix[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];

/**
 * Lesson 3's memory for Llama 2 7B (one sequence of 512 tokens, LoRA on all seven matrices):
 * full fine-tuning, LoRA at rank 4 and at `rank` (64 when unknown).
 */
export function memoryPrice(rank: number) {
	const arch = MODEL_PRESETS[LLAMA];
	const setup = { batchSize: 1, seqLen: 512, targets: ALL_TARGETS } as const;
	const full = estimateTrainingMemory(arch, { method: 'full', ...setup });
	const at = (r: number) => estimateTrainingMemory(arch, { method: 'lora', rank: r, ...setup });
	const ranks = [4, Number.isFinite(rank) ? rank : 64];
	return { full, loras: ranks.map((r) => ({ rank: r, mem: at(r) })) };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

export const featuresView: ShiftView = {
	picks: 'task',
	caption: taskCaption,
	chart(ctx) {
		const at = (id: string) => cellOf(ctx, id)?.accuracy ?? NaN;
		const flat = (id: string, label: string, color: string, dash?: string): ShiftLine => ({
			id,
			label,
			color,
			dash,
			points: across(at(id))
		});
		const lines: ShiftLine[] = [
			{
				id: 'lora',
				label: 'LoRA at rank r',
				color: 'var(--series-2)',
				points: fittingLoras(ctx).map((m) => ({ x: m.rank!, y: at(m.id) }))
			},
			{
				id: 'truncated',
				label: 'Full update of the first layer cut to rank r',
				color: 'var(--series-1)',
				dash: '4 3',
				points: (cellOf(ctx, 'full')?.truncation ?? []).map((t) => ({ x: t.k, y: t.accuracy }))
			},
			flat('full', 'Full fine-tuning', 'var(--fg)'),
			flat('head', 'Head only', 'var(--series-3)', '2 3'),
			flat('bitfit', 'BitFit', 'var(--series-4)', '2 3'),
			baseLine(ctx, BASE_METHOD.label)
		];
		return rankChart(
			lines,
			'Rank r (log scale)',
			`Held-out accuracy on ${conditionLabel(ctx.condition)}: LoRA against its rank, full fine-tuning's update cut to rank r, and full fine-tuning, head-only, BitFit and the base model before fine-tuning as flat lines. The sentence below and the data table give the numbers.`
		);
	},
	summary(ctx) {
		const r90 = rank90(ctx);
		const price = memoryPrice(r90);
		const top = price.loras.at(-1)!;
		const r4 = price.loras[0];
		const rankText = Number.isFinite(r90)
			? ` Full fine-tuning's update to the first layer needs ${r90} directions for 90% of its energy; LoRA at that rank on every matrix of Llama 2 7B would train ${(top.mem.trainableParams / 1e6).toFixed(0)}M parameters and need ${gb(top.mem.total)} (rank 4: ${gb(r4.mem.total)}; full fine-tuning: ${gb(price.full.total)}).`
			: '';
		return `${conditionSummary(ctx.cells, ctx.condition)}${rankText}`;
	},
	tables: taskTables
};

export const tradeoffView: ShiftView = {
	picks: 'task',
	caption: taskCaption,
	chart(ctx) {
		const loras = fittingLoras(ctx);
		const full = cellOf(ctx, 'full');
		const lines: ShiftLine[] = [
			{
				id: 'lora-new',
				label: 'LoRA: new task',
				color: 'var(--series-2)',
				points: loras.map((m) => ({ x: m.rank!, y: cellOf(ctx, m.id)?.accuracy ?? NaN }))
			},
			{
				id: 'lora-old',
				label: 'LoRA: original task',
				color: 'var(--series-1)',
				dash: '6 3',
				points: loras.map((m) => ({ x: m.rank!, y: cellOf(ctx, m.id)?.original ?? NaN }))
			},
			{
				id: 'full-new',
				label: 'Full: new task',
				color: 'var(--fg)',
				points: across(full?.accuracy)
			},
			{
				id: 'full-old',
				label: 'Full: original task',
				color: 'var(--fg)',
				dash: '2 3',
				points: across(full?.original)
			},
			baseLine(ctx, 'Base, no fine-tuning: new task')
		];
		return rankChart(
			lines,
			'LoRA rank r (log scale)',
			`On ${conditionLabel(ctx.condition)}: accuracy on the new task and on the base's original task, for LoRA against its rank and for full fine-tuning as flat lines, and the base model before fine-tuning on the new task as a dotted grey line. The sentence below and the data table give the numbers.`
		);
	},
	summary(ctx) {
		const full = cellOf(ctx, 'full');
		const loras = SHIFT_METHODS.filter((m) => m.method === 'lora')
			.map((m) => ({ m, c: cellOf(ctx, m.id) }))
			.filter((x) => x.c && Number.isFinite(x.c.accuracy) && Number.isFinite(x.c.original));
		const what = conditionLabel(ctx.condition);
		if (!full || !Number.isFinite(full.original) || !loras.length)
			return `Not every run of ${what} has finished yet.`;
		const each = loras
			.map((x) => `rank ${x.m.rank} learns ${pct(x.c!.accuracy)} and keeps ${pct(x.c!.original)}`)
			.join('; ');
		const keepsMore = loras.filter((x) => x.c!.original > full.original);
		const learnsLess = keepsMore.filter((x) => x.c!.accuracy < full.accuracy);
		const verdict = !keepsMore.length
			? 'No LoRA rank keeps more of the original task than full fine-tuning here.'
			: `${keepsMore.length} of ${loras.length} LoRA ranks keep more of the original task than full fine-tuning (${keepsMore.map((x) => `r = ${x.m.rank}`).join(', ')})${learnsLess.length === keepsMore.length ? ', and each of them learns less of the new one' : ''}.`;
		return `On ${what}, the base scores ${pct(full.start)} on the new task. Full fine-tuning learns ${pct(full.accuracy)} of it and keeps ${pct(full.original)} on the original task; LoRA at ${each}. ${verdict}`;
	},
	tables: taskTables
};
