/**
 * Waiting on the trainer's events in unit tests: poll a condition on the event log between
 * macrotasks (the worker host's loops yield with setTimeout), and fail with what was awaited
 * if it does not hold within `ms`. Instead of fixed sleeps, which pass or fail by the machine's
 * speed, and unbounded polls, which hang the suite when the event never comes.
 */
export async function waitFor(ok: () => boolean, what: string, ms = 30_000): Promise<void> {
	const until = Date.now() + ms;
	while (!ok()) {
		if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}
