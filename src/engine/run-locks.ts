// Two tabs of one studio share the run store: a run trains in the tab that holds its lock, and the other tabs see it
// as training elsewhere instead of offering to resume it (two writers on one run would interleave its metrics and
// checkpoints). The browser host implements this with Web Locks; the CLI and tests run without (one process).

export interface RunLocks {
  /** Take run `id`'s lock if no one holds it: the function that lets it go, or null when another holder has it. */
  acquire(id: string): Promise<(() => void) | null>;
  /** Ids of the runs whose lock is held now (by anyone, this engine included). */
  held(): Promise<Set<string>>;
}

const PREFIX = 'stepwise-run-';

/** The lock's name for run `id`. */
export const runLockName = (id: string): string => `${PREFIX}${id}`;

/** The run id of a lock name, or null when the lock is not a run's. */
export const runOfLock = (name: string | undefined): string | null => (name?.startsWith(PREFIX) ? name.slice(PREFIX.length) : null);
