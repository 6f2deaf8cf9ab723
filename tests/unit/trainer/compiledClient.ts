/**
 * The page-side trainer client (`client.svelte.ts`, runes and all) compiled for Node by
 * TypeScript and Svelte's own compiler, written to test-results/<name>.mjs: the client tests
 * import it after stubbing what a browser would give it (Worker, requestAnimationFrame, …).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { compileModule } from 'svelte/compiler';
import ts from 'typescript';

/** Compile the client to test-results/`name`.mjs and return that file's absolute path. */
export function compiledClient(name: string): string {
	const source = readFileSync('src/lib/trainer/client.svelte.ts', 'utf8');
	const js = ts.transpileModule(source, {
		compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext }
	}).outputText;
	const { code } = compileModule(js, { filename: 'client.svelte.js', generate: 'client' }).js;
	mkdirSync('test-results', { recursive: true });
	const file = `${process.cwd()}/test-results/${name}.mjs`;
	writeFileSync(file, code);
	return file;
}
