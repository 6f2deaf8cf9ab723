import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * Flat config: typescript-eslint and eslint-plugin-svelte, plus the house rule that keeps data
 * flowing one way (math → model → trainer → widgets → lessons): charts and ui never reach into
 * model or trainer, math imports nothing of ours, model never reaches up into trainer, and pages
 * (lessons, widgets, routes) talk to the trainer only through its page side (`src/lib/trainer/`:
 * the client, the live-figure shell, the protocol), never its worker side
 * (`src/lib/trainer/worker/`, which loads tfjs), statically or with `import()`.
 */

/** The trainer's worker side, as pages might name it. */
const WORKER_SIDE = [
	'$lib/trainer/worker',
	'$lib/trainer/worker/*',
	'**/trainer/worker',
	'**/trainer/worker/*'
];
export default ts.config(
	{
		ignores: [
			'build/',
			'build-test/',
			'build-test-kernels/',
			'gpu-check/',
			'test-results/',
			'.svelte-kit/',
			'node_modules/',
			'static/',
			'bench-results/',
			'.dbg/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: {
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		}
	},
	{
		rules: {
			'no-console': ['error', { allow: ['warn', 'error'] }],
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
		}
	},
	{
		files: ['src/lib/charts/**', 'src/lib/ui/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{ patterns: ['$lib/model/*', '$lib/trainer/*', '**/model/*', '**/trainer/*'] }
			]
		}
	},
	{
		files: ['src/lib/math/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{ patterns: ['$lib/*', '../*', '@tensorflow/*', 'svelte', 'svelte/*'] }
			]
		}
	},
	{
		// src/lib/ui is a page too, already kept out of the whole trainer above.
		files: ['lessons/**', 'src/lib/widgets/**', 'src/routes/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: WORKER_SIDE,
							message:
								'Pages reach the trainer through its page side (client, liveRun, protocol); src/lib/trainer/worker/ loads tfjs and runs in the worker.'
						}
					]
				}
			],
			'no-restricted-syntax': [
				'error',
				{
					selector: 'ImportExpression[source.value=/trainer\\x2Fworker\\b/]',
					message: "Pages never import the trainer's worker side (src/lib/trainer/worker/)."
				}
			]
		}
	},
	{
		files: ['src/lib/model/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{ patterns: ['$lib/trainer', '$lib/trainer/*', '**/trainer', '**/trainer/*'] }
			]
		}
	},
	{
		files: ['scripts/**', 'tests/**'],
		rules: { 'no-console': 'off' }
	}
);
