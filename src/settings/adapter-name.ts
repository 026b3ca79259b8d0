// One line naming a GPU adapter, for logs, benchmark tables, the autotuner's fallback check and the status panel.

export interface AdapterNameParts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export function describeAdapter(info: AdapterNameParts): string {
  const name = [info.vendor, info.architecture, info.device].filter(Boolean).join(' ');
  return [name || 'unknown adapter', info.description].filter(Boolean).join(' — ');
}
