/**
 * The course's one table of fine-tuning methods: every method a lesson names, with the name the
 * lessons write, and the eight the memory model counts, in the order lesson 3 introduces them.
 * The trainer's registry (`$lib/model/methods`) and the figures take their labels from here.
 */

/** Every method the course names, with its name as the lessons write it. */
export const METHOD_LABELS = {
	full: 'Full fine-tuning',
	lora: 'LoRA',
	qlora: 'QLoRA',
	prefix: 'Prefix tuning',
	prompt: 'Prompt tuning',
	bitfit: 'BitFit',
	ia3: '(IA)³',
	adapter: 'Adapters',
	head: 'Head only',
	subspace: 'Random subspace'
} as const;

/** Any method the course names (the memory model's eight, the trainer's head and subspace). */
export type CourseMethod = keyof typeof METHOD_LABELS;

/** Fine-tuning method the memory model counts: full fine-tuning or a parameter-efficient family. */
export type Method = 'full' | 'lora' | 'qlora' | 'prefix' | 'prompt' | 'bitfit' | 'ia3' | 'adapter';

/** Every method the memory model counts, in the order the lessons introduce them. */
export const METHODS: readonly Method[] = [
	'full',
	'lora',
	'qlora',
	'prefix',
	'prompt',
	'bitfit',
	'ia3',
	'adapter'
];

/** The memory model's methods with their names, in lesson order. */
export const METHOD_NAMES: Readonly<Record<Method, string>> = Object.fromEntries(
	METHODS.map((m) => [m, METHOD_LABELS[m]])
) as Record<Method, string>;
