/** `--chart-font` in px, normally and in presenter mode: app.css holds the same two numbers. */
export const CHART_FONT_PX = { normal: 12, presenter: 16 } as const;
