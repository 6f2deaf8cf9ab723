#!/usr/bin/env node
/**
 * Screenshots of every page as a reader sees it: light and dark, at 375 px and 1280 px wide,
 * from the built site (`npm run build` first) in headless Chromium. Writes PNGs to .screens/;
 * with --readme it also refreshes static/screenshot.png, the picture in the README.
 *
 *   node scripts/screenshots.js [--readme] [--full]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';
import { sitePages } from './pages.js';
import { serve } from './serve.js';

const OUT = '.screens';
const args = process.argv.slice(2);

mkdirSync(OUT, { recursive: true });
const server = await serve({ dir: 'build', port: 0 });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
try {
	for (const path of sitePages('build')) {
		for (const colorScheme of /** @type {const} */ (['light', 'dark'])) {
			for (const width of [375, 1280]) {
				const context = await browser.newContext({
					viewport: { width, height: width < 500 ? 812 : 900 },
					colorScheme,
					deviceScaleFactor: 1
				});
				const page = await context.newPage();
				await page.goto(new URL(path, server.url).href, {
					waitUntil: 'networkidle'
				});
				const name = `${path.replace(/\/$/, '').replaceAll('/', '_') || 'home'}-${colorScheme}-${width}.png`;
				await page.screenshot({ path: join(OUT, name), fullPage: args.includes('--full') });
				if (
					args.includes('--readme') &&
					path.startsWith('lessons/') &&
					colorScheme === 'light' &&
					width === 1280
				) {
					await page.screenshot({ path: 'static/screenshot.png' });
				}
				await context.close();
			}
		}
	}
	console.log(`screenshots in ${OUT}/`);
} finally {
	await browser.close();
	await server.close();
}
