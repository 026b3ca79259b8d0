// The engine's interface: implemented in-thread by Engine (tests, CLI) and proxied by comlink in the
// browser worker. Only plain data crosses it; GPU objects stay where the device lives.
import type { MemoryStats } from '../gpu/buffer-pool';
import type { GpuInfo } from '../gpu/device';
import type { GpuErrorReport } from '../gpu/errors';

export interface SelfTestResult {
  ok: boolean;
  /** What the add kernel returned for [1,2,3] + 2*[10,20,30]. */
  values: number[];
  millis: number;
}

export interface EngineApi {
  gpuInfo(): Promise<GpuInfo>;
  memory(): Promise<MemoryStats>;
  /** Run one tiny kernel end to end, so the studio can prove compute works. */
  selfTest(): Promise<SelfTestResult>;
  /** GPU errors since the last call, each naming its program. */
  takeErrors(): Promise<GpuErrorReport[]>;
}
