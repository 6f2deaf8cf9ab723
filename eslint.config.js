import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * Flat config: typescript-eslint and eslint-plugin-svelte, plus the house rule that keeps data
 * flowing one way (math → model → trainer → widgets → lessons): charts and ui never reach into
 * model or trainer, and math imports nothing of ours.
 */
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
		files: ['scripts/**', 'tests/**'],
		rules: { 'no-console': 'off' }
	}
);
