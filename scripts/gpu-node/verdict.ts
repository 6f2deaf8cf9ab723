/**
 * What check.ts fails on: the same seeded fine-tuning through the worker's host on WebGPU and on
 * the cpu backend must agree within stated tolerances, run where they were asked to, report no
 * error or fallback, and leave no tensors behind. Pure, so a unit test can hold it to its word
 * (tests/unit/scripts/gpuVerdict.test.ts) on a machine without a GPU.
 */

/**
 * Largest difference allowed between WebGPU's and cpu's loss at any tenth step of the 200-step
 * run, absolute (the losses are about 1 to 2 nats). Measured on an H100 (README, 2026-11-27):
 * 0.0026 full, 0.0086 LoRA r = 4, from float sums in another order over 200 Adam steps. 0.02
 * leaves room for another GPU and still fails a kernel that is off by a few percent, which moves
 * the loss by more than 0.05 within a few dozen steps.
 */
export const LOSS_TOL = 0.02;
/** Held-out accuracy, in fractions: measured 0.008 (full) and 0 (LoRA) on the H100. */
export const ACCURACY_TOL = 0.02;

/** What check.ts's `hostRun` reports and this judges. */
export interface HostReport {
	ready: { backend: string } | null;
	backendRan: string;
	testAccuracy: number | null;
	losses: number[];
	tensorsAfterConfigure: number;
	tensorsAfterSteps: number;
	errors: unknown[];
}

/** Each way the WebGPU run of `method` (`gpu`, or cpu in a dry run) falls short; empty when none. */
export function hostFailures(
	method: string,
	gpu: HostReport,
	cpu: HostReport,
	expected: 'webgpu' | 'cpu'
): string[] {
	const fails: string[] = [];
	for (const [name, r, backend] of [
		['gpu', gpu, expected],
		['cpu', cpu, 'cpu']
	] as const) {
		if (r.ready?.backend !== backend || r.backendRan !== backend)
			fails.push(`${method} ${name}: ran on ${r.ready?.backend}/${r.backendRan}, not ${backend}`);
		if (r.errors.length) fails.push(`${method} ${name}: ${JSON.stringify(r.errors)}`);
		if (r.tensorsAfterSteps !== r.tensorsAfterConfigure)
			fails.push(
				`${method} ${name}: ${r.tensorsAfterSteps - r.tensorsAfterConfigure} tensors left by the steps`
			);
		if (r.losses.length === 0 || !r.losses.every(Number.isFinite))
			fails.push(`${method} ${name}: losses ${JSON.stringify(r.losses)}`);
	}
	if (gpu.losses.length !== cpu.losses.length)
		fails.push(
			`${method}: ${gpu.losses.length} losses on ${expected}, ${cpu.losses.length} on cpu`
		);
	const diff = Math.max(...gpu.losses.map((l, i) => Math.abs(l - cpu.losses[i])));
	if (!(diff <= LOSS_TOL))
		fails.push(`${method}: losses differ from cpu's by ${diff}, more than ${LOSS_TOL}`);
	const acc = Math.abs((gpu.testAccuracy ?? NaN) - (cpu.testAccuracy ?? NaN));
	if (!(acc <= ACCURACY_TOL))
		fails.push(
			`${method}: held-out accuracy differs from cpu's by ${acc}, more than ${ACCURACY_TOL}`
		);
	return fails;
}

/** A benchmark variant that could not start or leaked tensors. */
export function benchFailures(variant: string, result: unknown): string[] {
	if (typeof result === 'string') return [`bench ${variant}: ${result}`];
	const leaked = (result as { leaked?: number }).leaked;
	return leaked === 0 ? [] : [`bench ${variant}: ${leaked} tensors leaked`];
}
