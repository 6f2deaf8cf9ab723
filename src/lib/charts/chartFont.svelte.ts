/**
 * The size of chart text, for the few layout choices that must make room for it (how far apart
 * stacked labels sit, which labels are dropped as crowded, the margin for line labels). The text
 * itself is sized in CSS by `--chart-font` (app.css); presenter mode enlarges both together.
 */

import { CHART_FONT_PX } from './chartFont';

/** The current chart text size; `scale` multiplies spacings designed for the normal size. */
export const chartFont = $state({ px: CHART_FONT_PX.normal as number, scale: 1 });

/** Set by presenter mode when it switches. */
export function setChartFont(presenting: boolean): void {
	chartFont.px = presenting ? CHART_FONT_PX.presenter : CHART_FONT_PX.normal;
	chartFont.scale = chartFont.px / CHART_FONT_PX.normal;
}
