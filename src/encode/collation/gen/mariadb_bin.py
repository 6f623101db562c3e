"""Locate MySQL collation tables inside a MariaDB server binary (Debian package mariadb-server-core,
/usr/sbin/mariadbd, x86-64 PIE). The tables are MySQL's own data (UCA 4.0.0 primary weights as MySQL
ships them for utf8mb4_unicode_ci, and gbk_order for gbk_chinese_ci), the same data TiDB embeds."""
import re, struct

class Elf:
    def __init__(self, path):
        self.f = f = open(path, 'rb').read()
        phoff, = struct.unpack_from('<Q', f, 0x20)
        shoff, = struct.unpack_from('<Q', f, 0x28)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from('<HHHHH', f, 0x36)
        self.load = []
        for i in range(phnum):
            t, _fl, off, va, _pa, fs, _ms, _al = struct.unpack_from('<IIQQQQQQ', f, phoff + i * phentsize)
            if t == 1:
                self.load.append((off, va, fs))
        secs = [struct.unpack_from('<IIQQQQIIQQ', f, shoff + i * shentsize) for i in range(shnum)]
        st = secs[shstrndx]
        def name(sh):
            o = st[4] + sh[0]
            return f[o:f.index(b'\0', o)].decode()
        rela = [s for s in secs if name(s) == '.rela.dyn'][0]
        self.relative = {}
        for i in range(rela[5] // 24):
            off, info, add = struct.unpack_from('<QQq', f, rela[4] + i * 24)
            if info & 0xffffffff == 8:  # R_X86_64_RELATIVE
                self.relative[off] = add

    def off2va(self, o):
        for po, pv, fs in self.load:
            if po <= o < po + fs:
                return o - po + pv
    def va2off(self, v):
        for po, pv, fs in self.load:
            if pv <= v < pv + fs:
                return v - pv + po

def find_uca400(elf):
    """-> {code point: [primary weights]} for every BMP page MySQL's UCA 4.0.0 table has."""
    f = elf.f
    page0 = None
    for n in range(1, 10):
        pat = b''.join(struct.pack('<H', 0x201 + i) + b'\0\0' * (n - 1) for i in range(5))
        for m in re.finditer(re.escape(pat), f):
            p0 = m.start() - 9 * n * 2
            if struct.unpack_from('<H', f, p0 + 0x61 * n * 2)[0] == 0xE33:  # 'a' in UCA 4.0.0
                page0 = (p0, n)
    assert page0, 'UCA 4.0.0 page 0 not found'
    p0, n0 = page0
    va0 = elf.off2va(p0)
    slots = [o for o, a in elf.relative.items() if a == va0]
    assert len(slots) == 1, slots
    ptrs = [elf.relative.get(slots[0] + 8 * p) for p in range(256)]
    # uca_length: 256 bytes, length[0] == n0, zero exactly where the pointer is NULL
    lens = None
    for m in re.finditer(bytes([n0]), f):
        w = f[m.start():m.start() + 256]
        if len(w) == 256 and all((w[i] > 0) == (ptrs[i] is not None) for i in range(256)) and max(w) < 20:
            lens = list(w)
            break
    assert lens, 'uca_length not found'
    table = {}
    for p in range(256):
        if not ptrs[p]:
            continue
        off, n = elf.va2off(ptrs[p]), lens[p]
        for i in range(256):
            ws = struct.unpack_from('<%dH' % n, f, off + i * n * 2)
            table[(p << 8) | i] = [w for w in ws if w]
    return table

def gbk_index(code):
    hi, lo = code >> 8, code & 0xff
    return (lo - 0x41 if lo > 0x7f else lo - 0x40) + (hi - 0x81) * 0xbe

# a few gbk_chinese_ci weights (GBK code -> weight - 0x8100) used to find the table; any six would do
GBK_PROBES = {0xd6d0: 0x5221, 0xcec4: 0x40ad, 0xbaba: 0x173c, 0xd7d6: 0x5437, 0xb2e2: 0x0807, 0xcad4: 0x3925}

def find_gbk_order(elf):
    f = elf.f
    k0 = 0xd6d0
    for m in re.finditer(re.escape(struct.pack('<H', GBK_PROBES[k0])), f):
        base = m.start() - 2 * gbk_index(k0)
        if base >= 0 and all(struct.unpack_from('<H', f, base + 2 * gbk_index(k))[0] == v for k, v in GBK_PROBES.items()):
            return list(struct.unpack_from('<23940H', f, base))
    raise AssertionError('gbk_order not found')
