import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Builds the kernel check page (tests/e2e/kernels.spec.ts; not part of the course) into
 * build-test-kernels/. `npm test` builds it beside the site.
 */
export default defineConfig({
	root: fileURLToPath(new URL('.', import.meta.url)),
	base: './',
	resolve: { alias: { $lib: fileURLToPath(new URL('../../../src/lib', import.meta.url)) } },
	build: {
		outDir: fileURLToPath(new URL('../../../build-test-kernels', import.meta.url)),
		emptyOutDir: true
	},
	logLevel: 'warn'
});
