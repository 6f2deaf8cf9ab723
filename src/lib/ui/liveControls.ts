/**
 * What a live figure's frame can do with its run, and which key does what: the contract between
 * `Figure.svelte` (its key bar and help, `LiveBar.svelte`) and the live-figure shell
 * (`LiveRun.controls` in src/lib/trainer/liveRun.svelte.ts), which fills it in. Pure: no DOM,
 * no Svelte, nothing of the trainer.
 *
 *   keydown inside the figure ──figureKey(event, controls)──▶ toggle | step | reset | help | null
 *     null: a modifier is held, the reader is typing (a field, a slider), Space is on a control
 *     that Space presses anyway, or the figure has no such action
 */

/** One choice of the figure's speed control. */
export interface SpeedOption {
	value: string;
	label: string;
}

/** A live figure's play, pause, step, reset and speed, as its frame sees them. */
export interface LiveControls {
	/** Whether it trains now (Space pauses) or not (Space starts). */
	readonly playing: boolean;
	/** Whether the figure has mounted: actions before then would be lost. */
	readonly ready: boolean;
	/** Start or go on when stopped; pause when training. */
	toggle(): void;
	/** Take one training step (absent: the figure has none, as a queue of whole runs). */
	readonly step?: () => void;
	/** Back to the start (absent: nothing to reset). */
	readonly reset?: () => void;
	/**
	 * Which the frame shows as buttons, for figures that lack their own: Stop (enabled while it
	 * trains: a figure whose own button cannot pause, as a queue's), Step and Reset.
	 */
	readonly buttons: { stop: boolean; step: boolean; reset: boolean };
	/** The speed control (absent: the figure's work has no pace, as a queue of whole runs). */
	readonly speed?: {
		readonly value: string;
		readonly options: readonly SpeedOption[];
		set(value: string): void;
	};
}

/** What a key asks of a figure. */
export type FigureAction = 'toggle' | 'step' | 'reset' | 'help';

/** Where keys type or adjust a value, so the figure leaves every key alone. */
const TYPING =
	'input, textarea, select, [contenteditable]:not([contenteditable="false"]), [role="textbox"], [role="combobox"], [role="spinbutton"], [role="slider"], [role="listbox"], dialog';

/** Controls that Space already presses: Space there does what it always does. */
const PRESSED_BY_SPACE =
	'button, a[href], summary, [role="button"], [role="checkbox"], [role="radio"], [role="switch"], [role="tab"], [role="menuitem"], [role="option"], [role="link"]';

type Closest = { closest?: (selector: string) => unknown };
const within = (target: EventTarget | null, selector: string) => {
	const el = target as Closest | null;
	return typeof el?.closest === 'function' && el.closest(selector) !== null;
};

/**
 * The action a key press inside a live figure asks for, or null when the key is not the
 * figure's to take.
 */
export function figureKey(
	e: {
		key: string;
		target: EventTarget | null;
		ctrlKey?: boolean;
		metaKey?: boolean;
		altKey?: boolean;
	},
	controls: Pick<LiveControls, 'step' | 'reset'>
): FigureAction | null {
	if (e.ctrlKey || e.metaKey || e.altKey || within(e.target, TYPING)) return null;
	switch (e.key) {
		case ' ':
		case 'Spacebar':
			return within(e.target, PRESSED_BY_SPACE) ? null : 'toggle';
		case 's':
		case 'S':
			return controls.step ? 'step' : null;
		case 'r':
		case 'R':
			return controls.reset ? 'reset' : null;
		case '?':
			return 'help';
		default:
			return null;
	}
}

/** The hint's words: the keys this figure takes ("Space · S · R · ? for keys"). */
export function keyHint(controls: Pick<LiveControls, 'step' | 'reset'>): string {
	const keys = ['Space', controls.step && 'S', controls.reset && 'R'].filter(Boolean);
	return keys.join(' · ');
}
