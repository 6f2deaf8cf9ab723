/**
 * The control block a SIMD helper thread and its caller share (`simdThreads.ts`,
 * `simdThread.worker.ts`): int32 slots, then float64 arguments from byte ARGS_AT. Kept apart so
 * that the helper's bundle carries nothing else.
 */
export const SLOT = { job: 0, done: 1, fn: 2, nargs: 3, failed: 4 } as const;
export const ARGS_AT = 64;
export const MAX_ARGS = 24;
export const BLOCK_BYTES = ARGS_AT + 8 * MAX_ARGS;

/** What a helper is sent to start. */
export interface HelperInit {
	module: WebAssembly.Module;
	memory: WebAssembly.Memory;
	control: SharedArrayBuffer;
	names: readonly string[];
}
