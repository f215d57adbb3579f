export function minimumOf(range: string | undefined): [number, number, number] | undefined;
export function nodeProblem(version: string, range: string | undefined): string | undefined;
