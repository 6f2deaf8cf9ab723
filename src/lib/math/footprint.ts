/**
 * How many bytes a language model occupies: its weights at a given precision, the key/value
 * cache that inference keeps per token, and the model state that full fine-tuning with
 * mixed-precision Adam keeps per parameter (ZeRO, Rajbhandari et al. 2019, arXiv 1910.02054).
 * Pure arithmetic in bytes; divide by `GB` (10⁹ bytes, as in the ZeRO paper) to display.
 * Activations are not counted anywhere here: they depend on batch, sequence and recomputation.
 */

/** One gigabyte, 10⁹ bytes (decimal, as vendors and the ZeRO paper use it). */
export const GB = 1e9;

/** One terabyte, 10¹² bytes. */
export const TB = 1e12;

/** Number formats a parameter or cached value can be stored in. */
export type Precision = 'fp32' | 'fp16' | 'bf16' | 'int8' | 'int4';

/** Bytes per stored value for each precision (4-bit packs two values per byte). */
export const BYTES_PER_PARAM: Readonly<Record<Precision, number>> = {
	fp32: 4,
	fp16: 2,
	bf16: 2,
	int8: 1,
	int4: 0.5
};

/**
 * Bytes of model state per trained parameter under mixed-precision Adam, as itemised by ZeRO:
 * 16-bit weights and gradients (2 + 2) plus fp32 master weights, momentum and variance
 * (K = 4 + 4 + 4 = 12). Sums to 16 bytes per parameter.
 */
export const ADAM_MIXED_PRECISION: Readonly<{
	weights16: number;
	gradients16: number;
	masterWeights32: number;
	momentum32: number;
	variance32: number;
}> = {
	weights16: 2,
	gradients16: 2,
	masterWeights32: 4,
	momentum32: 4,
	variance32: 4
};

/** 16 bytes per parameter: the sum of `ADAM_MIXED_PRECISION` (2Ψ + 2Ψ + 12Ψ in ZeRO's notation). */
export const ADAM_BYTES_PER_PARAM = Object.values(ADAM_MIXED_PRECISION).reduce((a, b) => a + b, 0);

/**
 * Bytes needed to store the weights.
 * @param params number of parameters Ψ
 * @param bytesPerParam bytes per weight (default 2, 16-bit); see `BYTES_PER_PARAM`
 * @returns bytes
 */
export function weightBytes(params: number, bytesPerParam: number = BYTES_PER_PARAM.bf16): number {
	return params * bytesPerParam;
}

/** The attention shape that sets the size of the KV cache. */
export interface KvShape {
	/** Transformer layers (blocks). */
	nLayers: number;
	/** Key/value heads: equal to the query heads for multi-head attention, fewer under GQA, 1 under MQA. */
	nKvHeads: number;
	/** Width of one head (key/value size). */
	dHead: number;
}

/**
 * Bytes of the key/value cache: 2 (a key and a value) · layers · KV heads · head width · tokens ·
 * sequences · bytes per value.
 * @param shape attention shape of the model
 * @param context tokens cached per sequence
 * @param batch sequences held at once (default 1)
 * @param bytesPerValue bytes per cached number (default 2, 16-bit)
 * @returns bytes
 */
export function kvCacheBytes(
	shape: KvShape,
	context: number,
	batch = 1,
	bytesPerValue: number = BYTES_PER_PARAM.bf16
): number {
	return 2 * shape.nLayers * shape.nKvHeads * shape.dHead * context * batch * bytesPerValue;
}

/**
 * Bytes of model state for full fine-tuning with mixed-precision Adam: 16 bytes per parameter
 * (weights, gradients, fp32 master copy, momentum, variance). Activations are not included.
 * @param params number of trained parameters Ψ
 * @returns bytes
 */
export function fullFineTuneBytes(params: number): number {
	return params * ADAM_BYTES_PER_PARAM;
}
