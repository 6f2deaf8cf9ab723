/**
 * Where the built site will live, as far as the build knows: its base path (BASE_PATH, as in
 * svelte.config.js) and, when the person building says so, its public origin (SITE_ORIGIN, for
 * example `https://example.org`). A sitemap and social-preview images need absolute addresses,
 * which a static build cannot learn by itself.
 */

/** The base path, without a trailing slash (`''` or `/why-peft`). */
export const BASE_PATH = (process.env.BASE_PATH ?? '').replace(/\/+$/, '');

/** The public origin given at build time, without a trailing slash; undefined if not given. */
export const SITE_ORIGIN = process.env.SITE_ORIGIN?.replace(/\/+$/, '') || undefined;

/**
 * Origin the sitemap's absolute addresses use when SITE_ORIGIN is not given: where
 * `npm start` serves the course (scripts/serve.js).
 */
export const LOCAL_ORIGIN = 'http://127.0.0.1:4173';
