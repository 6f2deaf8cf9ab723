/**
 * A Vite plugin that lets tfjs's threaded WebAssembly build start its threads from a bundle.
 *
 * tfjs-backend-wasm starts each pthread worker from a Blob holding
 * `var WasmBackendModuleThreadedSimd = ` + the factory function's own source (`toString()`).
 * After bundling, that function refers to variables of its bundled closure (Emscripten's
 * `_scriptDir`, renamed by the minifier), which do not exist in the worker: every thread dies at
 * start with "… is not defined" (tensorflow/tfjs#4107, #4539), and the backend never finishes
 * initialising. This plugin replaces that expression with the untouched Emscripten script from
 * the package, as a string literal, which minifiers leave alone. The threaded build is only
 * chosen where the page is cross-origin isolated (SharedArrayBuffer); elsewhere nothing changes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const TARGET = /tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/;
const EXPRESSION =
	/`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)/;

/** @returns {import('vite').Plugin} */
export function wasmThreads() {
	let source = '';
	return {
		name: 'why-peft:wasm-threads',
		enforce: 'pre',
		transform(code, id) {
			if (!TARGET.test(id.split('?')[0])) return null;
			if (!EXPRESSION.test(code))
				throw new Error(
					'tfjs-backend-wasm changed: the threaded factory expression this plugin replaces is gone'
				);
			if (!source) {
				const require = createRequire(import.meta.url);
				const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
				source = readFileSync(join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'), 'utf8');
			}
			return { code: code.replace(EXPRESSION, JSON.stringify(source)), map: null };
		}
	};
}
