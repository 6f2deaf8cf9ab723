#!/usr/bin/env node
/**
 * A small static file server for the built course: it serves a folder (default `build/`) under
 * an optional base path, the way any plain static host would, on 127.0.0.1 only. `npm start`
 * uses it to serve the course; the browser tests use it to serve the test build under a
 * sub-path. No dependencies, so it works on a fresh machine right after `npm ci`.
 *
 *   node scripts/serve.js [--dir build] [--base /why-peft] [--port 4173] [--isolate]
 *
 * `--isolate` serves the pages cross-origin isolated, so that tfjs may use its threaded
 * WebAssembly build (see `serve`).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.woff2': 'font/woff2',
	'.woff': 'font/woff',
	'.ttf': 'font/ttf',
	'.wasm': 'application/wasm',
	'.bin': 'application/octet-stream',
	'.txt': 'text/plain; charset=utf-8'
};

/**
 * Start serving `dir` under `base` on 127.0.0.1:`port` (0 picks a free port).
 * With `isolate`, every response carries the headers that make a page cross-origin isolated
 * (COOP same-origin, COEP require-corp), which SharedArrayBuffer and so WebAssembly threads need.
 * @param {{ dir?: string; base?: string; port?: number; isolate?: boolean }} [options]
 * @returns {Promise<{ url: string; close: () => Promise<void> }>} the root URL (with base and a trailing slash)
 */
export function serve({ dir = 'build', base = '', port = 4173, isolate = false } = {}) {
	const root = resolve(dir);
	const prefix = base.replace(/\/+$/, '');
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		let path = decodeURIComponent(url.pathname);
		if (prefix && path === prefix) {
			res.writeHead(301, { location: `${prefix}/${url.search}` }).end();
			return;
		}
		if (prefix && !path.startsWith(`${prefix}/`)) {
			res.writeHead(404, { 'content-type': TYPES['.txt'] }).end('Not found');
			return;
		}
		path = path.slice(prefix.length);
		let file = normalize(join(root, path));
		if (file !== root && !file.startsWith(root + sep)) {
			res.writeHead(403).end();
			return;
		}
		let stat = statSync(file, { throwIfNoEntry: false });
		if (stat?.isDirectory()) {
			if (!url.pathname.endsWith('/')) {
				res.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
				return;
			}
			file = join(file, 'index.html');
			stat = statSync(file, { throwIfNoEntry: false });
		}
		if (!stat?.isFile()) {
			res.writeHead(404, { 'content-type': TYPES['.txt'] }).end('Not found');
			return;
		}
		const type =
			TYPES[/** @type {keyof typeof TYPES} */ (extname(file))] ?? 'application/octet-stream';
		const immutable = path.includes('/_app/immutable/');
		res.writeHead(200, {
			'content-type': type,
			'content-length': stat.size,
			'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
			...(isolate
				? {
						'cross-origin-opener-policy': 'same-origin',
						'cross-origin-embedder-policy': 'require-corp'
					}
				: {})
		});
		if (req.method === 'HEAD') res.end();
		else createReadStream(file).pipe(res);
	});
	return new Promise((ok, fail) => {
		server.once('error', fail);
		server.listen(port, '127.0.0.1', () => {
			const address = server.address();
			const actual = typeof address === 'object' && address ? address.port : port;
			ok({
				url: `http://127.0.0.1:${actual}${prefix}/`,
				close: () => new Promise((done) => server.close(() => done()))
			});
		});
	});
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const args = process.argv.slice(2);
	/** @type {(name: string, fallback: string) => string} */
	const opt = (name, fallback) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
	};
	const { url } = await serve({
		dir: opt('dir', 'build'),
		base: opt('base', process.env.BASE_PATH ?? ''),
		port: Number(opt('port', process.env.PORT ?? '4173')),
		isolate: args.includes('--isolate')
	});
	console.log(`Why PEFT is being served at ${url}  (Ctrl+C to stop)`);
}
