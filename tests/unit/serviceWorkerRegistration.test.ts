import { describe, expect, it } from 'vitest';
import { wantServiceWorker } from '$lib/serviceWorkerRegistration';

describe('registering the service worker', () => {
	const nav = (sw: boolean) => (sw ? { serviceWorker: {} } : {}) as unknown as Navigator;

	it('registers from a top-level page where the browser has service workers', () => {
		const win = { navigator: nav(true), top: null as unknown, self: null as unknown };
		win.top = win.self = win;
		expect(wantServiceWorker(win)).toBe(true);
	});

	it('not from a page in a frame (an embedded figure on another site), nor without support', () => {
		const framed = { navigator: nav(true), top: {}, self: {} };
		expect(wantServiceWorker(framed)).toBe(false);
		const plain = { navigator: nav(false), top: null as unknown, self: null as unknown };
		plain.top = plain.self = plain;
		expect(wantServiceWorker(plain)).toBe(false);
	});
});
