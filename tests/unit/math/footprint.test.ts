import { describe, expect, it } from 'vitest';
import {
	ADAM_BYTES_PER_PARAM,
	ADAM_MIXED_PRECISION,
	BYTES_PER_PARAM,
	GB,
	TB,
	fullFineTuneBytes,
	kvCacheBytes,
	weightBytes
} from '../../../src/lib/math/footprint';

describe('bytes per parameter', () => {
	it('matches the storage formats', () => {
		expect(BYTES_PER_PARAM).toEqual({ fp32: 4, fp16: 2, bf16: 2, int8: 1, int4: 0.5 });
	});

	it('itemises mixed-precision Adam as ZeRO does: 2Ψ + 2Ψ + 12Ψ = 16Ψ', () => {
		const { weights16, gradients16, ...optimizer } = ADAM_MIXED_PRECISION;
		expect(weights16 + gradients16).toBe(4);
		expect(Object.values(optimizer).reduce((a, b) => a + b, 0)).toBe(12);
		expect(ADAM_BYTES_PER_PARAM).toBe(16);
	});
});

describe('weights', () => {
	it('stores GPT-2 1.5B in 16 bits in about 3.1 GB', () => {
		expect(weightBytes(1.542e9) / GB).toBeCloseTo(3.084, 3);
	});

	it('stores 175B parameters in 350 GB at 16 bits and 87.5 GB at 4 bits', () => {
		expect(weightBytes(175e9) / GB).toBe(350);
		expect(weightBytes(175e9, BYTES_PER_PARAM.int4) / GB).toBe(87.5);
		expect(weightBytes(175e9, BYTES_PER_PARAM.fp32) / GB).toBe(700);
	});
});

describe('full fine-tuning with mixed-precision Adam', () => {
	it('needs 2.8 TB of model state for GPT-3 175B', () => {
		expect(fullFineTuneBytes(175e9) / TB).toBeCloseTo(2.8, 10);
	});

	it('matches ZeRO’s worked example: 7.5B parameters take 120 GB', () => {
		// Rajbhandari et al. 2019, §3.1 and Figure 1: Ψ = 7.5B, K = 12 → 16Ψ = 120 GB.
		expect(fullFineTuneBytes(7.5e9) / GB).toBe(120);
	});

	it('is 8× the 16-bit weights', () => {
		expect(fullFineTuneBytes(70e9)).toBe(8 * weightBytes(70e9));
	});
});

describe('KV cache', () => {
	it('matches a hand computation for GPT-3 175B at its full 2,048-token context', () => {
		// 2 (K and V) × 96 layers × 96 heads × 128 wide × 2048 tokens × 2 bytes
		const bytes = kvCacheBytes({ nLayers: 96, nKvHeads: 96, dHead: 128 }, 2048);
		expect(bytes).toBe(9_663_676_416);
		expect(bytes / GB).toBeCloseTo(9.66, 2);
	});

	it('shrinks with grouped-query attention: Llama 3.1 405B at 128K tokens', () => {
		// 2 × 126 layers × 8 KV heads × 128 × 131,072 tokens × 2 bytes
		const bytes = kvCacheBytes({ nLayers: 126, nKvHeads: 8, dHead: 128 }, 131072);
		expect(bytes).toBe(67_645_734_912);
	});

	it('scales linearly with batch and bytes per value', () => {
		const shape = { nLayers: 80, nKvHeads: 8, dHead: 128 };
		const one = kvCacheBytes(shape, 4096);
		expect(kvCacheBytes(shape, 4096, 4)).toBe(4 * one);
		expect(kvCacheBytes(shape, 4096, 1, BYTES_PER_PARAM.int8)).toBe(one / 2);
	});
});
