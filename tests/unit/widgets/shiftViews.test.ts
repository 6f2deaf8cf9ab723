/**
 * The shift lab's five views (src/lib/widgets/shift*View*.ts), read from the recorded grid: each
 * view's lines, sentence and tables, what a live cell changes, and the numbers they print tied to
 * the cells and models they come from.
 */
import { describe, expect, it } from 'vitest';
import recorded from '$lib/data/shiftLab.json';
import { energyCaptured, rankForEnergy } from '$lib/math/spectrum';
import {
	FEATURE_CHOICES,
	SHIFT_METHODS,
	SHIFT_VALUES,
	baseCell,
	conditionKey,
	featureCondition,
	indexCells,
	pct,
	type Cell,
	type Condition
} from '$lib/widgets/shiftLab';
import { SHIFT_VIEWS, type ShiftViewName } from '$lib/widgets/shiftViews';
import { memoryPrice } from '$lib/widgets/shiftRankViews';
import type { ShiftContext } from '$lib/widgets/shiftView';

const recordedCells = recorded.cells as Cell[];

/** The context a figure builds: recorded cells, optionally with live ones over them. */
function context(condition: Condition, stop: number, live: Cell[] = []): ShiftContext {
	const cells = indexCells([...recordedCells, ...live]);
	const conditions: Condition[] = [
		...SHIFT_VALUES.map((s): Condition => ({ kind: 'shift', s })),
		...FEATURE_CHOICES.map(featureCondition)
	];
	const withBase = indexCells([
		...cells.values(),
		...conditions.map((c) => baseCell(cells, c)).filter((b): b is Cell => !!b)
	]);
	const keys = new Set(live.map((c) => `${c.method}@${c.condition}`));
	return {
		cells,
		withBase,
		recorded: recordedCells,
		condition,
		stop,
		isLive: (m, c) => keys.has(`${m}@${c}`)
	};
}
const atStop = (k: number) => context({ kind: 'shift', s: k / 12 }, k);
const onTask = (t: (typeof FEATURE_CHOICES)[number]) => context(featureCondition(t), 2);
const cell = (id: string) => recordedCells.find((c) => `${c.method}@${c.condition}` === id)!;
const cellText = (t: { columns: readonly { format?: (r: never) => string }[] }, row: unknown) =>
	t.columns.map((c) => c.format?.(row as never));

describe('every view', () => {
	const cases: [ShiftViewName, ShiftContext][] = [
		['accuracy', atStop(2)],
		['spectrum', atStop(2)],
		['forgetting', atStop(8)],
		['features', onTask('permuted')],
		['tradeoff', onTask('planted')]
	];
	it.each(cases)(
		'%s: speaks in numbers, never NaN or undefined, and tables what it draws',
		(name, ctx) => {
			const v = SHIFT_VIEWS[name];
			const text = v.summary(ctx);
			expect(text).not.toMatch(/NaN|undefined|Infinity/);
			expect(text.length).toBeGreaterThan(80);
			const chart = v.chart(ctx);
			expect(chart.lines.length).toBeGreaterThan(1);
			expect(chart.lines.some((l) => l.points.some((p) => Number.isFinite(p.y)))).toBe(true);
			const [first] = v.tables(ctx);
			expect(first.caption).toBe(v.caption(ctx));
			expect(first.rows.length).toBeGreaterThan(0);
		}
	);
	it('pick a task or a point of the axis, and only the spectrum trains full fine-tuning alone', () => {
		expect(Object.entries(SHIFT_VIEWS).map(([n, v]) => [n, v.picks, !!v.fullOnly])).toEqual([
			['accuracy', 'shift', false],
			['spectrum', 'shift', true],
			['forgetting', 'shift', false],
			['features', 'task', false],
			['tradeoff', 'task', false]
		]);
	});
});

describe('the views along the shift axis', () => {
	it('draw every method and the base over the thirteen stops, with the chosen shift marked', () => {
		const chart = SHIFT_VIEWS.accuracy.chart(atStop(6));
		expect(chart.lines.map((l) => l.id)).toEqual([...SHIFT_METHODS.map((m) => m.id), 'base']);
		for (const l of chart.lines) expect(l.points.map((p) => p.x)).toEqual(SHIFT_VALUES);
		expect(chart.marker).toBe(0.5);
		const full = chart.lines[0].points[6].y;
		expect(full).toBe(cell('full@s0.5000').accuracy);
		const forgetting = SHIFT_VIEWS.forgetting.chart(atStop(6));
		expect(forgetting.lines[0].points[6].y).toBe(cell('full@s0.5000').original);
	});
	it('table accuracy and the share of full fine-tuning’s gain, marking live cells', () => {
		const live: Cell = { ...cell('lora-4@s0.5000'), accuracy: 0.5 };
		const tables = SHIFT_VIEWS.accuracy.tables(context({ kind: 'shift', s: 0.5 }, 6, [live]));
		expect(tables.map((t) => t.suffix)).toEqual([undefined, '-share']);
		expect(tables[0].rows).toHaveLength(SHIFT_METHODS.length + 1);
		expect(tables[1].rows).toHaveLength(SHIFT_METHODS.length);
		const lora4 = tables[0].rows.find((r) => (r as { m: { id: string } }).m.id === 'lora-4');
		expect(cellText(tables[0], lora4)[7]).toBe('50.0% (live)');
		expect(cellText(tables[0], lora4)[6]).toBe(pct(cell('lora-4@s0.4167').accuracy));
	});
	it('say what the base scores on clean digits and what each method keeps', () => {
		const text = SHIFT_VIEWS.forgetting.summary(atStop(8));
		expect(text).toContain(`The base scores ${pct(cell('full@s0.0000').start)} on clean digits`);
		expect(text).toContain(`full fine-tuning keeps ${pct(cell('full@s0.6667').original)}`);
	});
});

describe('the spectrum view', () => {
	it('counts the directions for 90% from the recorded update', () => {
		const sv = cell('full@s0.1667').singularValues!;
		const text = SHIFT_VIEWS.spectrum.summary(atStop(2));
		expect(text).toContain(`hold ${pct(energyCaptured(sv, 4))} of its energy`);
		expect(text).toContain(`and ${rankForEnergy(sv, 0.9)} directions are needed for 90%`);
	});
	it('draws the chosen stop solid beside the fixed ones, and tables every stop', () => {
		const lines = SHIFT_VIEWS.spectrum.chart(atStop(3)).lines;
		expect(lines.map((l) => l.id)).toEqual(['s0', 's2', 's3', 's6', 's10', 's12']);
		const chosen = lines.find((l) => l.id === 's3')!;
		expect(chosen.label).toBe('shift 0.25 (chosen)');
		expect(chosen.dash).toBeUndefined();
		expect(chosen.points[0].y).toBe(1);
		expect(SHIFT_VIEWS.spectrum.tables(atStop(3))[0].rows).toHaveLength(13);
	});
});

describe('the views against rank', () => {
	it('leave out LoRA ranks the planted task cannot hold', () => {
		const lines = SHIFT_VIEWS.tradeoff.chart(onTask('planted')).lines;
		expect(lines.find((l) => l.id === 'lora-new')!.points.map((p) => p.x)).toEqual([1, 4, 16]);
		const key = conditionKey(featureCondition('planted'));
		expect(lines.find((l) => l.id === 'full-old')!.points[0].y).toBe(cell(`full@${key}`).original);
	});
	it('price the rank full fine-tuning needs with lesson 3’s memory model', () => {
		const ctx = onTask('permuted');
		const r90 = rankForEnergy(cell('full@permuted').singularValues!, 0.9);
		const price = memoryPrice(r90);
		const text = SHIFT_VIEWS.features.summary(ctx);
		expect(text).toContain(`needs ${r90} directions for 90% of its energy`);
		expect(text).toContain(`${(price.full.total / 1e9).toFixed(1)} GB)`);
		const truncated = SHIFT_VIEWS.features.chart(ctx).lines.find((l) => l.id === 'truncated')!;
		expect(truncated.points).toEqual(
			cell('full@permuted').truncation!.map((t) => ({ x: t.k, y: t.accuracy }))
		);
	});
});
