/**
 * Where a run's ingredients come from: the task's data and the base model it fine-tunes, loaded
 * once and cached. The worker's host (interactive runs and queues) and Node scripts share this
 * one path from a `RunSpec` to a `TrainerConfig`, so a recorded result is made exactly as the
 * page makes it. Free of `self` and the DOM; files come through `Loaders` (fetch in the browser,
 * disk in Node).
 */
import { createRng } from '$lib/math/rng';
import { DIGIT_TASKS, type DigitsSet, type DigitTaskId } from '$lib/model/data/digits';
import {
	splitCorpus,
	textTask,
	TEXT_CORPUS_IDS,
	type TextCorpusEntry,
	type TextCorpusId
} from '$lib/model/data/text';
import { mlp } from '$lib/model/mlp';
import type { ModelDef } from '$lib/model/model';
import { initWeights, type Weights } from '$lib/model/params';
import type { TuningConfig } from '$lib/model/tuned';
import { buildModel, type BaseModelEntry } from '$lib/model/weightsFile';
import type { RunSpec, TaskSpec } from '../protocol';
import { charTask, digitsTask, syntheticTask, TEACHER_STUDENT, type TaskData } from './tasks';
import type { TrainerConfig } from './trainer';

/** Where a host gets its files: over fetch in the browser, from disk in tests and scripts. */
export interface Loaders {
	digits(onProgress: FileProgress): Promise<DigitsSet>;
	base(id: string, onProgress: FileProgress): Promise<{ entry: BaseModelEntry; weights: Weights }>;
	/** A shipped text corpus (an id of static/data/manifest.json): its entry and its bytes. */
	text(
		id: TextCorpusId,
		onProgress: FileProgress
	): Promise<{ entry: TextCorpusEntry; bytes: Uint8Array }>;
}

/**
 * A loader's progress: bytes so far, bytes in all, and, when a download starts again, a note that
 * says why ("timed out after 15 s; retrying (2 of 3)").
 */
export type FileProgress = (loaded: number, total: number, note?: string) => void;

/** What a figure shows while `what` loads: its name, and a retry's note after it. */
export function loadingLabel(what: string, note?: string): string {
	return note ? `${what}: ${note}` : what;
}

/** The shipped language model the `english` tasks fine-tune. */
export const ENGLISH_BASE = 'englishlm';
/** Characters per window of an `english` task (the model's context). */
export const ENGLISH_WINDOW = 64;
/**
 * Training windows of an `english` task: 8,192 × 64 characters drawn at seeded starts from the
 * corpus's training text (about half a million characters, the size of one era, with overlap).
 */
export const ENGLISH_TRAIN_WINDOWS = 8192;
/** Held-out windows the live curve scores: 4,096 characters, about 0.2 s on WebAssembly here. */
export const ENGLISH_TEST_WINDOWS = 64;
/** The most held-out windows an `english` task may ask for (a recorded grid's fixed, larger set). */
export const ENGLISH_MAX_TEST_WINDOWS = 4096;

/** Reports a download in progress: what, bytes so far, bytes in all. */
export type LoadProgress = (what: string, loaded: number, total: number) => void;

/** A task's data and the base model it belongs with (null: none shipped, train from scratch). */
export interface LoadedTask {
	task: TaskData;
	baseId: string | null;
	/** The model to start from at random when there is no base. */
	fallbackArch: number[];
}

/** A run ready to train: the trainer's configuration and the base's display name. */
export interface PreparedRun {
	config: TrainerConfig;
	model: ModelDef;
	baseName: string;
}

/** The digits data and the base models, each loaded at most once. */
export class RunSources {
	private digits?: Promise<DigitsSet>;
	private readonly bases = new Map<string, Promise<{ entry: BaseModelEntry; weights: Weights }>>();
	private readonly texts = new Map<
		string,
		Promise<{ entry: TextCorpusEntry; bytes: Uint8Array }>
	>();

	constructor(
		private readonly loaders: Loaders,
		private readonly onProgress: LoadProgress = () => undefined
	) {}

	/** The parsed digits dataset (cached; a failed load is retried next time). */
	loadDigits(): Promise<DigitsSet> {
		this.digits ??= this.loaders
			.digits((l, n, note) => this.onProgress(loadingLabel('digits data', note), l, n))
			.catch((e) => {
				this.digits = undefined;
				throw e;
			});
		return this.digits;
	}

	/** A shipped base model's manifest entry and weights (cached; the caller must not write to them). */
	loadBase(id: string): Promise<{ entry: BaseModelEntry; weights: Weights }> {
		let base = this.bases.get(id);
		if (!base) {
			base = this.loaders
				.base(id, (l, n, note) => this.onProgress(loadingLabel(`base model ${id}`, note), l, n))
				.catch((e) => {
					this.bases.delete(id);
					throw e;
				});
			this.bases.set(id, base);
		}
		return base;
	}

	/** A shipped corpus's manifest entry and bytes (cached; the caller must not write to them). */
	loadText(id: TextCorpusId): Promise<{ entry: TextCorpusEntry; bytes: Uint8Array }> {
		if (!TEXT_CORPUS_IDS.includes(id)) throw new RangeError(`unknown text corpus “${id}”`);
		let text = this.texts.get(id);
		if (!text) {
			text = this.loaders
				.text(id, (l, n, note) => this.onProgress(loadingLabel(`text ${id}`, note), l, n))
				.catch((e) => {
					this.texts.delete(id);
					throw e;
				});
			this.texts.set(id, text);
		}
		return text;
	}

	/** A task's data (its transform seeded by `seed`) and which base it fine-tunes. */
	async task(t: TaskSpec, seed: number): Promise<LoadedTask> {
		if (t.kind === 'digits') {
			const def = DIGIT_TASKS[t.task as DigitTaskId];
			if (!def) throw new RangeError(`unknown digits task “${t.task}”`);
			const task = digitsTask(await this.loadDigits(), def.id, t.strength, seed);
			return { task, baseId: def.base, fallbackArch: [64, 128, 128, def.numClasses] };
		}
		if (t.kind === 'text')
			return { task: charTask(t.task, 32, 256, 64, seed), baseId: 'charlm', fallbackArch: [] };
		if (t.kind === 'english') {
			const { entry, bytes } = await this.loadText(t.corpus);
			const task = textTask(
				entry.title,
				splitCorpus(bytes, entry.split),
				ENGLISH_WINDOW,
				ENGLISH_TRAIN_WINDOWS,
				t.testWindows === undefined
					? ENGLISH_TEST_WINDOWS
					: Math.min(ENGLISH_MAX_TEST_WINDOWS, Math.max(1, Math.floor(t.testWindows) || 1)),
				seed
			);
			return { task, baseId: ENGLISH_BASE, fallbackArch: [] };
		}
		const task = syntheticTask(
			{ ...TEACHER_STUDENT, rank: t.rank, relNorm: t.relNorm },
			'fineTune'
		);
		return { task, baseId: 'teacher', fallbackArch: [] };
	}

	/** Everything a `Trainer` needs for `spec`: task, model, base weights, method, optimizer. */
	async prepare(spec: RunSpec): Promise<PreparedRun> {
		const { task, baseId, fallbackArch } = await this.task(spec.task, spec.seed);
		let model: ModelDef;
		let weights: Weights;
		let baseName: string;
		if (baseId) {
			const base = await this.loadBase(baseId);
			model = buildModel(base.entry.config);
			weights = base.weights;
			baseName = base.entry.title;
			if (spec.init === 'scratch') {
				weights = initWeights(model.params, createRng(spec.seed).fork('scratch'));
				baseName = `a random initialisation of ${base.entry.title}'s architecture`;
			}
		} else {
			model = mlp(fallbackArch);
			weights = initWeights(model.params, createRng(spec.seed).fork('scratch'));
			baseName = 'a random initialisation (training from scratch)';
		}
		return {
			model,
			baseName,
			config: {
				model,
				base: weights,
				tuning: tuningOf(spec),
				task,
				lr: spec.lr,
				batchSize: spec.batchSize,
				seed: spec.seed
			}
		};
	}
}

/** A run's method and its settings as the model's methods read them. */
function tuningOf(spec: RunSpec): TuningConfig {
	switch (spec.method) {
		case 'lora':
			return { method: 'lora', rank: spec.rank, alpha: spec.alpha, targets: spec.targets };
		case 'subspace':
			return { method: 'subspace', dim: spec.subspaceDim };
		default:
			return { method: spec.method };
	}
}
