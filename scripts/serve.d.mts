import type { Server } from 'node:http';

export function serve(dir: string, options?: { port?: number; quiet?: boolean }): Promise<{ server: Server; url: string }>;
