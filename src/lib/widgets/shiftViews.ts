/**
 * The shift lab's five views by name, as the lessons ask for them (`<ShiftLab view="…">`):
 * along the shift axis (`accuracy`, `forgetting`), the update's `spectrum`, and against LoRA's
 * rank for a task (`features`, `tradeoff`).
 */
import { accuracyView, forgettingView } from './shiftAxisViews';
import { featuresView, tradeoffView } from './shiftRankViews';
import { spectrumView } from './shiftSpectrumView';
import type { ShiftView } from './shiftView';

export const SHIFT_VIEWS = {
	accuracy: accuracyView,
	spectrum: spectrumView,
	forgetting: forgettingView,
	features: featuresView,
	tradeoff: tradeoffView
} as const satisfies Record<string, ShiftView>;

export type ShiftViewName = keyof typeof SHIFT_VIEWS;
