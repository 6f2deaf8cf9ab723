/**
 * What a screen reader hears of a figure's changing text: a polite live region that announces
 * a run's start and end, and at most once every ten seconds while it trains, never per frame.
 * The visible text goes on updating every frame; only the announced copy is held back.
 *
 *   active false ─▶ true (start) ───────────────▶ announce now
 *   text changes while active ──(≥ gapMs since the last)──▶ announce, else once the gap is over
 *   active true ─▶ false (end), or text changes while idle ──(settled settleMs)──▶ announce
 */

/** At most one announcement this often while a figure trains. */
export const ANNOUNCE_GAP_MS = 10_000;
/** Changes while idle (the end of a run, a setting) are announced once they settle this long. */
export const ANNOUNCE_SETTLE_MS = 500;

/** Holds back a changing text and hands `say` what should be announced, when. */
export class Announcer {
	private last: string;
	private pending: string | null = null;
	private lastAt = -Infinity;
	private active = false;
	private timer: ReturnType<typeof setTimeout> | undefined;

	/**
	 * @param say called with each text to announce
	 * @param initial the text at first, which is on the page already and not announced
	 */
	constructor(
		private readonly say: (text: string) => void,
		initial = '',
		private readonly gapMs = ANNOUNCE_GAP_MS,
		private readonly settleMs = ANNOUNCE_SETTLE_MS
	) {
		this.last = initial;
	}

	/** The text now, and whether the figure is training (start and end are announced promptly). */
	update(text: string, active: boolean): void {
		const starting = active && !this.active;
		this.active = active;
		if (starting) {
			this.emit(text);
			return;
		}
		this.pending = text;
		if (!active) {
			clearTimeout(this.timer);
			this.timer = setTimeout(() => this.flush(), this.settleMs);
			return;
		}
		if (this.timer !== undefined) return;
		const wait = this.lastAt + this.gapMs - Date.now();
		if (wait <= 0) this.flush();
		else this.timer = setTimeout(() => this.flush(), wait);
	}

	/** Stop: nothing more is announced. */
	dispose(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		this.pending = null;
	}

	private flush() {
		const text = this.pending;
		this.pending = null;
		this.timer = undefined;
		if (text !== null) this.emit(text);
	}

	private emit(text: string) {
		clearTimeout(this.timer);
		this.timer = undefined;
		this.pending = null;
		if (text === this.last) return;
		this.last = text;
		this.lastAt = Date.now();
		this.say(text);
	}
}
