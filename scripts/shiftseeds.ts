/**
 * Record the shift lab's other seeds (src/lib/widgets/shiftSeeds.ts → shiftSeeds.json): the cells
 * the closing notes of lessons 5 and 6 check at seeds 2 and 3, and two cells again at seed 1 to
 * show the plan reproduces the grid, each with its held-out accuracy, the base's accuracy before
 * fine-tuning and the accuracy on the base's own task after it, through the worker's runner in
 * Node on tfjs's WebAssembly backend, as the grid itself was recorded.
 * Run: `npm run record:shiftseeds` (under two minutes on one core here).
 */
import { recordedRuns, type SeedCell } from '../src/lib/widgets/shiftSeeds';
import { recordRuns, shiftCell } from './recordRuns';

await recordRuns<SeedCell>('src/lib/data/shiftSeeds.json', recordedRuns(), (run, r) =>
	shiftCell(run, r, { seed: run.spec.seed }, 'nan-if-diverged')
);
