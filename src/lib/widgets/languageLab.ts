/**
 * The language lab's settings and their reading: which texts the reader may fine-tune the
 * English language model (`englishlm`) on, in drift order; the methods and LoRA targets; the
 * whole state as the URL keeps it (every key `lm-…`, so it sits beside the digits widget's);
 * the run it asks the worker for; and the sentence that reads its curve. Plain data: nothing
 * here loads tfjs, so the page pays for none of it before the reader acts.
 *
 *   location.search ──LAB_PARAMS (LiveRun)──▶ LabState (+ messages) ──labSpec──▶ RunSpec ──▶ worker
 *         ▲                                          │
 *         └──────────── LAB_PARAMS ◀─────────────────┘ (written on every change)
 */
import { METHOD_LABELS } from '$lib/math/methods';
import type { TextCorpusId } from '$lib/model/data/text';
import { BACKEND_CHOICES, type BackendOption } from '$lib/trainer/choices';
import type { RunSpec } from '$lib/trainer/protocol';
import { parseNumber, type Parsed } from '$lib/ui/urlState';
import { choice, number, readTable, tableUpdates, type ParamTable } from '$lib/ui/urlTable';

/** A text the lab offers, with the bigram model's held-out bits per character on it. */
export interface LabCorpus {
	id: TextCorpusId;
	/** The choice as the control shows it. */
	label: string;
	/** The text as a sentence names it ("addresses of 1990–2021"). */
	short: string;
	/** What it is to the base, in a sentence shown under the control. */
	note: string;
	/**
	 * Bits per character of an add-one bigram model fitted to this text's training split, on its
	 * held-out split (`baselineBits` in model/data/text.ts; a unit test recomputes them).
	 */
	bigramBits: number;
}

/** Bigram bits per shipped text (see `LabCorpus.bigramBits`). */
const BIGRAM_BITS: Record<TextCorpusId, number> = {
	'sotu-1790-1829': 3.328,
	'sotu-1830-1869': 3.359,
	'sotu-1870-1909': 3.363,
	'sotu-1910-1949': 3.431,
	'sotu-1950-1989': 3.464,
	'sotu-1990-2021': 3.496,
	'moby-dick': 3.507,
	'd3-code': 3.589
};

/** A text the lab offers, with its bigram bits. */
function textChoice(id: TextCorpusId, label: string, short: string, note: string): LabCorpus {
	return { id, label, short, note, bigramBits: BIGRAM_BITS[id] };
}

/** An era of the addresses, its years read from its id (`sotu-1870-1909`). */
function era(id: Extract<TextCorpusId, `sotu-${string}`>, own: boolean): LabCorpus {
	const [, from, to] = id.split('-');
	return textChoice(
		id,
		`Addresses ${from}–${to}${own ? ' (the base’s era)' : ''}`,
		`addresses of ${from}–${to}`,
		own
			? 'The base was pretrained on this era and the next: no shift at all.'
			: 'Addresses written after the base’s: the later the era, the further the drift.'
	);
}

/**
 * The shipped texts in drift order: the base's own eras (1790–1869), later eras of the same
 * addresses, a novel of the same years, and code.
 */
export const LAB_CORPORA: readonly LabCorpus[] = [
	era('sotu-1790-1829', true),
	era('sotu-1830-1869', true),
	era('sotu-1870-1909', false),
	era('sotu-1910-1949', false),
	era('sotu-1950-1989', false),
	era('sotu-1990-2021', false),
	textChoice(
		'moby-dick',
		'Moby-Dick (1851)',
		'Moby-Dick',
		'A novel of the base’s own years: the same English, another style.'
	),
	textChoice(
		'd3-code',
		'd3’s JavaScript (code)',
		'd3’s code',
		'Code, a far domain, with characters the base never saw: { } [ ] = and more.'
	)
];

/** The fine-tuning methods the lab offers (its digits figure too), named as the course names them. */
const LAB_METHOD_IDS = ['full', 'lora', 'head', 'bitfit'] as const;
export type LabMethod = (typeof LAB_METHOD_IDS)[number];
export const LAB_METHODS = Object.fromEntries(
	LAB_METHOD_IDS.map((m) => [m, METHOD_LABELS[m]])
) as Readonly<Record<LabMethod, string>>;

/** Which linear layers LoRA adapts: W_q and W_v of every block (Hu et al. §7), or every one. */
export const LAB_TARGETS = {
	qv: 'W_q and W_v (as Hu et al.)',
	all: 'Every linear layer'
} as const;
export type LabTargets = keyof typeof LAB_TARGETS;

/** The shape of `englishlm` as its manifest entry gives it (a unit test checks). */
export const LAB_MODEL = { blocks: 3, width: 96, context: 64, parameters: 360_384 } as const;

/** Transformer blocks of `englishlm`. */
export const LAB_BLOCKS = LAB_MODEL.blocks;

/**
 * The smallest matrix LoRA may adapt is d × d = 96 × 96 (W_q, W_k, W_v, W_o); W_up and W_down
 * are 96 × 384. A rank above 96 cannot exist.
 */
export const LAB_MAX_RANK = LAB_MODEL.width;

/** LoRA's α is twice the rank, so α/r = 2 at every rank. */
export const LAB_ALPHA_PER_RANK = 2;

/** Windows per training step. */
export const LAB_BATCH = 8;

/** Characters Generate writes after the prompt. */
export const SAMPLE_LENGTH = 300;

/** Longest prompt the URL and the field keep. */
export const MAX_PROMPT = 200;

/** Hottest temperature the sampler allows (`MAX_TEMPERATURE` in model/generate.ts). */
export const LAB_MAX_TEMPERATURE = 2;

/** Everything the lab's controls hold. */
export interface LabState {
	corpus: TextCorpusId;
	method: LabMethod;
	rank: number;
	targets: LabTargets;
	lr: number;
	/** Seed of the run: its batches and LoRA's initial A. */
	seed: number;
	/** The run pauses by itself after this many steps. */
	steps: number;
	backend: BackendOption;
	prompt: string;
	temperature: number;
	/** Seed of Generate's draws. */
	sampleSeed: number;
}

/** What the lab shows before the reader changes anything. */
export const LAB_DEFAULTS: LabState = {
	corpus: 'sotu-1990-2021',
	method: 'lora',
	rank: 8,
	targets: 'qv',
	lr: 0.003,
	seed: 1,
	steps: 500,
	backend: 'auto',
	prompt: 'The ',
	temperature: 0.8,
	sampleSeed: 1
};

/** The URL key of each setting. */
export const LAB_KEYS: Record<keyof LabState, string> = {
	corpus: 'lm-corpus',
	method: 'lm-method',
	rank: 'lm-rank',
	targets: 'lm-targets',
	lr: 'lm-lr',
	seed: 'lm-seed',
	steps: 'lm-steps',
	backend: 'lm-backend',
	prompt: 'lm-prompt',
	temperature: 'lm-temp',
	sampleSeed: 'lm-sample-seed'
};

/** Bounds of the numeric settings; the controls and the URL parser share them. */
export const LAB_BOUNDS = {
	rank: { min: 1, max: LAB_MAX_RANK, integer: true, label: 'LoRA rank' },
	lr: { min: 1e-5, max: 1, label: 'learning rate' },
	seed: { min: 0, max: 1e9, integer: true, label: 'run seed' },
	steps: { min: 1, max: 100_000, integer: true, label: 'step limit' },
	temperature: { min: 0, max: LAB_MAX_TEMPERATURE, label: 'temperature' },
	sampleSeed: { min: 0, max: 1e9, integer: true, label: 'sample seed' }
} as const;
type NumericKey = keyof typeof LAB_BOUNDS;

/** Read one numeric setting (typed in a field or found in the URL), clamped to its bounds. */
export function parseLabNumber(key: NumericKey, raw: string | null, fallback: number) {
	return parseNumber(raw, { ...LAB_BOUNDS[key], fallback });
}

/** Cut a prompt to `MAX_PROMPT` characters, saying so when it was longer. */
export function parsePrompt(raw: string | null, fallback = LAB_DEFAULTS.prompt): Parsed<string> {
	if (raw === null) return { value: fallback };
	const chars = [...raw];
	if (chars.length <= MAX_PROMPT) return { value: raw };
	return {
		value: chars.slice(0, MAX_PROMPT).join(''),
		message: `The prompt is longer than ${MAX_PROMPT} characters; using its first ${MAX_PROMPT}.`
	};
}

const keysOf = <T extends string>(o: Record<T, string>) => Object.keys(o) as T[];
const corpusLabel = (id: TextCorpusId) => LAB_CORPORA.find((c) => c.id === id)?.label ?? id;

/** A numeric setting as a URL parameter, with its bounds and default. */
const labNumber = (k: NumericKey) =>
	number<LabState>(LAB_KEYS[k], { ...LAB_BOUNDS[k], fallback: LAB_DEFAULTS[k] });

/** A setting that is one of `allowed`, as a URL parameter. */
const labChoice = <T extends string>(
	k: keyof LabState,
	allowed: readonly T[],
	label: string,
	describe: (v: T) => string
) => choice<T, LabState>(LAB_KEYS[k], allowed, LAB_DEFAULTS[k] as T, label, describe);

/** The lab's settings as URL parameters, in reading order: the table the live-figure shell keeps. */
export const LAB_PARAMS: ParamTable<LabState> = {
	corpus: labChoice(
		'corpus',
		LAB_CORPORA.map((c) => c.id),
		'text the lab offers',
		corpusLabel
	),
	method: labChoice('method', keysOf(LAB_METHODS), 'fine-tuning method', (m) => LAB_METHODS[m]),
	rank: labNumber('rank'),
	targets: labChoice(
		'targets',
		keysOf(LAB_TARGETS),
		'choice of LoRA targets',
		(t) => LAB_TARGETS[t]
	),
	lr: labNumber('lr'),
	seed: labNumber('seed'),
	steps: labNumber('steps'),
	backend: labChoice('backend', BACKEND_CHOICES, 'backend', (b) => b),
	prompt: {
		name: LAB_KEYS.prompt,
		read: (raw) => parsePrompt(raw),
		fallback: () => LAB_DEFAULTS.prompt,
		settle: (value) => value
	},
	temperature: labNumber('temperature'),
	sampleSeed: labNumber('sampleSeed')
};

/** The lab's state from a query string, and a sentence for each value that could not be used. */
export function parseLabQuery(q: URLSearchParams): { state: LabState; messages: string[] } {
	const { values, messages } = readTable(LAB_PARAMS, q.toString());
	return { state: values, messages };
}

/** The state as URL parameters, by name. */
export function labParams(s: LabState): Record<string, string | number> {
	return tableUpdates(LAB_PARAMS, s).updates;
}

/** Names of the linear layers LoRA adapts: `h{i}.q`, `h{i}.v` … of every block. */
export function loraTargets(targets: LabTargets, blocks = LAB_BLOCKS): string[] {
	const names = targets === 'qv' ? ['q', 'v'] : ['q', 'k', 'v', 'o', 'up', 'down'];
	return Array.from({ length: blocks }, (_, i) => names.map((n) => `h${i}.${n}`)).flat();
}

/** The run the worker trains for this state: `englishlm` on the chosen text, batch 8. */
export function labSpec(s: LabState): RunSpec {
	const lora =
		s.method === 'lora'
			? { rank: s.rank, alpha: LAB_ALPHA_PER_RANK * s.rank, targets: loraTargets(s.targets) }
			: {};
	return {
		task: { kind: 'english', corpus: s.corpus },
		method: s.method,
		...lora,
		lr: s.lr,
		batchSize: LAB_BATCH,
		seed: s.seed,
		maxSteps: s.steps
	};
}

/** A loss in nats per character as bits per character. */
export const bits = (nats: number) => nats / Math.LN2;

/**
 * The training curve as the chart draws it: bits per character of each reported chunk, smoothed
 * by an exponential moving average with weight `keep` on the past, corrected for its start at
 * zero (as Adam corrects its moments), so the first point is the first chunk's own value.
 * Batches of 8 windows are noisy; the smoothed line shows their trend.
 * @param losses mean loss of each chunk in nats per character, by the step it ended on
 */
export function smoothedBits(
	losses: readonly { step: number; loss: number }[],
	keep = 0.9
): { x: number; y: number }[] {
	let m = 0;
	return losses.map((p, i) => {
		m = keep * m + (1 - keep) * bits(p.loss);
		return { x: p.step, y: m / (1 - keep ** (i + 1)) };
	});
}

/** The methods but LoRA as a sentence names them. */
const METHOD_WORDS = {
	full: 'full fine-tuning',
	head: 'head-only fine-tuning',
	bitfit: 'BitFit'
} as const;

/** The method in words: "LoRA (rank 8 on W_q and W_v)", "full fine-tuning", "BitFit". */
export function methodWords(s: Pick<LabState, 'method' | 'rank' | 'targets'>): string {
	if (s.method !== 'lora') return METHOD_WORDS[s.method];
	const on = s.targets === 'qv' ? 'W_q and W_v' : 'every linear layer';
	return `LoRA (rank ${s.rank} on ${on})`;
}

/**
 * What the curve says, in a sentence: the base's held-out bits per character on the chosen
 * text, and after training where it stands now, with the trainable parameters and the bigram
 * model of that text for scale.
 * @param first held-out bits at step 0 (the base), or undefined before the first evaluation
 * @param last the latest evaluation: its step and held-out bits
 */
export function labSummary(
	s: LabState,
	first: number | undefined,
	last: { step: number; bits: number } | undefined,
	trainable: number | undefined
): string {
	const corpus = LAB_CORPORA.find((c) => c.id === s.corpus)!;
	const text = corpus.short;
	if (first === undefined || !last) {
		return `Nothing has run yet. Generate or fine-tune to load the model and ${text}.`;
	}
	const bigram = `a bigram model of this text needs ${corpus.bigramBits.toFixed(2)}`;
	if (last.step === 0) {
		return `Before fine-tuning, the base model needs ${first.toFixed(2)} bits per character on held-out ${text} (${bigram}).`;
	}
	const params =
		trainable === undefined ? '' : `, training ${trainable.toLocaleString('en')} parameters`;
	return (
		`After ${last.step.toLocaleString('en')} steps of ${methodWords(s)}${params}, the model needs ` +
		`${last.bits.toFixed(2)} bits per character on held-out ${text} (${first.toFixed(2)} before; ${bigram}).`
	);
}
