import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHART_FONT_PX } from '$lib/charts/chartFont';
import {
	isTypingTarget,
	parsePresent,
	presentIn,
	stepKey,
	stepTarget,
	withoutPresent
} from '$lib/ui/presenter';

describe('parsePresent', () => {
	it('turns presenter mode on for 1, true, on, yes and a bare ?present', () => {
		for (const v of ['1', 'true', 'ON', ' yes ', '']) expect(parsePresent(v)).toBe(true);
	});

	it('turns it off for 0, false, off and no', () => {
		for (const v of ['0', 'false', 'Off', 'no']) expect(parsePresent(v)).toBe(false);
	});

	it('leaves the mode alone when absent or unreadable', () => {
		for (const v of [null, '2', 'banana', '<b>1</b>', '1e0', 'NaN']) {
			expect(parsePresent(v)).toBeNull();
		}
	});
});

describe('presentIn and withoutPresent', () => {
	it('read the present parameter among others', () => {
		expect(presentIn('?spectrum-steps=30&present=1')).toBe(true);
		expect(presentIn('?present=0')).toBe(false);
		expect(presentIn('?spectrum-steps=30')).toBeNull();
		expect(presentIn('')).toBeNull();
	});

	it('drop only the present parameter from an address', () => {
		expect(withoutPresent('http://x/why-peft/lessons/a/?r=4&present=1#fig')?.href).toBe(
			'http://x/why-peft/lessons/a/?r=4#fig'
		);
		expect(withoutPresent('http://x/why-peft/?r=4')).toBeNull();
	});
});

describe('stepKey', () => {
	it('steps forward on ] and N, back on [ and P', () => {
		expect(stepKey({ key: ']' })).toBe(1);
		expect(stepKey({ key: 'n' })).toBe(1);
		expect(stepKey({ key: 'N' })).toBe(1);
		expect(stepKey({ key: '[' })).toBe(-1);
		expect(stepKey({ key: 'p' })).toBe(-1);
	});

	it('ignores other keys and any key with Ctrl, Alt or Meta (browser shortcuts)', () => {
		for (const key of [' ', 's', 'r', 'ArrowDown', 'PageDown', '?'])
			expect(stepKey({ key })).toBe(0);
		expect(stepKey({ key: 'n', ctrlKey: true })).toBe(0);
		expect(stepKey({ key: 'p', metaKey: true })).toBe(0);
		expect(stepKey({ key: ']', altKey: true })).toBe(0);
	});
});

describe('stepTarget', () => {
	// Three figures: one scrolled past, one at the top of the screen, one below it.
	const tops = [-900, 0, 700];

	it('steps from the figure holding focus, whatever is scrolled', () => {
		expect(stepTarget(tops, 1, 0)).toBe(1);
		expect(stepTarget(tops, -1, 2)).toBe(1);
		expect(stepTarget(tops, 1, 2)).toBeNull();
		expect(stepTarget(tops, -1, 0)).toBeNull();
	});

	it('without focus, goes to the first figure below the top or the last above it', () => {
		expect(stepTarget(tops, 1)).toBe(2);
		expect(stepTarget(tops, -1)).toBe(0);
		// A figure a few pixels off the top (scrolling rounds) counts as the current one.
		expect(stepTarget([-900, 5, 700], 1)).toBe(2);
		expect(stepTarget([-900, -5, 700], -1)).toBe(0);
	});

	it('has nowhere to go past the ends or on a page without figures', () => {
		expect(stepTarget([-2000, -900], 1)).toBeNull();
		expect(stepTarget([300, 900], -1)).toBeNull();
		expect(stepTarget([], 1)).toBeNull();
		expect(stepTarget([], -1, 0)).toBeNull();
	});

	it('starts from the first figure at the top of a page', () => {
		expect(stepTarget([400, 1200], 1)).toBe(0);
	});
});

describe('isTypingTarget', () => {
	// A stand-in element: `closest` answers whether the element matches any of the selectors.
	const el = (matches: (selector: string) => boolean) => ({
		closest: (s: string) => (s.split(',').some((one) => matches(one.trim())) ? {} : null)
	});

	it('leaves typing and figure controls alone', () => {
		expect(isTypingTarget(el((s) => s === 'input') as unknown as EventTarget)).toBe(true);
		expect(isTypingTarget(el((s) => s === 'textarea') as unknown as EventTarget)).toBe(true);
		expect(isTypingTarget(el((s) => s === '[role="slider"]') as unknown as EventTarget)).toBe(true);
		expect(isTypingTarget(el((s) => s === '.figure-controls') as unknown as EventTarget)).toBe(
			true
		);
		expect(
			isTypingTarget(el((s) => s.startsWith('[contenteditable')) as unknown as EventTarget)
		).toBe(true);
	});

	it('steps from anywhere else (the page, a figure title)', () => {
		expect(isTypingTarget(el(() => false) as unknown as EventTarget)).toBe(false);
		expect(isTypingTarget(null)).toBe(false);
		expect(isTypingTarget({} as EventTarget)).toBe(false);
	});
});

describe('chart text size', () => {
	it('is the same in app.css and in the charts’ spacing, and grows by at least 1.3× for a projector', () => {
		const css = readFileSync('src/app.css', 'utf8');
		const root = /:root \{[^}]*--chart-font: (\d+)px;/.exec(css);
		const present = /:root\[data-present\] \{[^}]*--chart-font: (\d+)px;/.exec(css);
		expect(Number(root?.[1])).toBe(CHART_FONT_PX.normal);
		expect(Number(present?.[1])).toBe(CHART_FONT_PX.presenter);
		expect(CHART_FONT_PX.presenter / CHART_FONT_PX.normal).toBeGreaterThanOrEqual(1.3);
	});
});
