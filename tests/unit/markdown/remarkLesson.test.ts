import { describe, expect, it } from 'vitest';
import { compile } from 'mdsvex';
import remarkMath from 'remark-math';
import {
	remarkCitations,
	remarkKatex,
	remarkOutline,
	WORDS_PER_MINUTE
} from '../../../src/lib/markdown/remarkLesson.js';

const plugins = [remarkMath, remarkCitations, remarkOutline, remarkKatex];

async function render(source: string) {
	const out = await compile(source, { remarkPlugins: plugins });
	if (!out) throw new Error('mdsvex returned nothing');
	return out.code;
}

const front = `---
title: T
references:
  - id: hu2021
    authors: Hu et al.
    title: LoRA
    year: 2021
    arxiv: '2106.09685'
  - id: kaplan2020
    authors: Kaplan et al.
    title: Scaling laws
    year: 2020
    arxiv: '2001.08361'
---
`;

describe('remarkKatex', () => {
	it('renders inline and display math to static KaTeX markup inside {@html}', async () => {
		const code = await render(`${front}\nInline $W_0 + BA$ here.\n\n$$\nh = W_0 x\n$$\n`);
		expect(code).toMatch(/\{@html "<span class=\\"katex\\">/);
		expect(code).toContain('math-display');
		expect(code).toContain('katex-mathml');
		expect(code).not.toContain('$W_0');
	});

	it('fails the build on malformed TeX', async () => {
		await expect(render(`${front}\nBad $\\frac{1}{$ math.\n`)).rejects.toThrow();
	});
});

describe('remarkCitations', () => {
	it('numbers citations by their order in the frontmatter', async () => {
		const code = await render(`${front}\nA claim [@kaplan2020]. Two [@hu2021; @kaplan2020].\n`);
		expect(code).toContain(
			'<a href="#ref-kaplan2020" id="cite-kaplan2020" aria-label="reference 2">2</a>'
		);
		expect(code).toContain('<a href="#ref-hu2021" id="cite-hu2021" aria-label="reference 1">1</a>');
		// the second citation of a key gets no id, so ids stay unique
		expect(code.match(/id="cite-kaplan2020"/g)).toHaveLength(1);
		const meta = JSON.parse(code.match(/export const metadata = (\{.*?\});/)![1]);
		expect(meta.cited).toEqual(['kaplan2020', 'hu2021']);
	});

	it('rejects a key that is not in the references', async () => {
		await expect(render(`${front}\nA claim [@nobody2099].\n`)).rejects.toThrow(/nobody2099/);
	});
});

describe('remarkOutline', () => {
	it('gives headings ids and exports the outline and reading time', async () => {
		const words = Array.from({ length: WORDS_PER_MINUTE * 3 }, () => 'word').join(' ');
		const code = await render(
			`${front}\n## First part\n\n${words}\n\n### A detail\n\n## First part\n`
		);
		expect(code).toContain('<h2 id="first-part">');
		expect(code).toContain('<h3 id="a-detail">');
		expect(code).toContain('<h2 id="first-part-1">');
		const meta = JSON.parse(code.match(/export const metadata = (\{.*?\});/)![1]);
		expect(meta.toc).toEqual([
			{ id: 'first-part', text: 'First part', depth: 2 },
			{ id: 'a-detail', text: 'A detail', depth: 3 },
			{ id: 'first-part-1', text: 'First part', depth: 2 }
		]);
		expect(meta.minutes).toBe(3);
	});

	it('lists the What to remember box where it stands', async () => {
		const code = await render(
			`${front}\n## Body\n\nText.\n\n<Takeaways>\n\n- A point ([Body](#body)).\n\n</Takeaways>\n`
		);
		const meta = JSON.parse(code.match(/export const metadata = (\{.*?\});/)![1]);
		expect(meta.toc).toEqual([
			{ id: 'body', text: 'Body', depth: 2 },
			{ id: 'what-to-remember', text: 'What to remember', depth: 2 }
		]);
	});
});
