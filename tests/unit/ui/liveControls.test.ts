/**
 * Which key a live figure takes: Space, S, R and ? inside it, never with a modifier held, never
 * while typing in a field or on a slider, Space never on a control that Space presses anyway,
 * and S or R only where the figure has a step or a reset.
 */
import { describe, expect, it } from 'vitest';
import { figureKey, keyHint } from '$lib/ui/liveControls';

/** A stand-in element that matches `selector` when it names this element's tag or role. */
function el(tag: string, attrs: Record<string, string> = {}) {
	return {
		closest(selector: string) {
			const parts = selector.split(',').map((s) => s.trim());
			const hit = parts.some(
				(p) =>
					p === tag ||
					p.startsWith(`${tag}[`) ||
					(attrs.role && p === `[role="${attrs.role}"]`) ||
					(attrs.contenteditable && p.startsWith('[contenteditable]'))
			);
			return hit ? this : null;
		}
	};
}

const all = { step: () => undefined, reset: () => undefined };
const key = (k: string, target: unknown, mods: object = {}, has: object = all) =>
	figureKey({ key: k, target: target as EventTarget, ...mods }, has);

describe('figureKey', () => {
	it('maps Space, S, R and ? inside the figure', () => {
		const div = el('div');
		expect(key(' ', div)).toBe('toggle');
		expect(key('s', div)).toBe('step');
		expect(key('S', div)).toBe('step');
		expect(key('r', div)).toBe('reset');
		expect(key('?', div)).toBe('help');
		expect(key('x', div)).toBeNull();
		expect(key(']', div)).toBeNull();
	});

	it('leaves every key alone with a modifier held', () => {
		const div = el('div');
		for (const mod of ['ctrlKey', 'metaKey', 'altKey'])
			for (const k of [' ', 's', 'r', '?']) expect(key(k, div, { [mod]: true })).toBeNull();
	});

	it('leaves every key alone while typing in a field or adjusting a slider', () => {
		const fields = [
			el('input'),
			el('textarea'),
			el('select'),
			el('div', { contenteditable: 'true' }),
			el('div', { role: 'slider' }),
			el('div', { role: 'textbox' })
		];
		for (const f of fields) for (const k of [' ', 's', 'r', '?']) expect(key(k, f)).toBeNull();
	});

	it('lets Space press a button as always, but takes S, R and ? there', () => {
		const button = el('button');
		expect(key(' ', button)).toBeNull();
		expect(key(' ', el('summary'))).toBeNull();
		expect(key('s', button)).toBe('step');
		expect(key('r', button)).toBe('reset');
		expect(key('?', button)).toBe('help');
	});

	it('takes S and R only where the figure has a step and a reset', () => {
		const div = el('div');
		expect(key('s', div, {}, {})).toBeNull();
		expect(key('r', div, {}, {})).toBeNull();
		expect(key(' ', div, {}, {})).toBe('toggle');
	});

	it('hints at the keys the figure takes', () => {
		expect(keyHint(all)).toBe('Space · S · R');
		expect(keyHint({ reset: all.reset })).toBe('Space · R');
		expect(keyHint({})).toBe('Space');
	});
});
