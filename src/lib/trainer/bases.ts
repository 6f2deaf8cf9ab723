/**
 * The shipped base models and the fixed settings they were pretrained with. The weights live in
 * static/models/ (made by scripts/pretrain.ts); this module says how to fetch and check them.
 */
import type { TeacherStudentOptions } from '$lib/model/data/synthetic';

/** The teacher–student task's fixed shape and seed: the base and every fine-tune share W₀. */
export const TEACHER_STUDENT: Omit<TeacherStudentOptions, 'rank' | 'relNorm' | 'kind'> = {
	dIn: 32,
	dOut: 10,
	nTrain: 2048,
	nTest: 512,
	seed: 2024
};
