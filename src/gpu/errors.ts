// GPU failures name the program that caused them, so a person can act on the message.

export type GpuErrorKind = 'validation' | 'out-of-memory' | 'internal' | 'device-lost' | 'compile';

export interface GpuErrorReport {
  kind: GpuErrorKind;
  message: string;
  /** Programs recorded in the batch that failed (or the one that failed to compile). */
  programs: string[];
}

export class GpuProgramError extends Error {
  constructor(readonly report: GpuErrorReport) {
    const where = report.programs.length ? ` in ${report.programs.map((p) => `"${p}"`).join(', ')}` : '';
    super(`GPU ${report.kind} error${where}: ${report.message}`);
    this.name = 'GpuProgramError';
  }
}

/** Dawn and Chrome quote object labels in their messages; pipelines are labelled with program names. */
export function programsNamedIn(message: string): string[] {
  const found = new Set<string>();
  for (const m of message.matchAll(/\[(?:ComputePipeline|ShaderModule|BindGroup)[^"\]]*"([^"]+)"\]/g)) found.add(m[1]);
  return [...found];
}
