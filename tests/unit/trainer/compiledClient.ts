/**
 * The page-side trainer client (`client.svelte.ts`, runes and all) compiled for Node by
 * TypeScript and Svelte's own compiler, written to test-results/<name>.mjs: the client tests
 * import it after stubbing what a browser would give it (Worker, requestAnimationFrame, …).
 * `compiledLiveRun` does the same for the live-figure shell, importing that compiled client.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { compileModule } from 'svelte/compiler';
import ts from 'typescript';

/** Compile a runes module to test-results/`name`.mjs, after `rewrite`; its absolute path. */
function compileRunes(source: string, name: string, rewrite = (js: string) => js): string {
	const js = ts.transpileModule(readFileSync(source, 'utf8'), {
		compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext }
	}).outputText;
	const { code } = compileModule(rewrite(js), {
		filename: source.replace(/\.ts$/, '.js'),
		generate: 'client'
	}).js;
	mkdirSync('test-results', { recursive: true });
	const file = `${process.cwd()}/test-results/${name}.mjs`;
	writeFileSync(file, code);
	return file;
}

/** Compile the client to test-results/`name`.mjs and return that file's absolute path. */
export function compiledClient(name: string): string {
	return compileRunes('src/lib/trainer/client.svelte.ts', name);
}

/**
 * Compile the live-figure shell (`liveRun.svelte.ts`) and the client it imports; the shell's
 * other imports (`$lib/…`, `$app/…`) resolve as the test's own do, so `vi.mock` reaches them.
 */
export function compiledLiveRun(name: string): string {
	const client = compiledClient(`${name}.client`);
	return compileRunes('src/lib/trainer/liveRun.svelte.ts', name, (js) =>
		js
			.replace(/from '\.\/client\.svelte'/g, `from '${client}'`)
			.replace(/from '\.\/choices'/g, `from '$lib/trainer/choices'`)
	);
}
