import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
	plugins: [sveltekit()],
	// ES-module workers keep each tfjs backend in its own chunk, fetched only when tried.
	worker: { format: 'es' },
	server: { fs: { allow: ['lessons'] } }
});
