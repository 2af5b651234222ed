import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { directOrigin, directRequest, mayUseProxy, RequestCanceled, RequestTimedOut, type DirectOrigin } from '../../../src/dps/directHttp';

interface Seen { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }

/** A local HTTP server that records each request and answers through `answer`. */
async function server(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ origin: DirectOrigin; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { body += chunk; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    origin: directOrigin(new URL(`http://127.0.0.1:${port}`)),
    seen,
    close: () => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }),
  };
}

void describe('directRequest', () => {
  void test('sends method, path with query, headers and a UTF-8 body with its byte length; returns status, headers and text', async () => {
    const s = await server((_req, res) => {
      res.writeHead(201, 'Made', { 'X-Ms-Continuation': 'tok', 'Content-Type': 'application/json' });
      res.end('{"ok":"é"}');
    });
    try {
      const body = JSON.stringify({ query: '*', note: 'ünïcode' });
      const response = await directRequest({ method: 'POST', origin: s.origin, path: '/enrollments/query?api-version=2021-10-01', headers: { 'x-ms-max-item-count': '100' }, body, agent: new http.Agent() });
      assert.deepEqual([response.status, response.statusText, response.headers['x-ms-continuation'], response.text], [201, 'Made', 'tok', '{"ok":"é"}']);
      const [req] = s.seen;
      assert.deepEqual([req?.method, req?.url, req?.headers['x-ms-max-item-count'], req?.body], ['POST', '/enrollments/query?api-version=2021-10-01', '100', body]);
      assert.equal(req?.headers['content-length'], String(Buffer.byteLength(body)));
    } finally {
      await s.close();
    }
  });

  void test('a GET without a body sends no Content-Length; any status resolves', async () => {
    const s = await server((_req, res) => { res.writeHead(404); res.end('nope'); });
    try {
      const response = await directRequest({ method: 'GET', origin: s.origin, path: '/x', headers: {} });
      assert.deepEqual([response.status, response.text, s.seen[0]?.headers['content-length']], [404, 'nope', undefined]);
    } finally {
      await s.close();
    }
  });

  void test('aborting rejects with RequestCanceled, before or during the request', async () => {
    const s = await server(() => { /* never answers */ });
    try {
      const early = new AbortController();
      early.abort();
      await assert.rejects(directRequest({ method: 'GET', origin: s.origin, path: '/a', headers: {}, signal: early.signal }), RequestCanceled);
      const late = new AbortController();
      const pending = directRequest({ method: 'GET', origin: s.origin, path: '/b', headers: {}, signal: late.signal });
      while (s.seen.length === 0) await new Promise((r) => setImmediate(r));
      late.abort();
      await assert.rejects(pending, RequestCanceled);
    } finally {
      await s.close();
    }
  });

  void test('a character split across two chunks of the answer arrives whole', async () => {
    const s = await server((_req, res) => {
      const bytes = Buffer.from('"é€"', 'utf8');
      // Two HTTP chunks (chunked transfer coding), so two 'data' events however the bytes arrive;
      // the first ends inside 'é' (two bytes): the decoder must hold the half until the rest comes.
      res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
      res.write(bytes.subarray(0, 2));
      res.end(bytes.subarray(2));
    });
    try {
      const response = await directRequest({ method: 'GET', origin: s.origin, path: '/split', headers: {} });
      assert.equal(response.text, '"é€"');
    } finally {
      await s.close();
    }
  });

  void test('no whole answer within timeoutMs rejects with RequestTimedOut; an answer in time is not cut', async () => {
    const s = await server((req, res) => {
      if (req.url === '/fast') res.end('ok');
    });
    try {
      await assert.rejects(directRequest({ method: 'GET', origin: s.origin, path: '/slow', headers: {}, timeoutMs: 20 }), (e: unknown) => e instanceof RequestTimedOut && e.timeoutMs === 20);
      const fast = await directRequest({ method: 'GET', origin: s.origin, path: '/fast', headers: {}, timeoutMs: 60_000 });
      assert.equal(fast.text, 'ok');
    } finally {
      await s.close();
    }
  });

  void test('directOrigin reads scheme, host without IPv6 brackets, port and the TLS server name (none for an address)', () => {
    assert.deepEqual(directOrigin(new URL('https://[::1]:8443/x')), { secure: true, hostname: '::1', port: 8443, servername: '' });
    assert.deepEqual(directOrigin(new URL('https://127.0.0.1/')), { secure: true, hostname: '127.0.0.1', port: undefined, servername: '' });
    assert.deepEqual(directOrigin(new URL('http://localhost/')), { secure: false, hostname: 'localhost', port: undefined, servername: 'localhost' });
  });

  void test('a refused connection rejects with the socket error code', async () => {
    const s = await server(() => undefined);
    await s.close();
    await assert.rejects(directRequest({ method: 'GET', origin: s.origin, path: '/', headers: {} }), (e: unknown) => (e as { code?: string }).code === 'ECONNREFUSED');
  });
});

void describe('mayUseProxy', () => {
  void test('a proxy variable routes non-loopback requests through axios; loopback never', () => {
    assert.equal(mayUseProxy(false, {}), false);
    assert.equal(mayUseProxy(false, { HTTPS_PROXY: '' }), false);
    assert.equal(mayUseProxy(false, { https_proxy: 'http://proxy:3128' }), true);
    assert.equal(mayUseProxy(false, { ALL_PROXY: 'http://proxy:3128' }), true);
    assert.equal(mayUseProxy(true, { HTTPS_PROXY: 'http://proxy:3128' }), false);
  });
});
