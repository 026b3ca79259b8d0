import { describe, expect, it } from 'vitest';
import { DEFAULT_TEACHER_CONFIG } from '../../data/teacher';
import { KEY_ENTRY, loadTeacherSettings, saveTeacherSettings, SETTINGS_ENTRY } from './teacher-settings';

function memoryStorage() {
  const m = new Map<string, string>();
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

const KEY = 'sk-live-abcdef123456';

describe('teacher settings persistence', () => {
  it('never stores the key unless asked, and never inside the settings entry', () => {
    const s = memoryStorage();
    const config = { ...DEFAULT_TEACHER_CONFIG, model: 'mixtral', apiKey: KEY };
    saveTeacherSettings(s, { config, rememberKey: false });
    expect([...s.m.values()].join()).not.toContain(KEY);
    expect(loadTeacherSettings(s)).toEqual({ config: { ...DEFAULT_TEACHER_CONFIG, model: 'mixtral', apiKey: '' }, rememberKey: false });

    saveTeacherSettings(s, { config, rememberKey: true });
    expect(s.m.get(SETTINGS_ENTRY)).not.toContain(KEY);
    expect(s.m.get(KEY_ENTRY)).toBe(KEY);
    expect(loadTeacherSettings(s)).toMatchObject({ config: { apiKey: KEY, model: 'mixtral' }, rememberKey: true });

    // Unticking "remember key" deletes it.
    saveTeacherSettings(s, { config, rememberKey: false });
    expect(s.m.has(KEY_ENTRY)).toBe(false);
  });
  it('ignores corrupt or wrongly typed saved settings', () => {
    const s = memoryStorage();
    s.setItem(SETTINGS_ENTRY, '{"model": 5, "temperature": 0.7, "baseUrl": "http://h/v1"}');
    expect(loadTeacherSettings(s).config).toMatchObject({ model: DEFAULT_TEACHER_CONFIG.model, temperature: 0.7, baseUrl: 'http://h/v1' });
    s.setItem(SETTINGS_ENTRY, 'not json');
    expect(loadTeacherSettings(s).config).toEqual({ ...DEFAULT_TEACHER_CONFIG, apiKey: '' });
    expect(loadTeacherSettings(null).rememberKey).toBe(false);
  });
});
