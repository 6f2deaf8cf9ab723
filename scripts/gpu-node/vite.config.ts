import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Bundles check.ts and everything it imports into one Node script (gpu-check/check.js), so a
 * machine with Node alone can run it: nothing from node_modules is needed there.
 */
export default defineConfig({
	resolve: { alias: { $lib: fileURLToPath(new URL('../../src/lib', import.meta.url)) } },
	ssr: { noExternal: true, target: 'node' },
	build: {
		ssr: fileURLToPath(new URL('./check.ts', import.meta.url)),
		outDir: fileURLToPath(new URL('../../gpu-check', import.meta.url)),
		emptyOutDir: false,
		rollupOptions: {
			output: {
				entryFileNames: 'check.js',
				codeSplitting: false,
				// Emscripten's loader (tfjs's WebAssembly backend) expects CommonJS's globals.
				banner: [
					"import { createRequire as __req } from 'node:module';",
					"import { fileURLToPath as __path } from 'node:url';",
					'const require = __req(import.meta.url);',
					'const __filename = __path(import.meta.url);',
					"const __dirname = __filename.replace(/[\\/][^\\/]*$/, '');"
				].join('\n')
			}
		}
	},
	logLevel: 'warn'
});
