// Measures JSON-constrained decoding: the cost per token on a T5-sized vocabulary, and the JSON validity of a model's
// labels with and without the constraint. Run: npx tsx tools/measure-constraint.ts [--model DIR] [--rows N]
//
// Cost: no FLAN-T5 tokenizer is on this machine (no network), so a stand-in with T5's size is built: the tiny
// tokenizer's pieces, words and word pieces of the sample dataset (with and without "▁"), then random 2..9-letter
// pieces up to 32,000 pieces, 100 <extra_id_N> specials, and "{" "}" as added tokens (FLAN-T5's embedding has 32128
// rows). Each eval label is fed token by token through ConstrainedRows with random logits of width 32128, the way
// the generator calls it; the label's own tokens must always be allowed.
// Validity: the model's greedy labels for the first N sample rows, with and without the constraint (Dawn).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTinyTokenizer } from '../src/io/tiny-tokenizer';
import { addCharacterTokens } from '../src/model/json-safe-tokenizer';
import { createTextTokenizer } from '../src/model/tokenizer';
import { ConstrainedRows, JsonConstraint, tokenTextsOf } from '../src/eval/json-constraint';
import { seededRandom } from '../src/common/random';

const ROOT = new URL('../', import.meta.url).pathname;
const sample = readFileSync(join(ROOT, 'public/sample/sales-reports.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { id: string; question: string; label: string; rationale: string });

function t5SizedTokenizer() {
  const ROWS = 32128;
  const tiny = makeTinyTokenizer(400);
  const json = structuredClone(tiny.tokenizerJson) as { model: { vocab: [string, number][] }; added_tokens: object[] };
  const vocab = json.model.vocab.filter(([p]) => !p.includes('{') && !p.includes('}'));
  const seen = new Set(vocab.map(([p]) => p));
  const push = (p: string, score: number) => {
    if (vocab.length < 32000 && p && !seen.has(p) && !p.includes('{') && !p.includes('}')) {
      seen.add(p);
      vocab.push([p, score]);
    }
  };
  const words = new Map<string, number>();
  for (const r of sample) for (const w of `${r.question} ${r.rationale} ${r.label}`.split(/[\s{}[\]":,]+/)) if (w) words.set(w, (words.get(w) ?? 0) + 1);
  [...words].sort((a, b) => b[1] - a[1]).forEach(([w], i) => {
    push(`▁${w}`, -5 - i * 1e-3);
    push(w, -6 - i * 1e-3);
    for (let k = 2; k < w.length; k++) push(w.slice(0, k), -8 - i * 1e-3);
  });
  const rng = seededRandom(1);
  const letters = 'abcdefghijklmnopqrstuvwxyzeeeaaoiint';
  while (vocab.length < 32000) {
    const n = 2 + Math.floor(rng() * 8);
    const w = Array.from({ length: n }, () => letters[Math.floor(rng() * letters.length)]).join('');
    push(rng() < 0.6 ? `▁${w}` : w, -12 - rng());
  }
  json.model.vocab = vocab;
  for (let i = 0; i < 100; i++) {
    const id = 32000 + i;
    json.model.vocab.push([`<extra_id_${99 - i}>`, 0]);
    json.added_tokens.push({ id, content: `<extra_id_${99 - i}>`, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }
  const tok = createTextTokenizer(addCharacterTokens(json, ['{', '}'], { vocabSize: ROWS }), tiny.tokenizerConfig);
  return { tok, ROWS };
}

function measureCost(): void {
  const t0 = performance.now();
  const { tok, ROWS } = t5SizedTokenizer();
  const t1 = performance.now();
  const c = new JsonConstraint(tokenTextsOf(tok, ROWS));
  const built = performance.now() - t1;
  const labels = sample.slice(-120).map((r) => r.label);
  const rng = seededRandom(2);
  const logits = new Float32Array(ROWS);
  let tokens = 0;
  let millis = 0;
  let firstLabelMillis = 0;
  labels.forEach((label, n) => {
    const ids = tok.encode(label);
    const rows = new ConstrainedRows(c, 1, 512);
    for (let t = 0; t < ids.length; t++) {
      for (let v = 0; v < ROWS; v++) logits[v] = rng();
      const s0 = performance.now();
      rows.processLogits(logits, ROWS, t);
      if (logits[ids[t]] === -Infinity) throw new Error(`label ${n}: its own token ${JSON.stringify(tok.idToPiece(ids[t]))} was masked at step ${t}`);
      rows.onStep([ids[t]], [0]);
      const dt = performance.now() - s0;
      millis += dt;
      if (n === 0) firstLabelMillis += dt;
      tokens++;
    }
    if (!rows.state(0)?.finished) throw new Error(`label ${n} did not finish`);
  });
  const st = c.stats;
  console.log(`T5-sized stand-in tokenizer: ${tok.size} pieces, ${ROWS} rows (built in ${(t1 - t0).toFixed(0)} ms)`);
  console.log(`constraint built in ${built.toFixed(0)} ms: byte trie of ${st.trieNodes} nodes`);
  console.log(`${labels.length} eval labels, ${tokens} tokens: ${(millis / tokens).toFixed(3)} ms/token on average (mask + -Infinity over ${ROWS} logits + advance)`);
  console.log(`  first label (cold cache): ${firstLabelMillis.toFixed(1)} ms; masks computed ${st.masksComputed} (${(st.maskMillis / Math.max(1, st.masksComputed)).toFixed(2)} ms each), cache hits ${st.maskCacheHits}`);
}

async function measureValidity(modelDir: string, n: number): Promise<void> {
  const { testGpu } = await import('../src/testing/gpu');
  const { createNodeEngine } = await import('../src/hosts/node/engine');
  const engine = createNodeEngine(await testGpu());
  await engine.loadModel({ kind: 'folder', path: modelDir });
  const rows = sample.slice(-n).map(({ id, question, label }) => ({ id, question, label }));
  for (const constrained of [false, true]) {
    const r = await engine.evaluateGeneration({ rows, options: { maxNewTokens: 32, batchSize: n, constrained, rationales: false } });
    console.log(
      `${modelDir}: ${n} rows, greedy, 32 new tokens, constrained ${constrained}: JSON validity ${(100 * r.summary.jsonValidity).toFixed(0)}%, ` +
        `DSL validity ${(100 * r.summary.dslValidity).toFixed(0)}%, ${(r.labelMillis / r.labelTokens).toFixed(1)} ms/token (constraint ${(r.constraintMillis / Math.max(1, r.labelTokens)).toFixed(3)} ms/token)`,
    );
  }
}

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
measureCost();
const model = arg('--model');
if (model) await measureValidity(model, Number(arg('--rows') ?? 16));
