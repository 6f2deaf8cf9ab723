/**
 * Lesson 1's LoRA and QLoRA modes and its 7B model: the memory each mode plots is the course's
 * memory model (`estimateTrainingMemory`) wherever the course has the architecture as a preset,
 * the architectures agree with the landmark table, the counts reproduce the papers' own claims
 * (LoRA: GPT-3 in 350 GB; QLoRA: a 65B model in under 48 GB), and every number the lesson's
 * prose, prediction and exercises print is the one these functions give.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODELS, largestAcceleratorAt } from '$lib/data/landmarks';
import { GB, fullFineTuneBytes, weightBytes } from '$lib/math/footprint';
import {
	MODEL_PRESETS,
	PAPER_MODELS,
	countParameters,
	estimateTrainingMemory
} from '$lib/math/memory';
import { KAPLAN } from '$lib/math/scaling';
import { LLAMA2_7B, archOf, peftState } from '../../../lessons/01-why-peft/fineTune';

const ALL = [...MODELS, LLAMA2_7B];
const PRESET_BACKED = ['gpt2', 'gpt3', 'llama', 'llama2', 'llama3', 'llama2-7b'];
const source = readFileSync('lessons/01-why-peft/index.svx', 'utf8');
const byId = (id: string) => ALL.find((m) => m.id === id)!;
const gb = (bytes: number) => bytes / GB;

describe('lesson 1: fine-tuning memory per model', () => {
	it.each(ALL.map((m) => [m.id, m] as const))(
		'%s: the architecture has the shape the landmark table lists',
		(_, m) => {
			const a = archOf(m);
			expect(a.nLayers).toBe(m.nLayers);
			expect(a.dModel).toBe(m.dModel);
			expect(a.nHeads).toBe(m.nHeads);
			expect(a.nKvHeads ?? a.nHeads).toBe(m.nKvHeads);
			expect(a.dHead ?? a.dModel / a.nHeads).toBe(m.dHead);
		}
	);

	it.each(ALL.filter((m) => !['gopher', 'chinchilla'].includes(m.id)).map((m) => [m.id, m]))(
		'%s: the architecture counts the published parameters to within 1.5%%',
		(_, m) => {
			expect(Math.abs(countParameters(archOf(m)) / m.params - 1)).toBeLessThan(0.015);
		}
	);

	it.each(PRESET_BACKED.flatMap((id) => (['lora', 'qlora'] as const).map((mode) => [id, mode])))(
		'%s %s: equals estimateTrainingMemory on the preset (model state, no activations)',
		(id, mode) => {
			const m = byId(id);
			const arch = archOf(m);
			const psi = countParameters(arch);
			const e = estimateTrainingMemory(arch, { method: mode as 'lora' | 'qlora' });
			const p = peftState(m, mode as 'lora' | 'qlora', psi);
			expect(p.weights).toBeCloseTo(e.weights, 0);
			expect(p.gradients).toBe(e.gradients);
			expect(p.optimizer).toBe(e.optimizer);
			expect(p.trainable).toBe(e.trainableParams);
		}
	);

	it('the 7B model is the calculator preset, with its exact count', () => {
		expect(LLAMA2_7B.params).toBe(countParameters(MODEL_PRESETS['llama-2-7b']));
		expect(archOf(byId('llama')).name).toBe(PAPER_MODELS['llama-65b'].name);
	});

	it("reproduces the papers' own claims", () => {
		// Hu et al. 2021: GPT-3 175B training memory 1.2 TB → 350 GB with LoRA.
		expect(gb(peftState(byId('gpt3'), 'lora').total)).toBeCloseTo(350, -1);
		// Dettmers et al. 2023: a 65B model fine-tunes in under 48 GB with QLoRA.
		expect(gb(peftState(byId('llama'), 'qlora').total)).toBeLessThan(48);
	});

	it('every mode stays inside the plotted range, 1 GB to 20 TB', () => {
		for (const m of ALL) {
			for (const mode of ['lora', 'qlora'] as const) {
				const v = gb(peftState(m, mode).total);
				expect(v).toBeGreaterThan(1);
				expect(v).toBeLessThan(20000);
				expect(v).toBeLessThan(gb(fullFineTuneBytes(m.params)));
			}
		}
	});
});

/** Models that fit on the largest accelerator of their release month under a way of counting. */
function fitting(bytes: (m: (typeof ALL)[number]) => number): string[] {
	return ALL.filter((m) => gb(bytes(m)) <= largestAcceleratorAt(m.released)!.memoryGB).map(
		(m) => m.id
	);
}

describe("lesson 1's prose agrees with the figure's counts", () => {
	const seven = LLAMA2_7B;
	const full7 = gb(fullFineTuneBytes(seven.params));
	const lora7 = peftState(seven, 'lora');
	const qlora7 = peftState(seven, 'qlora');

	it('the prediction: only GPT-2 fits under full fine-tuning, and by how much the rest miss', () => {
		expect(fitting((m) => fullFineTuneBytes(m.params))).toEqual(['gpt2']);
		expect(source).toContain('One: GPT-2, whose 25 GB fit on a 32 GB V100');
		expect(Math.round(gb(fullFineTuneBytes(byId('gpt2').params)))).toBe(25);
		expect(largestAcceleratorAt('2019-02')!.memoryGB).toBe(32);
		expect(source).toContain('Llama 2 7B needs 108 GB of model state, more than the 94 GB');
		expect(Math.round(full7)).toBe(108);
		expect(largestAcceleratorAt(seven.released)!.memoryGB).toBe(94);
		const ratios = ALL.filter((m) => m.id !== 'gpt2' && m.id !== seven.id).map(
			(m) => gb(fullFineTuneBytes(m.params)) / largestAcceleratorAt(m.released)!.memoryGB
		);
		expect(Math.min(...ratios).toFixed(1)).toBe('5.8');
		expect(Math.round(Math.max(...ratios))).toBe(108);
		expect(source).toContain('from 5.8 (Llama 3 70B) to 108 (PaLM)');
	});

	it('the LoRA and QLoRA paragraph and the last take-away', () => {
		expect(lora7.trainable).toBe(4_194_304);
		expect(source).toContain('4,194,304 parameters for Llama 2 7B');
		expect(((lora7.trainable / seven.params) * 100).toFixed(2)).toBe('0.06');
		expect(gb(lora7.total).toFixed(1)).toBe('13.5');
		expect(gb(qlora7.total).toFixed(1)).toBe('5.8');
		expect(source).toContain('13.5 GB, down from 108 GB');
		expect(source).toContain('from 108 GB to 13.5 GB and 5.8 GB');
		expect(Math.round(gb(peftState(byId('gpt3'), 'lora').total))).toBe(351);
		expect(source).toContain('the same count gives 351 GB');
		expect(Math.round(gb(peftState(byId('chinchilla'), 'lora').total))).toBe(140);
		expect(fitting((m) => peftState(m, 'lora').total).sort()).toEqual([
			'gpt2',
			'llama2-7b',
			'llama3'
		]);
		expect(source).toContain("Chinchilla's and Llama 2 70B's 140 GB");
		expect(Math.round(gb(peftState(byId('llama'), 'qlora').total))).toBe(44);
		expect(source).toContain('LLaMA 65B needs about 44 GB');
		expect(fitting((m) => peftState(m, 'qlora').total).sort()).toEqual([
			'chinchilla',
			'gpt2',
			'llama',
			'llama2',
			'llama2-7b',
			'llama3'
		]);
		expect(source).toContain('Only the four largest, from GPT-3 to Llama 3.1 405B');
	});

	it('the exercises', () => {
		expect(gb(fullFineTuneBytes(seven.params)).toFixed(1)).toBe('107.8');
		expect(source).toContain('\\approx 107.8$ GB');
		expect(gb(weightBytes(seven.params)).toFixed(1)).toBe('13.5');
		// r(d + k) on W_q and W_v, 32 layers.
		expect(8 * (4096 + 4096)).toBe(65_536);
		expect(2 * 32 * 65_536).toBe(lora7.trainable);
		expect(Math.round((lora7.trainable * 16) / 1e6)).toBe(67);
		expect(source).toContain('that is 67 MB');
		expect(KAPLAN.N.alphaN).toBe(0.076);
		expect((0.9 ** (-1 / KAPLAN.N.alphaN)).toFixed(1)).toBe('4.0');
		expect((-Math.log(0.9)).toFixed(4)).toBe('0.1054');
	});
});
