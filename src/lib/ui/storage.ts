/**
 * localStorage that never throws: private modes and blocked storage fall back to "nothing
 * stored", so a reader's preferences are a convenience and never a crash.
 */

/** Read a stored string, or null when absent or unavailable. */
export function readStored(key: string): string | null {
	try {
		return globalThis.localStorage?.getItem(key) ?? null;
	} catch {
		return null;
	}
}

/** Store a string (or remove it with null); silently does nothing when storage is blocked. */
export function writeStored(key: string, value: string | null): void {
	try {
		if (value === null) globalThis.localStorage?.removeItem(key);
		else globalThis.localStorage?.setItem(key, value);
	} catch {
		/* storage full or blocked: the preference lasts this page only */
	}
}
