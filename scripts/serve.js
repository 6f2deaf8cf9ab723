#!/usr/bin/env node
/**
 * A small static file server for the built course: it serves a folder (default `build/`) under
 * an optional base path, the way any plain static host would, on 127.0.0.1 only unless told
 * otherwise. `npm start` uses it to serve the course; the browser tests use it to serve the test
 * build under a sub-path. No dependencies, so it works on a fresh machine right after `npm ci`.
 *
 *   node scripts/serve.js [--dir build] [--base /why-peft] [--port 4173] [--isolate] [--host [address]]
 *
 * `--isolate` serves the pages cross-origin isolated, so that tfjs may use its threaded
 * WebAssembly build (see `serve`). `--host` (or HOST=0.0.0.0) listens on every network
 * interface, so other machines on the network (a classroom's laptops) can open the course; it
 * prints the addresses they should use. `--host 192.168.1.20` listens on that one address.
 *
 * It is meant to stay up whatever a reader's browser, or anyone else, sends it: a request it
 * cannot read (a malformed percent-escape, a NUL byte, an over-long address, a method other than
 * GET or HEAD) gets a 4xx answer, a path that climbs out of the folder (`..`, also encoded as
 * `%2e%2e`) gets 403, and an unknown path gets the site's own 404 page (`404.html`) with status
 * 404. Every answer says `nosniff` and a referrer policy; pages also forbid being framed by other
 * sites (the one thing a page's own `<meta>` policy cannot say), except a figure's embed page
 * (`/embed/…`), which is made to be framed anywhere.
 */
import { createReadStream, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.xml': 'application/xml; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.woff2': 'font/woff2',
	'.woff': 'font/woff',
	'.ttf': 'font/ttf',
	'.wasm': 'application/wasm',
	'.webmanifest': 'application/manifest+json',
	'.bin': 'application/octet-stream',
	'.txt': 'text/plain; charset=utf-8',
	'.md': 'text/plain; charset=utf-8',
	'.cff': 'text/plain; charset=utf-8'
};

/** Longest request target (path and query) served, in characters; longer ones get 414. */
export const MAX_URL_LENGTH = 4096;

/** Headers on every response. */
export const SECURITY_HEADERS = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'strict-origin-when-cross-origin'
};

/**
 * Headers on every HTML page: the page's own policy arrives in a `<meta>` tag (SvelteKit's
 * `kit.csp`), which cannot carry `frame-ancestors`; this one can. The two policies both apply.
 */
export const PAGE_HEADERS = {
	'content-security-policy': "frame-ancestors 'self'"
};

/**
 * Headers on a figure's embed page (`/embed/<id>/`), instead of `PAGE_HEADERS`: any site may
 * frame it, and a parent that is itself cross-origin isolated may load it (CORP; the page's own
 * scripts and data are same-origin to it, so they need nothing more).
 */
export const EMBED_PAGE_HEADERS = {
	'content-security-policy': 'frame-ancestors *',
	'cross-origin-resource-policy': 'cross-origin'
};

/** The address served on unless told otherwise: this machine only. */
export const LOCAL_HOST = '127.0.0.1';

/** Whether `host` means every interface (so the machine's own addresses are the ones to open). */
export function isAllInterfaces(/** @type {string} */ host) {
	return host === '0.0.0.0' || host === '::' || host === '';
}

/**
 * The addresses other machines can reach this one at: its external IPv4 addresses (what a
 * classroom's wifi hands out), from `os.networkInterfaces()` or the table given.
 * @param {NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>} [interfaces]
 * @returns {string[]}
 */
export function lanAddresses(interfaces = networkInterfaces()) {
	return Object.values(interfaces)
		.flat()
		.filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
		.map((i) => /** @type {import('node:os').NetworkInterfaceInfo} */ (i).address);
}

/** @param {string} dir @returns {string} the folder with links resolved, as given if missing */
function realRoot(dir) {
	try {
		return realpathSync(dir);
	} catch {
		return dir;
	}
}

/**
 * Start serving `dir` under `base` on `host`:`port` (127.0.0.1 unless given; 0 picks a free port).
 * With `isolate`, every response carries the headers that make a page cross-origin isolated
 * (COOP same-origin, COEP require-corp), which SharedArrayBuffer and so WebAssembly threads need.
 * @param {{ dir?: string; base?: string; port?: number; isolate?: boolean; host?: string }} [options]
 * @returns {Promise<{ url: string; lanUrls: string[]; close: () => Promise<void> }>} the root URL
 *   for this machine (with base and a trailing slash), and the ones other machines can open
 *   (none when serving on 127.0.0.1 only)
 */
export function serve({
	dir = 'build',
	base = '',
	port = 4173,
	isolate = false,
	host = LOCAL_HOST
} = {}) {
	const root = realRoot(resolve(dir));
	const prefix = base.replace(/\/+$/, '');
	/** @type {Record<string, string>} */
	const always = {
		...SECURITY_HEADERS,
		...(isolate
			? {
					'cross-origin-opener-policy': 'same-origin',
					'cross-origin-embedder-policy': 'require-corp'
				}
			: {})
	};

	/**
	 * A short plain-text answer.
	 * @param {import('node:http').ServerResponse} res
	 * @param {number} status
	 * @param {string} text
	 * @param {Record<string, string>} [extra]
	 */
	const plain = (res, status, text, extra = {}) => {
		res.writeHead(status, { ...always, 'content-type': TYPES['.txt'], ...extra });
		res.end(res.req.method === 'HEAD' ? undefined : `${text}\n`);
	};

	/**
	 * The site's 404 page, with a `<base>` so that its relative links and styles resolve from
	 * the site's root whatever depth the unknown path has; plain text if the build has none.
	 * @param {import('node:http').ServerResponse} res
	 */
	const notFound = (res) => {
		let html;
		try {
			html = readFileSync(join(root, '404.html'), 'utf8');
		} catch {
			plain(res, 404, 'Not found');
			return;
		}
		const page = html.replace(/<head>/i, `<head><base href="${prefix}/">`);
		res.writeHead(404, {
			...always,
			...PAGE_HEADERS,
			'content-type': TYPES['.html'],
			'content-length': Buffer.byteLength(page),
			'cache-control': 'no-cache'
		});
		res.end(res.req.method === 'HEAD' ? undefined : page);
	};

	/**
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:http').ServerResponse} res
	 */
	const handle = (req, res) => {
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			plain(res, 405, 'Method not allowed', { allow: 'GET, HEAD' });
			return;
		}
		const target = req.url ?? '/';
		if (target.length > MAX_URL_LENGTH) {
			plain(res, 414, 'Address too long');
			return;
		}
		if (!target.startsWith('/')) {
			plain(res, 400, 'Bad request');
			return;
		}
		const q = target.indexOf('?');
		const rawPath = q < 0 ? target : target.slice(0, q);
		const search = q < 0 ? '' : target.slice(q);
		let path;
		try {
			path = decodeURIComponent(rawPath);
		} catch {
			plain(res, 400, 'Bad request: malformed percent-escape');
			return;
		}
		if (path.includes('\0') || path.includes('\\')) {
			plain(res, 400, 'Bad request');
			return;
		}
		if (path.split('/').some((segment) => segment === '..')) {
			plain(res, 403, 'Forbidden');
			return;
		}
		if (prefix && path === prefix) {
			res.writeHead(301, { ...always, location: `${prefix}/${search}` }).end();
			return;
		}
		if (prefix && !path.startsWith(`${prefix}/`)) {
			notFound(res);
			return;
		}
		path = path.slice(prefix.length);
		let file = normalize(join(root, path));
		if (file !== root && !file.startsWith(root + sep)) {
			plain(res, 403, 'Forbidden');
			return;
		}
		let stat = statSync(file, { throwIfNoEntry: false });
		if (stat?.isDirectory()) {
			if (!rawPath.endsWith('/')) {
				// One leading slash only: `//host/` would send the browser to another site.
				const location = `${rawPath}/${search}`.replace(/^\/+/, '/');
				res.writeHead(301, { ...always, location }).end();
				return;
			}
			file = join(file, 'index.html');
			stat = statSync(file, { throwIfNoEntry: false });
		}
		if (!stat?.isFile()) {
			notFound(res);
			return;
		}
		const real = realpathSync(file);
		if (real !== root && !real.startsWith(root + sep)) {
			plain(res, 403, 'Forbidden');
			return;
		}
		const ext = extname(file);
		const type = TYPES[/** @type {keyof typeof TYPES} */ (ext)] ?? 'application/octet-stream';
		const immutable = path.includes('/_app/immutable/');
		res.writeHead(200, {
			...always,
			...(ext === '.html' ? (path.startsWith('/embed/') ? EMBED_PAGE_HEADERS : PAGE_HEADERS) : {}),
			'content-type': type,
			'content-length': stat.size,
			'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache'
		});
		if (req.method === 'HEAD') {
			res.end();
			return;
		}
		const stream = createReadStream(file);
		stream.on('error', () => res.destroy());
		stream.pipe(res);
	};

	const server = createServer((req, res) => {
		try {
			handle(req, res);
		} catch (e) {
			// A path the file system refuses (a file used as a folder, a name too long) is not there.
			const code = /** @type {NodeJS.ErrnoException} */ (e).code;
			const missing = code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ENOENT';
			if (res.headersSent) res.destroy();
			else if (missing) notFound(res);
			else plain(res, 500, 'Server error');
		}
	});
	return new Promise((ok, fail) => {
		server.once('error', fail);
		server.listen(port, host, () => {
			const address = server.address();
			const actual = typeof address === 'object' && address ? address.port : port;
			const all = isAllInterfaces(host);
			/** @param {string} h */
			const at = (h) => `http://${h.includes(':') ? `[${h}]` : h}:${actual}${prefix}/`;
			ok({
				url: at(all ? LOCAL_HOST : host),
				lanUrls: all ? lanAddresses().map(at) : host === LOCAL_HOST ? [] : [at(host)],
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
		return i >= 0 && args[i + 1] && !args[i + 1].startsWith('--') ? args[i + 1] : fallback;
	};
	// `--host` alone: every interface; `--host ADDRESS`: that one.
	const host = args.includes('--host') ? opt('host', '0.0.0.0') : process.env.HOST || LOCAL_HOST;
	const { url, lanUrls } = await serve({
		dir: opt('dir', 'build'),
		base: opt('base', process.env.BASE_PATH ?? ''),
		port: Number(opt('port', process.env.PORT ?? '4173')),
		isolate: args.includes('--isolate'),
		host
	});
	console.log(`Why PEFT is being served at ${url}  (Ctrl+C to stop)`);
	if (lanUrls.length === 0 && isAllInterfaces(host))
		console.log('This machine has no network address yet: join the network, then start again.');
	if (lanUrls.length > 0) {
		console.log('Other machines on this network open:');
		for (const u of lanUrls) console.log(`  ${u}`);
		console.log(
			'(Over plain http:// to another machine, browsers keep no offline copy and train on one\n' +
				' WebAssembly thread: both need https:// or the machine itself.)'
		);
	}
}
