// Trunk's post-build hook (Trunk.toml): moves trunk's inline start-up script into
// boot-<hash>.js after www/boot.js, so the page runs no inline script and its
// Content-Security-Policy (index.html) needs no 'unsafe-inline' (trunk has no option for
// this: trunk-rs/trunk#288). Fails the build if any inline script is left.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('csp-postbuild: run by trunk (TRUNK_STAGING_DIR is not set)');
const source = process.env.TRUNK_SOURCE_DIR ?? process.cwd();
const publicUrl = process.env.TRUNK_PUBLIC_URL ?? '/';
const index = path.join(staging, 'index.html');
let html = fs.readFileSync(index, 'utf8');

const inline = /<script type="module"(?:\s+nonce="[^"]*")?>([\s\S]*?)<\/script>/;
const m = html.match(inline);
if (!m) throw new Error('csp-postbuild: trunk\'s start-up script was not found in index.html');
const boot = `${fs.readFileSync(path.join(source, 'www/boot.js'), 'utf8')}\n// trunk's start-up code\n${m[1].trim()}\n`;
const name = `boot-${crypto.createHash('sha256').update(boot).digest('hex').slice(0, 16)}.js`;
fs.writeFileSync(path.join(staging, name), boot);
const integrity = `sha384-${crypto.createHash('sha384').update(boot).digest('base64')}`;
html = html.replace(inline, `<script type="module" src="${publicUrl}${name}" integrity="${integrity}"></script>`);

const left = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>/g)];
if (left.length) throw new Error(`csp-postbuild: inline scripts left in index.html: ${left.map((x) => x[0]).join(', ')}`);
if (!html.includes('http-equiv="Content-Security-Policy"')) throw new Error('csp-postbuild: index.html has no Content-Security-Policy');
fs.writeFileSync(index, html);
console.log(`csp-postbuild: start-up script moved to ${name}`);
