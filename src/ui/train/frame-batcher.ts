// Run events arrive once per optimizer step (or faster); re-rendering the charts for each would keep the main thread
// busy. The batcher collects items and hands them over at most once per animation frame (a timer where there are
// no frames: a hidden tab, Node tests), so a render takes whatever arrived since the last one.

export interface FrameBatcher<T> {
  push(item: T): void;
  /** Deliver what is pending now (e.g. before the run's final record is shown). */
  flush(): void;
}

type Schedule = (run: () => void) => void;

const nextFrame: Schedule = (run) => {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible') {
    requestAnimationFrame(() => run());
  } else {
    setTimeout(run, 100);
  }
};

export function frameBatcher<T>(deliver: (items: T[]) => void, schedule: Schedule = nextFrame): FrameBatcher<T> {
  let pending: T[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    deliver(items);
  };
  return {
    push(item) {
      pending.push(item);
      if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
    flush,
  };
}
