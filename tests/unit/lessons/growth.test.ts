/**
 * Lesson 1's growth figure apart from its drawing (`growth.ts`): the rows each way of counting
 * gives, how many models fit on one accelerator of their day, and the figure's sentence.
 */
import { describe, expect, it } from 'vitest';
import { GB, fullFineTuneBytes, weightBytes } from '$lib/math/footprint';
import {
	ALL_MODELS,
	MEMORY_MODES,
	bytesFor,
	formatGB,
	formatRatio,
	formatTrainable,
	growthRows,
	growthSummary
} from '../../../lessons/01-why-peft/growth';

const fits = (mode: (typeof MEMORY_MODES)[number]) =>
	growthRows(mode).filter((r) => r.ratio <= 1).length;

describe('lesson 1 growth rows', () => {
	it('has the ten models in release order under every way of counting', () => {
		for (const mode of MEMORY_MODES) {
			const rows = growthRows(mode);
			expect(rows.map((r) => r.model.id)).toEqual(ALL_MODELS.map((m) => m.id));
			for (const r of rows) expect(r.ratio).toBeCloseTo(r.gb / r.accel.memoryGB, 12);
		}
		expect(ALL_MODELS).toHaveLength(10);
	});

	it('counts weights at 2 bytes and full fine-tuning at 16 bytes per parameter', () => {
		const m = ALL_MODELS[0];
		expect(bytesFor(m, 'weights')).toBe(weightBytes(m.params));
		expect(bytesFor(m, 'training')).toBe(fullFineTuneBytes(m.params));
		expect(growthRows('training')[0].gb).toBe(fullFineTuneBytes(m.params) / GB);
	});

	it('fits one model under full fine-tuning, three under LoRA and six under QLoRA', () => {
		expect([fits('training'), fits('lora'), fits('qlora')]).toEqual([1, 3, 6]);
		expect(growthRows('training').every((r) => r.trainable === 0)).toBe(true);
		expect(growthRows('lora').every((r) => r.trainable > 0)).toBe(true);
	});

	it('says what the chart shows', () => {
		expect(growthSummary(growthRows('training'), 'training')).toContain(
			'Only 1 of the 10 models (GPT-2 1.5B)'
		);
		const lora = growthSummary(growthRows('lora'), 'lora');
		expect(lora).toContain('Llama 2 7B needs about 13.5 GB, against 108 GB');
		expect(lora).toContain('before counting activations');
		expect(growthSummary(growthRows('weights'), 'weights')).toMatch(/^Just holding/);
	});

	it('formats as the figure prints', () => {
		expect([formatGB(878.4), formatGB(6480)]).toEqual(['878 GB', '6.5 TB']);
		expect([formatRatio(3.14), formatRatio(41.6)]).toEqual(['3.1×', '42×']);
		expect([formatTrainable(4_194_304), formatTrainable(2.49e9)]).toEqual(['4.19M', '2.49B']);
	});
});
