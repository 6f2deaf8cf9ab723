/**
 * Reading what a page shows, the way the figure tests do: an element's text by its test id, and
 * a table's body rows as cell texts (by the figure that holds it, or by its caption).
 */
import type { Locator, Page } from 'playwright-core';

/** The visible text of the element with this `data-testid`. */
export const text = (page: Page, testid: string) => page.getByTestId(testid).innerText();

/** The trimmed text of each cell of each row `rows` matches. */
function cellTexts(rows: Locator): Promise<string[][]> {
	return rows.evaluateAll((trs) =>
		trs.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent!.trim()))
	);
}

/** Body rows of every table inside `scope` (a figure, say), as the trimmed text of each cell. */
export function rowsIn(scope: Locator): Promise<string[][]> {
	return cellTexts(scope.locator('table tbody tr'));
}

/** Body rows of the table whose caption matches, as the trimmed text of each cell. */
export function tableRows(page: Page, caption: RegExp): Promise<string[][]> {
	const table = page.locator('table', { has: page.locator('caption', { hasText: caption }) });
	return cellTexts(table.locator('tbody tr'));
}
