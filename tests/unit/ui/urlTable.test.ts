/**
 * A figure's URL parameters as one table: read in order (an entry may depend on the ones before
 * it), bad values replaced or clamped with the sentence urlState writes, values kept valid when
 * another changes, and defaults left out of what is written.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('$app/navigation', () => ({ replaceState: vi.fn() }));
vi.mock('$app/state', () => ({ page: { state: {} } }));

const { choice, number, readTable, settleTable, tableDefaults, tableUpdates } =
	await import('$lib/ui/urlTable');
import type { ParamTable } from '$lib/ui/urlTable';

type Setup = 'digits' | 'text';
interface V {
	setup: Setup;
	layer: string;
	steps: number;
	k: number;
}
const LAYERS: Record<Setup, string[]> = { digits: ['l0', 'l1'], text: ['q', 'v'] };
const STEPS: Record<Setup, number> = { digits: 300, text: 40 };
const KS = [0, 1, 2, 4, 8];

const table: ParamTable<V> = {
	setup: choice('t-setup', ['digits', 'text'] as const, 'digits', 'setup here'),
	layer: choice(
		't-layer',
		(v) => LAYERS[v.setup],
		(v) => LAYERS[v.setup][0],
		(v) => `matrix of the ${v.setup} setup`,
		(x, v) => `${x} (${v.setup})`
	),
	steps: number('t-steps', {
		min: 10,
		max: 5000,
		fallback: (v) => STEPS[v.setup],
		integer: true,
		label: 'number of steps'
	}),
	k: number('t-k', {
		min: 0,
		max: 8,
		fallback: 4,
		integer: true,
		label: 'directions kept',
		snap: (x) => KS.reduce((b, y) => (Math.abs(y - x) < Math.abs(b - x) ? y : b))
	})
};

describe('readTable', () => {
	it('gives every default, and no message, for an empty query', () => {
		expect(readTable(table, '')).toEqual({
			values: { setup: 'digits', layer: 'l0', steps: 300, k: 4 },
			messages: []
		});
	});

	it('reads each entry given the ones before it', () => {
		const { values, messages } = readTable(table, '?t-setup=text&t-layer=v&t-k=2');
		expect(values).toEqual({ setup: 'text', layer: 'v', steps: 40, k: 2 });
		expect(messages).toEqual([]);
	});

	it('replaces and clamps bad values in order, with urlState’s sentences', () => {
		const { values, messages } = readTable(table, '?t-setup=text&t-layer=l1&t-steps=9e9&t-k=7');
		expect(values).toEqual({ setup: 'text', layer: 'q', steps: 5000, k: 8 });
		expect(messages).toEqual([
			'“l1” is not a matrix of the text setup; showing q (text).',
			'9e9 is above the largest number of steps, 5000; using 5000.'
		]);
	});
});

describe('settleTable', () => {
	it('moves a value the new setup lacks to its default, and a number on its default with it', () => {
		const values: V = { setup: 'digits', layer: 'l1', steps: 300, k: 4 };
		const before = tableDefaults(table, values);
		values.setup = 'text';
		settleTable(table, values, before);
		expect(values).toEqual({ setup: 'text', layer: 'q', steps: 40, k: 4 });
	});

	it('keeps a number the reader moved off its default, clamped and snapped', () => {
		const values: V = { setup: 'digits', layer: 'l0', steps: 123, k: 3 };
		const before = tableDefaults(table, values);
		values.setup = 'text';
		settleTable(table, values, before);
		expect(values.steps).toBe(123);
		expect(KS).toContain(values.k);
	});
});

describe('tableUpdates', () => {
	it('names every value by its URL name, with the defaults for the current values', () => {
		expect(tableUpdates(table, { setup: 'text', layer: 'v', steps: 40, k: 8 })).toEqual({
			updates: { 't-setup': 'text', 't-layer': 'v', 't-steps': 40, 't-k': 8 },
			defaults: { 't-setup': 'digits', 't-layer': 'q', 't-steps': 40, 't-k': 4 }
		});
	});
});
