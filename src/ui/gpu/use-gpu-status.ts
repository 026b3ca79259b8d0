import { useEffect } from 'react';
import { engineClient } from '../engine-client';
import { useStudio } from '../store';

const MEMORY_POLL_MS = 1000;

/** Starts the engine worker once, then keeps the GPU slice of the store current. */
export function useGpuStatus(): void {
  const setGpu = useStudio((s) => s.setGpu);
  useEffect(() => {
    if (!('gpu' in navigator)) {
      setGpu({ gpuStatus: 'unavailable', gpuMessage: 'navigator.gpu is missing in this browser.' });
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    const engine = engineClient();
    engine
      .gpuInfo()
      .then(async (info) => {
        // Every await is a point where the component may have unmounted: check before touching state or timers.
        if (stopped) return;
        const memory = await engine.memory();
        if (stopped) return;
        setGpu({ gpuStatus: 'ready', gpuInfo: info, gpuMemory: memory });
        const selfTest = await engine.selfTest();
        if (stopped) return;
        setGpu({ gpuSelfTest: selfTest });
        timer = setInterval(() => {
          void engine.memory().then((m) => !stopped && setGpu({ gpuMemory: m }));
          void engine.takeErrors().then((errors) => {
            const last = errors.at(-1);
            if (last && !stopped) setGpu({ gpuStatus: 'error', gpuMessage: `${last.kind} in ${last.programs.join(', ') || 'unknown program'}: ${last.message}` });
          });
        }, MEMORY_POLL_MS);
      })
      .catch((e: unknown) => {
        if (stopped) return;
        const message = e instanceof Error ? e.message : String(e);
        setGpu({ gpuStatus: /adapter|navigator\.gpu|WebGPU/i.test(message) ? 'unavailable' : 'error', gpuMessage: message });
      });
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [setGpu]);
}
