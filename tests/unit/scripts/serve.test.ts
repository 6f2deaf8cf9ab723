/**
 * The course's static server (scripts/serve.js) under hostile requests: each is answered with a
 * 4xx status, never a file from outside the folder, and the server keeps serving the next,
 * ordinary request. Requests go over a raw socket, so that nothing on the way tidies them up
 * (fetch would resolve `..` and refuse a NUL byte or an odd method before sending).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, lanAddresses, serve } from '../../../scripts/serve.js';

interface Answer {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/** Send one request exactly as written and read the whole answer (the server closes after it). */
function raw(port: number, method: string, target: string): Promise<Answer> {
	return new Promise((ok, fail) => {
		const socket = connect(port, '127.0.0.1');
		const chunks: Buffer[] = [];
		socket.on('data', (c) => chunks.push(c));
		socket.on('error', fail);
		socket.on('end', () => {
			const text = Buffer.concat(chunks).toString('latin1');
			const [head, ...rest] = text.split('\r\n\r\n');
			const [statusLine, ...lines] = head.split('\r\n');
			const headers: Record<string, string> = {};
			for (const line of lines) {
				const i = line.indexOf(':');
				headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
			}
			ok({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
		});
		socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
	});
}

let dir: string;
let port: number;
let close: () => Promise<void>;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'serve-test-'));
	const site = join(dir, 'site');
	mkdirSync(join(site, 'lessons', 'one'), { recursive: true });
	writeFileSync(join(site, 'index.html'), '<html><head></head><body>home</body></html>');
	writeFileSync(join(site, 'lessons', 'one', 'index.html'), '<html><head></head>lesson</html>');
	mkdirSync(join(site, 'embed', 'fig'), { recursive: true });
	writeFileSync(join(site, 'embed', 'fig', 'index.html'), '<html><head></head>figure</html>');
	writeFileSync(join(site, '404.html'), '<html><head><title>Not found</title></head>gone</html>');
	writeFileSync(join(site, 'app.js'), 'export {}');
	writeFileSync(join(dir, 'secret.txt'), 'SECRET');
	symlinkSync(join(dir, 'secret.txt'), join(site, 'link.txt'));
	const server = await serve({ dir: site, base: '/why-peft', port: 0 });
	port = Number(new URL(server.url).port);
	close = server.close;
});

afterAll(async () => {
	await close();
	rmSync(dir, { recursive: true, force: true });
});

describe('serve.js', () => {
	it('serves pages and files under the base path with safe headers', async () => {
		const home = await raw(port, 'GET', '/why-peft/');
		expect(home.status).toBe(200);
		expect(home.body).toContain('home');
		expect(home.headers['x-content-type-options']).toBe('nosniff');
		expect(home.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
		expect(home.headers['content-security-policy']).toBe("frame-ancestors 'self'");
		const js = await raw(port, 'GET', '/why-peft/app.js');
		expect(js.status).toBe(200);
		expect(js.headers['content-type']).toMatch(/^text\/javascript/);
		expect(js.headers['x-content-type-options']).toBe('nosniff');
		expect((await raw(port, 'HEAD', '/why-peft/lessons/one/')).status).toBe(200);
	});

	it("lets any site frame a figure's embed page, and no other page", async () => {
		const embed = await raw(port, 'GET', '/why-peft/embed/fig/');
		expect(embed.status).toBe(200);
		expect(embed.body).toContain('figure');
		expect(embed.headers['content-security-policy']).toBe('frame-ancestors *');
		expect(embed.headers['cross-origin-resource-policy']).toBe('cross-origin');
		for (const target of [
			'/why-peft/',
			'/why-peft/lessons/one/',
			'/why-peft/embed/nope/',
			'/why-peft/lessons/embed/fig/',
			'/embed/fig/'
		]) {
			const r = await raw(port, 'GET', target);
			expect(r.headers['content-security-policy'], target).toBe("frame-ancestors 'self'");
			expect(r.headers['cross-origin-resource-policy'], target).toBeUndefined();
		}
		// Isolated, the embed page keeps COEP and may still be loaded by an isolated parent.
		const isolated = await serve({
			dir: join(dir, 'site'),
			base: '/why-peft',
			port: 0,
			isolate: true
		});
		try {
			const r = await raw(Number(new URL(isolated.url).port), 'GET', '/why-peft/embed/fig/');
			expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp');
			expect(r.headers['cross-origin-resource-policy']).toBe('cross-origin');
			expect(r.headers['content-security-policy']).toBe('frame-ancestors *');
		} finally {
			await isolated.close();
		}
	});

	it('redirects a folder without its slash, and never to another host', async () => {
		const r = await raw(port, 'GET', '/why-peft/lessons/one?x=1');
		expect(r.status).toBe(301);
		expect(r.headers.location).toBe('/why-peft/lessons/one/?x=1');
		expect(r.headers['x-content-type-options']).toBe('nosniff');
		const bare = await raw(port, 'GET', '/why-peft');
		expect(bare.status).toBe(301);
		expect(bare.headers.location).toBe('/why-peft/');
	});

	it('answers unknown paths with the 404 page, its links based at the site root', async () => {
		for (const target of [
			'/why-peft/nope/',
			'/why-peft/a/b/c',
			'/elsewhere',
			'/why-peft/app.js/x'
		]) {
			const r = await raw(port, 'GET', target);
			expect(r.status, target).toBe(404);
			expect(r.headers['content-type'], target).toMatch(/^text\/html/);
			expect(r.body, target).toContain('<head><base href="/why-peft/"><title>Not found');
			expect(r.headers['x-content-type-options'], target).toBe('nosniff');
		}
		const head = await raw(port, 'HEAD', '/why-peft/nope/');
		expect(head.status).toBe(404);
		expect(head.body).toBe('');
	});

	const hostile: [string, string, number][] = [
		['GET', '/why-peft/%E0%A4%A', 400],
		['GET', '/why-peft/%', 400],
		['GET', '/why-peft/%zz/', 400],
		['GET', '/why-peft/%C0%AE%C0%AE/secret.txt', 400],
		['GET', '/why-peft/a%00b', 400],
		['GET', '/why-peft/index.html%00.js', 400],
		['GET', '/why-peft/..%5c..%5csecret.txt', 400],
		['GET', '/why-peft/../secret.txt', 403],
		['GET', '/why-peft/../../etc/passwd', 403],
		['GET', '/why-peft/%2e%2e/secret.txt', 403],
		['GET', '/why-peft/%2E%2E%2Fsecret.txt', 403],
		['GET', '/why-peft/lessons/%2e%2e/%2e%2e/%2e%2e/secret.txt', 403],
		['GET', '/why-peft/link.txt', 403],
		['GET', 'http://evil.example/why-peft/', 400],
		['GET', '*', 400],
		['GET', `/why-peft/${'a'.repeat(MAX_URL_LENGTH)}`, 414],
		['GET', `/why-peft/?q=${'%41'.repeat(MAX_URL_LENGTH)}`, 414],
		['GET', `/why-peft/${'x'.repeat(300)}/`, 404],
		['POST', '/why-peft/', 405],
		['PUT', '/why-peft/index.html', 405],
		['DELETE', '/why-peft/index.html', 405],
		['OPTIONS', '/why-peft/', 405],
		['TRACE', '/why-peft/', 405],
		['PROPFIND', '/why-peft/', 405]
	];

	for (const [method, target, status] of hostile) {
		it(`answers ${method} ${target.slice(0, 48)} with ${status} and keeps serving`, async () => {
			const r = await raw(port, method, target);
			expect(r.status).toBe(status);
			expect(r.body).not.toContain('SECRET');
			expect(r.headers['x-content-type-options']).toBe('nosniff');
			expect(r.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
			if (status === 405) expect(r.headers.allow).toBe('GET, HEAD');
			const next = await raw(port, 'GET', '/why-peft/');
			expect(next.status).toBe(200);
			expect(next.body).toContain('home');
		});
	}

	it('survives a request line Node itself refuses (over 16 KB of header)', async () => {
		const r = await raw(port, 'GET', `/why-peft/${'b'.repeat(20_000)}`);
		expect(r.status).toBeGreaterThanOrEqual(400);
		expect(r.status).toBeLessThan(500);
		expect((await raw(port, 'GET', '/why-peft/')).status).toBe(200);
	});

	it('survives a socket that sends garbage and hangs up', async () => {
		await new Promise<void>((ok) => {
			const s = connect(port, '127.0.0.1', () => {
				s.write('\x00\x01\x02 not http at all\r\n\r\n');
				s.end();
			});
			s.on('close', () => ok());
			s.on('error', () => ok());
			s.resume();
		});
		expect((await raw(port, 'GET', '/why-peft/lessons/one/')).status).toBe(200);
	});
});

/** GET `url` and resolve with the status, or with the error's code if it cannot connect. */
async function statusOf(url: string): Promise<number | string> {
	try {
		return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
	} catch (e) {
		return String((e as { cause?: { code?: string } }).cause?.code ?? e);
	}
}

/** Run the command-line server until it has printed `lines` lines; return them. */
function cliLines(args: string[], env: Record<string, string>, lines: number): Promise<string[]> {
	return new Promise((ok, fail) => {
		const child = spawn(process.execPath, ['scripts/serve.js', ...args], {
			env: { ...process.env, ...env }
		});
		let out = '';
		const timer = setTimeout(() => {
			child.kill();
			fail(new Error(`serve.js printed only: ${out}`));
		}, 10_000);
		child.stdout.on('data', (c) => {
			out += c;
			const got = out.split('\n').filter(Boolean);
			if (got.length >= lines) {
				clearTimeout(timer);
				child.kill();
				ok(got);
			}
		});
		child.on('error', fail);
	});
}

describe('serve.js for a room', () => {
	it('finds the external IPv4 addresses, not loopback or IPv6', () => {
		const table = {
			lo: [
				{ address: '127.0.0.1', family: 'IPv4', internal: true },
				{ address: '::1', family: 'IPv6', internal: true }
			],
			wlan0: [
				{ address: '192.168.1.20', family: 'IPv4', internal: false },
				{ address: 'fe80::1', family: 'IPv6', internal: false }
			],
			eth0: [{ address: '10.0.0.5', family: 'IPv4', internal: false }]
		} as unknown as Parameters<typeof lanAddresses>[0];
		expect(lanAddresses(table)).toEqual(['192.168.1.20', '10.0.0.5']);
		expect(lanAddresses({})).toEqual([]);
	});

	it('listens on 127.0.0.1 only by default, and on every interface when asked', async () => {
		const lan = lanAddresses();
		const site = join(dir, 'site');
		const local = await serve({ dir: site, base: '/why-peft', port: 0 });
		const all = await serve({ dir: site, base: '/why-peft', port: 0, host: '0.0.0.0' });
		try {
			expect(local.lanUrls).toEqual([]);
			const port = new URL(all.url).port;
			expect(all.url).toBe(`http://127.0.0.1:${port}/why-peft/`);
			expect(all.lanUrls).toEqual(lan.map((a) => `http://${a}:${port}/why-peft/`));
			expect(await statusOf(all.url)).toBe(200);
			// A machine with a network address: reached there only when serving on every interface.
			if (lan.length > 0) {
				expect(await statusOf(all.lanUrls[0])).toBe(200);
				const at = `http://${lan[0]}:${new URL(local.url).port}/why-peft/`;
				expect(await statusOf(at)).toBe('ECONNREFUSED');
			}
		} finally {
			await local.close();
			await all.close();
		}
	});

	it('prints the addresses to open with --host (also before --isolate) or HOST=0.0.0.0', async () => {
		const site = join(dir, 'site');
		for (const [args, env] of [
			[['--dir', site, '--port', '0', '--host', '--isolate'], {}],
			[['--dir', site, '--port', '0'], { HOST: '0.0.0.0' }]
		] as [string[], Record<string, string>][]) {
			const lan = lanAddresses();
			const lines = await cliLines(args, env, lan.length > 0 ? 2 + lan.length : 2);
			expect(lines[0]).toMatch(/^Why PEFT is being served at http:\/\/127\.0\.0\.1:\d+\/ /);
			if (lan.length > 0) {
				expect(lines[1]).toBe('Other machines on this network open:');
				expect(lines[2]).toMatch(new RegExp(`^  http://${lan[0].replace(/\./g, '\\.')}:\\d+/$`));
			} else {
				expect(lines[1]).toMatch(/no network address/);
			}
		}
	});
});
