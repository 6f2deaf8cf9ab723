/**
 * The anchor ids the glossary page (`/glossary/`) must define: lessons link first uses of these
 * terms to them, and the tests hold the page and the lessons to this one list.
 */
export const GLOSSARY_IDS = [
	'rank',
	'singular-values',
	'stable-rank',
	'effective-rank',
	'energy',
	'delta-w',
	'lora',
	'alpha',
	'qlora',
	'full-fine-tuning',
	'head-only',
	'bitfit',
	'adapters',
	'prefix-tuning',
	'prompt-tuning',
	'ia3',
	'intrinsic-dimension',
	'forgetting',
	'drift',
	'bits-per-character',
	'learning-rate',
	'adam-state',
	'activations',
	'peft'
] as const;
