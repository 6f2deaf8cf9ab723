/**
 * Which lessons the reader has marked as done, remembered in localStorage and shared by every
 * page (the course map shows it, the lesson footer toggles it). Reads happen in the browser
 * only; during prerender the set is empty, and it fills in on hydration.
 */
import { readStored, writeStored } from './storage';

/** localStorage key holding a JSON array of lesson slugs. */
export const DONE_KEY = 'why-peft:done';

function parse(raw: string | null): string[] {
	if (!raw) return [];
	try {
		const v: unknown = JSON.parse(raw);
		return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
	} catch {
		return [];
	}
}

/** The reader's finished lessons. */
export class DoneLessons {
	slugs = $state<string[]>([]);

	/** Load from storage and follow changes made in other tabs; returns the cleanup. */
	connect(): () => void {
		this.slugs = parse(readStored(DONE_KEY));
		const onStorage = (e: StorageEvent) => {
			if (e.key === DONE_KEY) this.slugs = parse(e.newValue);
		};
		addEventListener('storage', onStorage);
		return () => removeEventListener('storage', onStorage);
	}

	has(slug: string): boolean {
		return this.slugs.includes(slug);
	}

	/** Mark or unmark a lesson, and remember it. */
	set(slug: string, done: boolean): void {
		const rest = this.slugs.filter((s) => s !== slug);
		this.slugs = done ? [...rest, slug] : rest;
		writeStored(DONE_KEY, JSON.stringify(this.slugs));
	}
}

/** The one instance the site uses. */
export const doneLessons = new DoneLessons();
