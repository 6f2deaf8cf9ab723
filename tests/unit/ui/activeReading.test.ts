/**
 * The active-reading boxes (`Predict`, `Exercises`/`Exercise`) as lesson authors write them in
 * mdsvex: Markdown, KaTeX and citations inside an exercise's `question` and `answer` snippets and
 * inside a prediction's reveal come out as HTML, and the result is valid Svelte. Mdsvex reads
 * text between `{#snippet …}` and `{/snippet}` as Markdown only when blank lines surround it, so
 * every lesson is checked for those blank lines too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { compile as compileMarkdown } from 'mdsvex';
import remarkMath from 'remark-math';
import { compile as compileSvelte } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';
import {
	remarkCitations,
	remarkKatex,
	remarkOutline
} from '../../../src/lib/markdown/remarkLesson.js';

/** The lesson pipeline of svelte.config.js. */
async function lessonToSvelte(source: string): Promise<string> {
	const out = await compileMarkdown(source, {
		extensions: ['.svx'],
		smartypants: { dashes: 'oldschool' },
		remarkPlugins: [remarkMath, remarkCitations, remarkOutline, remarkKatex]
	});
	if (!out) throw new Error('mdsvex returned nothing');
	return out.code;
}

const SAMPLE = `---
title: sample
references:
  - id: hu2021
    authors: Hu
    title: LoRA
    year: 2021
    arxiv: '2106.09685'
---
<script>
  import Exercises from '$lib/ui/Exercises.svelte';
  import Exercise from '$lib/ui/Exercise.svelte';
  import Predict from '$lib/ui/Predict.svelte';
</script>

<Predict id="p1" question="What happens to the loss?" choices={['It falls', 'It rises']}>

It *falls*, as $2^{-0.076}$ says [@hu2021].

</Predict>

<Exercises>
<Exercise>
{#snippet question()}

How many numbers does **LoRA** train at $r = 8$?

{/snippet}
{#snippet answer()}

$r(d + k)$ per matrix [@hu2021].

{/snippet}
</Exercise>
</Exercises>
`;

describe('Predict and Exercise in a lesson', () => {
	it('renders Markdown, KaTeX and citations inside the snippets and the reveal', async () => {
		const code = await lessonToSvelte(SAMPLE);
		const question = code.slice(code.indexOf('{#snippet question()}'), code.indexOf('{/snippet}'));
		expect(question).toContain('<strong>LoRA</strong>');
		expect(question).toContain('class=\\"katex\\"');
		const answer = code.slice(code.indexOf('{#snippet answer()}'));
		expect(answer.slice(0, answer.indexOf('{/snippet}'))).toContain('href="#ref-hu2021"');
		const reveal = code.slice(code.indexOf('<Predict'), code.indexOf('</Predict>'));
		expect(reveal).toContain('<em>falls</em>');
		expect(reveal).toContain('class=\\"katex\\"');
		expect(() => compileSvelte(code, { generate: 'server' })).not.toThrow();
	});

	it('without blank lines inside a snippet, Markdown is lost or the build breaks', async () => {
		const tight = SAMPLE.replace(
			'{#snippet question()}\n\nHow many numbers does **LoRA** train at $r = 8$?\n\n{/snippet}',
			'{#snippet question()}\nHow many numbers does **LoRA** train at $r = 8$?\n{/snippet}'
		);
		expect(tight).not.toBe(SAMPLE);
		const code = await lessonToSvelte(tight);
		expect(code).not.toContain('<strong>LoRA</strong>');
		expect(snippetSpacingProblems(tight)).toHaveLength(2);
		expect(snippetSpacingProblems(SAMPLE)).toEqual([]);
	});
});

/** Lines where a `{#snippet …}` block of a lesson is not followed, or `{/snippet}` not preceded, by a blank line. */
function snippetSpacingProblems(source: string): string[] {
	const lines = source.split('\n');
	const problems: string[] = [];
	lines.forEach((line, i) => {
		if (/^\s*\{#snippet [\w$]+\([^)]*\)\}\s*$/.test(line) && lines[i + 1]?.trim() !== '') {
			problems.push(`line ${i + 1}: blank line needed after ${line.trim()}`);
		}
		if (/^\s*\{\/snippet\}\s*$/.test(line) && lines[i - 1]?.trim() !== '') {
			problems.push(`line ${i + 1}: blank line needed before {/snippet}`);
		}
	});
	return problems;
}

describe('every lesson', () => {
	const files = readdirSync('lessons').map((d) => `lessons/${d}/index.svx`);
	it.each(files)('%s leaves blank lines around the Markdown of its snippets', (file) => {
		expect(snippetSpacingProblems(readFileSync(file, 'utf8'))).toEqual([]);
	});
});
