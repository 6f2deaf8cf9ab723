/**
 * An element-wise WebGPU program for tfjs: one invocation per output index, `body` run with
 * `index` in range, inputs bound by name. Shared by our fused Adam and small-matrix kernels.
 */
import { webgpu_util, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/**
 * @param key cache key of the compiled pipeline (with shapes and dtypes added by tfjs)
 * @param inputs the storage buffers the body reads, by name; bind only what it reads (WebGPU
 *   drops unused bindings from the layout, and binding them anyway is an error)
 * @param uniforms WGSL uniform fields (`'a : f32, b : i32,'`), filled in order when run
 */
export function flatProgram(
	key: string,
	inputs: string[],
	shape: number[],
	uniforms: string,
	body: string
): WebGPUProgram {
	const workgroupSize: [number, number, number] = [64, 1, 1];
	const dispatchLayout = webgpu_util.flatDispatchLayout(shape);
	return {
		variableNames: inputs,
		outputShape: shape,
		shaderKey: `whyPeft_${key}`,
		size: true,
		uniforms,
		workgroupSize,
		dispatchLayout,
		dispatch: webgpu_util.computeDispatch(dispatchLayout, shape, workgroupSize),
		getUserCode: () => `
			fn main(index : i32) {
				if (index < uniforms.size) {
					${body}
				}
			}`
	};
}
