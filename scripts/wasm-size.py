#!/usr/bin/env python3
"""Per-crate size of a wasm module's code (issue 16's bundle breakdown): reads the code
section's function bodies and the name section's function names (the module cargo builds,
before wasm-bindgen and wasm-opt strip the names), and sums body bytes by crate (the first
path segment of each demangled name). Also gzip -9 of each crate's bodies concatenated,
a rough share of the compressed download.
  python3 scripts/wasm-size.py target/wasm32-unknown-unknown/release/playground.wasm [top]
"""
import re, sys, zlib
from collections import defaultdict

def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1
        r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i

def demangle(n):
    # Rust legacy mangling: _ZN <len><ident>... 17h<hash>E
    m = re.match(r'_ZN((?:\d+[^\d].*?)*)E$', n)
    if n.startswith('_R'):
        # v0 mangling: the crate is the first <len><ident> after a crate hash (Cs...)
        m = re.search(r'Cs[0-9A-Za-z]+_(\d+)', n)
        if m:
            k = int(m.group(1)); st = m.end()
            return n[st:st+k] + '::(v0)'
        return n
    if not n.startswith('_ZN'): return n
    i, parts, s = 3, [], n
    while i < len(s) and s[i].isdigit():
        j = i
        while s[j].isdigit(): j += 1
        k = int(s[i:j]); parts.append(s[j:j+k]); i = j + k
    if parts and re.fullmatch(r'h[0-9a-f]{16}', parts[-1]): parts.pop()
    out = '::'.join(parts)
    for a, c in (('$LT$', '<'), ('$GT$', '>'), ('$u20$', ' '), ('$RF$', '&'), ('$C$', ','), ('$BP$', '*'), ('$u7b$', '{'), ('$u7d$', '}'), ('$u5b$', '['), ('$u5d$', ']'), ('..', '::')):
        out = out.replace(a, c)
    return out.lstrip('_') if out.startswith('_<') else out

def crate_of(name):
    name = demangle(name)
    name = name.lstrip('<').lstrip('&').lstrip('<')
    for pre in ('dyn ', 'impl '):
        if name.startswith(pre): name = name[len(pre):]
    m = re.match(r'([A-Za-z_][A-Za-z0-9_]*)', name)
    c = m.group(1) if m else '?'
    return c

b = open(sys.argv[1], 'rb').read()
top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
i = 8; bodies = []; names = {}; n_imports = 0; data = 0
while i < len(b):
    sid = b[i]; i += 1
    size, i = leb(b, i); end = i + size
    if sid == 2:  # imports: functions come first in the index space
        cnt, j = leb(b, i)
        for _ in range(cnt):
            l, j = leb(b, j); j += l
            l, j = leb(b, j); j += l
            kind = b[j]; j += 1
            if kind == 0: _, j = leb(b, j); n_imports += 1
            elif kind == 1: j += 1; fl, j = leb(b, j); _, j = leb(b, j); j = leb(b, j)[1] if fl & 1 else j
            elif kind == 2: fl, j = leb(b, j); _, j = leb(b, j); j = leb(b, j)[1] if fl & 1 else j
            elif kind == 3: j += 2
    elif sid == 10:
        cnt, j = leb(b, i)
        for _ in range(cnt):
            l, j2 = leb(b, j); bodies.append(b[j2:j2+l]); j = j2 + l
    elif sid == 11:
        data += size
    elif sid == 0:
        l, j = leb(b, i); nm = b[j:j+l].decode(); j += l
        if nm == 'name':
            while j < end:
                sub = b[j]; j += 1; sl, j = leb(b, j); se = j + sl
                if sub == 1:
                    cnt, k = leb(b, j)
                    for _ in range(cnt):
                        idx, k = leb(b, k); l, k = leb(b, k); names[idx] = b[k:k+l].decode('utf8', 'replace'); k += l
                j = se
    i = end
by = defaultdict(lambda: [0, 0, []])
for k, body in enumerate(bodies):
    c = crate_of(names.get(k + n_imports, '?'))
    by[c][0] += len(body); by[c][1] += 1; by[c][2].append(body)
total = sum(len(x) for x in bodies)
print(f'code {total:,} B in {len(bodies):,} functions; data {data:,} B; file {len(b):,} B')
if len(sys.argv) > 3:
    want = sys.argv[3]
    fns = sorted(((len(bd), demangle(names.get(k + n_imports, '?'))) for k, bd in enumerate(bodies) if crate_of(names.get(k + n_imports, '?')) == want), reverse=True)
    for sz, nm in fns[:top]: print(f'{sz:9,} {nm[:200]}')
    sys.exit()
print(f'{"crate":28} {"code B":>10} {"share":>6} {"fns":>6} {"gzip B":>9}')
for c, (sz, n, bl) in sorted(by.items(), key=lambda kv: -kv[1][0])[:top]:
    gz = len(zlib.compress(b''.join(bl), 9))
    print(f'{c:28} {sz:10,} {100*sz/total:5.1f}% {n:6,} {gz:9,}')
