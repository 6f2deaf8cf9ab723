/**
 * The memory model's one entry: `checkSetup` validates and resolves a setup once, and the memory
 * and FLOPs counts of its result equal the checked-at-every-call `estimate*` functions exactly.
 */
import { describe, expect, it } from 'vitest';
import { parameterBreakdown } from '$lib/math/architecture';
import { ADAM_MIXED_PRECISION, BYTES_PER_PARAM } from '$lib/math/footprint';
import { estimateTrainingFlops, trainingFlops, trainingFlopsBreakdown } from '$lib/math/flops';
import {
	ADAM_MIXED_K,
	estimateTrainingMemory,
	modelStateBytes,
	optimizerBytesPerParam,
	trainingMemory
} from '$lib/math/memory';
import { MODEL_PRESETS } from '$lib/math/memoryPresets';
import { METHODS, METHOD_LABELS, METHOD_NAMES } from '$lib/math/methods';
import {
	checkSetup,
	checkedSetup,
	methodParameters,
	resolveSetup,
	validateSetupMessages,
	type TrainingSetup
} from '$lib/math/setup';

const llama = MODEL_PRESETS['llama-2-7b'];
const gpt2 = MODEL_PRESETS['gpt2'];

describe('checkSetup', () => {
	it('returns the resolved setup when valid, and the same messages as validateSetupMessages when not', () => {
		const ok = checkSetup(llama, { method: 'qlora' });
		expect(ok.issues).toEqual([]);
		expect(ok.setup).toEqual(resolveSetup(llama, { method: 'qlora' }));
		const bad: TrainingSetup = { method: 'lora', rank: 0, seqLen: 2.5, targets: [] };
		const c = checkSetup(gpt2, bad);
		expect(c.setup).toBeNull();
		expect(c.issues.length).toBeGreaterThan(1);
		expect(c.issues).toEqual(validateSetupMessages(gpt2, bad));
		expect(() => checkedSetup(gpt2, bad)).toThrow(RangeError);
		expect(() => checkedSetup(gpt2, bad)).toThrow(c.issues.join('; '));
	});

	it('feeds memory and FLOPs counts equal to the estimates, for every method and both presets', () => {
		for (const arch of [llama, gpt2]) {
			const base = parameterBreakdown(arch);
			for (const method of METHODS) {
				const setup: TrainingSetup = {
					method,
					seqLen: 256,
					batchSize: 2,
					zeroStage: 2,
					devices: 4
				};
				const s = checkedSetup(arch, setup);
				expect(trainingMemory(arch, s, base)).toEqual(estimateTrainingMemory(arch, setup));
				expect(trainingFlops(arch, s, base)).toEqual(trainingFlopsBreakdown(arch, setup));
				expect(trainingFlops(arch, s).total).toBe(estimateTrainingFlops(arch, setup));
			}
		}
	});
});

describe('one memory model', () => {
	it('takes ZeRO K and Adam moments from the bytes-per-parameter table lesson 1 uses', () => {
		expect(ADAM_MIXED_K).toBe(12);
		expect(optimizerBytesPerParam('adam', true)).toBe(
			ADAM_MIXED_PRECISION.masterWeights32 +
				ADAM_MIXED_PRECISION.momentum32 +
				ADAM_MIXED_PRECISION.variance32
		);
		expect(optimizerBytesPerParam('adam', false)).toBe(8);
	});

	it('counts model states from a published parameter count as from the breakdown', () => {
		const base = parameterBreakdown(llama);
		for (const method of ['full', 'lora', 'qlora'] as const) {
			const counts = methodParameters(llama, { method });
			const s = { method, precision: 'mixed', optimizer: 'adam' } as const;
			const m = estimateTrainingMemory(llama, { method });
			const states = modelStateBytes(base, counts, s);
			expect([states.weights, states.gradients, states.optimizer]).toEqual([
				m.weights,
				m.gradients,
				m.optimizer
			]);
		}
		// Full fine-tuning in mixed precision: lesson 1's 16 bytes per parameter.
		const full = modelStateBytes(base, methodParameters(llama, { method: 'full' }), {
			method: 'full',
			precision: 'mixed',
			optimizer: 'adam'
		});
		expect(full.weights + full.gradients + full.optimizer).toBe(
			base.total * (2 * BYTES_PER_PARAM.fp16 + ADAM_MIXED_K)
		);
	});
});

describe('the method table', () => {
	it('names the memory model’s eight methods in lesson order, from the one table', () => {
		expect(Object.keys(METHOD_NAMES)).toEqual([...METHODS]);
		for (const m of METHODS) expect(METHOD_NAMES[m]).toBe(METHOD_LABELS[m]);
		expect(METHOD_LABELS.head).toBe('Head only');
	});
});
