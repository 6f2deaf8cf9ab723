import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { mdsvex } from 'mdsvex';
import remarkMath from 'remark-math';
import { remarkCitations, remarkKatex, remarkOutline } from './src/lib/markdown/remarkLesson.js';

/**
 * The site is prerendered to plain files. BASE_PATH (for example `/why-peft`) lets it be
 * hosted under a sub-path; the browser tests build it that way to keep that promise.
 */
const base = process.env.BASE_PATH ?? '';
/** Where the static site is written; the tests build into their own folder. */
const outDir = process.env.BUILD_DIR ?? 'build';

/**
 * sha256 of each inline script in src/app.html (the theme script that runs before the page
 * paints), for the Content-Security-Policy: SvelteKit hashes the scripts it writes itself, not
 * the template's. Read at build time, so editing the script cannot leave a stale hash behind.
 */
const templateScriptHashes = /** @type {`sha256-${string}`[]} */ (
	[...readFileSync('src/app.html', 'utf8').matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
		(m) => `sha256-${createHash('sha256').update(m[1]).digest('base64')}`
	)
);

/** @type {import('@sveltejs/kit').Config} */
const config = {
	extensions: ['.svelte', '.svx'],
	preprocess: [
		vitePreprocess(),
		mdsvex({
			extensions: ['.svx'],
			smartypants: { dashes: 'oldschool' },
			remarkPlugins: [remarkMath, remarkCitations, remarkOutline, remarkKatex]
		})
	],
	kit: {
		adapter: adapter({ pages: outDir, assets: outDir, fallback: undefined, strict: true }),
		paths: { base, relative: true },
		alias: { $lessons: 'lessons' },
		// The root layout registers it (src/lib/serviceWorkerRegistration.ts): not in frames, and
		// a refusal is not an uncaught error.
		serviceWorker: { register: false },
		typescript: {
			// Lesson figures live beside their prose in lessons/; type-check them like src/.
			config: (c) => {
				c.include.push('../lessons/**/*.ts', '../lessons/**/*.svelte');
			}
		},
		prerender: { handleHttpError: 'fail', handleMissingId: 'fail' },
		// Every page carries this policy in a <meta> tag, with hashes of its inline scripts (the
		// template's theme script, SvelteKit's start-up script). WebAssembly needs
		// 'wasm-unsafe-eval' to compile; styles may be inline (KaTeX and the figures set style
		// attributes); Vite inlines KaTeX's smallest fonts as data: URLs. frame-ancestors cannot live in a <meta>: scripts/serve.js sends it.
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self', 'wasm-unsafe-eval', ...templateScriptHashes],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self', 'data:'],
				'connect-src': ['self'],
				'worker-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self']
			}
		}
	}
};

export default config;
