#!/usr/bin/python3
"""layout_estimate.py - what an icx store would weigh if its quads were kept
as posting lists rather than as one SQLite row per triple in each order.

Reads a store (format 5 or 6, read only) and writes, into a new SQLite file,
three tables that hold the same quads differently:

  postings_po  (p, o, s0, g0) -> rest: the subjects with a predicate and
               object, in chunks of at most CHUNK, s0 and g0 the chunk's
               first, rest the others as engine/store/icx_postings.c
               encodes them (varint gaps of s, and each g's change
               zigzagged unless the whole chunk has g0); NULL for a
               single one.
               What quads_pos (p, o, s) answers.
  postings_pn  the same by (p, num): what quads_num (p, num, s) answers.
  subject_rows (s, g, p0, o0) -> rest: the subject's (p, o) pairs in
               that graph, chunked and encoded as the postings are.
               What the quads table's (s, p, o, g) order answers.

Each table is measured twice with dbstat: as written in key order (what
a program appending rows gets) and copied whole into an empty twin
(SQLite packs that copy, as it packs CREATE INDEX).  Then prints the
store's own tables and the totals in bytes per triple of two layouts:
postings in place of quads_pos and quads_num, and that plus
subject_rows in place of quads.  Sizes only: nothing here reads or
answers like the store would.

  layout_estimate.py STORE.db OUT.db [CHUNK]
"""

import os
import sqlite3
import sys
import time

PAGE = 4096


def varint(n, out):
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def zigzag(d):
    return d * 2 if d >= 0 else -d * 2 - 1


def chunk_row(key, chunk):
    """A chunk of pairs (x, y) as engine/store/icx_postings.c encodes it:
    the first pair in the row's key, the rest NULL for one pair, else a
    mode byte (1: every y the first's; 2: they differ) and per pair the
    gap of x, with mode 2 the change of y zigzagged."""
    s0, g0 = chunk[0]
    if len(chunk) == 1:
        return key + (s0, g0, None)
    same_g = all(g == g0 for _, g in chunk)
    rest = bytearray([1 if same_g else 2])
    last_s, last_g = s0, g0
    for s, g in chunk[1:]:
        varint(s - last_s, rest)
        if not same_g:
            varint(zigzag(g - last_g), rest)
        last_s, last_g = s, g
    return key + (s0, g0, bytes(rest))


def write_chunks(db, table, cols, select, chunk_max):
    """Writes the rows of select, (a, b, x, y) sorted, into a new table of
    chunks whose columns are cols (a, b, x0, y0, each with its type):
    the pairs (x, y) of each key (a, b), CHUNK at most a row.  Returns
    the number of keys."""
    names = [c.split()[0] for c in cols]
    db.execute("CREATE TABLE %s (%s NOT NULL, %s NOT NULL, %s NOT NULL, %s NOT NULL, rest BLOB,"
               " PRIMARY KEY (%s)) WITHOUT ROWID" % ((table,) + tuple(cols) + (", ".join(names),)))
    insert = "INSERT INTO %s VALUES (?, ?, ?, ?, ?)" % table
    rows, key, chunk, n_keys = [], None, [], 0
    for a, b, x, y in db.execute(select):
        if (a, b) != key or len(chunk) >= chunk_max:
            if chunk:
                rows.append(chunk_row(key, chunk))
            if (a, b) != key:
                n_keys += 1
            key, chunk = (a, b), []
        chunk.append((x, y))
        if len(rows) >= 100000:
            db.executemany(insert, rows)
            rows = []
    if chunk:
        rows.append(chunk_row(key, chunk))
    db.executemany(insert, rows)
    db.commit()
    return n_keys


def table_bytes(db, schema, name):
    pages, used = db.execute("SELECT count(*), sum(pgsize - unused) FROM dbstat(?)"
                             " WHERE name = ?", (schema, name)).fetchone()
    return pages * PAGE, (used or 0) / max(pages * PAGE, 1)


def packed_copy(db, name):
    sql = db.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (name,)).fetchone()[0]
    db.execute(sql.replace("CREATE TABLE %s " % name, "CREATE TABLE %s_packed " % name, 1))
    db.execute("INSERT INTO %s_packed SELECT * FROM %s" % (name, name))
    db.commit()


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    store, out = sys.argv[1], sys.argv[2]
    chunk_max = int(sys.argv[3]) if len(sys.argv) == 4 else 128
    if os.path.exists(out):
        os.remove(out)
    db = sqlite3.connect(out)
    db.execute("PRAGMA page_size = %d" % PAGE)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("ATTACH ? AS src", ("file:%s?mode=ro" % store,))
    triples = db.execute("SELECT count(*) FROM src.quads").fetchone()[0]
    if db.execute("PRAGMA src.page_size").fetchone()[0] != PAGE:
        sys.exit("layout_estimate: the store's pages are not %d bytes" % PAGE)

    t0 = time.time()
    key = ("s0 INTEGER", "g0 INTEGER")
    n_po = write_chunks(db, "postings_po", ("p INTEGER", "o INTEGER") + key,
                        "SELECT p, o, s, g FROM src.quads INDEXED BY quads_pos"
                        " ORDER BY p, o, s, g", chunk_max)
    # Format 5 has the index quads_num; format 6 keeps postings_num, so
    # SQLite sorts the numeric quads.
    has_num_index = db.execute("SELECT count(*) FROM src.sqlite_master"
                               " WHERE name = 'quads_num'").fetchone()[0]
    n_pn = write_chunks(db, "postings_pn", ("p INTEGER", "num REAL") + key,
                        "SELECT p, num, s, g FROM src.quads %s"
                        " WHERE num IS NOT NULL ORDER BY p, num, s, g"
                        % ("INDEXED BY quads_num" if has_num_index else ""), chunk_max)
    n_s = write_chunks(db, "subject_rows", ("s INTEGER", "g INTEGER", "p0 INTEGER", "o0 INTEGER"),
                       "SELECT s, g, p, o FROM src.quads ORDER BY s, g, p, o", chunk_max)
    for name in ("postings_po", "postings_pn", "subject_rows"):
        packed_copy(db, name)
    print("%d triples; %d (p, o) pairs, %d (p, num) pairs, %d (s, g) rows; chunks of %d;"
          " written in %.0f s" % (triples, n_po, n_pn, n_s, chunk_max, time.time() - t0))

    print("\n| table | MB | bytes per triple | pages full |\n|---|---:|---:|---:|")
    own = {}
    for (name,) in db.execute("SELECT DISTINCT name FROM dbstat('src') ORDER BY name"):
        size, full = table_bytes(db, "src", name)
        own[name] = size
        if size >= 1 << 20:
            print("| store: `%s` | %.1f | %.2f | %.1f%% |"
                  % (name, size / 1e6, size / triples, 100 * full))
    new = {}
    for name in ("postings_po", "postings_pn", "subject_rows"):
        for kind in ("", "_packed"):
            size, full = table_bytes(db, "main", name + kind)
            new[name + kind] = size
            print("| new: `%s`, %s | %.1f | %.2f | %.1f%% |"
                  % (name, "packed" if kind else "appended", size / 1e6, size / triples,
                     100 * full))

    whole = os.path.getsize(store)
    print("\nthe store: %.1f bytes per triple (file), %.1f (its tables' pages)"
          % (whole / triples, sum(own.values()) / triples))
    for kind in ("", "_packed"):
        a = (sum(own.values()) - own.get("quads_pos", 0) - own.get("quads_num", 0)
             - own.get("postings_num", 0)
             + new["postings_po" + kind] + new["postings_pn" + kind])
        b = a - own.get("quads", 0) + new["subject_rows" + kind]
        print("%s: postings for quads_pos and quads_num %.1f bytes per triple;"
              " and subject rows for quads %.1f"
              % ("packed" if kind else "appended", a / triples, b / triples))


if __name__ == "__main__":
    main()
