/**
 * The backend choices every live figure offers in its control and its URL, `auto` first (let the
 * device decide). Plain data with no tfjs behind it, so pages can import it without loading the
 * trainer; `backends.ts` (which does load tfjs) names the same backends.
 */
export const BACKEND_CHOICES = ['auto', 'wasm', 'webgl', 'webgpu', 'cpu'] as const;
export type BackendOption = (typeof BACKEND_CHOICES)[number];
