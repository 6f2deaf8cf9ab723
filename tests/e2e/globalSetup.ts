/**
 * Starts what every browser test shares: the test build (made by `npm test` with
 * BASE_PATH=/why-peft into build-test/) served on 127.0.0.1 under that sub-path, and one
 * Debian Chromium with WebGPU on (flags from shared/BROWSER.md) that the test files connect to.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { serve } from '../../scripts/serve.js';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.js';

export const TEST_BASE = '/why-peft';
/** The test build; WHY_PEFT_TEST_BUILD points elsewhere (a second build made alongside). */
export const TEST_BUILD_DIR = process.env.WHY_PEFT_TEST_BUILD ?? 'build-test';

declare module 'vitest' {
	export interface ProvidedContext {
		baseURL: string;
		wsEndpoint: string;
	}
}

export default async function setup(project: TestProject) {
	if (!existsSync(`${TEST_BUILD_DIR}/index.html`)) {
		throw new Error(
			`${TEST_BUILD_DIR}/ is missing: run \`npm test\`, or build it with ` +
				`BASE_PATH=${TEST_BASE} BUILD_DIR=${TEST_BUILD_DIR} npx vite build`
		);
	}
	const server = await serve({ dir: TEST_BUILD_DIR, base: TEST_BASE, port: 0 });
	const browser = await chromium.launchServer({
		executablePath: chromiumPath(),
		args: CHROMIUM_ARGS,
		headless: true
	});
	project.provide('baseURL', server.url);
	project.provide('wsEndpoint', browser.wsEndpoint());
	return async () => {
		await browser.close();
		await server.close();
	};
}
