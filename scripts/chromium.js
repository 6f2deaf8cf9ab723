/**
 * How the tests (and the screenshot and benchmark scripts) start Debian's Chromium: headless,
 * WebGPU through SwiftShader, and no background networking (the machine's network is closed).
 */
import { existsSync } from 'node:fs';

/** Launch flags that give headless Chromium a WebGPU adapter here (see shared/BROWSER.md). */
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--enable-unsafe-webgpu',
	'--enable-features=Vulkan',
	'--enable-unsafe-swiftshader',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run'
];

/** Path of the Chromium to drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
/** @returns {string} */
export function chromiumPath() {
	const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!existsSync(path)) {
		throw new Error(`Chromium not found at ${path}: install it with \`apt-get install chromium\``);
	}
	return path;
}
