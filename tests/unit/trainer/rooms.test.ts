/**
 * The trainer's two rooms: a page side (`src/lib/trainer/`: the client, the live-figure shell, the
 * protocol and plain-data specs) that loads no tfjs, and a worker side (`src/lib/trainer/worker/`)
 * that pages never import. Read from the source's imports, and from ESLint's walls, which must
 * stop a page that tries.
 */
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph } from '../../../scripts/node/importGraph';

const TRAINER = 'src/lib/trainer/';
const WORKER = 'src/lib/trainer/worker/';
const graph = importGraph(['src', 'lessons']);
/** Without imports of types alone, which are erased: what a page really loads. */
const loads = importGraph(['src', 'lessons'], { types: false });
const pageSide = [...graph.keys()].filter((f) => f.startsWith(TRAINER) && !f.startsWith(WORKER));

describe('the trainer in two rooms', () => {
	it('has both rooms', () => {
		expect(pageSide).toEqual(
			expect.arrayContaining([
				'src/lib/trainer/client.svelte.ts',
				'src/lib/trainer/protocol.ts',
				'src/lib/trainer/choices.ts'
			])
		);
		expect(graph.has('src/lib/trainer/worker/host.ts')).toBe(true);
		expect(graph.has('src/lib/trainer/worker/trainer.worker.ts')).toBe(true);
	});

	it('keeps the page side out of the worker side but for the worker the client starts', () => {
		const arrows = pageSide.flatMap((f) =>
			graph
				.get(f)!
				.filter((t) => t.startsWith(WORKER))
				.map((t) => `${f} → ${t}`)
		);
		expect(arrows).toEqual([
			'src/lib/trainer/client.svelte.ts → src/lib/trainer/worker/trainer.worker.ts'
		]);
		expect(readFileSync('src/lib/trainer/client.svelte.ts', 'utf8')).toContain(
			"new Worker(new URL('./worker/trainer.worker.ts', import.meta.url)"
		);
	});

	it('loads no tfjs on the page side', () => {
		const seen = new Set<string>();
		const visit = (f: string) => {
			if (seen.has(f)) return;
			seen.add(f);
			// The worker's own file is bundled as a worker, not loaded by the page.
			for (const t of loads.get(f) ?? []) if (!t.startsWith(WORKER)) visit(t);
		};
		pageSide.forEach(visit);
		const tfjs = [...seen].filter((f) => /from\s+['"]@tensorflow\//.test(readFileSync(f, 'utf8')));
		expect(tfjs).toEqual([]);
		expect(seen.size).toBeGreaterThan(pageSide.length);
	});

	it('is imported by pages (lessons, widgets, routes, ui) only on its page side', () => {
		const pages = [...graph].filter(([f]) =>
			/^(lessons|src\/lib\/(widgets|ui)|src\/routes)\//.test(f)
		);
		expect(pages.length).toBeGreaterThan(20);
		const reaching = pages.flatMap(([f, tos]) =>
			tos.filter((t) => t.startsWith(WORKER)).map((t) => `${f} → ${t}`)
		);
		expect(reaching).toEqual([]);
	});

	it('is never imported by the model, and has no import cycle', () => {
		const model = [...graph].filter(([f]) => f.startsWith('src/lib/model/'));
		expect(model.flatMap(([, tos]) => tos.filter((t) => t.startsWith(TRAINER)))).toEqual([]);
		const trainerOnly = new Map(
			[...loads]
				.filter(([f]) => f.startsWith(TRAINER))
				.map(([f, tos]) => [f, tos.filter((t) => t.startsWith(TRAINER))])
		);
		expect(cycles(trainerOnly)).toEqual([]);
		expect(
			cycles(
				new Map([
					['a', ['b']],
					['b', ['a']]
				])
			)
		).toEqual([['a', 'b']]);
	});
});

describe('the ESLint walls around the trainer', () => {
	const eslint = new ESLint();
	const errors = async (filePath: string, code: string) =>
		(await eslint.lintText(code, { filePath }))[0].messages
			.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
			.map((m) => m.line);

	const worker = [
		"import { TrainerHost } from '$lib/trainer/worker/host';",
		"import { activate } from '../trainer/worker/backends';",
		"export const load = () => import('$lib/trainer/worker/host');",
		"import { TrainerClient } from '$lib/trainer/client.svelte';",
		"import type { RunSpec } from '$lib/trainer/protocol';",
		'export { TrainerHost, activate, TrainerClient };',
		'export type { RunSpec };'
	].join('\n');

	it('stop a widget, a lesson or a route that imports the worker side, and let the page side by', async () => {
		for (const page of [
			'src/lib/widgets/Probe.ts',
			'lessons/02-scaling-laws/probe.ts',
			'src/routes/probe.ts'
		])
			expect(await errors(page, worker), page).toEqual([1, 2, 3]);
	}, 60_000);

	it('stop the model from importing the trainer', async () => {
		expect(await errors('src/lib/model/probe.ts', worker)).toEqual([1, 2, 4, 5]);
	}, 60_000);
});
