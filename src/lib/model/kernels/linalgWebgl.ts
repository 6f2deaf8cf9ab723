/**
 * Two of the hand-written step's kernels (`./linalg.ts`) for the WebGL backend, each one fragment
 * program where tfjs's ops take several: the column sum (tfjs transposes, then reduces, packing
 * and unpacking around both) and softmax cross-entropy with its gradient (tfjs's softmax alone is
 * five programs, and the loss and gradient five more). Every program is a draw call with its own
 * bookkeeping, and at the course's sizes that overhead, not arithmetic, sets the pace. The
 * product keeps tfjs's fused program, which already adds the bias and applies ReLU in one pass.
 * Registered by the trainer when it loads the webgl backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { COLSUM_KERNEL, XENT_KERNEL } from './linalg';

/** Sum over rows of X [rows, cols], one output per column. */
function colSumProgram(rows: number, cols: number): GPGPUProgram {
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

/** (softmax(z) − t)·invBatch, the gradient of the mean loss with respect to the logits. */
function gradProgram(rows: number, classes: number): GPGPUProgram {
	return {
		variableNames: ['Z', 'T', 'I'],
		outputShape: [rows, classes],
		userCode: `
			void main() {
				ivec2 rc = getOutputCoords();
				int r = rc.x;
				${logSumExp(classes)}
				setOutput((exp(getZ(r, rc.y) - lse) - getT(r, rc.y)) * getI());
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
