/**
 * The fused Adam kernel (see `adamKernel.ts`) for the WebGL backend: three small fragment
 * programs (θ′, m′, v′), each reading θ, g, m, v once. WebGL programs have one output, so m′ and
 * v′ are recomputed where θ′ needs them; that arithmetic is far cheaper than eleven passes. The
 * programs read and write packed textures (four values a texel) when tfjs packs, as it does by
 * default, and plain ones when packing is off, so no conversion pass is ever added.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { ADAM_KERNEL, type AdamKernelAttrs } from './adamKernel';

type Output = 'x' | 'm' | 'v';

const RESULT: Record<Output, string> = {
	m: 'setOutput(mNew);',
	v: 'setOutput(vNew);',
	x: 'setOutput(getXAtOutCoords() - stepSize * mNew / (sqrt(vNew) + eps));'
};

function program(shape: number[], which: Output): GPGPUProgram {
	const packed = tf.env().getBool('WEBGL_PACK');
	const type = packed ? 'vec4' : 'float';
	return {
		variableNames: ['X', 'G', 'M', 'V'],
		outputShape: shape,
		packedInputs: packed,
		packedOutput: packed,
		customUniforms: [
			{ name: 'beta1', type: 'float' },
			{ name: 'beta2', type: 'float' },
			{ name: 'stepSize', type: 'float' },
			{ name: 'eps', type: 'float' }
		],
		userCode: `
			void main() {
				${type} g = getGAtOutCoords();
				${type} mNew = beta1 * getMAtOutCoords() + (1.0 - beta1) * g;
				${type} vNew = beta2 * getVAtOutCoords() + (1.0 - beta2) * g * g;
				${RESULT[which]}
			}
		`
	};
}

registerOnce(ADAM_KERNEL, 'webgl', ({ inputs, backend, attrs }) => {
	const gl = backend as unknown as MathBackendWebGL;
	const { x, g, m, v } = inputs as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
	const { beta1, beta2, stepSize, eps } = attrs as unknown as AdamKernelAttrs;
	const uniforms = [[beta1], [beta2], [stepSize], [eps]];
	return (['x', 'm', 'v'] as const).map((which) =>
		gl.runWebGLProgram(program(x.shape, which), [x, g, m, v], 'float32', uniforms)
	);
});
