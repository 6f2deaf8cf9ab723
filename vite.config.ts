import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { wasmThreads } from './scripts/vite/wasmThreads.js';

export default defineConfig({
	plugins: [sveltekit()],
	// ES-module workers keep each tfjs backend in its own chunk, fetched only when tried.
	worker: { format: 'es', plugins: () => [wasmThreads()] },
	server: { fs: { allow: ['lessons'] } }
});
