#!/usr/bin/env node
/**
 * Renders the installed app's PNG icons (static/icon-192.png, static/icon-512.png and the
 * full-bleed static/icon-maskable-512.png) from static/favicon.svg with Debian's Chromium, so the
 * icons stay the favicon. Run it after changing the favicon: `node scripts/icons.js`.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';

const svg = readFileSync('static/favicon.svg', 'utf8');
/** The favicon's background colour fills a maskable icon's corners (platforms crop them). */
const fill = /<rect[^>]*fill="(#[0-9a-f]{6})"/i.exec(svg)?.[1] ?? '#3b4cc0';
const url = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;

const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
try {
	for (const [file, size, maskable] of /** @type {[string, number, boolean][]} */ ([
		['static/icon-192.png', 192, false],
		['static/icon-512.png', 512, false],
		['static/icon-maskable-512.png', 512, true]
	])) {
		const page = await browser.newPage({ viewport: { width: size, height: size } });
		// A maskable icon keeps its mark inside the central 80% circle (the "safe zone").
		const inner = maskable ? Math.round(size * 0.7) : size;
		await page.setContent(
			`<body style="margin:0;display:grid;place-items:center;width:${size}px;height:${size}px;` +
				`background:${maskable ? fill : 'transparent'}"><img src="${url}" width="${inner}" height="${inner}"></body>`
		);
		await page.screenshot({ path: file, omitBackground: !maskable });
		await page.close();
		console.log(`wrote ${file}`);
	}
} finally {
	await browser.close();
}
