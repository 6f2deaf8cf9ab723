/**
 * The social-preview tags every page gets from its own title and description, and the preview
 * image they name: a real file of the stated size.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PREVIEW_IMAGE, addSocialMeta } from '$lib/server/socialMeta';

const page = (head: string) => `<!doctype html><html><head>${head}</head><body></body></html>`;
const lesson = page(
	'<meta name="description" content="Ranks &amp; &quot;rates&quot;"/><title>Low-rank updates · Why PEFT</title>'
);

function tags(html: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const m of html.matchAll(/<meta (?:property|name)="([^"]+)" content="([^"]*)">/g)) {
		out[m[1]] = m[2];
	}
	return out;
}

describe('addSocialMeta', () => {
	it('copies title and description into Open Graph tags; a lesson is an article', () => {
		const t = tags(addSocialMeta(lesson, { pathname: '/why-peft/lessons/x/', base: '/why-peft' }));
		expect(t['og:title']).toBe('Low-rank updates');
		expect(t['og:description']).toBe('Ranks &amp; &quot;rates&quot;');
		expect(t['og:type']).toBe('article');
		expect(t['og:site_name']).toBe('Why PEFT');
		expect(t['twitter:card']).toBe('summary');
		expect(t['og:url']).toBeUndefined();
		expect(t['og:image']).toBeUndefined();
	});

	it('calls other pages websites, and adds absolute url and image once the origin is known', () => {
		const html = addSocialMeta(lesson, {
			pathname: '/why-peft/lab/',
			base: '/why-peft',
			origin: 'https://example.org'
		});
		const t = tags(html);
		expect(t['og:type']).toBe('website');
		expect(t['og:url']).toBe('https://example.org/why-peft/lab/');
		expect(t['og:image']).toBe('https://example.org/why-peft/screenshot.png');
		expect(t['og:image:alt'].length).toBeGreaterThan(20);
		expect(t['twitter:card']).toBe('summary_large_image');
		expect(html.indexOf('og:title')).toBeLessThan(html.indexOf('</head>'));
	});

	it('leaves a page without a description, or already tagged, as it is', () => {
		const bare = page('<title>X · Why PEFT</title>');
		expect(addSocialMeta(bare, { pathname: '/', base: '' })).toBe(bare);
		const once = addSocialMeta(lesson, { pathname: '/', base: '' });
		expect(addSocialMeta(once, { pathname: '/', base: '' })).toBe(once);
	});

	it('escapes a quote or a bare ampersand in a title', () => {
		const html = page(
			'<meta name="description" content="d"/><title>A "quoted" & bare · Why PEFT</title>'
		);
		expect(tags(addSocialMeta(html, { pathname: '/', base: '' }))['og:title']).toBe(
			'A &quot;quoted&quot; &amp; bare'
		);
	});

	it('names a real PNG of the stated size', () => {
		const png = readFileSync(`static${PREVIEW_IMAGE.path}`);
		expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
		expect(png.readUInt32BE(16)).toBe(PREVIEW_IMAGE.width);
		expect(png.readUInt32BE(20)).toBe(PREVIEW_IMAGE.height);
	});
});
