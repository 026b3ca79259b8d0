// A scripted OpenAI-compatible chat-completions server on 127.0.0.1 for tests (unit and e2e; never bundled into the
// app): each request is answered by a script function that sees the question (parsed back out of the prompt), the
// request body and how many times that question was asked before. Records every request so tests can count what
// was asked. Sends CORS headers so a page on another origin (the studio in e2e) can call it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedRequest {
  question: string;
  /** 0 for the first time this question is asked. */
  attempt: number;
  n: number | undefined;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** Choice texts for a 200 reply. */
  replies?: string[];
  /** Raw body (overrides replies). */
  body?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  delayMs?: number;
}

export interface FakeServer {
  baseUrl: string;
  requests: ScriptedRequest[];
  close: () => Promise<void>;
}

/** The question is the prompt's last "Question: ..." line (the default template ends that way). */
function questionOf(body: Record<string, unknown>): string {
  const messages = body.messages as { content: string }[];
  const prompt = messages[messages.length - 1]?.content ?? '';
  const m = /Question: (.*)$/s.exec(prompt);
  return m ? m[1].trim() : prompt;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

export async function startFakeServer(script: (r: ScriptedRequest) => ScriptedReply): Promise<FakeServer> {
  const requests: ScriptedRequest[] = [];
  const asked = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const question = questionOf(body);
    const attempt = asked.get(question) ?? 0;
    asked.set(question, attempt + 1);
    const r: ScriptedRequest = { question, attempt, n: body.n as number | undefined, authorization: req.headers.authorization, body };
    requests.push(r);
    const reply = script(r);
    if (reply.delayMs) await new Promise((ok) => setTimeout(ok, reply.delayMs));
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    const text =
      reply.body ??
      JSON.stringify({
        id: 'chatcmpl-test',
        object: 'chat.completion',
        choices: (reply.replies ?? []).map((content, index) => ({ index, message: { role: 'assistant', content }, finish_reason: 'stop' })),
        ...(reply.usage === null ? {} : { usage: reply.usage ?? { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } }),
      });
    res.writeHead(status, { 'Content-Type': 'application/json', ...reply.headers }).end(text);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
