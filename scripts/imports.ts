/**
 * The arrows inside one folder of the course (imports of types included) and any import cycle
 * anywhere in src/ and lessons/ (without them):
 * each file of the folder with the files of the folder it imports, then the count.
 * Run: `npx vite-node scripts/imports.ts src/lib/trainer` (the folder defaults to the trainer).
 */
import { arrowsWithin, cycles, importGraph } from './node/importGraph';

const folder = process.argv[2] ?? 'src/lib/trainer';
const graph = importGraph(['src', 'lessons']);
const arrows = arrowsWithin(graph, folder);
for (const [file, tos] of [...graph].filter(([f]) => f.startsWith(`${folder}/`)))
	console.log(
		`${file.slice(folder.length + 1)} → ${tos
			.filter((t) => t.startsWith(`${folder}/`))
			.map((t) => t.slice(folder.length + 1))
			.join(', ')}`
	);
const files = [...graph.keys()].filter((f) => f.startsWith(`${folder}/`)).length;
console.log(`${files} files, ${arrows.length} arrows within ${folder}`);
// Cycles that run: imports of types alone are erased when compiled.
const found = cycles(importGraph(['src', 'lessons'], { types: false }));
console.log(found.length ? `cycles:\n${found.map((c) => c.join(' → ')).join('\n')}` : 'no cycles');
