import { useId } from 'react';
import { ALL_LINEAR_TARGETS, type LrSchedule, type TuneMethod } from '../../settings/run-config';
import { LORA_PRESETS, type LoraPreset } from '../../settings/presets';
import { NumberField } from './NumberField';
import { RUN_PRESETS } from './presets';
import { useRunInputs } from './run-inputs';
import { StartAdapterPicker } from './StartAdapterPicker';
import { showStartAdapterSettings } from './start-adapter';
import { useTrain } from './use-train';

const METHOD_NAMES: Record<TuneMethod, string> = { full: 'Full fine-tuning', lora: 'LoRA', qlora: 'QLoRA (NF4 base)' };
const SCHEDULE_NAMES: Record<LrSchedule, string> = {
  plateau: 'Reduce on plateau (eval loss)',
  constant: 'Constant',
  linear: 'Linear decay',
  cosine: 'Cosine decay',
};

/** The run's settings: presets, the main fields, and the rest under "More settings". */
export function SettingsForm({ disabled }: { disabled: boolean }) {
  const config = useTrain((s) => s.config);
  const setConfig = useTrain((s) => s.setConfig);
  const setLora = useTrain((s) => s.setLora);
  const methodId = useId();
  const scheduleId = useId();
  const startAdapter = useRunInputs((s) => s.startAdapter);
  const adapter = config.method !== 'full';
  // A continued adapter brings its own LoRA settings (the engine reads them from adapter_config.json).
  const loraEditable = adapter && !startAdapter;
  const fromAdapter = startAdapter ? `from ${startAdapter.label}` : undefined;
  const num = (n: number | null) => n ?? 0;

  return (
    <fieldset className="settings" disabled={disabled}>
      <legend>Settings</legend>
      <div className="presets" role="group" aria-label="Presets">
        <span className="muted">Presets:</span>
        {RUN_PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            title={p.note}
            onClick={() => {
              useTrain.getState().resetConfig(p.config);
              showStartAdapterSettings();
            }}
          >
            {p.name}
          </button>
        ))}
      </div>
      <div className="field-grid">
        <div className="field">
          <label htmlFor={methodId}>Method</label>
          <select id={methodId} value={config.method} onChange={(e) => setConfig({ method: e.target.value as TuneMethod })}>
            {(Object.keys(METHOD_NAMES) as TuneMethod[]).map((m) => (
              <option key={m} value={m} disabled={m === 'full' && startAdapter !== null}>
                {METHOD_NAMES[m]}
              </option>
            ))}
          </select>
        </div>
        <StartAdapterPicker disabled={disabled} />
        <NumberField label="Rank" value={config.lora.rank} integer min={1} disabled={!loraEditable} onChange={(v) => setLora({ rank: num(v) })} hint={fromAdapter ?? 'LoRA r'} />
        <NumberField label="Alpha" value={config.lora.alpha} min={0} disabled={!loraEditable} onChange={(v) => setLora({ alpha: num(v) })} hint={fromAdapter ?? `scale ${(config.lora.alpha / (config.lora.rslora ? Math.sqrt(config.lora.rank) : config.lora.rank)).toPrecision(3)}`} />
        <NumberField label="Learning rate" value={config.lr} min={0} onChange={(v) => setConfig({ lr: num(v) })} hint="paper: 5e-5" />
        <NumberField label="Batch size" value={config.batchSize} integer min={1} onChange={(v) => setConfig({ batchSize: num(v) })} hint="examples per step" />
        <NumberField label="Epochs" value={config.epochs} integer min={1} onChange={(v) => setConfig({ epochs: num(v) })} />
        <NumberField label="Max steps" value={config.maxSteps} integer min={1} emptyMeans="epochs decide" onChange={(v) => setConfig({ maxSteps: v })} />
        <NumberField label="Loss weight a" value={config.a} min={0} max={1} onChange={(v) => setConfig({ a: num(v) })} hint="a·label + (1−a)·rationale" />
      </div>
      {startAdapter ? (
        <p className="muted small" data-testid="start-adapter-note">
          Continuing {startAdapter.label}: rank, alpha, LoRA dropout, targets and rsLoRA are the adapter’s own and cannot change; the method is LoRA or QLoRA.
        </p>
      ) : null}
      <details className="more-settings">
        <summary>More settings</summary>
        <div className="field-grid">
          <NumberField label="LoRA dropout" value={config.lora.dropout} min={0} max={0.99} disabled={!loraEditable} onChange={(v) => setLora({ dropout: num(v) })} />
          <label className="check">
            <input type="checkbox" checked={config.lora.rslora} disabled={!loraEditable} onChange={(e) => setLora({ rslora: e.target.checked })} /> rsLoRA (scale by 1/√r, not 1/r)
          </label>
          <label className="check">
            <input type="checkbox" checked={config.doubleQuant} disabled={config.method !== 'qlora'} onChange={(e) => setConfig({ doubleQuant: e.target.checked })} /> NF4 double quantization
          </label>
          <fieldset className="targets" disabled={!loraEditable}>
            <legend>LoRA targets</legend>
            {(Object.keys(LORA_PRESETS) as LoraPreset[]).map((p) => (
              <button key={p} type="button" onClick={() => setLora({ targets: [...LORA_PRESETS[p]] })}>
                {p === 'attention' ? 'q, v (PEFT default)' : 'all linear (paper)'}
              </button>
            ))}
            {ALL_LINEAR_TARGETS.map((t) => (
              <label key={t} className="check">
                <input
                  type="checkbox"
                  checked={config.lora.targets.includes(t)}
                  onChange={(e) => setLora({ targets: e.target.checked ? [...config.lora.targets, t] : config.lora.targets.filter((x) => x !== t) })}
                />{' '}
                {t}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={scheduleId}>LR schedule</label>
            <select id={scheduleId} value={config.schedule} onChange={(e) => setConfig({ schedule: e.target.value as LrSchedule })}>
              {(Object.keys(SCHEDULE_NAMES) as LrSchedule[]).map((s) => (
                <option key={s} value={s}>
                  {SCHEDULE_NAMES[s]}
                </option>
              ))}
            </select>
          </div>
          <NumberField label="Warmup steps" value={config.warmupSteps} integer min={0} onChange={(v) => setConfig({ warmupSteps: num(v) })} />
          <NumberField label="Plateau patience" value={config.plateauPatience} integer min={0} onChange={(v) => setConfig({ plateauPatience: num(v) })} hint="evaluations" />
          <NumberField label="Plateau factor" value={config.plateauFactor} min={0} max={1} onChange={(v) => setConfig({ plateauFactor: num(v) })} />
          <NumberField label="Weight decay" value={config.weightDecay} min={0} onChange={(v) => setConfig({ weightDecay: num(v) })} />
          <NumberField label="Gradient clip" value={config.maxGradNorm} min={0} onChange={(v) => setConfig({ maxGradNorm: num(v) })} hint="0 = off" />
          <NumberField label="Gradient accumulation" value={config.gradAccum} integer min={1} onChange={(v) => setConfig({ gradAccum: num(v) })} />
          <NumberField label="Early stopping patience" value={config.earlyStoppingPatience} integer min={1} emptyMeans="never" onChange={(v) => setConfig({ earlyStoppingPatience: v })} />
          <NumberField label="Eval fraction" value={config.evalFraction} min={0} max={0.9} onChange={(v) => setConfig({ evalFraction: num(v) })} />
          <NumberField label="Seed" value={config.seed} integer onChange={(v) => setConfig({ seed: num(v) })} />
          <NumberField label="Max input length" value={config.maxInputLength} integer min={1} onChange={(v) => setConfig({ maxInputLength: num(v) })} hint="tokens" />
          <NumberField label="Max target length" value={config.maxTargetLength} integer min={1} onChange={(v) => setConfig({ maxTargetLength: num(v) })} hint="tokens" />
          <NumberField label="Model dropout" value={config.dropoutRate} min={0} max={0.99} emptyMeans="checkpoint's" onChange={(v) => setConfig({ dropoutRate: v })} />
          <label className="check">
            <input type="checkbox" checked={config.shuffle} onChange={(e) => setConfig({ shuffle: e.target.checked })} /> Shuffle every epoch
          </label>
        </div>
      </details>
    </fieldset>
  );
}
