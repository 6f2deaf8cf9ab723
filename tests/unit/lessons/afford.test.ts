/**
 * Lesson 3's inverse question ("with X GB, what can I afford?"): the bisection finds the exact
 * boundary (the answer fits the budget by the memory model's own total and one more does not),
 * caps at the model's and the calculator's limits, and says plainly when nothing fits.
 */
import { describe, expect, it } from 'vitest';
import {
	MODEL_PRESETS,
	estimateTrainingMemory,
	type ModelArch,
	type TrainingSetup
} from '$lib/math/memory';
import {
	affordSentences,
	affordable,
	formatOver,
	largestFitting,
	type Affordable
} from '../../../lessons/03-what-fine-tuning-costs/afford';

const LIMITS = { rank: 1024, batch: 1024, seq: 131_072 };
const llama = MODEL_PRESETS['llama-2-7b'];
const total = (arch: ModelArch, s: TrainingSetup) => estimateTrainingMemory(arch, s).total;

function answer(arch: ModelArch, setup: TrainingSetup, gb: number): Affordable {
	const a = affordable(arch, setup, gb * 1e9, LIMITS);
	if ('issues' in a) throw new Error(a.issues.join('; '));
	return a;
}

describe('largestFitting', () => {
	it('finds the last n of a prefix, at either end and in between', () => {
		for (const edge of [1, 2, 3, 500, 999, 1000]) {
			let calls = 0;
			const fits = (n: number) => (calls++, n <= edge);
			expect(largestFitting(fits, 1, 1000)).toBe(edge);
			expect(calls).toBeLessThanOrEqual(Math.ceil(Math.log2(1000)) + 2);
		}
		expect(largestFitting(() => false, 1, 1000)).toBeNull();
		expect(largestFitting(() => true, 5, 4)).toBeNull();
	});
});

describe('what a budget affords', () => {
	const cases: [string, ModelArch, TrainingSetup, number][] = [
		['LoRA r=8 on Llama 2 7B, 24 GB', llama, { method: 'lora', rank: 8, seqLen: 512 }, 24],
		[
			'QLoRA on Llama 2 7B, 16 GB, FlashAttention',
			llama,
			{ method: 'qlora', rank: 64, seqLen: 2048, flashAttention: true },
			16
		],
		[
			'full fine-tuning of GPT-2, 24 GB',
			MODEL_PRESETS['gpt2'],
			{ method: 'full', seqLen: 512 },
			24
		],
		[
			'prefix tuning of Mistral 7B, 48 GB, checkpointing',
			MODEL_PRESETS['mistral-7b'],
			{ method: 'prefix', seqLen: 4096, gradientCheckpointing: true },
			48
		]
	];
	for (const [name, arch, setup, gb] of cases) {
		it(`${name}: each answer fits and one more does not`, () => {
			const a = answer(arch, setup, gb);
			const budget = gb * 1e9;
			const check = (max: number | null, cap: number, at: (n: number) => TrainingSetup) => {
				expect(max).not.toBeNull();
				expect(total(arch, at(max!))).toBeLessThanOrEqual(budget);
				if (max! < cap) expect(total(arch, at(max! + 1))).toBeGreaterThan(budget);
			};
			check(a.seq.max, a.seq.cap, (n) => ({ ...setup, seqLen: n, batchSize: 1 }));
			check(a.batch.max, a.batch.cap, (b) => ({ ...setup, batchSize: b }));
			if (setup.method === 'lora' || setup.method === 'qlora') {
				check(a.rank!.max, a.rank!.cap, (r) => ({ ...setup, rank: r }));
			} else {
				expect(a.rank).toBeUndefined();
			}
			expect(a.chosen).toBe(total(arch, setup));
		});
	}

	it('gives the boundary numbers the page prints for LoRA on Llama 2 7B in 24 GB', () => {
		const a = answer(llama, { method: 'lora', rank: 8, seqLen: 512 }, 24);
		// At 1 × 512 tokens the rank stops inside the calculator's 1,024, and so does the length.
		expect(a.rank!.max).toBeGreaterThan(8);
		expect(a.rank!.max).toBeLessThan(1024);
		expect(a.seq.max).toBeGreaterThan(512);
		expect(a.seq.max).toBeLessThan(LIMITS.seq);
		expect(a.seq.next).toBe(
			total(llama, { method: 'lora', rank: 8, seqLen: a.seq.max! + 1, batchSize: 1 })
		);
		const text = affordSentences(a, 'Llama 2 7B', { rank: 8, batch: 1, seq: 512 }).join(' ');
		expect(text).toContain(
			`Largest rank at 1 × 512 tokens: ${a.rank!.max} (rank ${a.rank!.max! + 1} would need ${formatOver(a.rank!.next!, 24e9)})`
		);
		// One more than the answer reads as more than the budget, however close it is.
		expect(Number(formatOver(a.rank!.next!, 24e9).replace(' GB', ''))).toBeGreaterThan(24);
		expect(text).toContain(
			`Longest sequence at batch 1: ${a.seq.max!.toLocaleString('en-US')} tokens`
		);
		expect(text).not.toMatch(/NaN|Infinity|undefined/);
	});

	it('caps the rank at the smallest adapted matrix and the length at learned positions', () => {
		const gpt2 = MODEL_PRESETS['gpt2'];
		const a = answer(gpt2, { method: 'lora', rank: 8, seqLen: 128 }, 80);
		expect(a.rank).toEqual({ max: 768, cap: 768 });
		expect(a.seq).toEqual({ max: 1024, cap: 1024 });
		const p = answer(gpt2, { method: 'prompt', seqLen: 128 }, 80);
		// 20 soft-prompt tokens take 20 of GPT-2's 1,024 positions.
		expect(p.seq).toEqual({ max: 1004, cap: 1004 });
		expect(affordSentences(p, 'GPT-2', { rank: 8, batch: 1, seq: 128 }).join(' ')).toContain(
			'sequences up to the limit of 1,004 tokens fit'
		);
	});

	it('answers only the rank when the chosen rank is larger than the model allows', () => {
		const gpt2 = MODEL_PRESETS['gpt2'];
		const a = answer(gpt2, { method: 'lora', rank: 1000, seqLen: 128 }, 80);
		expect(a.chosen).toBe(Infinity);
		const text = affordSentences(a, 'GPT-2', { rank: 1000, batch: 1, seq: 128 });
		expect(text).toEqual([
			'LoRA of GPT-2 as set (rank 1000, 1 × 128 tokens) is not a setup the memory model accepts (the notes above say why).',
			'Every rank up to 768 fits at 1 × 128 tokens (no rank can exceed the smallest adapted matrix).'
		]);
	});

	it('says plainly that nothing fits: full fine-tuning of a 7B model in 24 GB', () => {
		const a = answer(llama, { method: 'full', seqLen: 512 }, 24);
		expect(a.seq.max).toBeNull();
		expect(a.batch.max).toBeNull();
		// One token at batch 1: 16 bytes per parameter and almost nothing else.
		expect(a.smallest).toBe(total(llama, { method: 'full', seqLen: 1, batchSize: 1 }));
		expect(a.smallest).toBeGreaterThan(16 * 6.738e9);
		const [only, ...rest] = affordSentences(a, 'Llama 2 7B', { rank: 8, batch: 1, seq: 512 });
		expect(rest).toEqual([]);
		expect(only).toMatch(/^Nothing fits: Full fine-tuning of Llama 2 7B needs 108 GB per device/);
		expect(only).toContain('more than 24 GB');
	});

	it('returns the memory model’s messages for a setup it refuses, and never throws', () => {
		const gpt2 = MODEL_PRESETS['gpt2'];
		const bad = affordable(gpt2, { method: 'lora', targets: [] }, 24e9, LIMITS);
		expect('issues' in bad && bad.issues[0]).toMatch(/targets must list/);
		const broken = { ...gpt2, nHeads: 7 };
		expect('issues' in affordable(broken, { method: 'full' }, 24e9, LIMITS)).toBe(true);
		for (const budget of [NaN, -1, 0, Infinity]) {
			expect(() => affordable(llama, { method: 'lora' }, budget, LIMITS)).not.toThrow();
		}
		const none = answer(llama, { method: 'lora' }, 0);
		expect(affordSentences(none, 'x', { rank: 8, batch: 1, seq: 512 })[0]).toMatch(/^Nothing fits/);
	});
});
