/**
 * Builders that turn the course's datasets into `TaskData` for the trainer: the digits tasks
 * (from pretraining to large drift), the generated language for the transformer, and the
 * teacher–student task with a planted update of chosen rank.
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
import type { Split, TaskData } from './task';

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
