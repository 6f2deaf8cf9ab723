/**
 * The pages of a built site, found on disk: every folder holding an index.html, as a site path
 * with the trailing slash static hosts serve without a redirect (`''`, `lab/`, `lessons/x/`).
 * Shared by the browser tests and the screenshot script.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Site paths of all prerendered pages under `dir`, sorted (home first).
 * @param {string} dir the build folder
 * @returns {string[]}
 */
export function sitePages(dir) {
	/** @param {string} d @returns {string[]} */
	const walk = (d) =>
		readdirSync(d, { withFileTypes: true }).flatMap((e) => {
			if (e.isDirectory()) return e.name === '_app' ? [] : walk(join(d, e.name));
			return e.name === 'index.html' ? [d] : [];
		});
	return walk(dir)
		.map((d) => relative(dir, d).split(sep).join('/'))
		.map((p) => (p ? `${p}/` : ''))
		.sort();
}
