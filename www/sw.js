// iALP Playground's service worker: after the first visit the page loads with no network.
// Same-origin GET requests go to the network first (so a new build is picked up at once)
// and fall back to the copy kept here; everything else (LLM calls) is left alone.
// One cache per scope: two copies of the playground in two folders of one site (a course
// and its archive) keep their own files.
const PREFIX = 'ialp-playground-v1 ';
const CACHE = PREFIX + self.registration.scope;

// On install, keep the page and every file it names (trunk's hashed js, wasm, css, icon).
self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch('./', { cache: 'no-cache' });
    const html = await page.clone().text();
    await cache.put('./', page);
    const assets = [...html.matchAll(/(?:href|src|module_or_path:|from)\s*=?\s*["']([^"']+\.(?:js|wasm|css|svg))["']/g)].map((m) => m[1]);
    await cache.addAll([...new Set(assets)]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      // Only this scope's older caches (and the unscoped one of earlier builds).
      if (key !== CACHE && (key === 'ialp-playground-v1' || (key.startsWith('ialp-playground-') && key.endsWith(' ' + self.registration.scope)))) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok) await cache.put(req.mode === 'navigate' ? './' : req, res.clone());
      return res;
    } catch (offline) {
      const hit = await cache.match(req.mode === 'navigate' ? './' : req, { ignoreSearch: true });
      if (hit) return hit;
      throw offline;
    }
  })());
});
