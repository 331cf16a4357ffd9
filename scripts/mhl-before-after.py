#!/usr/bin/env python3
"""
The before/after harness of docs/benchmarks.md (mhl, fourth round): rushes alone, two or
more builds taking turns, the same 10,000 files of 4 KiB in 20 folders as `npm run bench --
mhl`, caches dropped (as root) before each cold run; prints the median wall seconds of
create cold (cc), create warm (cw), verify cold (vc) and verify warm (vw) per build.

  python3 scripts/mhl-before-after.py ROUNDS TREE HOME BIN...   (BIN: a checkout's bin/rushes.cjs, built)

TREE is made once (TREE/Frames/reel_NNN/frame_NNNNNN.dpx) if it does not exist.
"""
import os, subprocess, sys, time, statistics as st, shutil
n = int(sys.argv[1]); root = sys.argv[2]; home = sys.argv[3]; bins = sys.argv[4:]
if not os.path.isdir(root):
    block = os.urandom(1 << 20)
    for i in range(10_000):
        d = os.path.join(root, 'Frames', f'reel_{i // 500:03d}')
        os.makedirs(d, exist_ok=True)
        start = (i * 4099) % (len(block) - 4096)
        with open(os.path.join(d, f'frame_{i:06d}.dpx'), 'wb') as f:
            f.write(i.to_bytes(4, 'little') + block[start + 4:start + 4096])
res = {b: {k: [] for k in ('cc', 'cw', 'vc', 'vw')} for b in bins}


def drop_caches():
    subprocess.run('sync; echo 3 > /proc/sys/vm/drop_caches', shell=True)


def warm_up():
    subprocess.run(['sh', '-c', 'cat "$0"/Frames/*/* > /dev/null', root])


def timed(args):
    t = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit(f'{args} exited with {p.returncode}: {p.stderr.decode()[-500:]}')
    return time.perf_counter() - t


for i in range(n):
    for b in (bins if i % 2 == 0 else bins[::-1]):  # who goes first alternates
        create = ['node', b, '--home', home, 'mhl', 'create', '--hash', 'xxh64', root]
        verify = ['node', b, '--home', home, 'verify', root]
        shutil.rmtree(os.path.join(root, 'ascmhl'), ignore_errors=True)
        drop_caches()
        res[b]['cc'].append(timed(create))
        shutil.rmtree(os.path.join(root, 'ascmhl'), ignore_errors=True)
        warm_up()
        res[b]['cw'].append(timed(create))
        drop_caches()
        res[b]['vc'].append(timed(verify))
        warm_up()
        res[b]['vw'].append(timed(verify))
for b in bins:
    print(b, '  '.join(f"{k} {st.median(res[b][k]):.3f}" for k in ('cc', 'cw', 'vc', 'vw')))
