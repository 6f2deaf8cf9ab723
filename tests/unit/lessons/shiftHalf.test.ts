/**
 * Lesson 5's half-the-steps record (scripts/shifthalf.ts → src/lib/data/shiftHalfSteps.json,
 * whose numbers closingProse.test.ts ties to the prose): its cheapest run, LoRA at rank 4 at the
 * small shift for 1,000 steps at seed 1, trains again through the worker's runner on the recorded
 * backend and must give the recorded accuracies, so a change to the trainer cannot leave the
 * quoted gap stale while the ties still pass.
 */
import { describe, expect, it } from 'vitest';
import half from '$lib/data/shiftHalfSteps.json';
import { SHIFT_METHODS, SHIFT_TRAINING, runsFor } from '$lib/widgets/shiftLab';

describe('the recorded half-the-steps runs, re-run', () => {
	it(
		'the cheapest (LoRA r = 4 at s = 1/6, 1,000 steps, seed 1) trains again to the recorded accuracies, on wasm as recorded',
		{ timeout: 120_000 },
		async () => {
			const { rerunRecorded, expectRecordedCounts } = await import('./recordedBackend');
			// The run as scripts/shifthalf.ts builds it: the grid's run with half its steps.
			const methods = SHIFT_METHODS.filter((m) => m.id === 'lora-4');
			const [run] = runsFor(
				{ kind: 'shift', s: 2 / 12 },
				{ methods, steps: SHIFT_TRAINING.steps / 2, seed: 1 }
			).map((r) => ({ ...r, measure: undefined }));
			const [method, condition] = run.id.split('@');
			const cell = half.cells.find(
				(c) => c.method === method && c.condition === condition && c.seed === 1
			);
			expect(cell, run.id).toBeDefined();
			expect(cell!.steps).toBe(run.steps);
			expect(half.backend).toBe('wasm');
			const r = await rerunRecorded(half.backend, run);
			expect(r.steps).toBe(cell!.steps);
			expectRecordedCounts(r, cell!);
		}
	);
});
