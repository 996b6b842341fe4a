export function ensureNodeRuntimes(): void;
export function nodeRuntime(major: 18 | 22): string | undefined;
