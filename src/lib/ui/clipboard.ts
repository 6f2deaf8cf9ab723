/**
 * Copy a text for the reader, or, where the browser has no clipboard or refuses, select it so
 * that Ctrl+C does: either way, the sentence to show beside the Copy button.
 */
export async function copyOrSelect(text: string, select: () => void): Promise<string> {
	try {
		if (!navigator.clipboard) throw new Error('no clipboard');
		await navigator.clipboard.writeText(text);
		return 'Copied';
	} catch {
		select();
		return 'Could not copy: the code is selected, press Ctrl+C (⌘C on a Mac)';
	}
}
