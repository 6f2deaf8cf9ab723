/**
 * Registering a kernel of our own with tfjs, once: modules that register kernels may be imported
 * again (a backend reloaded, a test importing them), and tfjs warns on a second registration.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Register `kernelFunc` as `kernelName` on `backendName`, unless something already is. */
export function registerOnce(
	kernelName: string,
	backendName: string,
	kernelFunc: tf.KernelFunc
): void {
	if (!tf.getKernel(kernelName, backendName))
		tf.registerKernel({ kernelName, backendName, kernelFunc });
}

/** Whether the active backend has `kernelName` registered (ours, or tfjs's own). */
export function hasKernel(kernelName: string): boolean {
	return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}
