// The page's first script (no inline script anywhere: see the Content-Security-Policy in
// index.html). It narrows where the page may connect to what the user chose, registers
// the service worker, then starts the app; scripts/csp-postbuild.mjs appends trunk's
// start-up code below and names the file by its hash.
//
// connect-src: the page itself, the three providers' own APIs, servers on this machine
// (Ollama, LM Studio, llama.cpp), and the hosts the user allowed in the page ("Allow and
// reload", kept in localStorage under ialp-connect-allow). The static policy in
// index.html allows any http(s) host; a second policy can only narrow it, never widen.
{
  const DEFAULTS = [
    "'self'",
    'https://api.openai.com',
    'https://api.anthropic.com',
    'https://generativelanguage.googleapis.com',
    'http://localhost:*',
    'http://127.0.0.1:*',
    // (CSP has no syntax for IPv6 literals such as [::1]: use localhost.)
  ];
  const ORIGIN = /^https?:\/\/([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(:[0-9]{1,5})?$/;
  let allowed = [];
  try {
    const saved = JSON.parse(localStorage.getItem('ialp-connect-allow') ?? '[]');
    if (Array.isArray(saved)) allowed = saved.filter((o) => typeof o === 'string' && ORIGIN.test(o)).slice(0, 32);
  } catch { /* unreadable or no storage: the defaults alone */ }
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = `connect-src ${[...DEFAULTS, ...allowed].join(' ')}`;
  meta.dataset.ialpConnect = '';
  document.head.prepend(meta);

  // A blocked request or script is said in the console with what blocked it.
  addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`));

  // In a frame ("Embed this"): tell the parent page how tall the content is, so the
  // snippet's script can size the frame (src/experiment/embed.rs). The page posts only
  // {type: 'ialp-height', height} and listens to no message from its parent.
  if (window.parent !== window) {
    let last = -1;
    const post = () => {
      const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height !== last) {
        last = height;
        window.parent.postMessage({ type: 'ialp-height', height }, '*');
      }
    };
    addEventListener('DOMContentLoaded', () => {
      new ResizeObserver(post).observe(document.documentElement);
      post();
    });
  }

  // Works offline after the first visit (www/sw.js); not on file:// pages.
  if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
    addEventListener('load', () => navigator.serviceWorker.register('./sw.js').catch(() => {}));
  }
}
