/**
 * Reading LoRA §7's subspace similarity grid φ(A₁, A₂, i, j) in words, and what two random
 * subspaces would give: for uniformly random subspaces of dimensions i and j in d dimensions,
 * E‖U_iᵀU_j‖²_F = i·j/d, so E φ = i·j/(d·min(i, j)) = max(i, j)/d.
 */

/** Expected φ of random subspaces of dimensions i and j in d dimensions, max(i, j)/d (at most 1). */
export function randomPhi(i: number, j: number, d: number): number {
	return Math.min(1, Math.max(i, j) / d);
}

/**
 * The figure's sentence: φ of the two top directions against chance, and the mean excess of φ
 * over chance across the grid.
 * @param grid φ, r1 × r2 row-major
 */
export function phiSentence(grid: ArrayLike<number>, r1: number, r2: number, d: number): string {
	const top = grid[0];
	const chance = randomPhi(1, 1, d);
	let row = 0;
	for (let j = 1; j <= r2; j++) row += grid[j - 1] - randomPhi(1, j, d);
	const diag = grid[(r1 - 1) * r2 + (r1 - 1)];
	const ratio = top / chance;
	const random = `two random directions in ${d} dimensions would`;
	const against =
		ratio >= 1.5
			? `${ratio.toFixed(0)} times what ${random} (${chance.toFixed(3)})`
			: ratio <= 2 / 3
				? `less than the ${chance.toFixed(3)} ${random} share`
				: `about what ${random} (${chance.toFixed(3)})`;
	return (
		`The top direction of the rank-${r1} adapter and that of the rank-${r2} adapter share φ = ${top >= 0.01 ? top.toFixed(2) : top.toPrecision(2)}, ` +
		`${against}. ` +
		`The top ${r1} directions of each share φ = ${diag.toFixed(2)} (random: ${randomPhi(r1, r1, d).toFixed(2)}); ` +
		`along the first row φ exceeds chance by ${(row / r2).toFixed(2)} on average.`
	);
}
