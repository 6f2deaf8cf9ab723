/**
 * Extend the shift lab's fairness sweep past its edges (issue 16): wherever a method's best
 * recorded rate in src/lib/data/shiftSweep.json is an end of its swept set (`bestAtEdge`), train
 * it once more at the next rate beyond that end on the 1–3–10 ladder the sweep uses, with the
 * sweep's settings otherwise, through the worker's runner in Node on tfjs's WebAssembly backend
 * → src/lib/data/shiftSweepEdges.json. Lesson 6 reads whether any gap moves.
 * Run: `npx vite-node scripts/shiftedges.ts` (a few minutes on one core here).
 */
import sweep from '../src/lib/data/shiftSweep.json';
import { SHIFT_METHODS, conditionKey, runsFor } from '../src/lib/widgets/shiftLab';
import {
	SWEEP_CONDITIONS,
	SWEEP_LRS,
	bestAtEdge,
	bestSwept,
	sweepId,
	type SweepCell
} from '../src/lib/widgets/shiftSweep';
import { recordRuns, shiftCell } from './recordRuns';

/** The next rate past `lr` on the sweep's 1–3–10 ladder (1e-2 → 3e-2 → 1e-1; 1e-3 → 3e-4). */
function beyondRate(lr: number, dir: 'up' | 'down'): number {
	const exp = Math.floor(Math.log10(lr) + 1e-9);
	const three = Math.round(lr / 10 ** exp) === 3;
	const next =
		dir === 'up'
			? three
				? 10 ** (exp + 1)
				: 3 * 10 ** exp
			: three
				? 10 ** exp
				: 3 * 10 ** (exp - 1);
	return Number(next.toPrecision(1));
}

const cells = sweep.cells as SweepCell[];
const runs = SWEEP_CONDITIONS.flatMap((c) => {
	const key = conditionKey(c);
	return SHIFT_METHODS.filter((m) => bestAtEdge(cells, m.id, key)).map((m) => {
		const lrs = SWEEP_LRS[m.method];
		const best = bestSwept(cells, m.id, key)!;
		const lr = beyondRate(best.lr as number, best.lr === lrs[0] ? 'down' : 'up');
		const [run] = runsFor(c, { methods: [{ ...m, lr }] });
		return { ...run, id: sweepId(m, c, lr), measure: { original: run.measure?.original } };
	});
});

await recordRuns<SweepCell>('src/lib/data/shiftSweepEdges.json', runs, (run, r) =>
	shiftCell(run, r, { lr: run.spec.lr }, 'nan-if-diverged')
);
