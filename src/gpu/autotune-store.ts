// Where autotune choices persist, per adapter. The engine only sees this interface; hosts provide it:
// IndexedDB in the browser (src/hosts/browser/autotune-store.ts), a JSON file in Node (src/hosts/node/...).

/** Chosen variant per "op|shape class". */
export type AutotuneChoices = Record<string, string>;

export interface AutotuneStore {
  /** Choices saved for this adapter, or null when there are none. */
  load(adapterKey: string): Promise<AutotuneChoices | null>;
  save(adapterKey: string, choices: AutotuneChoices): Promise<void>;
}

/** Keeps choices for the life of the process only (tests, hosts without storage). */
export class MemoryAutotuneStore implements AutotuneStore {
  private readonly byAdapter = new Map<string, AutotuneChoices>();

  async load(adapterKey: string): Promise<AutotuneChoices | null> {
    const c = this.byAdapter.get(adapterKey);
    return c ? { ...c } : null;
  }

  async save(adapterKey: string, choices: AutotuneChoices): Promise<void> {
    this.byAdapter.set(adapterKey, { ...choices });
  }
}
