/**
 * Lesson 3's activation paragraph: the numbers it quotes for Llama 2 7B are the memory model's,
 * textbook (Korthikanti et al.) and with FlashAttention.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activationBytes, MODEL_PRESETS } from '$lib/math/memory';

const prose = readFileSync('lessons/03-what-fine-tuning-costs/index.svx', 'utf8');
const llama = MODEL_PRESETS['llama-2-7b'];
const gb = (bytes: number) => `${Math.round(bytes / 1e9)} GB`;

describe('lesson 3’s prose about activations', () => {
	it('quotes the textbook count, its s×s part and the FlashAttention count as computed', () => {
		const one = activationBytes(llama, { method: 'full', seqLen: 512 });
		const run = { method: 'full', batchSize: 8, seqLen: 4096 } as const;
		const textbook = activationBytes(llama, run);
		const flash = activationBytes(llama, { ...run, flashAttention: true });
		const square = 5 * llama.nHeads * 4096 * 4096 * 8 * llama.nLayers;
		expect(prose).toContain(`one sequence of 512 tokens this is ${(one / 1e9).toFixed(1)} GB`);
		expect(prose).toContain(
			`8 sequences of 4,096 tokens it is ${gb(textbook)}, and ${gb(square)} of that is the second term`
		);
		expect(prose).toContain(`Counted that way the same batch needs ${gb(flash)}.`);
	});
});
