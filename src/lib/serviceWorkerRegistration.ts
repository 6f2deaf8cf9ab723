/**
 * Registers the course's service worker (`src/service-worker.ts`) from the root layout, instead
 * of SvelteKit's automatic registration (`kit.serviceWorker.register: false`), for two reasons:
 *
 * - a figure embedded in another site's iframe must not register one: its browser may block
 *   third-party storage, and SvelteKit's registration then throws an uncaught error in the
 *   other site's page ("The user denied permission to use Service Worker"); and a course
 *   platform's students should not each store 17 MB for one figure;
 * - a failed registration (private mode, a host that does not serve the file) is not the
 *   reader's problem: the course works online without it, so it is ignored, not thrown.
 */

/** Whether this page should register: service workers exist here and the page is not framed. */
export function wantServiceWorker(win: {
	navigator: Navigator;
	top: unknown;
	self: unknown;
}): boolean {
	return 'serviceWorker' in win.navigator && win.top === win.self;
}

/** Register `${base}/service-worker.js` where `wantServiceWorker` allows; never throws. */
export function registerServiceWorker(base: string, dev: boolean): void {
	if (typeof window === 'undefined' || !wantServiceWorker(window)) return;
	navigator.serviceWorker
		.register(`${base}/service-worker.js`, { type: dev ? 'module' : 'classic' })
		.catch(() => {});
}
