/**
 * The course's own import graph, read from source text: every `.ts`, `.js`, `.svelte` and `.svx`
 * file under the given roots and the files of ours each one imports (static imports and
 * re-exports, `import()` and `new URL(…, import.meta.url)` workers; type-only imports unless
 * asked not to).
 * For the test that keeps the graph free of cycles and the trainer's two rooms apart, and for
 * scripts/imports.ts, which draws a folder's arrows.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const EXTENSIONS = ['.ts', '.js', '.svelte', '.svx'];
/** What an import may leave off: `./client.svelte` is client.svelte.ts, `./x` may be x/index.ts. */
const TRIES = ['', '.ts', '.js', '.svelte', '.svx', '/index.ts', '/index.js'];
/** `import … from '…'`, `export … from '…'`, `import '…'`; group 1 says `type` (erased). */
const STATIC = /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\bfrom\s*)?['"]([^'"]+)['"]/gm;
/** `import('…')` and a worker's `new URL('…', import.meta.url)`. */
const DYNAMIC = /(?:\bimport\s*\(\s*|\bnew\s+URL\s*\(\s*)['"]([^'"]+)['"]/g;

/** Files (repository-relative, `/`-separated) mapped to the files of ours they import. */
export type ImportGraph = Map<string, string[]>;

function walk(dir: string, out: string[]): string[] {
	for (const name of readdirSync(dir)) {
		if (name === 'node_modules' || name.startsWith('.')) continue;
		const path = join(dir, name);
		if (statSync(path).isDirectory()) walk(path, out);
		else if (EXTENSIONS.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(path);
	}
	return out;
}

function resolveSpecifier(from: string, spec: string, root: string): string | undefined {
	let base: string;
	if (spec.startsWith('$lib/') || spec === '$lib') base = join(root, 'src/lib', spec.slice(4));
	else if (spec.startsWith('.')) base = resolve(dirname(from), spec);
	else return undefined;
	base = base.replace(/\?[^/]*$/, '');
	for (const t of TRIES) {
		const path = base + t;
		if (existsSync(path) && statSync(path).isFile()) return path;
	}
	return undefined;
}

/**
 * The graph of every source file under `roots` (relative to `root`, the repository); with
 * `types` false, imports of types alone (`import type`, erased when compiled) are left out.
 */
export function importGraph(
	roots: readonly string[],
	{ root = process.cwd(), types = true } = {}
): ImportGraph {
	const graph: ImportGraph = new Map();
	const files = roots.flatMap((r) => walk(join(root, r), []));
	for (const file of files) {
		const text = readFileSync(file, 'utf8');
		const targets = new Set<string>();
		const specifiers = [
			...[...text.matchAll(STATIC)].filter((m) => types || !m[1]).map((m) => m[2]),
			...[...text.matchAll(DYNAMIC)].map((m) => m[1])
		];
		for (const spec of specifiers) {
			const target = resolveSpecifier(file, spec, root);
			if (target && target !== file) targets.add(relative(root, target).split('\\').join('/'));
		}
		graph.set(relative(root, file).split('\\').join('/'), [...targets].sort());
	}
	return graph;
}

/** Every cycle's files in order (each cycle once, from its first file in sorted order). */
export function cycles(graph: ImportGraph): string[][] {
	const found: string[][] = [];
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const visit = (file: string) => {
		state.set(file, 'open');
		stack.push(file);
		for (const next of graph.get(file) ?? []) {
			if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)));
			else if (!state.has(next)) visit(next);
		}
		stack.pop();
		state.set(file, 'done');
	};
	for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
	return found;
}

/** The arrows between files of one folder (and its subfolders): `[from, to]` pairs. */
export function arrowsWithin(graph: ImportGraph, folder: string): [string, string][] {
	const inside = (f: string) => f.startsWith(`${folder}/`);
	return [...graph].flatMap(([from, tos]) =>
		inside(from) ? tos.filter(inside).map((to): [string, string] => [from, to]) : []
	);
}
