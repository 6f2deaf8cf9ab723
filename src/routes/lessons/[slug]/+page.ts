import type { Component } from 'svelte';

/** Lesson bodies load lazily: only the page that shows a lesson fetches its code. */
const bodies = import.meta.glob<{ default: Component }>('/lessons/*/index.svx');

export const load = async ({ data }) => {
	const key = `/lessons/${String(data.meta.number).padStart(2, '0')}-${data.meta.slug}/index.svx`;
	const load = bodies[key];
	if (!load) throw new Error(`lesson body ${key} is missing`);
	const { default: body } = await load();
	return { ...data, body };
};
