// The studio's state: one zustand store made of slices. Components select single fields.
import { create } from 'zustand';
import type { MemoryStats } from '../settings/memory';
import type { GpuInfo, SelfTestResult } from '../engine/api';

export const PAGES = ['models', 'datasets', 'train', 'experiments', 'playground', 'export'] as const;
export type Page = (typeof PAGES)[number];

export interface NavSlice {
  page: Page;
  goTo: (page: Page) => void;
}

export type GpuStatus = 'starting' | 'ready' | 'unavailable' | 'error';

export interface GpuSlice {
  gpuStatus: GpuStatus;
  gpuInfo: GpuInfo | null;
  gpuMemory: MemoryStats | null;
  gpuMessage: string | null;
  gpuSelfTest: SelfTestResult | null;
  setGpu: (patch: Partial<Omit<GpuSlice, 'setGpu'>>) => void;
}

export type StudioState = NavSlice & GpuSlice;

function pageFromHash(): Page {
  const h = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '');
  return (PAGES as readonly string[]).includes(h) ? (h as Page) : 'models';
}

export const useStudio = create<StudioState>()((set) => ({
  page: pageFromHash(),
  goTo: (page) => {
    if (typeof location !== 'undefined') location.hash = `/${page}`;
    set({ page });
  },
  gpuStatus: 'starting',
  gpuInfo: null,
  gpuMemory: null,
  gpuMessage: null,
  gpuSelfTest: null,
  setGpu: (patch) => set(patch),
}));

// Back/forward and typed URLs change the hash without a reload: follow them.
if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    const page = pageFromHash();
    if (useStudio.getState().page !== page) useStudio.setState({ page });
  });
}
