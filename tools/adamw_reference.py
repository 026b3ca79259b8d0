#!/usr/bin/python3
"""Golden AdamW steps from torch.optim.AdamW (Debian's python3-torch) for src/gpu/kernels/adamw.test.ts.

Writes fixtures/kernels/adamw.json. Each step's grad is multiplied by a clip coefficient first,
as clip_grad_norm_ does in place before the optimizer runs, so the fixture also covers adamwStep's gradScale.
Run: /usr/bin/python3 tools/adamw_reference.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'kernels', 'adamw.json')


def f32_list(t):
    # 9 significant digits round-trip any float32 exactly.
    return [float('%.9g' % x) for x in t.detach().to(torch.float32).flatten().tolist()]


def case(name, n, steps, lr, betas, eps, weight_decay, clip_scales, seed):
    g = torch.Generator().manual_seed(seed)
    param = torch.nn.Parameter(torch.randn(n, generator=g, dtype=torch.float32))
    opt = torch.optim.AdamW([param], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=False)
    record = {
        'name': name,
        'n': n,
        'hyper': {'lr': lr, 'beta1': betas[0], 'beta2': betas[1], 'eps': eps, 'weightDecay': weight_decay},
        'param0': f32_list(param),
        'steps': [],
    }
    for step in range(steps):
        grad = torch.randn(n, generator=g, dtype=torch.float32) * (10.0 ** (step - 1))
        scale = torch.tensor(clip_scales[step], dtype=torch.float32)
        param.grad = grad.clone().mul_(scale)
        opt.step()
        state = opt.state[param]
        record['steps'].append({
            'step': step + 1,
            'grad': f32_list(grad),
            'gradScale': float(scale),
            'param': f32_list(param),
            'm': f32_list(state['exp_avg']),
            'v': f32_list(state['exp_avg_sq']),
        })
    return record


def main():
    cases = [
        case('decay, clipped, 3 steps', 300, 3, 1e-2, (0.9, 0.999), 1e-8, 0.01, [1.0, 0.5, 0.125], 1),
        case('no decay (bias or norm), 2 steps', 37, 2, 3e-4, (0.8, 0.99), 1e-6, 0.0, [1.0, 1.0], 2),
    ]
    data = {
        'generator': 'tools/adamw_reference.py',
        'torch': torch.__version__,
        'note': 'torch.optim.AdamW(foreach=False); grad fed to each step = grad * gradScale (float32)',
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        json.dump(data, f, separators=(',', ':'))
        f.write('\n')
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
