/**
 * Training tasks as the trainer consumes them, and the builders that make them from the course's
 * datasets: the digits tasks (from pretraining to large drift), the generated language for the
 * transformer, and the teacher–student task with a planted update of chosen rank (its fixed shape
 * and seed, `TEACHER_STUDENT`, shared by its base and every fine-tune).
 *
 * A task is examples as typed arrays, split into train and held-out sets. Classification has one
 * label per example; language modelling has one label per position (the next token). Plain data,
 * so it can be built anywhere and posted to a worker.
 */
import { createRng } from '$lib/math/rng';
import {
	CHAR_VOCAB_SIZE,
	encodeChars,
	makeCharText,
	windows,
	type CharTaskId
} from '$lib/model/data/charLang';
import {
	DIGIT_PIXELS,
	DIGIT_TASKS,
	splitDigits,
	type DigitsSet,
	type DigitTaskId
} from '$lib/model/data/digits';
import { makeTeacherStudent, type TeacherStudentOptions } from '$lib/model/data/synthetic';

/** One split of a task: `n` examples. */
export interface Split {
	/** Inputs [n, inWidth]: features (float32) or token ids (int32). */
	x: Float32Array | Int32Array;
	/** Labels [n, outWidth] as class ids. */
	y: Int32Array;
	n: number;
}

/** A task: train and held-out splits of the same shape. */
export interface TaskData {
	/** Human-readable name ("digits, small shift"). */
	name: string;
	inWidth: number;
	/** Labels per example: 1 for classification, the sequence length for language modelling. */
	outWidth: number;
	classes: number;
	train: Split;
	test: Split;
}

/**
 * A task held out on its own training split: for benchmarks and parity checks, where only the
 * training steps matter.
 */
export function trainSplitTask(
	name: string,
	shape: Pick<TaskData, 'inWidth' | 'outWidth' | 'classes'>,
	split: Split
): TaskData {
	return { name, ...shape, train: split, test: split };
}

/** Throws unless the splits' array lengths agree with the declared shapes. */
export function checkTask(task: TaskData): void {
	for (const [name, s] of [
		['train', task.train],
		['test', task.test]
	] as const) {
		if (s.n < 1) throw new Error(`${task.name}: ${name} split is empty`);
		if (s.x.length !== s.n * task.inWidth)
			throw new Error(`${task.name}: ${name}.x has the wrong length`);
		if (s.y.length !== s.n * task.outWidth)
			throw new Error(`${task.name}: ${name}.y has the wrong length`);
		for (const label of s.y) {
			if (label < 0 || label >= task.classes)
				throw new Error(`${task.name}: label ${label} out of range`);
		}
	}
}

/** The teacher–student task's fixed shape and seed: the base and every fine-tune share W₀. */
export const TEACHER_STUDENT: Omit<TeacherStudentOptions, 'rank' | 'relNorm' | 'kind'> = {
	dIn: 32,
	dOut: 10,
	nTrain: 2048,
	nTest: 512,
	seed: 2024
};

function digitSplit(set: DigitsSet): Split {
	return { x: set.x, y: Int32Array.from(set.y), n: set.n };
}

/**
 * A digits task from the parsed dataset: the course's fixed stratified split, then the task's
 * transform at `strength` (seeded, the same for train and test).
 */
export function digitsTask(all: DigitsSet, id: DigitTaskId, strength?: number, seed = 1): TaskData {
	const task = DIGIT_TASKS[id];
	const { train, test } = splitDigits(all);
	const s = strength ?? task.defaultStrength;
	return {
		name: strength === undefined || !task.usesStrength ? task.title : `${task.title} (${s})`,
		inWidth: DIGIT_PIXELS,
		outWidth: 1,
		classes: task.numClasses,
		train: digitSplit(task.apply(train, seed, s)),
		test: digitSplit(task.apply(test, seed, s))
	};
}

/**
 * A next-character task in the generated language: `nTrain` and `nTest` windows of `seqLen`
 * characters, each window's labels being its characters shifted by one.
 */
export function charTask(
	id: CharTaskId,
	seqLen: number,
	nTrain = 256,
	nTest = 64,
	seed = 1
): TaskData {
	const make = (n: number, s: number): Split => {
		const ids = encodeChars(makeCharText(id, n * seqLen + 1, s));
		const w = windows(ids, seqLen);
		return { x: w.inputs, y: w.targets, n: w.m };
	};
	return {
		name: `text: ${id}`,
		inWidth: seqLen,
		outWidth: seqLen,
		classes: CHAR_VOCAB_SIZE,
		train: make(nTrain, seed),
		test: make(nTest, createRng(seed).fork('test').uint32())
	};
}

/**
 * The teacher–student task as classification: inputs x ~ N(0, I), labels argmax(W·x), for the
 * base teacher W₀ (`which: 'base'`) or the fine-tuning teacher W₀ + ΔW* (`'fineTune'`).
 */
export function syntheticTask(
	options: Omit<TeacherStudentOptions, 'kind'>,
	which: 'base' | 'fineTune'
): TaskData {
	const t = makeTeacherStudent({ ...options, kind: 'classification' });
	const split = (s: { x: Float32Array; labels: Int32Array | null; n: number }): Split => ({
		x: s.x,
		y: s.labels!,
		n: s.n
	});
	return {
		name: `teacher–student, rank ${options.rank} (${which})`,
		inWidth: options.dIn,
		outWidth: 1,
		classes: options.dOut,
		train: split(t[which].train),
		test: split(t[which].test)
	};
}
