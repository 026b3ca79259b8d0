// Test-only: Debian's PyTorch (/usr/bin/python3 with python3-torch) is the numerical reference. CI installs it;
// tests that shell out to it skip elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

export const hasTorch: boolean = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 60_000 }).status === 0;
