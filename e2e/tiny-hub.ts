// A hub-style server on 127.0.0.1 for e2e tests: serves one checkpoint (a fixture folder, or files made in the test)
// at /<id>/resolve/main/<file> and the model listing API, with CORS, and records the requests it answered. With
// `trickle` a file goes out in ten pieces (150 ms apart above 100 kB) so the page's download progress shows.
import { readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TinyHub {
  server: Server;
  base: string;
  requests: string[];
  close(): Promise<void>;
}

export function startTinyHub(id: string, checkpoint: string | Map<string, Uint8Array | string>, options: { trickle?: boolean } = {}): Promise<TinyHub> {
  const files: Record<string, Uint8Array> =
    typeof checkpoint === 'string'
      ? Object.fromEntries(readdirSync(checkpoint).map((f) => [f, readFileSync(`${checkpoint}/${f}`)]))
      : Object.fromEntries([...checkpoint].map(([f, data]) => [f, typeof data === 'string' ? Buffer.from(data) : data]));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-headers', '*');
      res.end();
      return;
    }
    if (req.url === `/api/models/${id}/revision/main`) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id, siblings: Object.keys(files).map((rfilename) => ({ rfilename })) }));
      return;
    }
    const prefix = `/${id}/resolve/main/`;
    const body = req.url?.startsWith(prefix) ? files[decodeURIComponent(req.url.slice(prefix.length))] : undefined;
    if (!body) {
      res.statusCode = 404;
      res.end('Entry not found');
      return;
    }
    res.setHeader('content-length', body.byteLength);
    if (req.method === 'HEAD' || !options.trickle) {
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const step = Math.ceil(body.byteLength / 10);
    let at = 0;
    const send = () => {
      res.write(body.subarray(at, at + step));
      at += step;
      if (at >= body.byteLength) res.end();
      else setTimeout(send, body.byteLength > 100_000 ? 150 : 0);
    };
    send();
  });
  let open = true;
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({
        server,
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () =>
          open
            ? new Promise<void>((done) => {
                open = false;
                server.close(() => done());
                server.closeAllConnections();
              })
            : Promise.resolve(),
      }),
    ),
  );
}
