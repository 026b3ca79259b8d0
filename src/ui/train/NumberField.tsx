import { useEffect, useId, useState } from 'react';

interface Props {
  label: string;
  value: number | null;
  onChange(value: number | null): void;
  /** Whole numbers only. */
  integer?: boolean;
  min?: number;
  max?: number;
  /** Empty means null (e.g. "Max steps": epochs decide). */
  emptyMeans?: string;
  hint?: string;
  disabled?: boolean;
}

/**
 * A labelled number input that keeps what the person types (so "1e-" on the way to "1e-4" is not wiped) and commits
 * only valid values; an invalid entry says why next to the field.
 */
export function NumberField({ label, value, onChange, integer, min, max, emptyMeans, hint, disabled }: Props) {
  const id = useId();
  const [text, setText] = useState(value === null ? '' : String(value));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    // Follow changes from outside (a preset), unless the text already means this value.
    setText((t) => (t.trim() !== '' && Number(t) === value) || (t.trim() === '' && value === null) ? t : value === null ? '' : String(value));
    setProblem(null);
  }, [value]);

  const commit = (t: string) => {
    setText(t);
    if (t.trim() === '') {
      if (emptyMeans !== undefined) {
        setProblem(null);
        onChange(null);
      } else setProblem('required');
      return;
    }
    const n = Number(t);
    if (!Number.isFinite(n)) return setProblem('not a number');
    if (integer && !Number.isInteger(n)) return setProblem('a whole number');
    if (min !== undefined && n < min) return setProblem(`at least ${min}`);
    if (max !== undefined && n > max) return setProblem(`at most ${max}`);
    setProblem(null);
    onChange(n);
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={text}
        disabled={disabled}
        placeholder={emptyMeans}
        aria-invalid={problem !== null}
        onChange={(e) => commit(e.target.value)}
        title={hint}
      />
      {problem ? <span className="field-problem">{problem}</span> : hint ? <span className="field-hint">{hint}</span> : null}
    </div>
  );
}
