// A small static file server for the built docs site, bound to 127.0.0.1.
// Usage: node scripts/serve.mjs <dir> [--port N]   (PORT env var works too; the next free port is taken
// when N is busy). Sends COOP/COEP headers so the wasm backend may use its threaded binary.
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Resolves a URL path to a file under root: exact file, then `.html`, then `index.html`. */
function fileFor(root, urlPath) {
  const clean = normalize(decodeURIComponent(urlPath.split('?')[0] ?? '/')).replace(/^([/\\])+/, '');
  const base = resolve(root, clean);
  if (base !== root && !base.startsWith(root + sep)) return null;
  for (const candidate of [base, `${base}.html`, join(base, 'index.html')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * Starts the server. Resolves with `{ server, url }` once it listens.
 * @param {string} dir
 * @param {{ port?: number, quiet?: boolean }} [options]
 */
export function serve(dir, { port = 4173, quiet = false } = {}) {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) throw new Error(`serve: no index.html in ${root}; build the site first`);
  const server = createServer((req, res) => {
    const file = fileFor(root, req.url ?? '/');
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-cache',
    };
    if (!file) {
      const notFound = join(root, '404.html');
      res.writeHead(404, { ...headers, 'Content-Type': TYPES['.html'] });
      if (existsSync(notFound)) createReadStream(notFound).pipe(res);
      else res.end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    const tryPort = (p, attemptsLeft) => {
      server.once('error', (err) => {
        if (err.code === 'EADDRINUSE' && attemptsLeft > 0) tryPort(p + 1, attemptsLeft - 1);
        else reject(err);
      });
      server.listen(p, '127.0.0.1', () => {
        const address = server.address();
        const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : p}/`;
        if (!quiet) console.log(`Serving ${root} at ${url}`);
        resolvePromise({ server, url });
      });
    };
    tryPort(port, port === 0 ? 0 : 20);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--')) ?? 'apps/docs/.vitepress/dist';
  const portFlag = args.indexOf('--port');
  const port = Number(portFlag >= 0 ? args[portFlag + 1] : process.env.PORT ?? 4173);
  await serve(dir, { port });
}
