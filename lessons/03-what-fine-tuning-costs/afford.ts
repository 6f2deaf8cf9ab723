/**
 * The calculator's inverse question: with a memory budget per device, what can I afford? For one
 * model and method it finds the largest LoRA rank, the longest sequence at batch 1 and the largest
 * batch at the chosen length whose training step fits, by bisection over the memory model's own
 * `trainingMemory` (its total never falls as rank, sequence length or batch grow, so the
 * settings that fit form a prefix 1…n of each range). Never throws: an invalid setup comes back
 * as its messages, and "nothing fits" as `null` with the smallest step's memory to say why.
 */
import { layerMatrices, type ModelArch } from '$lib/math/architecture';
import { trainingMemory } from '$lib/math/memory';
import type { Method } from '$lib/math/methods';
import { checkSetup, resolveSetup, type TrainingSetup } from '$lib/math/setup';
import { formatBytes } from '$lib/format';
import { METHOD_NAMES } from './units';

/**
 * The largest whole n in [lo, hi] for which `fits(n)` holds, given that `fits` holds on a prefix
 * of the range (true up to some n, false after); null when `fits(lo)` is false. Calls `fits`
 * about log₂(hi − lo) + 2 times.
 */
export function largestFitting(
	fits: (n: number) => boolean,
	lo: number,
	hi: number
): number | null {
	if (!(hi >= lo) || !fits(lo)) return null;
	if (fits(hi)) return hi;
	// Invariant: fits(good), !fits(bad).
	let good = lo;
	let bad = hi;
	while (bad - good > 1) {
		const mid = good + Math.floor((bad - good) / 2);
		if (fits(mid)) good = mid;
		else bad = mid;
	}
	return good;
}

/** The ranges searched: the calculator's own limits on rank, batch and sequence length. */
export interface AffordLimits {
	rank: number;
	batch: number;
	seq: number;
}

/**
 * One searched setting: the largest value that fits (null: not even the smallest), the top of its
 * range, and what one more would take (bytes; absent when the answer is the top of the range).
 */
export interface AffordAnswer {
	max: number | null;
	/** The largest value the search could return (the calculator's limit or the model's own). */
	cap: number;
	/** Memory per device at max + 1 (at 1 when max is null): over the budget by construction. */
	next?: number;
}

/** What a budget affords one method on one model. Byte counts in bytes. */
export interface Affordable {
	method: Method;
	budget: number;
	/** The setup as chosen (rank, batch, length): its memory per device, and whether it fits. */
	chosen: number;
	/** Memory of the smallest step the search tries: batch 1, one token, rank 1 for LoRA/QLoRA. */
	smallest: number;
	/** Largest LoRA rank at the chosen batch and length; only for LoRA and QLoRA. */
	rank?: AffordAnswer;
	/** Longest sequence at batch 1 (and the chosen rank). */
	seq: AffordAnswer;
	/** Largest batch of sequences at the chosen length. */
	batch: AffordAnswer;
}

/** Total bytes of one step, or Infinity for a setup the memory model refuses. */
function stepBytes(arch: ModelArch, setup: TrainingSetup): number {
	const checked = checkSetup(arch, setup).setup;
	return checked ? trainingMemory(arch, checked).total : Infinity;
}

/**
 * What `budget` bytes per device afford `setup.method` on `arch`: the largest rank, sequence
 * length at batch 1 and batch at the chosen length whose step fits, each searched up to
 * `limits` (and the model's own limits: a rank no larger than its smallest adapted matrix, a
 * sequence no longer than learned positions allow). Returns the memory model's messages instead
 * when the setup is invalid apart from the searched value.
 */
export function affordable(
	arch: ModelArch,
	setup: TrainingSetup,
	budget: number,
	limits: AffordLimits
): Affordable | { issues: string[] } {
	const base = { ...setup, rank: 1, batchSize: 1, seqLen: 1 };
	const { issues } = checkSetup(arch, base);
	if (issues.length) return { issues };
	const s = resolveSetup(arch, setup);
	const bytesAt = (over: Partial<TrainingSetup>) => stepBytes(arch, { ...setup, ...over });
	const search = (vary: (n: number) => Partial<TrainingSetup>, cap: number): AffordAnswer => {
		const max = largestFitting((n) => bytesAt(vary(n)) <= budget, 1, cap);
		if (max === cap) return { max, cap };
		return { max, cap, next: bytesAt(vary((max ?? 0) + 1)) };
	};
	const lora = s.method === 'lora' || s.method === 'qlora';

	const adapted = layerMatrices(arch).filter((m) => s.targets.includes(m.name));
	const rankCap = Math.min(limits.rank, ...adapted.map((m) => Math.min(m.dIn, m.dOut)));
	const promptTokens = s.method === 'prompt' ? s.prefixLength : 0;
	const seqCap =
		arch.positions === 'learned'
			? Math.min(limits.seq, arch.maxPositions - promptTokens)
			: limits.seq;

	return {
		method: s.method,
		budget,
		chosen: stepBytes(arch, setup),
		smallest: stepBytes(arch, base),
		...(lora ? { rank: search((r) => ({ rank: r }), rankCap) } : {}),
		seq: search((n) => ({ seqLen: n, batchSize: 1 }), seqCap),
		batch: search((b) => ({ batchSize: b }), limits.batch)
	};
}

const int = (n: number) => n.toLocaleString('en-US');

/**
 * Bytes over the budget in GB with just enough digits to read as more than it: 24,004,534,272
 * against 24 GB is "24.005 GB", not "24 GB".
 */
export function formatOver(bytes: number, budget: number): string {
	if (!Number.isFinite(bytes)) return formatBytes(bytes);
	for (let digits = 3; digits <= 12; digits++) {
		const shown = +(bytes / 1e9).toPrecision(digits);
		if (shown * 1e9 > budget)
			return `${shown.toLocaleString('en-US', { maximumFractionDigits: 12 })} GB`;
	}
	return formatBytes(bytes);
}

/**
 * The answer as sentences for the page: what fits, or plainly that nothing does and why.
 * @param model the model's name as the page writes it
 * @param chosen the chosen rank, batch and length, for the sentences
 */
export function affordSentences(
	a: Affordable,
	model: string,
	chosen: { rank: number; batch: number; seq: number }
): string[] {
	const name = a.method === 'full' ? 'Full fine-tuning' : METHOD_NAMES[a.method];
	const budget = formatBytes(a.budget);
	if (!(a.smallest <= a.budget)) {
		return [
			`Nothing fits: ${name} of ${model} needs ${formatBytes(a.smallest)} per device even for one sequence of one token${a.rank ? ' at rank 1' : ''}, more than ${budget}. The weights, gradients and optimizer state alone are too large: it takes a smaller model, another method, ZeRO over more devices, or a larger device.`
		];
	}
	const run = `${chosen.batch} × ${int(chosen.seq)} tokens`;
	const more = (x: AffordAnswer, unit: (n: number) => string) =>
		x.next === undefined
			? ''
			: ` (${unit((x.max ?? 0) + 1)} would need ${formatOver(x.next, a.budget)})`;
	const asSet = `${name} of ${model} as set (${a.rank ? `rank ${chosen.rank}, ` : ''}${run})`;
	const out = [
		Number.isFinite(a.chosen)
			? `${asSet} takes ${formatBytes(a.chosen)}: ${a.chosen <= a.budget ? 'it fits' : 'it does not fit'} in ${budget}.`
			: `${asSet} is not a setup the memory model accepts (the notes above say why).`
	];
	if (a.rank) {
		const r = a.rank;
		out.push(
			r.max === null
				? `No rank fits at ${run}${more(r, (n) => `rank ${n}`)}.`
				: r.max === r.cap
					? `Every rank up to ${int(r.cap)} fits at ${run} (${r.cap < 1024 ? 'no rank can exceed the smallest adapted matrix' : 'the largest rank the calculator takes'}).`
					: `Largest rank at ${run}: ${int(r.max)}${more(r, (n) => `rank ${int(n)}`)}.`
		);
	}
	// A rank too large for the model leaves nothing to search at that rank.
	if (!Number.isFinite(a.chosen)) return out;
	const q = a.seq;
	out.push(
		q.max === null
			? `No sequence fits at batch 1${a.rank ? ` with rank ${chosen.rank}` : ''}${more(q, () => 'one token')}.`
			: q.max === q.cap
				? `At batch 1, sequences up to the limit of ${int(q.cap)} tokens fit.`
				: `Longest sequence at batch 1: ${int(q.max)} tokens${more(q, (n) => int(n))}.`
	);
	const b = a.batch;
	out.push(
		b.max === null
			? `Not even one sequence of ${int(chosen.seq)} tokens fits${more(b, () => 'it')}; shorten it.`
			: b.max === b.cap
				? `Batches up to the calculator's limit of ${int(b.cap)} sequences of ${int(chosen.seq)} tokens fit.`
				: `Largest batch of ${int(chosen.seq)}-token sequences: ${int(b.max)}${more(b, (n) => int(n))}.`
	);
	return out;
}
