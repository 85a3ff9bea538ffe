import { IncomingHttpHeaders, Server, createServer } from 'http';

/** What a stub upstream saw. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A tiny HTTP server on a loopback address that answers with its own name and what it received. */
export interface Stub {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** TCP connections accepted so far (a refused proxy request must leave this at 0). */
  readonly connections: () => number;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * Starts a stub on `host` (any 127.0.0.0/8 address). Its body is JSON
 * `{ name, method, url, headers }`; a path ending in `/stream` sends one chunk,
 * waits `streamPauseMs`, then the rest, to show whether a proxy buffers.
 */
export function startStub(name: string, host = '127.0.0.1', streamPauseMs = 1500): Promise<Stub> {
  if (!host.startsWith('127.')) throw new Error(`stubs listen on loopback only, not ${host}`);
  let connections = 0;
  const requests: SeenRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    requests.push(seen);
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ name, ...seen });
      if (/\/stream(\?|$)/.test(seen.url)) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(`data: first ${name}\n\n`);
        const t = setTimeout(() => {
          timers.delete(t);
          res.end(`data: last ${name}\n\n`);
        }, streamPauseMs);
        timers.add(t);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Stub': name });
      res.end(body);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        name,
        host,
        port,
        requests,
        connections: () => connections,
        close: () =>
          new Promise<void>((done) => {
            timers.forEach(clearTimeout);
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
