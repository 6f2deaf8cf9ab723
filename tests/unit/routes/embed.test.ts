/**
 * The embed registry against the lessons: each figure a lesson places with its own props (the
 * shared widgets: id, title, view, URL prefix, opening shift or task) is rendered on its embed
 * page with exactly those props, and every embeddable figure has a registry entry and a home.
 * Also the iframe snippet a reader copies: escaped, sized within bounds.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDS, iframeSnippet, isEmbeddable } from '$lib/ui/embeds';
import { FIGURES } from '../../../src/routes/embed/[figure]/registry';

/** Every tag of a component the lessons place with an `id`, as its attributes (values evaluated). */
function placedFigures(): { lesson: string; tag: string; props: Record<string, unknown> }[] {
	const found = [];
	for (const dir of readdirSync('lessons').sort()) {
		const svx = readFileSync(`lessons/${dir}/index.svx`, 'utf8');
		for (const m of svx.matchAll(/<([A-Z]\w+)((?:\s+\w+=(?:"[^"]*"|\{[^}]*\}))+)\s*\/>/g)) {
			const attrs = [...m[2].matchAll(/(\w+)=(?:"([^"]*)"|\{([^}]*)\})/g)];
			if (!attrs.some((a) => a[1] === 'id')) continue;
			const props: Record<string, unknown> = {};
			for (const a of attrs) {
				// Only plain numbers and fractions appear in braces (`defaultShift={2 / 12}`).
				expect(a[3] ?? '', a[0]).toMatch(/^[\d\s./]*$/);
				props[a[1]] = a[2] ?? (new Function(`return (${a[3]})`)() as number);
			}
			if (typeof props.id === 'string') found.push({ lesson: dir, tag: m[1], props });
		}
	}
	return found;
}

describe('embed registry', () => {
	const placed = placedFigures();

	it('finds the figures the lessons place with props', () => {
		expect(placed.map((p) => p.props.id)).toEqual([
			'fig-shift-lab',
			'fig-shift-spectrum',
			'fig-forgetting',
			'fig-tradeoff',
			'fig-lm-drift',
			'fig-intrinsic',
			'fig-new-features',
			'fig-large-drift',
			'fig-lm-far'
		]);
	});

	for (const { lesson, tag, props } of placed) {
		it(`renders ${props.id} (${tag} in ${lesson}) with the lesson's props, from that lesson`, () => {
			const id = props.id as string;
			expect(isEmbeddable(id)).toBe(true);
			if (!isEmbeddable(id)) return;
			expect(FIGURES[id].props).toEqual(props);
			expect(EMBEDS[id]).toEqual({ lesson: lesson.replace(/^\d+-/, '') });
		});
	}

	it('has an entry to render for every embeddable figure, and no other', () => {
		expect(Object.keys(FIGURES).sort()).toEqual(Object.keys(EMBEDS).sort());
		for (const f of Object.values(FIGURES)) expect(typeof f.load).toBe('function');
	});

	it('knows only its own ids, not what every object has', () => {
		expect(isEmbeddable('fig-spectrum')).toBe(true);
		for (const id of ['', 'toString', '__proto__', 'constructor', 'peft-sites', 'fig-spectrum/'])
			expect(isEmbeddable(id), id).toBe(false);
	});
});

describe('iframeSnippet', () => {
	it('writes a titled, sized iframe for the address', () => {
		expect(
			iframeSnippet('https://example.org/why-peft/embed/fig-rank/?rank-rank=8', 'Figure 4', 612)
		).toBe(
			'<iframe src="https://example.org/why-peft/embed/fig-rank/?rank-rank=8" title="Figure 4 · Why PEFT" ' +
				'width="960" height="690" style="max-width: 100%; border: 0" loading="lazy"></iframe>'
		);
	});

	it('escapes the address and the title', () => {
		const s = iframeSnippet('https://x.org/e/?a=1&b="><script>', `LoRA's "rank" <b>`, 500);
		expect(s).toContain('src="https://x.org/e/?a=1&amp;b=&quot;&gt;&lt;script&gt;"');
		expect(s).toContain('title="LoRA\'s &quot;rank&quot; &lt;b&gt; · Why PEFT"');
		expect(s).not.toMatch(/<script|<b>/);
	});

	it('keeps the height within 360 and 1,600 px whatever it is told', () => {
		const height = (h: number) =>
			Number(/height="(\d+)"/.exec(iframeSnippet('https://x.org/', 't', h))![1]);
		expect(height(0)).toBe(360);
		expect(height(-50)).toBe(360);
		expect(height(NaN)).toBe(360);
		expect(height(Infinity)).toBe(360);
		expect(height(5000)).toBe(1600);
		expect(height(1000)).toBe(1080);
	});
});
