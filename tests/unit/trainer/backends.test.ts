/**
 * Choosing a backend where some cannot start (Node has no WebGPU and no WebGL): starting one
 * resolves false instead of throwing, a forced choice falls back and says so, a warm-up leaves
 * out backends that cannot start or whose probe throws, and the fallback order after a failure
 * puts the measured fastest first.
 */
import { describe, expect, it } from 'vitest';
import {
	activate,
	chooseBackend,
	fallbackOrder,
	probeWebGPU,
	warmUp,
	warmupReason
} from '$lib/trainer/worker/backends';

describe('backends where WebGPU and WebGL cannot start', () => {
	it('probes WebGPU as unavailable, without throwing', async () => {
		const gpu = await probeWebGPU();
		expect(gpu.available).toBe(false);
		expect(gpu.description.length).toBeGreaterThan(0);
	});

	it('resolves false for a backend that cannot start, true for cpu', async () => {
		expect(await activate('webgpu')).toBe(false);
		expect(await activate('webgl')).toBe(false);
		expect(await activate('cpu')).toBe(true);
	});

	it('falls back from a forced choice and names both in its reason', async () => {
		const d = await chooseBackend('webgl', async () => 1);
		expect(['wasm', 'cpu']).toContain(d.backend);
		expect(d.reason).toMatch(
			/^WebGL could not start here; using (WebAssembly|plain JavaScript|.+) instead\.$/
		);
	});

	it('says WebGPU is missing when a forced WebGPU falls back, and in a warm-up reason', async () => {
		const d = await chooseBackend('webgpu', async () => 1);
		expect(d.backend).not.toBe('webgpu');
		expect(d.reason).toMatch(
			/^WebGPU could not start here \(no WebGPU in this browser\); using .+ instead\.$/
		);
		const none = { available: false, software: false, description: 'no WebGPU in this browser' };
		expect(warmupReason('wasm', 0.5, none)).toBe(
			'No WebGPU in this browser. WebAssembly was fastest in a warm-up (0.50 ms per layer).'
		);
		const soft = { available: true, software: true, description: 'google swiftshader' };
		expect(warmupReason('webgl', 1, soft)).toMatch(/^The WebGPU adapter is software \(google/);
	});

	it('leaves out of a warm-up what cannot start and what fails its probe', async () => {
		const timings = await warmUp(['webgl', 'cpu'], async () => 2.5);
		expect(timings).toEqual({ cpu: 2.5 });
		const none = await warmUp(['cpu'], async () => {
			throw new Error('probe failed');
		});
		expect(none).toEqual({});
	});

	it('orders fallbacks by measured speed, then the default order, without the failed one', () => {
		expect(fallbackOrder('webgpu', { webgl: 3, wasm: 1 })).toEqual(['wasm', 'webgl', 'cpu']);
		expect(fallbackOrder('wasm', {})).toEqual(['webgpu', 'webgl', 'cpu']);
	});
});
