#!/usr/bin/env python3
"""Which parts of floed's binary are resident in memory, and whose code they are.

Reads /proc/PID/pagemap (root: the present bit and frame number of every page) for each mapping of the
process's executable, maps every resident page back to the binary's sections and symbols (`nm -n -S`), and
adds the bytes up per component: the Swift module a mangled name starts with, grouped (Foundation and
FoundationEssentials, ICU, CoreFoundation, NIO, BoringSSL, the Swift runtime, floe's own modules...).

    text_residency.py --pid PID [--binary PATH]            # a floed that already runs
    text_residency.py --bin DIR [--n 100] [--port-base 35000] [--copy-to DIR]
                                                           # starts DIR/floed like bench.py does, drops N
                                                           # services, waits until READY, measures, stops

--copy-to DIR runs a copy of floed from DIR instead (e.g. /dev/shm: tmpfs keeps small pages, so what is
resident is what was touched, rounded to the kernel's fault-around window; on ext4 the page cache holds large
folios and a fault maps the whole folio).

--ran FILE adds the size of the functions that ran (text_order.py lists them from callgrind) per
component: what was actually touched, against what the kernel mapped along.

A page counts as resident when its page-table entry is present. The kernel maps more than the page a fault
touched: fault-around (fault_around_bytes, 64 KiB) and, on 6.18+, the whole large folio of the page cache.
So "resident" here is "touched or mapped along"; the folio column shows how much of it sits in large folios.
A page's bytes are split between the symbols that overlap it; bytes no symbol covers count as "(no symbol)".
"""

import argparse
import bisect
import collections
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

PAGE = os.sysconf("SC_PAGE_SIZE")

# /proc/kpageflags bits (Documentation/admin-guide/mm/pagemap.rst).
KPF_COMPOUND_HEAD = 15
KPF_COMPOUND_TAIL = 16
KPF_THP = 22

# Component of a symbol that is not a Swift mangled name: (regular expression, component), first match wins.
C_PATTERNS = [
    (r"^_ZN\d*[KL]*\d*icu_|^_ZN[KL]*4icu_|^_ZTV4icu|^_ZTI4icu|^_ZTS4icu|^swift_u|^swift_res|^icudt|^_ZN.*icu_\d*",
     "ICU (_FoundationICU)"),
    (r"^CNIOBoringSSL|^_ZN4bssl|^_ZN[KL]*4bssl|^_ZNK4bssl|bssl|^CNIOBoringSSLShims|mldsa|mlkem",
     "BoringSSL (NIOSSL)"),
    (r"^_?_?CF|^__kCF|^kCF|^_CF|^__CF|^_NS|^NS|^__NS|^CFStr|^_cfstr", "CoreFoundation"),
    (r"^_?dispatch_|^_dispatch|^_os_|^os_|^_firehose|^voucher|^_voucher", "libdispatch"),
    (r"^_Block_|^_NSConcreteStackBlock|^_NSConcreteGlobalBlock|^_NSConcrete", "BlocksRuntime"),
    (r"^_ZN5swift|^_ZNK5swift|^_ZL\d+swift|^swift_|^_swift_|^__swift_|^swift::|^_ZN\d+__swift|^_ZZN5swift|"
     r"^_ZN12_GLOBAL__N_|^_ZN[KL]*\d*_GLOBAL__N_|^_swift|^__swift|^swift5|^_ZTVN5swift|^_ZTIN5swift|^_ZTSN5swift",
     "Swift runtime (C++)"),
    (r"^_ZNSt|^_ZSt|^_ZNKSt|^__cxa|^_ZN9__gnu_cxx|^_ZN10__cxxabiv1|^_ZTVN10__cxxabiv1|^_ZTVSt|^_ZTISt|^_ZTSSt|"
     r"^_Unwind|^__gxx|^_ZdlPv|^_Znwm|^_Znam|^_ZdaPv|^__dynamic_cast|^_ZNSi|^_ZNSo|^__gcc",
     "libstdc++/unwind"),
    (r"^c_nio|^catmc_|^CNIO|^cnioextras|^c_nio_llhttp|^llhttp|^__c_nio", "NIO C shims"),
    (r"^yaml_", "libyaml"),
    (r"^floe_|^cfloe", "floe C shims"),
    (r"^catomics|^_sa_|^swift_atomics|^_swift_stdlib_atomic", "swift-atomics"),
    (r"^_start$|^_init$|^_fini$|^__libc|^frame_dummy|^register_tm|^deregister_tm|^__do_global|^_dl_relocate|"
     r"^__ehdr|^__start_|^__stop_|^\.L|^_GLOBAL_OFFSET|^__init_array|^__fini_array|^__bss|^_end$|^_edata$",
     "ELF/crt glue"),
]
C_REGEXES = [(re.compile(p), c) for p, c in C_PATTERNS]

# Swift module name -> component.
SWIFT_GROUPS = [
    (re.compile(r"^(Floe|floe|CFloe|floed|floectl)"), "floe"),
    (re.compile(r"^Foundation$"), "Foundation (swift-corelibs)"),
    (re.compile(r"^FoundationEssentials$"), "FoundationEssentials"),
    (re.compile(r"^FoundationInternationalization$"), "FoundationInternationalization"),
    (re.compile(r"^FoundationNetworking$"), "FoundationNetworking"),
    (re.compile(r"^_Foundation"), "Foundation support (_Foundation*)"),
    (re.compile(r"^(NIOSSL|NIOTLS|CNIOBoringSSL)"), "NIOSSL"),
    (re.compile(r"^(NIO|_NIO|CNIO)"), "NIO"),
    (re.compile(r"^(Hummingbird|HummingbirdCore|HTTPTypes|NIOHTTPTypes)"), "Hummingbird/HTTPTypes"),
    (re.compile(r"^AsyncHTTPClient"), "AsyncHTTPClient"),
    (re.compile(r"^(Subprocess|SystemPackage)"), "swift-subprocess/system"),
    (re.compile(r"^(Logging)$"), "swift-log"),
    (re.compile(r"^(ServiceLifecycle|UnixSignals|AsyncAlgorithms)"), "service-lifecycle/async-algorithms"),
    (re.compile(r"^(ArgumentParser)"), "ArgumentParser"),
    (re.compile(r"^(OrderedCollections|DequeModule|HeapModule|_RopeModule|BasicContainers|InternalCollections)"),
     "swift-collections"),
    (re.compile(r"^(Atomics|_AtomicsShims)"), "swift-atomics"),
    (re.compile(r"^(Algorithms|RealModule|_NumericsShims)"), "swift-algorithms/numerics"),
    (re.compile(r"^_Concurrency$"), "Swift stdlib (_Concurrency)"),
    (re.compile(r"^(Swift|_StringProcessing|RegexBuilder|_RegexParser|Synchronization|Distributed|Dispatch|"
                r"SwiftGlibc|Glibc|_math|_Builtin_|SwiftShims|_SwiftConcurrencyShims|Observation|"
                r"_Volatile|CoreFoundation)"), None),
]
SWIFT_DETAIL = {
    "Swift": "Swift stdlib", "_StringProcessing": "Swift stdlib (_StringProcessing/Regex)",
    "_RegexParser": "Swift stdlib (_StringProcessing/Regex)", "RegexBuilder": "Swift stdlib (_StringProcessing/Regex)",
    "Synchronization": "Swift stdlib", "Dispatch": "libdispatch", "Glibc": "Swift stdlib", "SwiftGlibc": "Swift stdlib",
    "CoreFoundation": "CoreFoundation", "Observation": "Swift stdlib", "Distributed": "Swift stdlib",
}

# Stdlib substitutions: $sS followed by a letter is a standard type (SS String, Sa Array, Sc... _Concurrency).
SWIFT_PREFIX = re.compile(r"^_?\$s(?:([0-9]+)|(So|Sc|S|s))")


def swift_module(name):
    """The module a Swift mangled name's outermost entity belongs to, or None when name is not Swift."""
    m = SWIFT_PREFIX.match(name)
    if not m:
        return None
    if m.group(1):
        length = int(m.group(1))
        start = m.end(1)
        return name[start:start + length]
    return {"So": "__C", "Sc": "_Concurrency", "S": "Swift", "s": "Swift"}[m.group(2)]


def component(name):
    if name.startswith("symbolic "):
        rest = name.split(" ")[-1]
        module = swift_module("$s" + rest)
        return group(module) if module else "Swift stdlib"
    module = swift_module(name)
    if module is not None:
        return group(module)
    for regex, comp in C_REGEXES:
        if regex.search(name):
            return comp
    if name.startswith("got.") or name.startswith("l__swift5") or name.startswith("__swift5"):
        return "Swift metadata (no module)"
    return "other C"


_group_cache = {}


def group(module):
    if module in _group_cache:
        return _group_cache[module]
    result = None
    if module == "__C":
        result = "imported C types (__C)"
    else:
        for regex, comp in SWIFT_GROUPS:
            if regex.match(module):
                result = comp if comp is not None else SWIFT_DETAIL.get(module, "Swift stdlib")
                break
        if result is None:
            result = f"swift:{module}"
    _group_cache[module] = result
    return result


# ---------------------------------------------------------------------------------------------
# The binary


class Binary:
    """Sections and sized symbols of an ELF file, by virtual address (relative to the ELF's own base)."""

    def __init__(self, path):
        self.path = path
        self.sections = []  # (addr, size, offset, name)
        out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
            if m and m.group(2) != "NULL" and int(m.group(3), 16) != 0:
                name, kind = m.group(1), m.group(2)
                addr, off, size = int(m.group(3), 16), int(m.group(4), 16), int(m.group(5), 16)
                self.sections.append((addr, size, off if kind != "NOBITS" else None, name))
        self.sections.sort(key=lambda s: (s[0], s[1], s[3]))
        starts, sizes, names = [], [], []
        out = subprocess.run(["nm", "-n", "-S", "--defined-only", path], capture_output=True, text=True,
                             check=True).stdout
        seen = set()
        for line in out.splitlines():
            parts = line.split(" ", 3)
            if len(parts) < 4 or len(parts[1]) != 16:
                continue  # no size
            addr, size, name = int(parts[0], 16), int(parts[1], 16), parts[3]
            if size == 0 or addr == 0 or (addr, size) in seen:
                continue
            seen.add((addr, size))
            starts.append(addr)
            sizes.append(size)
            names.append(name)
        order = sorted(range(len(starts)), key=lambda i: starts[i])
        self.starts = [starts[i] for i in order]
        self.sizes = [sizes[i] for i in order]
        self.names = [names[i] for i in order]
        self.components = [component(n) for n in self.names]

    def clipped(self):
        """(start, end, index) of every symbol with overlaps cut away: a symbol that starts inside an earlier
        one keeps only what lies past it (a blob such as ICU's data counts once, not again per symbol in it)."""
        if hasattr(self, "_clipped"):
            return self._clipped
        result, cursor = [], 0
        for i, start in enumerate(self.starts):
            end = start + self.sizes[i]
            start = max(start, cursor)
            if end > start:
                result.append((start, end, i))
                cursor = end
        self._clipped = result
        return result

    def attribute(self, lo, hi, weight, add):
        """Calls add(component, bytes, symbol index) for the bytes of [lo, hi) that weight(a, b) counts (the
        resident bytes of [a, b)); bytes no symbol covers are added as "(no symbol)" with index None."""
        clipped = self.clipped()
        i = bisect.bisect_right(clipped, (lo, float("inf"), 0)) - 1
        i = max(i, 0)
        covered = 0
        while i < len(clipped) and clipped[i][0] < hi:
            s, e, index = clipped[i]
            a, b = max(s, lo), min(e, hi)
            if b > a:
                nbytes = weight(a, b)
                if nbytes:
                    add(self.components[index], nbytes, index)
                covered += nbytes
            i += 1
        rest = weight(lo, hi) - covered
        if rest > 0:
            add("(no symbol)", rest, None)


class Residency:
    """Resident bytes of any address range of one mapping, from its pages' present bits (prefix sums)."""

    def __init__(self, vlo, present):
        self.vlo = vlo
        self.prefix = [0]
        for p in present:
            self.prefix.append(self.prefix[-1] + p)

    def __call__(self, a, b):
        """Resident bytes of [a, b) (virtual addresses relative to the ELF)."""
        a, b = max(a, self.vlo), min(b, self.vlo + (len(self.prefix) - 1) * PAGE)
        if b <= a:
            return 0
        first, last = (a - self.vlo) // PAGE, (b - 1 - self.vlo) // PAGE
        if first == last:
            return (b - a) if self.prefix[first + 1] - self.prefix[first] else 0
        total = 0
        if self.prefix[first + 1] - self.prefix[first]:
            total += (first + 1) * PAGE + self.vlo - a
        if self.prefix[last + 1] - self.prefix[last]:
            total += b - (last * PAGE + self.vlo)
        total += (self.prefix[last] - self.prefix[first + 1]) * PAGE
        return total


# ---------------------------------------------------------------------------------------------
# The process


def exe_mappings(pid, binary_path):
    real = os.path.realpath(binary_path)
    maps = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) < 6 or os.path.realpath(parts[5].strip().replace(" (deleted)", "")) != real:
                continue
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            maps.append((lo, hi, parts[1], int(parts[2], 16)))
    if not maps:
        raise SystemExit(f"no mapping of {real} in process {pid}")
    return maps


def page_states(pid, lo, hi):
    """For each page of [lo, hi): (present, pfn, flags, mapcount); pfn, flags and mapcount need root."""
    n = (hi - lo) // PAGE
    with open(f"/proc/{pid}/pagemap", "rb") as f:
        f.seek(lo // PAGE * 8)
        raw = f.read(n * 8)
    entries = struct.unpack(f"<{n}Q", raw)
    present = [(e >> 63) & 1 for e in entries]
    pfns = [e & ((1 << 55) - 1) for e in entries]
    flags = [0] * n
    counts = [0] * n
    try:
        with open("/proc/kpageflags", "rb") as kf, open("/proc/kpagecount", "rb") as kc:
            for i in range(n):
                if present[i] and pfns[i]:
                    kf.seek(pfns[i] * 8)
                    flags[i] = struct.unpack("<Q", kf.read(8))[0]
                    kc.seek(pfns[i] * 8)
                    counts[i] = struct.unpack("<Q", kc.read(8))[0]
    except OSError:
        pass
    return present, pfns, flags, counts


def folio_sizes(pfns, flags, present):
    """Number of pages of the folio each present page belongs to (1 for a small page), from kpageflags."""
    n = len(pfns)
    sizes = [0] * n
    # Group consecutive present pages whose PFNs are consecutive into runs that start at a compound head.
    i = 0
    while i < n:
        if not present[i]:
            i += 1
            continue
        if flags[i] >> KPF_COMPOUND_HEAD & 1 or flags[i] >> KPF_COMPOUND_TAIL & 1:
            j = i + 1
            while (j < n and present[j] and pfns[j] == pfns[j - 1] + 1
                   and flags[j] >> KPF_COMPOUND_TAIL & 1 and not flags[j] >> KPF_COMPOUND_HEAD & 1):
                j += 1
            for k in range(i, j):
                sizes[k] = j - i  # the part of the folio mapped here, in pages
            i = j
        else:
            sizes[i] = 1
            i += 1
    return sizes


def kib(nbytes):
    return nbytes / 1024.0


def ran_bytes(binary, ran_file):
    """{component: bytes of the functions listed in ran_file (one name a line: those that ran, e.g.
    Sources/floed/floed.order, written by text_order.py from callgrind)}."""
    names = {line.strip() for line in open(ran_file) if line.strip()}
    result = collections.Counter()
    for i, name in enumerate(binary.names):
        if name in names:
            result[binary.components[i]] += binary.sizes[i]
            names.discard(name)  # a name defined twice (local symbols) counts once
    return result


def analyse(pid, binary, top, out=sys.stdout, symbols_out=None, ran_file=None):
    maps = exe_mappings(pid, binary.path)
    load_base = maps[0][0] - maps[0][3]  # PIE: the first mapping (offset 0) is at the ELF's address 0
    smaps = smaps_of(pid, binary.path)
    print(f"process {pid}, binary {binary.path}", file=out)
    print(f"\n| mapping | size KiB | resident KiB | in large folios KiB | folio sizes (pages: KiB) | smaps Rss/Pss/"
          "Private_Dirty |", file=out)
    print("|---|---:|---:|---:|---|---|", file=out)
    text_comp = collections.Counter()
    per_section = collections.Counter()
    per_mapping_comp = {}
    symbol_bytes = collections.Counter()
    for lo, hi, perms, off in maps:
        present, pfns, flags, counts = page_states(pid, lo, hi)
        fsizes = folio_sizes(pfns, flags, present)
        resident = sum(present) * PAGE
        large = sum(PAGE for i in range(len(present)) if present[i] and fsizes[i] > 1)
        hist = collections.Counter(fsizes[i] for i in range(len(present)) if present[i])
        hist_text = ", ".join(f"{s}: {hist[s] * PAGE // 1024}" for s in sorted(hist))
        sm = smaps.get(lo, {})
        print(f"| {perms} {lo - load_base:#x} | {(hi - lo) // 1024} | {resident // 1024} | {large // 1024} | "
              f"{hist_text} | {sm.get('Rss', '?')}/{sm.get('Pss', '?')}/{sm.get('Private_Dirty', '?')} |", file=out)
        comp = collections.Counter()
        vlo = lo - load_base
        weight = Residency(vlo, present)

        def add(c, nbytes, index, comp=comp):
            comp[c] += nbytes
            if index is not None:
                symbol_bytes[index] += nbytes

        binary.attribute(vlo, hi - load_base, weight, add)
        for saddr, ssize, _soff, sname in binary.sections:
            nbytes = weight(saddr, saddr + ssize)
            if nbytes:
                per_section[(perms, sname)] += nbytes
        per_mapping_comp[(perms, lo)] = comp
        if "x" in perms:
            text_comp = comp
    print("\n| section (mapping) | resident KiB |", file=out)
    print("|---|---:|", file=out)
    for (perms, name), nbytes in sorted(per_section.items(), key=lambda kv: -kv[1]):
        if nbytes >= 16 * 1024:
            print(f"| {name} ({perms}) | {kib(nbytes):.0f} |", file=out)
    # Code size per component, for the resident/size ratio.
    size_comp = collections.Counter()
    text = [s for s in binary.sections if s[3] == ".text"]
    if text:
        t_lo, t_size = text[0][0], text[0][1]
        binary.attribute(t_lo, t_lo + t_size, lambda a, b: b - a,
                         lambda c, nbytes, _i: size_comp.__setitem__(c, size_comp[c] + nbytes))
    ran = ran_bytes(binary, ran_file) if ran_file else None
    ran_head = " ran KiB |" if ran is not None else ""
    print(f"\n| component (text, r-xp) | resident KiB | code KiB | resident % of its code |{ran_head}", file=out)
    print("|---|---:|---:|---:|" + ("---:|" if ran is not None else ""), file=out)
    total = 0
    for c, nbytes in sorted(text_comp.items(), key=lambda kv: -kv[1]):
        total += nbytes
        share = 100.0 * nbytes / size_comp[c] if size_comp.get(c) else 0.0
        ran_cell = f" {kib(ran.get(c, 0)):.0f} |" if ran is not None else ""
        print(f"| {c} | {kib(nbytes):.0f} | {kib(size_comp.get(c, 0)):.0f} | {share:.0f} |{ran_cell}", file=out)
    ran_total = f" {kib(sum(ran.values())):.0f} |" if ran is not None else ""
    print(f"| **total** | {kib(total):.0f} | {kib(sum(size_comp.values())):.0f} | |{ran_total}", file=out)
    for (perms, lo), comp in per_mapping_comp.items():
        if "x" in perms or not comp:
            continue
        print(f"\n| component ({perms} mapping at {lo - load_base:#x}) | resident KiB |", file=out)
        print("|---|---:|", file=out)
        for c, nbytes in sorted(comp.items(), key=lambda kv: -kv[1])[:top]:
            print(f"| {c} | {kib(nbytes):.0f} |", file=out)
    if symbols_out:
        with open(symbols_out, "w") as f:
            for index, nbytes in sorted(symbol_bytes.items(), key=lambda kv: -kv[1]):
                f.write(f"{nbytes}\t{binary.sizes[index]}\t{binary.components[index]}\t{binary.names[index]}\n")
        print(f"\n(resident bytes per symbol: {symbols_out})", file=out)
    return text_comp


def smaps_of(pid, binary_path):
    real = os.path.realpath(binary_path)
    result, current = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+$", parts[0]):
                path = parts[5] if len(parts) > 5 else ""
                current = int(parts[0].split("-")[0], 16) if os.path.realpath(path) == real else None
                if current is not None:
                    result[current] = {}
            elif current is not None and parts[0].endswith(":") and len(parts) >= 2 and parts[1].isdigit():
                result[current][parts[0][:-1]] = int(parts[1])
    return result


def print_all_mappings(pid, out=sys.stdout):
    """Rss, Pss and Private_Dirty of every mapping of the process, added up by name ([heap], [anon], files)."""
    totals = collections.defaultdict(lambda: [0, 0, 0, 0])
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+$", parts[0]):
                path = parts[5] if len(parts) > 5 else "[anon]"
                name = (os.path.basename(path) if path.startswith("/") else path, parts[1])
                totals[name][3] += 1
            elif name is not None and parts[0] in ("Rss:", "Pss:", "Private_Dirty:"):
                totals[name][("Rss:", "Pss:", "Private_Dirty:").index(parts[0])] += int(parts[1])
    print("\n| mapping (all of the process) | perms | count | Rss KiB | Pss KiB | Private_Dirty KiB |", file=out)
    print("|---|---|---:|---:|---:|---:|", file=out)
    for (n, perms), (rss, pss, dirty, count) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        if rss:
            print(f"| {n} | {perms} | {count} | {rss} | {pss} | {dirty} |", file=out)


def memory_kib(pid):
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                values[parts[0].rstrip(":")] = int(parts[1])
    return values


def evict_page_cache(path):
    """Writes the file's dirty pages and drops its pages from the page cache (those no process maps), so floed
    starts as after a reboot: a binary just linked sits in the page cache in the pages its writes made, one
    read back from disk in readahead's large folios, and the two map differently."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def run_floed(a):
    """Starts floed with bench.py's Floe, drops a.n services, waits for READY; returns (floe, pid, binary path)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench  # noqa: E402  (bench/bench.py, beside this file)

    floed = os.path.join(a.bin, "floed")
    if a.copy_to:
        os.makedirs(a.copy_to, exist_ok=True)
        copy = os.path.join(a.copy_to, f"floed-residency-{os.getpid()}")
        subprocess.run(["cp", floed, copy], check=True)
        floed = copy
    if getattr(a, "evict", False):
        evict_page_cache(floed)
    args = argparse.Namespace(floed=floed, floectl=os.path.join(a.bin, "floectl"), tinyserver=a.tinyserver,
                              ingress_ports=a.ingress_ports)
    root = tempfile.mkdtemp(prefix="floe-residency-")
    floe = bench.Floe(args, os.path.join(root, "floe"))
    floe.start()
    services = {f"r{i:04d}": a.port_base + i for i in range(a.n)}
    if services:
        start = floe.drop(services)
        for name in services:
            floe.wait_ready(name, start + 300)
    time.sleep(a.settle)
    return floe, floe.process.pid, floed, root


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pid", type=int, help="analyse this running process")
    p.add_argument("--binary", help="its executable (default: /proc/PID/exe)")
    p.add_argument("--bin", help="start DIR/floed (release) on a temporary stage instead")
    p.add_argument("--n", type=int, default=100, help="services (one instance each) to run; default 100")
    p.add_argument("--port-base", type=int, default=35000)
    p.add_argument("--tinyserver", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out",
                                                        "tinyserver"))
    p.add_argument("--ingress-ports", default="35990-35999")
    p.add_argument("--settle", type=float, default=12.0, help="seconds to wait after READY (default 12)")
    p.add_argument("--copy-to", help="run a copy of floed from this directory (e.g. /dev/shm)")
    p.add_argument("--evict", action="store_true",
                   help="drop floed's binary from the page cache first (as after a reboot; comparable runs)")
    p.add_argument("--top", type=int, default=12, help="rows of the non-text tables")
    p.add_argument("--symbols", help="write resident bytes per symbol (TSV) to this file")
    p.add_argument("--ran", help="file of the functions that ran, one a line (e.g. Sources/floed/floed.order): "
                                 "adds a column of their code size per component, what was touched at least")
    a = p.parse_args()
    if os.geteuid() != 0:
        print("note: without root, pagemap hides frame numbers (no folio sizes)", file=sys.stderr)
    floe = root = None
    if a.pid:
        pid = a.pid
        path = a.binary or os.path.realpath(f"/proc/{pid}/exe")
    elif a.bin:
        floe, pid, path, root = run_floed(a)
    else:
        p.error("give --pid or --bin")
    try:
        binary = Binary(path)
        m = memory_kib(pid)
        threads = len(os.listdir(f"/proc/{pid}/task"))
        print(f"Rss {m.get('Rss')} KiB, Pss {m.get('Pss')} KiB, Private_Dirty {m.get('Private_Dirty')} KiB, "
              f"Anonymous {m.get('Anonymous')} KiB, {threads} threads")
        print_all_mappings(pid)
        analyse(pid, binary, a.top, symbols_out=a.symbols, ran_file=a.ran)
    finally:
        if floe is not None:
            floe.remove(list(floe.names))
            floe.stop()
            if a.copy_to:
                os.unlink(path)
            subprocess.run(["rm", "-rf", root])


if __name__ == "__main__":
    main()
