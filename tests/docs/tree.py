#!/usr/bin/env python3
"""tree.py - keeps the source tree and doc/architecture.md honest.

Checks, reading the sources as text (nothing is built or run):

  1. sqlite3.h: only engine/store and engine/query include it (directly
     or through one of their headers), and, among
     the tests, the suites and fuzz targets of modules of those two
     folders and the bench
     (its hand-written SQL is the baseline icx is measured against).
  2. Layers: a file in engine/<layer>/ includes icx headers of its own
     layer or of the layers below it only (LAYERS gives the order);
     loaders/ sits above the engine, the front ends above everything.
  3. No include circles between modules.  A module is a header and the
     .c files that implement it (icx_sql.h with icx_sql*.c); a file's
     includes are edges from its module to the modules of the headers.
  4. Size: no source file of the engine, the loaders or the front ends is
     longer than LIMIT lines unless its opening comment gives the reason
     with the words "one file because".
  5. doc/architecture.md: every source folder and every module is named
     in it, and every folder and module path it names in its tables
     exists.

Prints one line per problem and exits 1 when there is any.
"""
import os
import re
import sys

LAYERS = ["base", "rdf", "vocab", "request", "store", "query", "index", "match"]
LIMIT = 800
SCHEMA_FOLDERS = ("engine/store", "engine/query")

top = os.environ.get("ICX_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
problems = []


def rel(path):
    return os.path.relpath(path, top)


def sources(*folders, exts=(".c", ".h")):
    out = []
    for folder in folders:
        for root, _dirs, files in os.walk(os.path.join(top, folder)):
            for name in sorted(files):
                if name.endswith(exts):
                    out.append(rel(os.path.join(root, name)))
    return sorted(out)


def includes(path):
    with open(os.path.join(top, path), encoding="utf-8") as f:
        return re.findall(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', f.read(), re.M)


code = sources("engine", "loaders", "frontend")
tests = sources("tests")
headers = {os.path.basename(p): p for p in code if p.endswith(".h")}


def rank(path):
    """The layer rank of a file: engine layers 0.., loaders, front ends."""
    parts = path.split("/")
    if parts[0] == "engine":
        return LAYERS.index(parts[1]) if len(parts) > 2 and parts[1] in LAYERS else -1
    if parts[0] == "loaders":
        return len(LAYERS)
    if parts[0] == "frontend":
        return len(LAYERS) + 1
    return len(LAYERS) + 2


# 1. sqlite3.h
schema_modules = {os.path.splitext(os.path.basename(p))[0]
                  for p in code if p.startswith(SCHEMA_FOLDERS) and p.endswith(".h")}
def reaches_sqlite(path, seen=None):
    """Whether path includes sqlite3.h, itself or through icx headers."""
    seen = seen if seen is not None else set()
    for inc in includes(path):
        if inc == "sqlite3.h":
            return True
        target = headers.get(inc)
        if target and target not in seen:
            seen.add(target)
            if reaches_sqlite(target, seen):
                return True
    return False


for path in code + tests:
    if not reaches_sqlite(path):
        continue
    if path.startswith(SCHEMA_FOLDERS) or path.startswith("tests/bench/"):
        continue
    m = re.match(r"tests/(?:unit/check|fuzz/fuzz)_(\w+)\.c$", path)
    if m and "icx_" + m.group(1) in schema_modules:
        continue
    problems.append(f"{path}: includes sqlite3.h, itself or through a header "
                    f"(only engine/store and engine/query may)")

# 2. layers
for path in code:
    if path.split("/")[0] != "engine" or rank(path) < 0:
        if path.split("/")[0] == "engine" and path != "engine/icx.h":
            problems.append(f"{path}: not in a layer folder of engine/")
        continue
    for inc in includes(path):
        target = headers.get(inc)
        if target and rank(target) > rank(path):
            problems.append(f"{path}: includes {inc} from {os.path.dirname(target)}, "
                            f"a layer above {os.path.dirname(path)}")


# 3. include circles between modules
KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "main"}


def defined_functions(path):
    """Functions a .c file defines with external linkage, whether the
    return type is on the name's line or the line before."""
    with open(os.path.join(top, path), encoding="utf-8") as f:
        text = f.read()
    out = set()
    for m in re.finditer(r"^([^\n;{}#=]*?)\b([a-z_]\w*)\s*\([^;{]*?\)\s*\{", text, re.M):
        prefix, name = m.group(1), m.group(2)
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if name in KEYWORDS or "static" in prefix or prefix.startswith((" ", "\t")):
            continue
        if not prefix and re.match(r"\s*static\b", before):
            continue
        out.add(name)
    return out


header_text = {}
for h in headers.values():
    with open(os.path.join(top, h), encoding="utf-8") as f:
        header_text[h] = f.read()


def header_module(h):
    stem = os.path.splitext(h)[0]
    return stem[:-len("_internal")] if stem.endswith("_internal") else stem


def module_of(path):
    """The module a file belongs to: for a header, itself (a private
    *_internal.h belongs with its public header); for a .c file, the
    header that declares most of the functions it defines (icx_sql_plan.c
    -> icx_sql), else its own name."""
    if path.endswith(".h"):
        return header_module(path)
    funcs = defined_functions(path)
    best, best_n = None, 0
    for h, text in sorted(header_text.items()):
        if os.path.dirname(h) != os.path.dirname(path):
            continue
        n = sum(1 for fn in funcs if re.search(r"\b" + re.escape(fn) + r"\s*\(", text))
        if n > best_n:
            best, best_n = h, n
    return header_module(best) if best else os.path.splitext(path)[0]


edges = {}
for path in code:
    src = module_of(path)
    for inc in includes(path):
        if inc in headers:
            dst = module_of(headers[inc])
            if dst != src:
                edges.setdefault(src, set()).add(dst)


def find_cycle():
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


cycle = find_cycle()
if cycle:
    problems.append("include circle: " + " -> ".join(cycle))

# 4. size
for path in code:
    with open(os.path.join(top, path), encoding="utf-8") as f:
        text = f.read()
    lines = text.count("\n")
    head = text[:2000].lower()
    if lines > LIMIT and "one file because" not in head:
        problems.append(f"{path}: {lines} lines, over {LIMIT}, and its opening comment "
                        f"gives no reason (\"one file because\")")

# 5. doc/architecture.md
with open(os.path.join(top, "doc", "architecture.md"), encoding="utf-8") as f:
    arch = f.read()
named = set(re.findall(r"`([a-z][\w./-]*)`", arch))
folders = sorted({os.path.dirname(p) for p in code})
for folder in folders:
    if folder + "/" not in named and folder not in named:
        problems.append(f"doc/architecture.md: does not name the folder {folder}/")
modules = sorted({module_of(p) for p in code})
for module in modules:
    if module not in named:
        problems.append(f"doc/architecture.md: does not name the module {module}")
for name in sorted(named):
    if not re.match(r"(engine|loaders|frontend|tests)/", name):
        continue
    candidates = [name, name.rstrip("/"), name + ".c", name + ".h"]
    if not any(os.path.exists(os.path.join(top, c)) for c in candidates):
        problems.append(f"doc/architecture.md: names {name}, which is not in the tree")

for p in problems:
    print("tree.test: FAIL: " + p)
if not problems:
    print(f"tree.test: {len(code)} source files, {len(modules)} modules, "
          f"{len(folders)} folders: layers, circles, sizes and architecture.md agree")
sys.exit(1 if problems else 0)
