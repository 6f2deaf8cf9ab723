/**
 * Three of the hand-written step's kernels (`./linalg.ts`) for the WebGL backend, each one or two
 * fragment programs where tfjs's ops take several: the column sum (tfjs transposes, then
 * reduces), softmax cross-entropy with its gradient (tfjs's softmax alone is five programs, and
 * the loss and gradient five more), and ReLU's gradient (tfjs's step op has no packed form, so it
 * costs an unpack and a pack around it). Each keeps tensors packed where tfjs does, so no
 * conversion program runs between it and the packed product. Every program is a draw call with its own
 * bookkeeping, and at the course's sizes that overhead, not arithmetic, sets the pace. The
 * product keeps tfjs's fused program, which already adds the bias and applies ReLU in one pass.
 * Registered by the trainer when it loads the webgl backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { COLSUM_KERNEL, RELU_GRAD_KERNEL, XENT_KERNEL } from './linalg';

/** Whether tfjs keeps tensors packed (four values a texel), as it does by default. */
function packing(): boolean {
	return tf.env().getBool('WEBGL_PACK');
}

/**
 * Sum over rows of X [rows, cols], one output per column. Packed, it reads 2×2 blocks and writes
 * two sums a texel, so a packed gradient goes in and a packed one (what Adam reads) comes out.
 */
function colSumProgram(rows: number, cols: number): GPGPUProgram {
	if (!packing())
		return {
			variableNames: ['X'],
			outputShape: [cols],
			userCode: `
				void main() {
					int c = getOutputCoords();
					float s = 0.0;
					for (int r = 0; r < ${rows}; r++) s += getX(r, c);
					setOutput(s);
				}
			`
		};
	return {
		variableNames: ['X'],
		outputShape: [cols],
		packedInputs: true,
		packedOutput: true,
		userCode: `
			void main() {
				int c = getOutputCoords();
				vec2 s = vec2(0.0);
				for (int r = 0; r < ${rows}; r += 2) {
					vec4 v = getX(r, c);
					s += v.xy;
					if (r + 1 < ${rows}) s += v.zw;
				}
				setOutput(vec4(s.x, c + 1 < ${cols} ? s.y : 0.0, 0.0, 0.0));
			}
		`
	};
}

/** dOut where out > 0, else 0: packed or not as tfjs keeps tensors. */
function reluGradProgram(shape: number[]): GPGPUProgram {
	const packed = packing();
	return {
		variableNames: ['D', 'O'],
		outputShape: shape,
		packedInputs: packed,
		packedOutput: packed,
		userCode: packed
			? `void main() {
				setOutput(getDAtOutCoords() * vec4(greaterThan(getOAtOutCoords(), vec4(0.0))));
			}`
			: `void main() {
				setOutput(getOAtOutCoords() > 0.0 ? getDAtOutCoords() : 0.0);
			}`
	};
}

/** Row r's max and log Σ exp of logits Z [rows, classes], as GLSL statements. */
function logSumExp(classes: number): string {
	return `
		float mx = getZ(r, 0);
		for (int j = 1; j < ${classes}; j++) mx = max(mx, getZ(r, j));
		float s = 0.0;
		for (int j = 0; j < ${classes}; j++) s += exp(getZ(r, j) - mx);
		float lse = mx + log(s);
	`;
}

/** −Σⱼ tⱼ·log softmax(z)ⱼ for each row. */
function rowLossProgram(rows: number, classes: number): GPGPUProgram {
	return {
		variableNames: ['Z', 'T'],
		outputShape: [rows],
		userCode: `
			void main() {
				int r = getOutputCoords();
				${logSumExp(classes)}
				float loss = 0.0;
				for (int j = 0; j < ${classes}; j++) loss -= getT(r, j) * (getZ(r, j) - lse);
				setOutput(loss);
			}
		`
	};
}

/**
 * (softmax(z) − t)·invBatch, the gradient of the mean loss with respect to the logits. Reads plain
 * textures; writes packed ones when tfjs packs, since a packed product consumes it next.
 */
function gradProgram(rows: number, classes: number): GPGPUProgram {
	const one = (r: string, c: string) => `(exp(getZ(${r}, ${c}) - lse) - getT(${r}, ${c})) * getI()`;
	if (!packing())
		return {
			variableNames: ['Z', 'T', 'I'],
			outputShape: [rows, classes],
			userCode: `
				void main() {
					ivec2 rc = getOutputCoords();
					int r = rc.x;
					${logSumExp(classes)}
					setOutput(${one('r', 'rc.y')});
				}
			`
		};
	return {
		variableNames: ['Z', 'T', 'I'],
		outputShape: [rows, classes],
		packedOutput: true,
		userCode: `
			float grad(int r, int c) {
				if (r >= ${rows} || c >= ${classes}) return 0.0;
				${logSumExp(classes)}
				return ${one('r', 'c')};
			}
			void main() {
				ivec2 rc = getOutputCoords();
				setOutput(vec4(
					grad(rc.x, rc.y), grad(rc.x, rc.y + 1),
					grad(rc.x + 1, rc.y), grad(rc.x + 1, rc.y + 1)
				));
			}
		`
	};
}

/** `t` as a plain (unpacked) texture, and whether that made a temporary to dispose. */
function unpacked(gl: MathBackendWebGL, t: tf.TensorInfo): [tf.TensorInfo, boolean] {
	return gl.texData.get(t.dataId).isPacked ? [gl.unpackTensor(t), true] : [t, false];
}

registerOnce(COLSUM_KERNEL, 'webgl', ({ inputs, backend }) => {
	const gl = backend as unknown as MathBackendWebGL;
	const x = inputs.x as tf.TensorInfo;
	return gl.runWebGLProgram(colSumProgram(x.shape[0], x.shape[1]), [x], 'float32');
});

registerOnce(XENT_KERNEL, 'webgl', ({ inputs, backend }) => {
	const gl = backend as unknown as MathBackendWebGL;
	const { logits, targets, invBatch } = inputs as Record<string, tf.TensorInfo>;
	const [rows, classes] = logits.shape;
	// Unpack once here, rather than once in each program.
	const [z, zTemp] = unpacked(gl, logits);
	const [t, tTemp] = unpacked(gl, targets);
	const loss = gl.runWebGLProgram(rowLossProgram(rows, classes), [z, t], 'float32');
	const grad = gl.runWebGLProgram(gradProgram(rows, classes), [z, t, invBatch], 'float32');
	if (zTemp) gl.disposeIntermediateTensorInfo(z);
	if (tTemp) gl.disposeIntermediateTensorInfo(t);
	return [loss, grad];
});

registerOnce(RELU_GRAD_KERNEL, 'webgl', ({ inputs, backend }) => {
	const gl = backend as unknown as MathBackendWebGL;
	const { dOut, out } = inputs as Record<'dOut' | 'out', tf.TensorInfo>;
	return gl.runWebGLProgram(reluGradProgram(dOut.shape), [dOut, out], 'float32');
});
