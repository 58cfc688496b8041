// llm_server.mjs — a fake LLM provider for tests (Node built-ins only, no npm deps).
//
// It speaks the HTTP wire protocols of three providers on one port, so the Rust native
// client tests and the browser e2e tests (node:test + playwright) can exercise real
// HTTP, auth, CORS, retries and parsing without touching the network:
//   POST /v1/chat/completions                 OpenAI      (Authorization: Bearer <key>)
//   POST /v1/messages                         Anthropic   (x-api-key, anthropic-version)
//   POST /v1beta/models/{MODEL}:generateContent  Gemini   (x-goog-api-key or ?key=)
//   GET  /stats   per-scenario request counts, plus `repeats`: requests for a prompt whose
//                 answer was already delivered (a paid answer asked for twice)
//   GET  /log     every request: { path, key, prompt (sha256), status, delivered }, where
//                 `key` is the credential as received (bearer / x-api-key / x-goog-api-key)
//   POST /reset   clear stats, log + state
// The only valid API key is "test-key-123" (a bad key gets the provider's auth error first).
//
// Usage: `node tests/support/llm_server.mjs [--port N] [--redirect-to URL]` prints `LISTENING <port>` and runs
// until SIGTERM/SIGINT; or `import { startServer } from './llm_server.mjs'`.
//
// Scenario = model name (Gemini: the model in the path); unknown names behave as `ok`.
// "first" = first request in that scenario whose prompt text was not seen before.
//   ok             correct answer
//   rate-limit     first: 429 + `retry-after: 1` + provider rate-limit error; then correct
//   rate-limit-ms  first: 429 + `retry-after-ms: 300` only; then correct
//   server-error   first: 500 provider error (Anthropic: 529 overloaded_error); then correct
//   hang           first: never answers, socket destroyed after 30 s; then correct
//   garbage        first: 200 envelope whose text is prose without JSON; then correct
//   garbage-body   always: 200 text/html "502 Bad Gateway (proxy)" page
//   always-500     always: 500 provider error
//   nocors         correct, but no CORS headers at all (preflights too, where the scenario
//                  is knowable, i.e. Gemini paths; OpenAI/Anthropic carry the model in the
//                  body, so their preflight passes but the real response lacks CORS)
//   slow           correct, after 400 ms (to stop, reset or reload a run mid-distillation)
//   endless        always: 200 with no content-length, a body that goes on (64 KiB
//                  chunks, up to 64 MiB) until the client stops reading; `stats.endless_bytes`
//                  is the most any one request was sent
//   redirect       always: 307 to the same path on `redirectTo` (startServer option), as a
//                  compromised or misconfigured proxy might; a client must not follow it
//
// Correct answer: for each `### Case N` section (whole prompt = case 1 if none), every
// `[id K]` after the line containing "Candidates" (all ids if no such line) gets
// score 1 + ((K*7 + N*3) % 5). Tokens: ceil(chars / 4).
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const API_KEY = 'test-key-123';
const SCENARIOS = new Set(['ok', 'rate-limit', 'rate-limit-ms', 'server-error', 'hang',
  'garbage', 'garbage-body', 'always-500', 'nocors', 'slow', 'redirect', 'endless']);
const SLOW_MS = 400;
const HANG_MS = 30_000;
const MAX_BODY = 16 * 1024 * 1024;
const GARBAGE_TEXT = 'As an AI language model I cannot rate jackets. Have a nice day!';
const HTML_BODY = '<html><body>502 Bad Gateway (proxy)</body></html>';
const ALLOW_HEADERS = 'authorization, content-type, x-api-key, anthropic-version, ' +
  'anthropic-dangerous-direct-browser-access, x-goog-api-key';

const tokens = (s) => Math.ceil(s.length / 4);
const rid = () => randomBytes(12).toString('hex');
// Text of a message content: a string, or an array of {type:"text", text} blocks.
const textOf = (c) => typeof c === 'string' ? c
  : Array.isArray(c) ? c.filter((b) => b && typeof b.text === 'string').map((b) => b.text).join('\n') : '';

/** The deterministic "correct" answer for a prompt (exported for tests). */
export function answerFor(prompt) {
  const heads = [...prompt.matchAll(/^### Case (\d+)/gm)];
  const sections = heads.length === 0 ? [{ c: 1, text: prompt }] : heads.map((m, i) =>
    ({ c: Number(m[1]), text: prompt.slice(m.index, heads[i + 1]?.index) }));
  const cases = sections.map(({ c, text }) => {
    const at = text.search(/^.*Candidates/m); // ids before this line are history: ignore
    const scores = {};
    for (const m of (at < 0 ? text : text.slice(at)).matchAll(/\[id (\d+)\]/g)) {
      const id = Number(m[1]);
      scores[String(id)] = 1 + ((id * 7 + c * 3) % 5);
    }
    return { case: c, scores };
  });
  return 'Here are my ratings.\n```json\n' + JSON.stringify({ cases }) + '\n```';
}

// ---- Provider wire formats. Error helpers return [status, body]. ----
const oaiErr = (status, message, type, code = null) =>
  [status, { error: { message, type, param: null, code } }];
const openai = {
  key: (req) => /^Bearer\s+(.*)$/i.exec(req.headers.authorization || '')?.[1]?.trim(),
  authError: () => oaiErr(401, 'Incorrect API key provided. You can find your API key at ' +
    'https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'),
  badRequest: (msg) => oaiErr(400, msg, 'invalid_request_error'),
  rateLimit: () => oaiErr(429, 'Rate limit reached for requests. Please try again in 1s.',
    'requests', 'rate_limit_exceeded'),
  serverError: () => oaiErr(500, 'The server had an error while processing your request. ' +
    'Sorry about that!', 'server_error'),
  prompt(body) {
    if (!Array.isArray(body.messages)) throw new Error("'messages' is a required property");
    return body.messages.map((m) => textOf(m?.content)).join('\n');
  },
  success: (model, text, p, c) => ({
    id: `chatcmpl-${rid()}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000),
    model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c },
  }),
};
openai.internalError = openai.serverError;

const antErr = (status, type, message) => [status, { type: 'error', error: { type, message } }];
const anthropic = {
  key: (req) => req.headers['x-api-key'],
  authError: () => antErr(401, 'authentication_error', 'invalid x-api-key'),
  // Checks made after auth: required version header; browser requests must opt in.
  precheck(req) {
    if (!req.headers['anthropic-version'])
      return antErr(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (req.headers.origin && req.headers['anthropic-dangerous-direct-browser-access'] !== 'true')
      return antErr(401, 'authentication_error',
        "CORS requests must set 'anthropic-dangerous-direct-browser-access' header");
    return null;
  },
  badRequest: (msg) => antErr(400, 'invalid_request_error', msg),
  rateLimit: () => antErr(429, 'rate_limit_error', 'Number of request tokens has exceeded your rate limit.'),
  serverError: () => antErr(529, 'overloaded_error', 'Overloaded'),
  internalError: () => antErr(500, 'api_error', 'Internal server error'),
  prompt(body) {
    if (!Array.isArray(body.messages)) throw new Error('messages: Field required');
    if (body.max_tokens === undefined) throw new Error('max_tokens: Field required');
    return [textOf(body.system), ...body.messages.map((m) => textOf(m?.content))]
      .filter(Boolean).join('\n');
  },
  success: (model, text, p, c) => ({
    id: `msg_${rid()}`, type: 'message', role: 'assistant', model,
    content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null,
    usage: { input_tokens: p, output_tokens: c },
  }),
};

const gemErr = (code, status, message, details) =>
  [code, { error: { code, message, status, ...(details ? { details } : {}) } }];
const gemini = {
  key: (req, url) => req.headers['x-goog-api-key'] ?? url.searchParams.get('key'),
  authError: () => gemErr(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.',
    [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }]),
  badRequest: (msg) => gemErr(400, 'INVALID_ARGUMENT', msg),
  rateLimit: () => gemErr(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'),
  serverError: () => gemErr(500, 'INTERNAL', 'An internal error has occurred. Please retry or report ' +
    'in https://developers.generativeai.google/guide/troubleshooting'),
  prompt(body) {
    if (!Array.isArray(body.contents)) throw new Error('* GenerateContentRequest.contents: contents is not specified');
    const partsText = (c) => (Array.isArray(c?.parts) ? c.parts : []).map((p) => p?.text)
      .filter((t) => typeof t === 'string').join('\n');
    return [partsText(body.systemInstruction), ...body.contents.map(partsText)].filter(Boolean).join('\n');
  },
  success: (model, text, p, c) => ({
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: p, candidatesTokenCount: c, totalTokenCount: p + c },
    modelVersion: model,
  }),
};
gemini.internalError = gemini.serverError;

const GEMINI_PATH = /^\/v1beta\/models\/([^/]+):generateContent$/;
function geminiModel(path) {
  const m = GEMINI_PATH.exec(path);
  if (!m) return null;
  try { return decodeURIComponent(m[1]); } catch { return m[1]; }
}
function route(method, path) {
  if (method !== 'POST') return null;
  if (path === '/v1/chat/completions') return { p: openai };
  if (path === '/v1/messages') return { p: anthropic };
  const model = geminiModel(path);
  return model === null ? null : { p: gemini, model };
}

// ---- HTTP plumbing ----
function send(res, status, body, { cors = true, type = 'application/json', headers = {} } = {}) {
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  const h = { 'content-type': type, 'content-length': Buffer.byteLength(data), ...headers };
  if (cors) Object.assign(h, { 'access-control-allow-origin': '*',
    'access-control-expose-headers': 'retry-after, retry-after-ms' });
  if (status === 529) res.statusMessage = 'Overloaded';   // Node has no reason phrase for it
  res.writeHead(status, h).end(data);
}
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []; let size = 0;
    req.on('data', (c) => { size += c.length; if (size <= MAX_BODY) chunks.push(c); });  // drain the rest
    req.on('end', () => size > MAX_BODY
      ? reject(Object.assign(new Error('request body too large'), { status: 413 }))
      : resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function startServer({ port = 0, redirectTo = null, host = '127.0.0.1' } = {}) {
  let stats = { total: 0, repeats: 0 };
  let seen = new Set();          // "<scenario>\0<sha256(prompt)>"
  let delivered = new Set();     // sha256(prompt) of answers sent in full
  let log = [];
  const hangTimers = new Set();

  const record = (scenario, status) => {
    const s = (stats[scenario] ??= { requests: 0, by_status: {} });
    s.requests++; stats.total++;
    s.by_status[status] = (s.by_status[status] ?? 0) + 1;
  };
  const sha = (t) => createHash('sha256').update(t).digest('hex');
  const isFirst = (scenario, prompt) => {
    const k = scenario + '\0' + createHash('sha256').update(prompt).digest('hex');
    if (seen.has(k)) return false;
    seen.add(k); return true;
  };

  async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname;
    if (req.method === 'OPTIONS') {   // CORS preflight
      if (geminiModel(path) === 'nocors') return res.writeHead(204).end();
      return res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'POST, GET, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] || ALLOW_HEADERS,
        'access-control-max-age': '600',
      }).end();
    }
    if (req.method === 'GET' && path === '/stats') return send(res, 200, stats);
    if (req.method === 'GET' && path === '/log') return send(res, 200, log);
    if (req.method === 'POST' && path === '/reset') {
      await readBody(req);
      stats = { total: 0, repeats: 0 }; seen = new Set(); delivered = new Set(); log = [];
      return send(res, 200, { ok: true });
    }
    const r = route(req.method, path);
    // Every request is logged with the credential it carried, even one that is not ours.
    const entry = { path, key: req.headers.authorization?.replace(/^Bearer\s+/i, '') ??
      req.headers['x-api-key'] ?? req.headers['x-goog-api-key'] ?? url.searchParams.get('key') ?? null,
      prompt: null, status: null, delivered: false };
    if (req.method === 'POST') log.push(entry);
    if (!r) return send(res, 404, { error: { message: `Not found: ${req.method} ${path}`, type: 'not_found_error', code: 404 } });

    const { p } = r;
    const raw = await readBody(req);
    let body = null;
    try { body = JSON.parse(raw); } catch { /* reported below, after auth */ }
    const model = r.model ?? (typeof body?.model === 'string' ? body.model : '');
    const scenario = SCENARIOS.has(model) ? model : 'ok';
    const cors = scenario !== 'nocors';
    const reply = ([status, obj], headers = {}) => {
      record(scenario, status);
      entry.status = status;
      send(res, status, obj, { cors, headers });
    };

    if (p.key(req, url) !== API_KEY) return reply(p.authError());
    const pre = p.precheck?.(req);
    if (pre) return reply(pre);
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return reply(p.badRequest('Invalid JSON payload: request body is not a JSON object'));
    let prompt;
    try { prompt = p.prompt(body); } catch (e) { return reply(p.badRequest(e.message)); }

    const first = isFirst(scenario, prompt);
    const hash = sha(prompt);
    entry.prompt = hash;
    if (delivered.has(hash)) stats.repeats++;
    switch (scenario) {
      case 'redirect':
        record(scenario, 307);
        entry.status = 307;
        return res.writeHead(307, { location: `${redirectTo ?? 'http://127.0.0.1:9'}${req.url}`,
          'access-control-allow-origin': '*', 'content-length': 0 }).end();
      case 'slow':
        await new Promise((done) => setTimeout(done, SLOW_MS));
        if (res.destroyed || req.socket.destroyed) { entry.status = 'aborted'; return; }
        break;
      case 'garbage-body':
        record(scenario, 200);
        return send(res, 200, HTML_BODY, { type: 'text/html' });
      case 'always-500': return reply(p.internalError());
      case 'endless': {
        record(scenario, 200);
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        const chunk = Buffer.alloc(64 << 10, 0x20);
        let sent = 0;
        const more = () => {
          while (!res.destroyed && sent < 64 << 20) {
            sent += chunk.length;
            stats.endless_bytes = Math.max(stats.endless_bytes ?? 0, sent);
            if (!res.write(chunk)) return res.once('drain', more);
          }
          if (!res.destroyed) res.end();
        };
        res.on('close', () => { /* the client stopped reading */ });
        return more();
      }
      case 'rate-limit': if (first) return reply(p.rateLimit(), { 'retry-after': '1' }); break;
      case 'rate-limit-ms': if (first) return reply(p.rateLimit(), { 'retry-after-ms': '300' }); break;
      case 'server-error': if (first) return reply(p.serverError()); break;
      case 'hang':
        if (first) {   // hold the request open; other requests are unaffected
          record(scenario, 'hang');
          const t = setTimeout(() => { hangTimers.delete(t); req.socket.destroy(); }, HANG_MS);
          hangTimers.add(t);
          return;
        }
        break;
    }
    const text = scenario === 'garbage' && first ? GARBAGE_TEXT : answerFor(prompt);
    res.on('finish', () => { entry.delivered = true; if (text !== GARBAGE_TEXT) delivered.add(hash); });
    reply([200, p.success(model || 'unknown', text, tokens(prompt), tokens(text))]);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {   // never crash on bad input
      if (res.headersSent || res.destroyed) return res.destroy();
      send(res, err.status || 500, { error: { message: String(err?.message ?? err), type: 'internal_error', code: err.status || 500 } });
    });
  });
  server.keepAliveTimeout = 60_000;   // avoid racing clients' pooled keep-alive connections
  server.headersTimeout = 65_000;
  server.on('clientError', (_err, socket) => socket.destroy());

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({
      port: server.address().port,
      stats: () => structuredClone(stats),
      log: () => structuredClone(log),
      close: () => new Promise((done) => {
        for (const t of hangTimers) clearTimeout(t);
        hangTimers.clear();
        server.close(() => done());
        server.closeAllConnections();
      }),
    }));
  });
}

// ---- CLI ----
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  let port = 0;
  let redirectTo = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else if (args[i].startsWith('--port=')) port = Number(args[i].slice(7));
    else if (args[i] === '--redirect-to') redirectTo = args[++i];
  }
  const srv = await startServer({ port: Number.isInteger(port) ? port : 0, redirectTo });
  process.stdout.write(`LISTENING ${srv.port}\n`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
