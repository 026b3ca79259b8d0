import { MEMORY_CATEGORIES } from '../../settings/memory';
import { describeAdapter } from '../../settings/adapter-name';
import { formatBytes } from '../format';
import { useStudio } from '../store';

const SHOWN_LIMITS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'] as const;

/** Adapter, granted limits and features, and the bytes the engine holds on the GPU. */
export function GpuStatusPanel() {
  const status = useStudio((s) => s.gpuStatus);
  const info = useStudio((s) => s.gpuInfo);
  const memory = useStudio((s) => s.gpuMemory);
  const message = useStudio((s) => s.gpuMessage);
  const selfTest = useStudio((s) => s.gpuSelfTest);
  return (
    <section className="gpu-panel" aria-label="GPU status" data-testid="gpu-status" data-status={status}>
      <h2>GPU</h2>
      {status === 'starting' && <p>Starting the engine…</p>}
      {message && <p className={status === 'error' ? 'error' : 'muted'}>{message}</p>}
      {info && (
        <>
          <p className="adapter" data-testid="gpu-adapter">
            {describeAdapter(info)}
          </p>
          <dl>
            <dt>Vendor</dt>
            <dd>{info.vendor || '—'}</dd>
            <dt>Architecture</dt>
            <dd>{info.architecture || '—'}</dd>
            <dt>shader-f16</dt>
            <dd data-testid="gpu-f16">{info.f16 ? 'yes' : 'no (f32 compute)'}</dd>
            <dt>Timestamps</dt>
            <dd>{info.timestamps ? 'yes' : 'no'}</dd>
            {SHOWN_LIMITS.map((k) => (
              <div key={k} className="row">
                <dt>{k}</dt>
                <dd>{k.includes('Invocations') ? info.limits[k] : formatBytes(info.limits[k])}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {selfTest && (
        <p data-testid="gpu-selftest" className={selfTest.ok ? 'muted' : 'error'}>
          Kernel self-test: {selfTest.ok ? 'passed' : `FAILED (got ${selfTest.values.join(', ')})`} in {selfTest.millis.toFixed(0)} ms
        </p>
      )}
      {memory && (
        <div className="memory" data-testid="gpu-memory">
          <h3>
            In use: {formatBytes(memory.liveTotal)} <span className="muted">(peak {formatBytes(memory.peakTotal)})</span>
          </h3>
          <ul>
            {MEMORY_CATEGORIES.map((c) => (
              <li key={c}>
                {c}: {formatBytes(memory.live[c])}
              </li>
            ))}
          </ul>
          <p className="muted small">Counted from the engine's own allocations: WebGPU has no memory query.</p>
        </div>
      )}
    </section>
  );
}
