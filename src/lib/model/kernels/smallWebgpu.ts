/**
 * WebGPU kernels for small matrices (see `./linalg.ts`): one invocation per output element,
 * each a plain loop, no workgroup memory and no barriers. Measured on SwiftShader for a 64×128 by
 * 128×128 product: about 11 ms against 55 ms for tfjs's tiled kernel. On a real GPU (an H100
 * through Dawn, scripts/gpu-node/README.md) the MLP fine-tune ran 1.4× faster with them and the
 * transformer 1.1×: at these sizes a step is bound by dispatches, and these are the cheapest.
 * The course's matrices are all small (at most a few hundred wide), so the trainer registers
 * them on every WebGPU adapter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { flatProgram } from './webgpuFlat';
import {
	COLSUM_KERNEL,
	MATMUL_KERNEL,
	RELU_GRAD_KERNEL,
	XENT_KERNEL,
	type MatMulAttrs
} from './linalg';

type Uniform = { type: string; data: number[] };
const int = (v: number): Uniform => ({ type: 'int32', data: [v] });

/** A flat program over `shape`: `body` runs once per output index with uniforms M, K, N. */
function flat(key: string, inputs: string[], shape: number[], body: string) {
	return flatProgram(key, inputs, shape, 'M : i32, K : i32, N : i32,', body);
}

function run(backend: unknown, program: WebGPUProgram, inputs: tf.TensorInfo[], u: number[]) {
	return (backend as WebGPUBackend).runWebGPUProgram(program, inputs, 'float32', u.map(int));
}

registerOnce(MATMUL_KERNEL, 'webgpu', ({ inputs, backend, attrs }) => {
	const { a, b, bias } = inputs as Record<'a' | 'b' | 'bias', tf.TensorInfo | undefined>;
	const { transposeA, transposeB, relu } = attrs as unknown as MatMulAttrs;
	const [M, K] = transposeA ? [a!.shape[1], a!.shape[0]] : [a!.shape[0], a!.shape[1]];
	const N = transposeB ? b!.shape[0] : b!.shape[1];
	const ai = transposeA ? 'k * uniforms.M + row' : 'row * uniforms.K + k';
	const bi = transposeB ? 'col * uniforms.K + k' : 'k * uniforms.N + col';
	const key = `mm_${+transposeA}${+transposeB}${+!!bias}${+relu}`;
	const body = `
		let row = index / uniforms.N;
		let col = index % uniforms.N;
		var acc = ${bias ? 'Bias[col]' : '0.0'};
		for (var k = 0; k < uniforms.K; k++) {
			acc += A[${ai}] * B[${bi}];
		}
		setOutputAtIndex(index, ${relu ? 'max(acc, 0.0)' : 'acc'});`;
	const names = bias ? ['A', 'B', 'Bias'] : ['A', 'B'];
	const program = flat(key, names, [M, N], body);
	return run(backend, program, bias ? [a!, b!, bias] : [a!, b!], [M, K, N]);
});

registerOnce(COLSUM_KERNEL, 'webgpu', ({ inputs, backend }) => {
	const { x } = inputs as { x: tf.TensorInfo };
	const [M, N] = x.shape;
	const body = `
		var acc = 0.0;
		for (var r = 0; r < uniforms.M; r++) {
			acc += Values[r * uniforms.N + index];
		}
		setOutputAtIndex(index, acc);`;
	return run(backend, flat('colsum', ['Values'], [N], body), [x], [M, 1, N]);
});

/** Max and log-sum-exp of row `row` of the logits, shared by both cross-entropy programs. */
const ROW_STATS = `
				var mx = Logits[row * uniforms.N];
				for (var j = 1; j < uniforms.N; j++) { mx = max(mx, Logits[row * uniforms.N + j]); }
				var s = 0.0;
				for (var j = 0; j < uniforms.N; j++) { s += exp(Logits[row * uniforms.N + j] - mx); }`;

registerOnce(XENT_KERNEL, 'webgpu', ({ inputs, backend }) => {
	const { logits, targets, invBatch } = inputs as Record<string, tf.TensorInfo>;
	const [M, N] = logits.shape;
	const loss = flat(
		'xent_loss',
		['Logits', 'Targets'],
		[M],
		`let row = index;
		${ROW_STATS}
		var dot = 0.0;
		for (var j = 0; j < uniforms.N; j++) { dot += f32(Targets[row * uniforms.N + j]) * Logits[row * uniforms.N + j]; }
		setOutputAtIndex(index, mx + log(s) - dot);`
	);
	const grad = flat(
		'xent_grad',
		['Logits', 'Targets', 'InvBatch'],
		[M, N],
		`let row = index / uniforms.N;
		${ROW_STATS}
		let p = exp(Logits[index] - mx) / s;
		setOutputAtIndex(index, (p - f32(Targets[index])) * InvBatch[0]);`
	);
	return [
		run(backend, loss, [logits, targets], [M, 1, N]),
		run(backend, grad, [logits, targets, invBatch], [M, 1, N])
	];
});

registerOnce(RELU_GRAD_KERNEL, 'webgpu', ({ inputs, backend }) => {
	const { dOut, out } = inputs as Record<'dOut' | 'out', tf.TensorInfo>;
	const [M, N] = dOut.shape;
	// Not `Out`: tfjs declares a uniform `<name>Shape` per input, and `outShape` is the output's.
	const body = `setOutputAtIndex(index, select(0.0, Grad[index], Act[index] > 0.0));`;
	return run(backend, flat('relugrad', ['Grad', 'Act'], [M, N], body), [dOut, out], [M, 1, N]);
});
