/**
 * Record the shift lab's fairness check (src/lib/widgets/shiftSweep.ts → shiftSweep.json): at
 * s = ½, s = 1 and on the planted task, every method of the grid at four learning rates, and each
 * at the grid's own rate for twice the steps, through the worker's runner in Node on tfjs's
 * WebAssembly backend, as the grid itself was recorded. Seed 1, as the grid.
 * Run: `npx vite-node scripts/shiftsweep.ts` (a few minutes on one core here).
 */
import { sweepRuns, type SweepCell } from '../src/lib/widgets/shiftSweep';
import { recordRuns, shiftCell } from './recordRuns';

await recordRuns<SweepCell>('src/lib/data/shiftSweep.json', sweepRuns(), (run, r) => {
	const lr = run.id.split('@')[2];
	return shiftCell(run, r, { lr: lr === 'long' ? 'long' : Number(lr) }, 'as-is');
});
