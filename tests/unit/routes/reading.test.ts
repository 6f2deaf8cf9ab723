/**
 * The further-reading page and the glossary against the course's one bibliography (the
 * `references` of the lessons' frontmatter): every annotated paper is a key some lesson lists,
 * every paper a lesson cites is annotated, and every link the glossary makes into the reading
 * page lands on an entry. (The pages themselves are checked in the browser, glossary.spec.ts.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { effectiveRank, stableRank } from '$lib/math/spectrum';
import { RESOURCES, SECTIONS } from '../../../src/routes/reading/entries';
import { GLOSSARY_IDS } from '$lib/glossaryTerms';

const folders = readdirSync('lessons')
	.filter((d) => /^\d{2}-/.test(d))
	.sort();

/** Bibliography keys by lesson number, read from each lesson's frontmatter. */
const bibliography = new Map<number, { id: string; title: string }[]>(
	folders.map((d) => {
		const source = readFileSync(join('lessons', d, 'index.svx'), 'utf8');
		const front = parse(source.split(/^---$/m)[1]) as {
			references?: { id: string; title: string }[];
		};
		return [Number(d.slice(0, 2)), front.references ?? []];
	})
);
const allKeys = new Set([...bibliography.values()].flat().map((r) => r.id));
const papers = SECTIONS.flatMap((s) => s.papers);
const entryIds = [
	...papers.map((p) => p.key),
	...RESOURCES.map((r) => r.id),
	...SECTIONS.map((s) => s.id)
];

describe('further reading', () => {
	it('annotates only papers in the bibliography', () => {
		expect(papers.length).toBeGreaterThan(20);
		expect(papers.map((p) => p.key).filter((k) => !allKeys.has(k))).toEqual([]);
	});

	it('annotates every paper the lessons cite, once', () => {
		const keys = papers.map((p) => p.key);
		expect(new Set(keys).size).toBe(keys.length);
		expect([...allKeys].filter((k) => !keys.includes(k))).toEqual([]);
	});

	it('names lessons that exist, and a lesson that lists the paper among them', () => {
		for (const p of papers) {
			expect(p.lessons.length).toBeGreaterThan(0);
			for (const n of p.lessons) expect(bibliography.has(n)).toBe(true);
			const listing = [...bibliography].filter(([, refs]) => refs.some((r) => r.id === p.key));
			expect(
				listing.some(([n]) => p.lessons.includes(n)),
				p.key
			).toBe(true);
		}
	});

	it('gives each note one or two sentences, and each resource an https link', () => {
		for (const e of [...papers, ...RESOURCES]) {
			const sentences = e.note.split(/(?<=[.!?])\s+(?=[A-Z“(])/).length;
			expect(sentences, e.note).toBeGreaterThanOrEqual(1);
			expect(sentences, e.note).toBeLessThanOrEqual(2);
		}
		for (const r of RESOURCES) expect(r.url).toMatch(/^https:\/\//);
		expect(RESOURCES.map((r) => r.id)).toEqual(
			expect.arrayContaining(['hf-peft', 'raschka-lora-tips', 'distill', 'd2l'])
		);
	});

	it('has unique anchors', () => {
		expect(new Set(entryIds).size).toBe(entryIds.length);
	});
});

describe('glossary', () => {
	const glossary = readFileSync('src/routes/glossary/Glossary.svx', 'utf8');
	const REQUIRED: readonly string[] = GLOSSARY_IDS;
	const terms = [...glossary.matchAll(/<Term id="([^"]+)"[^>]*>([\s\S]*?)<\/Term>/g)];

	it('has exactly the anchors the lessons link to', () => {
		expect(terms.map((t) => t[1]).sort()).toEqual([...REQUIRED].sort());
	});

	it.each(terms.map((t) => [t[1], t[2]]))(
		'%s: a short definition and a link into a lesson',
		(_, body) => {
			const [definition] = body.trim().split(/\n\n\*\*/);
			const sentences = definition.replace(/\$[^$]*\$/g, 'x').split(/(?<=[.!?])\s+(?=[A-Z“("])/);
			expect(sentences.length).toBeGreaterThanOrEqual(1);
			expect(sentences.length).toBeLessThanOrEqual(3);
			expect(body).toMatch(/\*\*In the course:\*\* .*\]\(\.\.\/lessons\/[a-z-]+\/(#[a-z0-9-]+)?\)/);
		}
	);

	it('opens with an index that links every term', () => {
		const index = /<nav class="index"[\s\S]*?<\/nav>/.exec(glossary)![0];
		const linked = [...index.matchAll(/\]\(#([a-z0-9-]+)\)/g)].map((m) => m[1]);
		expect(linked.sort()).toEqual([...REQUIRED].sort());
	});

	it('links into the reading page only where an entry is', () => {
		const keys = [...glossary.matchAll(/\]\(\.\.\/reading\/#([^)]+)\)/g)].map((m) => m[1]);
		expect(keys.length).toBeGreaterThan(10);
		expect(keys.filter((k) => !entryIds.includes(k))).toEqual([]);
	});
});

describe('glossary: stable rank against effective rank', () => {
	const glossary = readFileSync('src/routes/glossary/Glossary.svx', 'utf8');
	const lesson4 = readFileSync(
		join(
			'lessons',
			folders.find((d) => d.startsWith('04-'))!,
			'index.svx'
		),
		'utf8'
	);

	it("quotes lesson 4's recorded pair as the lesson prints it", () => {
		expect(lesson4).toContain('Its stable rank is 6.6 and its effective rank 48');
		expect(glossary).toContain('has stable rank 6.6 and effective rank 48');
	});

	it('works its example with the course’s own spectrum measures', () => {
		const sigma = [10, ...Array<number>(99).fill(1)];
		expect(stableRank(sigma).toFixed(2)).toBe('1.99');
		expect(Math.round(effectiveRank(sigma))).toBe(88);
		expect(glossary).toContain('one value of 10 and 99 values of 1');
		expect(glossary).toContain('$(100 + 99)/100 = 1.99$, the effective rank about 88');
	});
});
