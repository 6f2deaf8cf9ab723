/**
 * Record what lesson 5's caveat about training length quotes: full fine-tuning and LoRA at rank 4
 * at the small shift (s = 1/6) after half the grid's steps (1,000), at seeds 1, 2 and 3, with the
 * grid's settings otherwise (src/lib/widgets/shiftLab.ts), through the worker's runner in Node on
 * tfjs's WebAssembly backend, as the grid itself was recorded → src/lib/data/shiftHalfSteps.json.
 * Adam here has no schedule, so a run of 1,000 steps is the first half of the grid's 2,000-step run.
 * Run: `npx vite-node scripts/shifthalf.ts` (about a minute on one core here).
 */
import { SHIFT_METHODS, SHIFT_TRAINING, runsFor } from '../src/lib/widgets/shiftLab';
import { recordRuns, shiftCell } from './recordRuns';

/** The caveat's cells: which methods, where, at how many steps, for which seeds. */
const HALF_STEPS = {
	methods: ['full', 'lora-4'],
	s: 2 / 12,
	steps: SHIFT_TRAINING.steps / 2,
	seeds: [1, 2, 3]
} as const;

const methods = SHIFT_METHODS.filter((m) =>
	(HALF_STEPS.methods as readonly string[]).includes(m.id)
);
const runs = HALF_STEPS.seeds.flatMap((seed) =>
	runsFor({ kind: 'shift', s: HALF_STEPS.s }, { methods, steps: HALF_STEPS.steps, seed }).map(
		(run) => ({ ...run, id: `${run.id}@${seed}`, measure: undefined })
	)
);

await recordRuns('src/lib/data/shiftHalfSteps.json', runs, (run, r) =>
	shiftCell(run, r, { seed: run.spec.seed })
);
