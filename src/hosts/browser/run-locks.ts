// RunLocks on the Web Locks API (shared by every tab and worker of the origin): a run's lock is held for as long as
// it trains, and a lock held by a tab that closes goes with it, so a crashed tab never leaves a run locked.
import { runLockName, runOfLock, type RunLocks } from '../../engine/run-locks';

export function webRunLocks(locks: LockManager): RunLocks {
  return {
    acquire(id) {
      return new Promise((resolve, reject) => {
        locks
          .request(runLockName(id), { ifAvailable: true }, (lock) => {
            if (!lock) {
              resolve(null);
              return undefined;
            }
            // Held until the returned promise settles: release() settles it.
            return new Promise<void>((release) => resolve(() => release()));
          })
          .catch(reject);
      });
    },
    async held() {
      const state = await locks.query();
      return new Set((state.held ?? []).map((l) => runOfLock(l.name)).filter((id): id is string => id !== null));
    },
  };
}
