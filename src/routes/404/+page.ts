/**
 * The page for unknown addresses, prerendered as `404.html` at the site's root (no trailing
 * slash), the file static hosts and scripts/serve.js send with status 404. It runs no
 * JavaScript: it is served at any depth, where its relative script paths would not resolve
 * (serve.js adds a `<base>` so its styles and links do).
 */
export const trailingSlash = 'never';
export const csr = false;
