// RunLocks on the Web Locks API (shared by every tab and worker of the origin): a run's lock is held for as long as
// it trains, and a lock held by a tab that closes goes with it, so a crashed tab never leaves a run locked.
import { runLockName, runOfLock, type RunLocks } from '../../engine/run-locks';

export function webRunLocks(locks: LockManager): RunLocks {
  return {
    acquire: (id) => tryLock(locks, runLockName(id)),
    async held() {
      const state = await locks.query();
      return new Set((state.held ?? []).map((l) => runOfLock(l.name)).filter((id): id is string => id !== null));
    },
  };
}

/** The lock `name` if no one holds it, with the function that releases it; null when it is held elsewhere. */
export function tryLock(locks: LockManager, name: string): Promise<(() => void) | null> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        // Held until the returned promise settles: the release function settles it.
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(reject);
  });
}
