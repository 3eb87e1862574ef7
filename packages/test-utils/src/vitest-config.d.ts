import type { UserConfig } from 'vitest/config';

/** Node-lane vitest config shared by every package. */
export function nodeLaneConfig(options?: { testTimeout?: number }): UserConfig;
