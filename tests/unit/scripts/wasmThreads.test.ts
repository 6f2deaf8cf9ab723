/**
 * The Vite plugin that lets tfjs's threaded WebAssembly build start its threads from a bundle
 * (scripts/vite/wasmThreads.js), on the installed tfjs: it swaps the factory's `toString()` for
 * the package's own Emscripten script as a string, leaves other files alone, and fails the build
 * loudly if tfjs changes the code it patches. And how many threads the trainer asks tfjs for.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wasmThreads } from '../../../scripts/vite/wasmThreads.js';
import { threadsNote, wasmThreadsFor, withAllCoresVisible } from '$lib/trainer/worker/backends';

const pkg = dirname(
	createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')
);
const backendFile = join(pkg, 'dist', 'backend_wasm.js');

function transform(code: string, id: string) {
	const plugin = wasmThreads() as unknown as {
		transform(code: string, id: string): { code: string } | null;
	};
	return plugin.transform(code, id);
}

describe('wasmThreads', () => {
	it('gives the thread the untouched Emscripten script instead of a bundled function’s source', () => {
		const code = readFileSync(backendFile, 'utf8');
		expect(code).toContain('wasmFactoryThreadedSimd.toString()');
		const out = transform(code, backendFile)!.code;
		expect(out).not.toContain('wasmFactoryThreadedSimd.toString()');
		const script = readFileSync(
			join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'),
			'utf8'
		);
		expect(out).toContain(JSON.stringify(script));
		// The script defines the name the thread's bootstrap calls, closure and all.
		expect(script).toMatch(/^\s*var WasmBackendModuleThreadedSimd = \(\(\) => \{\s*var _scriptDir/);
	});

	it('leaves every other module alone and fails loudly if tfjs changes', () => {
		expect(transform('export const x = 1;', '/x/src/lib/a.ts')).toBeNull();
		expect(() => transform('export const x = 1;', backendFile)).toThrow(/changed/);
	});
});

describe('wasmThreadsFor', () => {
	it('asks for every logical core, at most four, at least one', () => {
		expect(wasmThreadsFor(2)).toBe(2);
		expect(wasmThreadsFor(16)).toBe(4);
		expect(wasmThreadsFor(1)).toBe(1);
		expect(wasmThreadsFor(undefined)).toBe(1);
		expect(wasmThreadsFor(0)).toBe(1);
		expect(wasmThreadsFor(NaN)).toBe(1);
	});
});

describe('withAllCoresVisible', () => {
	// tfjs's threaded build reads navigator.hardwareConcurrency once, as it starts, and caps its
	// pool at half of it: a page must show it twice the cores for that start, and only then.
	const g = globalThis as { navigator?: unknown; crossOriginIsolated?: boolean };
	const saved = {
		navigator: Object.getOwnPropertyDescriptor(g, 'navigator'),
		isolated: Object.getOwnPropertyDescriptor(g, 'crossOriginIsolated')
	};
	function fake(isolated: boolean) {
		class Nav {
			get hardwareConcurrency() {
				return 2;
			}
		}
		Object.defineProperty(g, 'navigator', { value: new Nav(), configurable: true });
		Object.defineProperty(g, 'crossOriginIsolated', { value: isolated, configurable: true });
		return g.navigator as { hardwareConcurrency: number };
	}
	function restore() {
		for (const [key, d] of [
			['navigator', saved.navigator],
			['crossOriginIsolated', saved.isolated]
		] as const) {
			if (d) Object.defineProperty(g, key, d);
			else delete (g as Record<string, unknown>)[key];
		}
	}

	it('doubles the cores while the backend starts on an isolated page, then puts them back', async () => {
		try {
			const nav = fake(true);
			const seen = await withAllCoresVisible(async () => nav.hardwareConcurrency);
			expect(seen).toBe(4);
			expect(nav.hardwareConcurrency).toBe(2);
			expect(Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency')).toBeUndefined();
			await expect(
				withAllCoresVisible(async () => {
					throw new Error('start failed');
				})
			).rejects.toThrow('start failed');
			expect(nav.hardwareConcurrency).toBe(2);
		} finally {
			restore();
		}
	});

	it('changes nothing where the page is not isolated (no threaded build)', async () => {
		try {
			const nav = fake(false);
			expect(await withAllCoresVisible(async () => nav.hardwareConcurrency)).toBe(2);
		} finally {
			restore();
		}
	});

	it('tells the reader how many threads run', () => {
		expect(threadsNote(2, 2)).toBe(
			"It runs 2 WebAssembly threads (this page is cross-origin isolated); the course's own kernels share their work over 2."
		);
		expect(threadsNote(2)).toBe(
			'It runs 2 WebAssembly threads (this page is cross-origin isolated).'
		);
	});
});
