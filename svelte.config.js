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
		typescript: {
			// Lesson figures live beside their prose in lessons/; type-check them like src/.
			config: (c) => {
				c.include.push('../lessons/**/*.ts', '../lessons/**/*.svelte');
			}
		},
		prerender: { handleHttpError: 'fail', handleMissingId: 'fail' }
	}
};

export default config;
