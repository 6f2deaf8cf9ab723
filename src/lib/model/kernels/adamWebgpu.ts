/**
 * The fused Adam kernel (see `adamKernel.ts`) for the WebGPU backend: three small compute
 * programs (m′, v′, θ′). tfjs's WebGPU programs have one output, so θ′'s program recomputes m′
 * and v′ from g, m, v; that arithmetic is far cheaper than eleven passes over memory.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { flatProgram } from './webgpuFlat';
import { ADAM_KERNEL, type AdamKernelAttrs } from './adamKernel';

type Output = 'x' | 'm' | 'v';

const M_NEW = 'uniforms.beta1 * getMByOutputIndex(index) + (1.0 - uniforms.beta1) * g';
const V_NEW = 'uniforms.beta2 * getVByOutputIndex(index) + (1.0 - uniforms.beta2) * g * g';

/**
 * Each program binds only the inputs it reads: WebGPU drops unused bindings from the pipeline's
 * layout, and binding them anyway is a validation error.
 */
const PROGRAMS: Record<Output, { inputs: string[]; body: string }> = {
	m: { inputs: ['G', 'M'], body: `setOutputAtIndex(index, ${M_NEW});` },
	v: { inputs: ['G', 'V'], body: `setOutputAtIndex(index, ${V_NEW});` },
	x: {
		inputs: ['X', 'G', 'M', 'V'],
		body: `let mNew = ${M_NEW};
					let vNew = ${V_NEW};
					setOutputAtIndex(index, getXByOutputIndex(index) - uniforms.stepSize * mNew / (sqrt(vNew) + uniforms.eps));`
	}
};

function program(shape: number[], which: Output) {
	const { inputs, body } = PROGRAMS[which];
	return flatProgram(
		`adam_${which}`,
		inputs,
		shape,
		'beta1 : f32, beta2 : f32, stepSize : f32, eps : f32,',
		`let g = getGByOutputIndex(index);
					${body}`
	);
}

registerOnce(ADAM_KERNEL, 'webgpu', ({ inputs, backend, attrs }) => {
	const gpu = backend as unknown as WebGPUBackend;
	const { x, g, m, v } = inputs as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
	const { beta1, beta2, stepSize, eps } = attrs as unknown as AdamKernelAttrs;
	const uniforms = [beta1, beta2, stepSize, eps].map((d) => ({
		type: 'float32',
		data: [d]
	}));
	const byName: Record<string, tf.TensorInfo> = { X: x, G: g, M: m, V: v };
	return (['x', 'm', 'v'] as const).map((which) =>
		gpu.runWebGPUProgram(
			program(x.shape, which),
			PROGRAMS[which].inputs.map((n) => byName[n]),
			'float32',
			uniforms
		)
	);
});
