import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { wasmThreads } from '../vite/wasmThreads.js';

/** Builds the benchmark page (not part of the course) into bench-results/app/. */
export default defineConfig({
	root: fileURLToPath(new URL('.', import.meta.url)),
	base: './',
	plugins: [wasmThreads()],
	worker: { format: 'es', plugins: () => [wasmThreads()] },
	resolve: { alias: { $lib: fileURLToPath(new URL('../../src/lib', import.meta.url)) } },
	build: {
		outDir: fileURLToPath(new URL('../../bench-results/app', import.meta.url)),
		emptyOutDir: true
	},
	logLevel: 'warn'
});
