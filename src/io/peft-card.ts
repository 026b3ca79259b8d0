// README.md model card of an exported adapter (or merged model): the data it was trained on, the method and the
// measured metrics, each number saying what it was measured on. Front matter as the hub reads it.
import type { PeftLoraConfig } from './peft-config';

export interface ModelCard {
  /** Card title, e.g. "flan-t5-small LoRA for OpenSearch Query DSL". */
  title: string;
  /** What the training data was: source, size, split. */
  data: string;
  /** How it was trained beyond the adapter settings: DSS alpha, epochs, lr, teacher... */
  method: string;
  /** Metric name -> value; each measured on what `metricsOn` says. */
  metrics: Record<string, number | string>;
  /** What the metrics were measured on (e.g. "held-out eval split, 200 rows, greedy decoding"). */
  metricsOn: string;
  notes?: string;
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** How the base was stored while the adapter trained: written in the card, read back by baseStorageFromCard. */
export interface BaseStorage {
  nf4: boolean;
  doubleQuant: boolean;
}

const FULL_PRECISION = 'base weights in full precision';
const NF4 = 'QLoRA: base weights NF4 during training, blocksize 64';
const DOUBLE = ', absmax double-quantized';

function adapterLines(c: PeftLoraConfig, storage: BaseStorage): string[] {
  const targets = Array.isArray(c.target_modules) ? c.target_modules.join(', ') : `regex ${c.target_modules}`;
  return [
    `- PEFT LoRA (${storage.nf4 ? `${NF4}${storage.doubleQuant ? DOUBLE : ''}` : FULL_PRECISION})`,
    `- target modules: ${targets}`,
    `- r ${c.r}, lora_alpha ${c.lora_alpha}, scaling ${c.use_rslora ? 'alpha/sqrt(r) (rsLoRA)' : 'alpha/r'}, lora_dropout ${c.lora_dropout}`,
  ];
}

/**
 * The base's storage as a card written here says it (a PEFT adapter_config.json has no field for it); null when the
 * text has no such line (another tool's card, or none).
 */
export function baseStorageFromCard(readme: string): BaseStorage | null {
  const said = /^- PEFT LoRA \((.+)\)$/m.exec(readme)?.[1];
  if (said === FULL_PRECISION) return { nf4: false, doubleQuant: false };
  if (said === NF4 || said === `${NF4}${DOUBLE}`) return { nf4: true, doubleQuant: said !== NF4 };
  return null;
}

export function modelCardMarkdown(card: ModelCard, adapter: PeftLoraConfig | null, o: { quantized?: boolean; doubleQuant?: boolean; merged?: boolean } = {}): string {
  const base = adapter?.base_model_name_or_path;
  const lines = ['---'];
  if (base) lines.push(`base_model: ${yamlString(base)}`);
  lines.push(`library_name: ${o.merged ? 'transformers' : 'peft'}`, 'tags:', '- stepwise', '- distilling-step-by-step', '- t5');
  if (adapter && !o.merged) lines.push('- lora');
  lines.push('---', '', `# ${card.title}`, '');
  if (base) lines.push(o.merged ? `${base} with a LoRA adapter merged into its weights (W + scaling * B A).` : `A LoRA adapter for ${base}.`, '');
  lines.push('## Data', '', card.data, '', '## Method', '', card.method);
  if (adapter) lines.push('', ...adapterLines(adapter, { nf4: !!o.quantized, doubleQuant: !!o.quantized && !!o.doubleQuant }));
  lines.push('', '## Metrics', '', `Measured on ${card.metricsOn}.`, '', '| metric | value |', '| --- | --- |');
  for (const [k, v] of Object.entries(card.metrics)) lines.push(`| ${k} | ${typeof v === 'number' ? Number(v.toPrecision(6)) : v} |`);
  if (card.notes) lines.push('', '## Notes', '', card.notes);
  lines.push('', 'Trained with Stepwise (WebGPU).', '');
  return lines.join('\n');
}
