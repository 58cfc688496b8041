// Serves the built page (dist/, from `trunk build --release`) on 127.0.0.1 for the
// end-to-end tests and the screenshot/benchmark scripts. Paths outside dist/ are refused;
// a folder serves its index.html.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };

/**
 * Starts the server on a free port; resolves to `{ server, base }` (base ends in `/`).
 * `prefix` serves dist/ under that folder (for example `/course/ialp/`) and answers 404
 * for every other path, as a course site hosting the page in a folder of its own would;
 * `pages` adds other files by path (`{ '/lesson.html': '<html>…' }`); `root` serves
 * another folder than dist/ (a published copy), `headers` are sent with every file.
 */
export async function serveDist({ prefix = '/', pages = {}, root = DIST, headers = {} } = {}) {
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`serveDist: prefix ${prefix} must start and end with /`);
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (Object.hasOwn(pages, url)) { res.writeHead(200, { 'content-type': 'text/html' }).end(pages[url]); return; }
    if (!url.startsWith(prefix)) { res.writeHead(404).end(); return; }
    let file = path.join(root, url.slice(prefix.length));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${server.address().port}${prefix}` };
}
