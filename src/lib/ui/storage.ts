/**
 * Web storage that never throws: private modes and blocked storage fall back to "nothing
 * stored", so a reader's preferences are a convenience and never a crash. `local` lasts across
 * visits (the theme, lessons done); `session` lasts for the browser session (presenter mode).
 */

type Area = 'local' | 'session';

function area(which: Area): Storage | undefined {
	return which === 'session' ? globalThis.sessionStorage : globalThis.localStorage;
}

/** Read a stored string, or null when absent or unavailable. */
export function readStored(key: string, which: Area = 'local'): string | null {
	try {
		return area(which)?.getItem(key) ?? null;
	} catch {
		return null;
	}
}

/** Store a string (or remove it with null); silently does nothing when storage is blocked. */
export function writeStored(key: string, value: string | null, which: Area = 'local'): void {
	try {
		if (value === null) area(which)?.removeItem(key);
		else area(which)?.setItem(key, value);
	} catch {
		/* storage full or blocked: the preference lasts this page only */
	}
}
