/**
 * The real-GPU check's verdict (scripts/gpu-node/verdict.ts): check.ts cannot run here (no GPU),
 * so its pass and fail rules are held here on made-up reports.
 */
import { describe, expect, it } from 'vitest';
import {
	ACCURACY_TOL,
	LOSS_TOL,
	benchFailures,
	hostFailures,
	type HostReport
} from '../../../scripts/gpu-node/verdict';

const report = (backend: string, losses: number[], testAccuracy = 0.37): HostReport => ({
	ready: { backend },
	backendRan: backend,
	testAccuracy,
	losses,
	tensorsAfterConfigure: 40,
	tensorsAfterSteps: 40,
	errors: []
});
const cpu = report('cpu', [2.3, 1.9, 1.5]);

describe('the real-GPU check’s verdict', () => {
	it('passes WebGPU runs within the stated tolerances of cpu’s', () => {
		const gpu = report('webgpu', [2.3 + 0.9 * LOSS_TOL, 1.9, 1.5], 0.37 + 0.9 * ACCURACY_TOL);
		expect(hostFailures('full', gpu, cpu, 'webgpu')).toEqual([]);
		expect(LOSS_TOL).toBe(0.02);
		expect(ACCURACY_TOL).toBe(0.02);
	});

	it('fails losses or accuracy past the tolerance, and a run on the wrong backend', () => {
		const far = report('webgpu', [2.3, 1.9 + 1.5 * LOSS_TOL, 1.5]);
		expect(hostFailures('full', far, cpu, 'webgpu')).toEqual([
			expect.stringMatching(/^full: losses differ from cpu's by 0\.03/)
		]);
		const acc = report('webgpu', [2.3, 1.9, 1.5], 0.37 - 1.5 * ACCURACY_TOL);
		expect(hostFailures('lora', acc, cpu, 'webgpu')).toEqual([
			expect.stringMatching(/^lora: held-out accuracy differs/)
		]);
		const fellBack = report('wasm', [2.3, 1.9, 1.5]);
		expect(hostFailures('full', fellBack, cpu, 'webgpu')).toEqual([
			'full gpu: ran on wasm/wasm, not webgpu'
		]);
	});

	it('fails errors, leaked tensors, missing or non-finite losses, and a missing accuracy', () => {
		const bad: HostReport = {
			...report('webgpu', [2.3, NaN]),
			errors: [{ type: 'fallback' }],
			tensorsAfterSteps: 41,
			testAccuracy: null
		};
		const fails = hostFailures('full', bad, cpu, 'webgpu');
		expect(fails).toEqual([
			'full gpu: [{"type":"fallback"}]',
			'full gpu: 1 tensors left by the steps',
			'full gpu: losses [2.3,null]',
			'full: 2 losses on webgpu, 3 on cpu',
			expect.stringMatching(/^full: losses differ/),
			expect.stringMatching(/^full: held-out accuracy differs/)
		]);
	});

	it('fails a benchmark variant that could not start or leaked', () => {
		expect(benchFailures('webgpu', { rows: [], leaked: 0 })).toEqual([]);
		expect(benchFailures('webgpu', 'could not start')).toEqual(['bench webgpu: could not start']);
		expect(benchFailures('wasm', { rows: [], leaked: 2 })).toEqual([
			'bench wasm: 2 tensors leaked'
		]);
	});
});
