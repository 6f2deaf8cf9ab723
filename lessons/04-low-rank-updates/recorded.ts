/**
 * Lesson 4's recorded results (src/lib/data/lowRankRecorded.json, written by
 * `scripts/lowrank.ts`) with their types, so figures can index them by run id.
 */
import data from '$lib/data/lowRankRecorded.json';

/** One recorded run, its numbers rounded as the figures show them. */
export interface RecordedRun {
	id: string;
	startAccuracy: number;
	testAccuracy: number;
	testLoss: number;
	trainableParams: number;
	steps: number;
	seconds: number;
	singularValues?: number[];
	truncation?: { k: number; accuracy: number }[];
	curve?: { step: number; testAccuracy: number }[];
}

/** Everything the script recorded. */
export interface LowRankRecord {
	recorded: string;
	where: string;
	backend: string;
	seconds: number;
	runs: Record<string, RecordedRun>;
	lora: Record<string, RecordedRun>;
	phi: {
		runs: Record<string, RecordedRun>;
		layer: string;
		task: string;
		r1: number;
		r2: number;
		/** φ(A_{r1}, A_{r2}, i, j), r1 × r2 row-major. */
		grid: number[];
	};
}

export const RECORDED: LowRankRecord = data;
