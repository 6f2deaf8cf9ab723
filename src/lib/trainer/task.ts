/**
 * A training task as the trainer consumes it: examples as typed arrays, split into train and
 * held-out sets. Classification has one label per example; language modelling has one label per
 * position (the next token). Plain data, so it can be built anywhere and posted to a worker.
 */

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
