import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Builds the benchmark pages (not part of the course) into bench-results/app/: the trainer's
 * (index.html) and the SVD's (svd.html). */
export default defineConfig({
	root: fileURLToPath(new URL('.', import.meta.url)),
	base: './',
	resolve: { alias: { $lib: fileURLToPath(new URL('../../src/lib', import.meta.url)) } },
	build: {
		outDir: fileURLToPath(new URL('../../bench-results/app', import.meta.url)),
		emptyOutDir: true,
		rollupOptions: {
			input: {
				index: fileURLToPath(new URL('index.html', import.meta.url)),
				svd: fileURLToPath(new URL('svd.html', import.meta.url))
			}
		}
	},
	logLevel: 'warn'
});
