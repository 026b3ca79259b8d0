import type { TeacherConfig } from '../../data/teacher';
import { useTeacher } from './teacher-slice';

type NumberField = 'temperature' | 'maxTokens' | 'concurrency' | 'samples' | 'timeoutMs';

/** Endpoint, model, key and sampling settings of the teacher. The key field is a password field, never logged. */
export function TeacherSettings() {
  const config = useTeacher((s) => s.config);
  const rememberKey = useTeacher((s) => s.rememberKey);
  const setConfig = useTeacher((s) => s.setConfig);
  const setRememberKey = useTeacher((s) => s.setRememberKey);
  const disabled = useTeacher((s) => s.running);
  const num = (key: NumberField, label: string, step: number, min: number, max?: number, hint?: string) => (
    <label className="field">
      {label}
      <input
        type="number"
        aria-label={label}
        step={step}
        min={min}
        max={max}
        value={config[key]}
        disabled={disabled}
        onChange={(e) => {
          const v = e.target.valueAsNumber;
          if (Number.isFinite(v)) setConfig({ [key]: v } as Partial<TeacherConfig>);
        }}
      />
      {hint ? <span className="muted small">{hint}</span> : null}
    </label>
  );
  return (
    <fieldset className="teacher-settings" disabled={disabled}>
      <legend>Teacher endpoint (OpenAI-compatible)</legend>
      <label className="field wide">
        Base URL
        <input type="url" aria-label="Base URL" value={config.baseUrl} onChange={(e) => setConfig({ baseUrl: e.target.value })} placeholder="http://127.0.0.1:11434/v1" />
        <span className="muted small">Ollama, vLLM, llama.cpp server, LM Studio or OpenAI; the server must allow this page's origin (CORS).</span>
      </label>
      <label className="field">
        Model
        <input aria-label="Model" value={config.model} onChange={(e) => setConfig({ model: e.target.value })} />
      </label>
      <label className="field">
        API key
        <input type="password" aria-label="API key" autoComplete="off" value={config.apiKey ?? ''} onChange={(e) => setConfig({ apiKey: e.target.value })} placeholder="optional" />
      </label>
      <label className="check">
        <input type="checkbox" checked={rememberKey} onChange={(e) => setRememberKey(e.target.checked)} /> Remember key in this browser
        <span className="muted small"> (otherwise it is kept in memory only and never written to datasets, exports or logs)</span>
      </label>
      {num('temperature', 'Temperature', 0.1, 0, 2)}
      {num('maxTokens', 'Max tokens', 32, 1)}
      {num('concurrency', 'Concurrency', 1, 1, 64, 'requests in flight')}
      {num('samples', 'Samples (n)', 1, 1, 32, 'self-consistency: most frequent valid label wins')}
      {num('timeoutMs', 'Timeout (ms)', 1000, 1000)}
    </fieldset>
  );
}
