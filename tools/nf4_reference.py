#!/usr/bin/python3
"""NF4 reference (bitsandbytes' algorithm, written from its description) and golden fixtures.

Run with Debian's python (torch 1.13 + numpy):  /usr/bin/python3 tools/nf4_reference.py
Writes fixtures/kernels/nf4.json, which the TypeScript tests compare bit for bit, so the tests
never need python. Every step is float32, as bitsandbytes computes it:

  NF4 (blocks of 64):   absmax = max|x|;  full block: s = x * f32(1/absmax);  tail block: s = x / absmax;
                        clamp to [-1, 1]; code = number of f32 midpoints strictly below s (ties go to the
                        lower code, NaN from an all-zero block gives code 0, as bnb's decision tree does);
                        element 2j in the high nibble of byte j; an odd tail pads the low nibble with the
                        code of 0.0 (7).
  Double quantization:  offset = mean(absmax) in a fixed f32 order (see f32_mean); v = absmax - offset;
                        blocks of 256: a2 = max|v|, s = v * f32(1/a2), q = bnb's dQuantize<0> binary search
                        over the signed dynamic 8-bit map (create_dynamic_map()).
"""
import json
import os
import sys

import numpy as np
import torch

F = np.float32
NF4_CODE = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
]
# The decision-tree thresholds bitsandbytes uses, as float literals (code i | i+1).
BNB_THRESHOLDS = [
    -0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544,
    -0.23460740596055984, -0.13791173323988914, -0.045525018125772476, 0.03979014977812767,
    0.1202552504837513, 0.2035212516784668, 0.2920137718319893, 0.3893125355243683,
    0.5016634166240692, 0.6427869200706482, 0.8614784181118011,
]
CODE32 = np.array(NF4_CODE, dtype=F)
THRESH32 = np.array([(NF4_CODE[i] + NF4_CODE[i + 1]) / 2 for i in range(15)], dtype=F)
assert (THRESH32 == np.array(BNB_THRESHOLDS, dtype=F)).all(), 'midpoints differ from the bnb literals'


def create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8):
    """The signed dynamic 8-bit map, with torch float32 arithmetic as bitsandbytes builds it."""
    data = []
    non_sign_bits = total_bits - 1
    additional_items = 2 ** (non_sign_bits - max_exponent_bits) - 1
    for i in range(max_exponent_bits):
        items = 2 ** (i + non_sign_bits - max_exponent_bits) + 1 if signed else 2 ** (i + non_sign_bits - max_exponent_bits + 1) + 1
        bounds = torch.linspace(0.1, 1, int(items))
        means = (bounds[:-1] + bounds[1:]) / 2.0
        data += (10 ** (-(max_exponent_bits - 1) + i) * means).tolist()
        if signed:
            data += (-(10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
    assert additional_items == 0
    data.append(0)
    data.append(1.0)
    assert len(data) == 2 ** total_bits
    data.sort()
    return torch.tensor(data).numpy().astype(F)


def nf4_code_of(s):
    """Index of the nearest code; ties and NaN go low (bnb's tree tests x > midpoint)."""
    s = np.asarray(s, dtype=F)
    out = np.zeros(s.shape, dtype=np.uint8)
    for t in THRESH32:
        out += (s > t).astype(np.uint8)
    return out


def nf4_quantize(x):
    x = np.asarray(x, dtype=F)
    n = x.size
    nblocks = (n + 63) // 64
    absmax = np.zeros(nblocks, dtype=F)
    scaled = np.zeros(n, dtype=F)
    with np.errstate(divide='ignore', invalid='ignore'):
        for b in range(nblocks):
            blk = x[b * 64:(b + 1) * 64]
            a = F(np.max(np.abs(blk)))
            absmax[b] = a
            if blk.size == 64:
                s = blk * (F(1) / a)  # f32 reciprocal, then f32 multiply
            else:
                s = blk / a  # the tail block divides
            scaled[b * 64:b * 64 + blk.size] = np.clip(s, F(-1), F(1))
    q = nf4_code_of(scaled)
    if n % 2:
        q = np.concatenate([q, np.array([7], dtype=np.uint8)])  # pad with the code of 0.0
    packed = (q[0::2] << 4) | q[1::2]
    return packed.astype(np.uint8), absmax


def nf4_dequantize(codes, absmax, n):
    q = np.empty(codes.size * 2, dtype=np.uint8)
    q[0::2] = codes >> 4
    q[1::2] = codes & 15
    vals = CODE32[q[:n]]
    return (vals * np.repeat(absmax, 64)[:n]).astype(F)


def f32_mean(v):
    """Mean in float32 in one fixed order the GPU repeats: 256 lane sums (lane p adds v[p], v[p+256], ...
    in order), a pairwise tree over the lanes (stride 128, 64, ..., 1), then one correctly rounded division."""
    v = np.asarray(v, dtype=F)
    lanes = np.zeros(256, dtype=F)
    for i in range(v.size):
        lanes[i % 256] = F(lanes[i % 256] + v[i])
    stride = 128
    while stride >= 1:
        lanes[:stride] = lanes[:stride] + lanes[stride:2 * stride]
        stride //= 2
    return F(lanes[0] / F(v.size))


def dquantize8(code, x):
    """bitsandbytes' dQuantize<0>: 7-step binary search from pivot 127, then a float32 midpoint test."""
    x = F(x)
    pivot, upper_pivot, lower_pivot = 127, 255, 0
    lower, upper = F(-1.0), F(1.0)
    val = code[pivot]
    i = 64
    while i > 0:
        if x > val:
            lower_pivot, lower = pivot, val
            pivot += i
        else:
            upper_pivot, upper = pivot, val
            pivot -= i
        val = code[pivot]
        i >>= 1
    if upper_pivot == 255:
        upper = code[upper_pivot]
    if lower_pivot == 0:
        lower = code[lower_pivot]
    if x > val:
        return upper_pivot if x > F((upper + val) * F(0.5)) else pivot
    return lower_pivot if x < F((lower + val) * F(0.5)) else pivot


def double_quantize(absmax, code):
    absmax = np.asarray(absmax, dtype=F)
    offset = f32_mean(absmax)
    v = (absmax - offset).astype(F)
    nb2 = (v.size + 255) // 256
    absmax2 = np.zeros(nb2, dtype=F)
    q = np.zeros(v.size, dtype=np.uint8)
    with np.errstate(divide='ignore', invalid='ignore'):
        for b in range(nb2):
            blk = v[b * 256:(b + 1) * 256]
            a2 = F(np.max(np.abs(blk)))
            absmax2[b] = a2
            s = blk * (F(1) / a2)
            for j, sj in enumerate(s):
                q[b * 256 + j] = dquantize8(code, sj)
    return q, absmax2, offset


def double_dequantize(q, absmax2, offset, code):
    return ((code[q] * np.repeat(absmax2, 256)[:q.size]).astype(F) + offset).astype(F)


def random_floats(n, seed, lo=-1.0, hi=1.0):
    """Same xorshift32 stream as randomFloats() in src/testing/gpu.ts."""
    s = (seed & 0xFFFFFFFF) or 1
    out = np.empty(n, dtype=F)
    for i in range(n):
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        out[i] = F(lo + ((s >> 8) / 16777216) * (hi - lo))
    return out


def hex_f32(a):
    return ''.join('%08x' % w for w in np.asarray(a, dtype=F).view(np.uint32))


def crafted_ties():
    """One full block with absmax 1: every midpoint exactly (ties -> lower), the next float above each
    (-> upper), the codes themselves, the ends; then the same block scaled by 2 (exact reciprocal)."""
    vals = [1.0, -1.0]
    for t in THRESH32:
        vals += [t, np.nextafter(t, F(2)), np.nextafter(t, F(-2))]
    vals += list(CODE32[1:15])
    vals += [0.0] * (64 - len(vals))
    block = np.array(vals[:64], dtype=F)
    return np.concatenate([block, block * F(2)])


def main():
    code8 = create_dynamic_map()
    cases = []

    def add(name, x, source, double=False):
        codes, absmax = nf4_quantize(x)
        case = {'name': name, 'n': int(x.size), 'input': source, 'codes': codes.tobytes().hex(), 'absmax': hex_f32(absmax)}
        deq = nf4_dequantize(codes, absmax, x.size)
        bound = max(abs(float(CODE32[i + 1]) - float(CODE32[i])) for i in range(15)) / 2
        err = np.abs(deq.astype(np.float64) - x) / np.maximum(np.repeat(absmax, 64)[:x.size], 1e-30)
        assert err.max() <= bound + 1e-6, (name, err.max())
        if double:
            q, a2, off = double_quantize(absmax, code8)
            case['double'] = {'qabsmax': q.tobytes().hex(), 'absmax2': hex_f32(a2), 'offset': hex_f32([off])}
        cases.append(case)

    ties = crafted_ties()
    add('ties', ties, {'hex': hex_f32(ties)})
    # Ties scaled by 3: the full block multiplies by f32(1/3), the 50-element tail divides by 3, so values land
    # next to the midpoints by different roundings in the two paths.
    t3 = (ties[:64] * F(3)).astype(F)
    t3 = np.concatenate([t3, t3[:50]])
    add('ties-x3', t3, {'hex': hex_f32(t3)})
    x = random_floats(200, 7, -0.05, 0.05)
    add('tail-200', x, {'random': {'n': 200, 'seed': 7, 'lo': -0.05, 'hi': 0.05}}, double=True)
    x = random_floats(37, 11, -3, 3)
    add('odd-37', x, {'random': {'n': 37, 'seed': 11, 'lo': -3, 'hi': 3}})
    z = np.concatenate([np.zeros(64, dtype=F), random_floats(64, 5), np.zeros(9, dtype=F)])
    add('zeros', z, {'hex': hex_f32(z)})
    # Many blocks with different scales, so double quantization has two 256-blocks and a tail.
    n = 64 * 700 + 5
    x = random_floats(n, 3, -1, 1)
    scales = (1 + 4 * random_floats((n + 63) // 64, 9, 0, 1)).astype(F)
    x = (x * np.repeat(scales, 64)[:n]).astype(F)
    add('scaled-44805', x, {'random': {'n': n, 'seed': 3, 'lo': -1, 'hi': 1}, 'blockScales': {'n': int(scales.size), 'seed': 9, 'lo': 1, 'hi': 5}}, double=True)

    # How the decision tree compares with torch.argmin over |s - code| (bnb's pure-torch backend).
    s = torch.from_numpy(np.clip(x[:64 * 700].reshape(-1, 64) * (F(1) / np.max(np.abs(x[:64 * 700].reshape(-1, 64)), axis=1, keepdims=True)), -1, 1).reshape(-1))
    argmin = torch.argmin(torch.abs(s.unsqueeze(-1) - torch.from_numpy(CODE32)), dim=-1).numpy()
    agree = float((argmin == nf4_code_of(s.numpy())).mean())

    fixture = {
        'about': 'Golden NF4 fixtures written by tools/nf4_reference.py (float32 bitsandbytes algorithm). Hex: f32 words big-endian per value; codes: the bnb uint8 array.',
        'dynamicMap': hex_f32(code8),
        'treeVsArgminAgreement': agree,
        'cases': cases,
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'kernels', 'nf4.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')
    print('wrote', os.path.normpath(out), 'cases', [c['name'] for c in cases], 'tree/argmin agreement', agree, file=sys.stderr)


if __name__ == '__main__':
    main()
