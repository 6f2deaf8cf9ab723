import { describe, expect, it } from 'vitest';
import { csvField, fileSlug, toCsv, type Column } from '../../../src/lib/ui/exportData';

describe('csvField', () => {
	it('leaves plain text and numbers alone', () => {
		expect(csvField('GPT-2')).toBe('GPT-2');
		expect(csvField(1.5e9)).toBe('1500000000');
	});
	it('quotes commas, quotes and line breaks (RFC 4180)', () => {
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField('two\nlines')).toBe('"two\nlines"');
	});
	it('writes missing and non-finite values as empty fields', () => {
		expect(csvField(null)).toBe('');
		expect(csvField(undefined)).toBe('');
		expect(csvField(NaN)).toBe('');
		expect(csvField(Infinity)).toBe('');
	});
});

describe('toCsv', () => {
	interface Row {
		name: string;
		bytes: number;
	}
	const columns: Column<Row>[] = [
		{ label: 'Model', value: (r) => r.name },
		{ label: 'Bytes', value: (r) => r.bytes, format: (r) => `${r.bytes / 1e9} GB`, numeric: true }
	];
	it('writes a header and one line per row with raw values, CRLF-terminated', () => {
		const csv = toCsv(columns, [
			{ name: 'Llama 2, 7B', bytes: 1.2e10 },
			{ name: 'GPT-2', bytes: 2e9 }
		]);
		expect(csv).toBe('Model,Bytes\r\n"Llama 2, 7B",12000000000\r\nGPT-2,2000000000\r\n');
	});
	it('writes only the header for no rows', () => {
		expect(toCsv(columns, [])).toBe('Model,Bytes\r\n');
	});
});

describe('fileSlug', () => {
	it('makes a safe lower-case file name', () => {
		expect(fileSlug('Memory against model size (GB)')).toBe('memory-against-model-size-gb');
		expect(fileSlug('  ——  ')).toBe('figure');
		expect(fileSlug('x'.repeat(100)).length).toBe(60);
	});
});
