import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two suites. `unit` runs pure TypeScript in Node. `e2e` drives Debian's Chromium (WebGPU on,
 * through SwiftShader) against the built site served on 127.0.0.1; it needs `npm run build`
 * first, which `npm test` does.
 */
export default defineConfig({
	resolve: { alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) } },
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['tests/unit/**/*.test.ts'],
					environment: 'node',
					// Training tests take a second or two alone; on a shared, busy machine many times that.
					testTimeout: 30_000
				}
			},
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.spec.ts'],
					environment: 'node',
					globalSetup: ['tests/e2e/globalSetup.ts'],
					testTimeout: 60_000,
					hookTimeout: 60_000,
					fileParallelism: false
				}
			}
		]
	}
});
