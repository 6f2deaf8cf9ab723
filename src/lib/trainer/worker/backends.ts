/**
 * Choosing where tfjs runs. Backends load lazily (each is its own chunk, fetched only when tried).
 * With a real GPU, WebGPU is chosen at once: it gains as models grow (on an H100 through Dawn the
 * character transformer ran 1.4× faster than on WebAssembly, though the small MLP ran 2–3× slower;
 * scripts/gpu-node/README.md). A software adapter (SwiftShader, or one
 * the browser marks as a fallback) is slower than WebAssembly on the CPU, so then a short
 * warm-up — one hidden layer's worth of work, timed on each candidate — picks the fastest.
 * The reader can override the choice (`?backend=` in the URL), and a backend that fails moves
 * the run to the next one.
 */
import * as tf from '@tensorflow/tfjs-core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
	BACKENDS,
	type BackendChoice,
	type BackendName,
	type GpuProbe,
	type RememberedChoice
} from '../protocol';

const LABELS: Record<BackendName, string> = {
	webgpu: 'WebGPU',
	webgl: 'WebGL',
	wasm: 'WebAssembly',
	cpu: 'plain JavaScript'
};

/** A backend's name as the reader reads it ("WebGPU", "plain JavaScript"). */
export function backendLabel(name: BackendName): string {
	return LABELS[name] ?? name;
}

interface AdapterLike {
	isFallbackAdapter?: boolean;
	info?: { vendor?: string; architecture?: string; description?: string };
}

/** Names of software renderers and adapters. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|warp/i;

/** Ask for a WebGPU adapter and say whether it is a real GPU. Never throws. */
export async function probeWebGPU(): Promise<GpuProbe> {
	const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } })
		?.gpu;
	if (!gpu) return { available: false, software: false, description: 'no WebGPU in this browser' };
	try {
		const adapter = await gpu.requestAdapter();
		if (!adapter) return { available: false, software: false, description: 'no WebGPU adapter' };
		const info = adapter.info ?? {};
		const description = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown GPU';
		const text = `${info.vendor} ${info.architecture} ${info.description}`.toLowerCase();
		const software = adapter.isFallbackAdapter === true || SOFTWARE.test(text);
		return { available: true, software, description };
	} catch (e) {
		return {
			available: false,
			software: false,
			description: `WebGPU failed: ${(e as Error).message}`
		};
	}
}

const registered = new Set<BackendName>();

/** Import a backend's package (which registers it with tfjs) and our fused kernels for it. */
async function register(name: BackendName): Promise<void> {
	if (registered.has(name)) return;
	switch (name) {
		case 'webgpu':
			await import('@tensorflow/tfjs-backend-webgpu');
			await import('$lib/model/kernels/adamWebgpu');
			// Plain small-matrix kernels beat tfjs's tiled ones at the course's sizes: 5× on
			// SwiftShader, 1.4× on an H100 through Dawn (scripts/gpu-node/README.md).
			await import('$lib/model/kernels/smallWebgpu');
			await import('$lib/model/kernels/transformerWebgpu');
			break;
		case 'webgl':
			await import('@tensorflow/tfjs-backend-webgl');
			await import('$lib/model/kernels/adamWebgl');
			await import('$lib/model/kernels/linalgWebgl');
			await import('$lib/model/kernels/transformerWebgl');
			break;
		case 'wasm': {
			const wasm = await import('@tensorflow/tfjs-backend-wasm');
			wasm.setWasmPaths({
				'tfjs-backend-wasm.wasm': wasmPlain,
				'tfjs-backend-wasm-simd.wasm': wasmSimd,
				'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded
			});
			// Used only by the threaded build (a cross-origin isolated page); left at its default
			// tfjs runs one thread there.
			wasm.setThreadsCount(wasmThreadsFor(globalThis.navigator?.hardwareConcurrency));
			await import('$lib/model/kernels/adamWasm');
			await import('$lib/model/kernels/linalgHost');
			await import('$lib/model/kernels/transformerHost');
			await (await import('$lib/model/kernels/simdKernels')).loadSimdKernels();
			break;
		}
		case 'cpu':
			await import('@tensorflow/tfjs-backend-cpu');
			await import('$lib/model/kernels/linalgCpu');
			await import('$lib/model/kernels/transformerHost');
			await (await import('$lib/model/kernels/simdKernels')).loadSimdKernels();
			break;
	}
	registered.add(name);
}

/** Make `name` the active backend. Resolves false (never throws) when it cannot start. */
export async function activate(name: BackendName): Promise<boolean> {
	try {
		await register(name);
		const ok =
			name === 'wasm'
				? await withAllCoresVisible(() => tf.setBackend(name))
				: await tf.setBackend(name);
		if (!ok) return false;
		await tf.ready();
		if (name === 'wasm') {
			// Our SIMD kernels then work on tfjs's tensors in place instead of copying them.
			const { bindSimdToWasmBackend } = await import('$lib/model/kernels/hostKernels');
			await bindSimdToWasmBackend(tf.backend(), wasmThreads());
		}
		return tf.getBackend() === name;
	} catch {
		return false;
	}
}

/**
 * Milliseconds per unit of `probe` work on the active backend (after a warm-up). `beat` is the
 * best time so far: a probe may stop early once it cannot beat it.
 */
export type StepProbe = (beat?: number) => Promise<number>;

/** How a backend was chosen, for the badge and for tests. */
export interface BackendDecision {
	backend: BackendName;
	/** A sentence the reader sees ("WebGPU on a real GPU", "fastest in a warm-up (0.21 ms per layer)"). */
	reason: string;
	gpu: GpuProbe;
	/** Milliseconds per warm-up step of each backend measured, when a warm-up ran. */
	timings: Partial<Record<BackendName, number>>;
	/**
	 * Backends still to measure: set when the run starts at once on WebAssembly and the warm-up
	 * happens elsewhere (a probe worker), to be settled by `settleWarmup`.
	 */
	pending?: BackendName[];
}

/**
 * Activate each candidate in turn and time it with `probe`, telling the probe the best time so
 * far. A backend that cannot start or fails its probe is left out. Leaves the last one active.
 */
export async function warmUp(
	candidates: readonly BackendName[],
	probe: StepProbe
): Promise<Partial<Record<BackendName, number>>> {
	const timings: Partial<Record<BackendName, number>> = {};
	for (const name of candidates) {
		if (!(await activate(name))) continue;
		try {
			timings[name] = await probe(Math.min(Infinity, ...Object.values(timings)));
		} catch {
			/* not a candidate */
		}
	}
	return timings;
}

/**
 * What the probe found, as the badge's opening sentence: a software adapter, or no WebGPU at all
 * (so a reader without it learns why the course runs elsewhere).
 */
function gpuNote(gpu: GpuProbe): string {
	if (gpu.available) return `The WebGPU adapter is software (${gpu.description}). `;
	const d = gpu.description.replace(/\.$/, '');
	return `${d.charAt(0).toUpperCase()}${d.slice(1)}. `;
}

/** The reason shown for a backend that won a warm-up. */
export function warmupReason(name: BackendName, ms: number, gpu: GpuProbe): string {
	return `${gpuNote(gpu)}${LABELS[name]} was fastest in a warm-up (${ms.toFixed(2)} ms per layer).`;
}

/** The fastest backend of a warm-up and how long it took, or undefined when none was measured. */
export function fastest(
	timings: Partial<Record<BackendName, number>>
): [BackendName, number] | undefined {
	return (Object.entries(timings) as [BackendName, number][]).sort((a, b) => a[1] - b[1])[0];
}

/**
 * Pick and activate a backend. `choice` forces one (falling back down `BACKENDS` if it cannot
 * start); `auto` takes WebGPU on a real GPU, else reuses `remembered` when it was made on the
 * same adapter, else measures the candidates with `probe` — or, with `quickStart`, starts on
 * WebAssembly at once and leaves the candidates in `pending` for a warm-up elsewhere.
 */
export async function chooseBackend(
	choice: BackendChoice,
	probe: StepProbe,
	remembered?: RememberedChoice,
	quickStart = false
): Promise<BackendDecision> {
	const decision = await decide(choice, probe, remembered, quickStart);
	const threads = decision.backend === 'wasm' ? wasmThreads() : 1;
	return threads > 1
		? { ...decision, reason: `${decision.reason} ${threadsNote(threads, await simdThreads())}` }
		: decision;
}

/**
 * What the reader is told when tfjs's WebAssembly backend runs on several threads, and `ours` of
 * them also carry the course's own SIMD kernels (the products, attention, GELU).
 */
export function threadsNote(threads: number, ours = 1): string {
	const base = `It runs ${threads} WebAssembly threads (this page is cross-origin isolated)`;
	return ours > 1 ? `${base}; the course's own kernels share their work over ${ours}.` : `${base}.`;
}

/** Threads the course's SIMD kernels share a call over on the active WebAssembly backend. */
async function simdThreads(): Promise<number> {
	if (tf.getBackend() !== 'wasm') return 1;
	const { wasmMemory } = await import('$lib/model/kernels/hostKernels');
	const { simdKernelsOn } = await import('$lib/model/kernels/simdKernels');
	return simdKernelsOn(wasmMemory(tf.backend()))?.threads() ?? 1;
}

/**
 * Threads of the active WebAssembly backend: more than 1 only on tfjs's threaded build (a
 * cross-origin isolated page); 1 when another backend is active or the count is unknown.
 */
export function wasmThreads(): number {
	const b = tf.getBackend() === 'wasm' ? tf.backend() : undefined;
	const tfjs = (b as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } })?.wasm
		?.tfjs;
	const n = tfjs?.getThreadsCount?.();
	return typeof n === 'number' && n >= 1 ? n : 1;
}

async function decide(
	choice: BackendChoice,
	probe: StepProbe,
	remembered: RememberedChoice | undefined,
	quickStart: boolean
): Promise<BackendDecision> {
	const gpu = await probeWebGPU();
	const timings: Partial<Record<BackendName, number>> = {};
	if (choice !== 'auto') {
		for (const name of [choice, ...BACKENDS.filter((b) => b !== choice)]) {
			if (await activate(name)) {
				// Without WebGPU, say why it could not start ("no WebGPU in this browser").
				const why = choice === 'webgpu' && !gpu.available ? ` (${gpu.description})` : '';
				const reason =
					name === choice
						? 'Chosen by you.'
						: `${LABELS[choice]} could not start here${why}; using ${LABELS[name]} instead.`;
				return { backend: name, reason, gpu, timings };
			}
		}
		throw new Error('no tfjs backend could start in this browser');
	}
	if (gpu.available && !gpu.software && (await activate('webgpu'))) {
		return {
			backend: 'webgpu',
			reason: `WebGPU on a real GPU (${gpu.description}).`,
			gpu,
			timings
		};
	}
	if (remembered && remembered.gpu === gpu.description && (await activate(remembered.backend))) {
		const reason = `${LABELS[remembered.backend]}, the fastest in an earlier warm-up on this device.`;
		return { backend: remembered.backend, reason, gpu, timings };
	}
	const candidates: BackendName[] = gpu.available ? ['wasm', 'webgl', 'webgpu'] : ['wasm', 'webgl'];
	if (quickStart && (await activate('wasm'))) {
		return {
			backend: 'wasm',
			reason:
				'WebAssembly, to start at once; a warm-up is measuring the other backends in the background.',
			gpu,
			timings,
			pending: candidates
		};
	}
	Object.assign(timings, await warmUp(candidates, probe));
	const ranked = (Object.entries(timings) as [BackendName, number][]).sort((a, b) => a[1] - b[1]);
	for (const [name, ms] of ranked) {
		if (await activate(name)) {
			return { backend: name, reason: warmupReason(name, ms, gpu), gpu, timings };
		}
	}
	if (await activate('cpu')) {
		return {
			backend: 'cpu',
			reason: 'Plain JavaScript: the only backend that started.',
			gpu,
			timings
		};
	}
	throw new Error('no tfjs backend could start in this browser');
}

/** The backends to fall back to after `failed`, fastest measured first, then the default order. */
export function fallbackOrder(
	failed: BackendName,
	timings: Partial<Record<BackendName, number>>
): BackendName[] {
	const measured = (Object.entries(timings) as [BackendName, number][])
		.sort((a, b) => a[1] - b[1])
		.map(([n]) => n);
	return [...new Set([...measured, ...BACKENDS])].filter((b) => b !== failed);
}

/**
 * Run `start` (tfjs's WebAssembly backend starting) while `navigator.hardwareConcurrency` reads
 * twice its value. tfjs's threaded build caps its thread pool at half the logical cores (it
 * assumes two hardware threads a core), so on a two-core laptop it runs one thread whatever
 * `setThreadsCount` asks; the count is read once, as the module starts, and restored after.
 * Only matters where the page is cross-origin isolated (the threaded build); harmless elsewhere.
 */
export async function withAllCoresVisible<T>(start: () => Promise<T>): Promise<T> {
	const nav = globalThis.navigator as { hardwareConcurrency?: number } | undefined;
	const cores = nav?.hardwareConcurrency;
	if (!nav || !globalThis.crossOriginIsolated || !Number.isFinite(cores)) return start();
	// Browsers define it as a getter on the prototype; keep any own property to put it back.
	const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
	Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * cores!, configurable: true });
	try {
		return await start();
	} finally {
		if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
		else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
	}
}

/**
 * Threads for tfjs's threaded WebAssembly build: every logical core the browser reports, at most
 * four (the step's products are small), at least one.
 */
export function wasmThreadsFor(cores: number | undefined): number {
	return Number.isFinite(cores) && cores! >= 1 ? Math.min(4, Math.floor(cores!)) : 1;
}
