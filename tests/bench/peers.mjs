// peers.mjs - the peers of `make bench` (tests/bench/icx_bench.c runs it):
// DuckDB over the same plain tables as the SQL baseline, and a client of
// the bench's private Virtuoso.  Each command answers like the bench's own
// children: a report file ("key value" lines) and the answer, one cloud a
// line (sorted names, or "name score" in rank order for a ranked shape).
//
//   node peers.mjs duckdb-load NODEDIR CSVDIR DBFILE REPORT
//   node peers.mjs duckdb-match NODEDIR DBFILE SHAPES K REPORT NAMES
//   node peers.mjs virtuoso-match URL SHAPES K REPORT NAMES
//
// NODEDIR is where the npm package @duckdb/node-api is (installed there on
// demand by duckdb-load: npm install --prefix NODEDIR; never in the source
// tree).  SHAPES is the JSON the bench writes (bench_peers.c), K a shape's
// index.  ICX_BENCH_REPS and ICX_BENCH_WARM_CAP bound the warm repetitions
// as for the bench's own engines.  Exit 77 when DuckDB is not available.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const SKIP = 77;
const PACKAGE = process.env.ICX_BENCH_DUCKDB_PACKAGE || '@duckdb/node-api@1.5.6-r.1';
const LISTS = [
  ['service_tier', 'country'],
  ['service_method', 'method'],
  ['service_access', 'protocol'],
];

function envNum(name, dflt) {
  const v = Number(process.env[name]);
  return process.env[name] && Number.isFinite(v) && v >= 0 ? v : dflt;
}

// --- timing and the report ------------------------------------------------------

async function timeShape(run, namesPath, reportPath, extra) {
  const reps = Math.max(1, envNum('ICX_BENCH_REPS', 30));
  const warmCap = envNum('ICX_BENCH_WARM_CAP', 20);
  const t0 = performance.now();
  let lines = await run();
  const cold = extra.coldMs ?? performance.now() - t0;
  const ms = [];
  const tw = performance.now();
  while (ms.length < reps && (ms.length === 0 || (performance.now() - tw) / 1e3 < warmCap)) {
    const a = performance.now();
    lines = await run();
    ms.push(performance.now() - a);
  }
  ms.sort((x, y) => x - y);
  const at = (q) => ms[Math.max(1, Math.ceil(q * ms.length)) - 1];
  const med = ms.length % 2 ? ms[(ms.length - 1) / 2]
    : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  fs.writeFileSync(namesPath, lines.map((l) => l + '\n').join(''));
  fs.writeFileSync(reportPath,
    `path ${extra.path}\ncold_ms ${cold.toFixed(3)}\nreps ${ms.length}\n` +
    `median_ms ${med.toFixed(3)}\np90_ms ${at(0.9).toFixed(3)}\np99_ms ${at(0.99).toFixed(3)}\n` +
    `count ${lines.length}\nrss_kb ${extra.rssKb ?? process.resourceUsage().maxRSS}\n`);
}

// Lines of an answer: sorted distinct names, or "name score" as ranked.
function answerLines(rows, ranked) {
  if (ranked)
    return rows.map((r) => `${r[0]} ${Number(r[1])}`);
  return [...new Set(rows.map((r) => String(r[0])))].sort();
}

function loadShape(shapesPath, k) {
  const all = JSON.parse(fs.readFileSync(shapesPath, 'utf8'));
  const shape = all.shapes[Number(k)];
  if (!shape)
    throw new Error(`no shape ${k} in ${shapesPath}`);
  return { ns: all.ns, shape };
}

// --- DuckDB ---------------------------------------------------------------------

async function duckdbModule(nodeDir, install) {
  const req = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
  const find = () => {
    try {
      return req.resolve('@duckdb/node-api');
    } catch {
      return null;
    }
  };
  let where = find();
  if (!where && install) {
    console.log(`peers: installing ${PACKAGE} into ${nodeDir} (npm)`);
    try {
      fs.mkdirSync(nodeDir, { recursive: true });
      execFileSync('npm', ['install', '--prefix', nodeDir, '--no-audit', '--no-fund',
        '--no-save', PACKAGE], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300e3 });
    } catch (e) {
      console.log(`peers: DuckDB skipped: npm install ${PACKAGE} failed (${e.message})`);
      process.exit(SKIP);
    }
    where = find();
  }
  if (!where) {
    console.log(`peers: DuckDB skipped: @duckdb/node-api is not installed in ${nodeDir}`);
    process.exit(SKIP);
  }
  return import(pathToFileURL(where).href);
}

const quote = (v) => `'${String(v).replace(/'/g, "''")}'`;
const inList = (values) => values.map(quote).join(', ');

// The hand-written query of a shape for DuckDB: the services that pass the
// numbers, semi-joined with each hard list, one row per cloud; a ranked
// shape adds each soft constraint's weight when the service has a value of
// its list, keeps each cloud's best, and orders by score, then name.
function duckdbQuery(sh) {
  const where = [`s.availability >= ${sh.min_availability}`,
    `s.replication >= ${sh.min_replication}`];
  ['tiers', 'methods', 'access'].forEach((key, i) => {
    if (sh[key])
      where.push(`s.id IN (SELECT service_id FROM ${LISTS[i][0]} WHERE ${LISTS[i][1]} IN ` +
        `(${inList(sh[key])}))`);
  });
  if (!sh.soft.length) {
    return `SELECT DISTINCT c.name FROM services s JOIN clouds c ON c.id = s.cloud_id\n` +
      `WHERE ${where.join('\n  AND ')}\nORDER BY c.name`;
  }
  const score = sh.soft.map((sc) =>
    `(CASE WHEN s.id IN (SELECT service_id FROM ${LISTS[sc.list][0]} WHERE ` +
    `${LISTS[sc.list][1]} IN (${inList(sc.values)})) THEN ${sc.weight} ELSE 0 END)`);
  return `SELECT c.name, MAX(${score.join('\n    + ')}) AS score\n` +
    `FROM services s JOIN clouds c ON c.id = s.cloud_id\nWHERE ${where.join('\n  AND ')}\n` +
    `GROUP BY c.name\nORDER BY score DESC, c.name`;
}

async function duckdbLoad(nodeDir, csvDir, dbFile, reportPath) {
  const duckdb = await duckdbModule(nodeDir, true);
  const t0 = performance.now();
  fs.rmSync(dbFile, { force: true });
  const inst = await duckdb.DuckDBInstance.create(dbFile);
  const con = await inst.connect();
  const types = {
    clouds: "{'id': 'BIGINT', 'name': 'VARCHAR'}",
    services: "{'id': 'BIGINT', 'cloud_id': 'BIGINT', 'availability': 'DOUBLE', " +
      "'replication': 'INTEGER'}",
    service_tier: "{'service_id': 'BIGINT', 'country': 'VARCHAR'}",
    service_method: "{'service_id': 'BIGINT', 'method': 'VARCHAR'}",
    service_access: "{'service_id': 'BIGINT', 'protocol': 'VARCHAR'}",
  };
  for (const [table, cols] of Object.entries(types)) {
    const csv = path.join(csvDir, `${table}.csv`);
    await con.run(`CREATE TABLE ${table} AS SELECT * FROM read_csv(${quote(csv)}, ` +
      `header = true, columns = ${cols})`);
  }
  await con.run('CHECKPOINT');
  con.closeSync?.();
  inst.closeSync?.();
  fs.writeFileSync(reportPath, `seconds ${((performance.now() - t0) / 1e3).toFixed(3)}\n` +
    `rss_kb ${process.resourceUsage().maxRSS}\n`);
}

async function duckdbMatch(nodeDir, dbFile, shapesPath, k, reportPath, namesPath) {
  const { shape } = loadShape(shapesPath, k);
  const duckdb = await duckdbModule(nodeDir, false);
  const sql = duckdbQuery(shape);
  let inst = null;
  let con = null;
  // Cold: open the database file, then the first query; warm: the rest.
  await timeShape(async () => {
    if (!con) {
      inst = await duckdb.DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
      con = await inst.connect();
    }
    const reader = await con.runAndReadAll(sql);
    return answerLines(reader.getRows(), shape.soft.length > 0);
  }, namesPath, reportPath, { path: 'duckdb' });
}

// --- Virtuoso (SPARQL over HTTP) ----------------------------------------------------

// The hand-written SPARQL of a shape over the bench's Turtle, in two forms
// (the client times both and keeps the faster, as the SQL baseline does):
// 0 checks each list with FILTER EXISTS and an IN filter, 1 joins each
// list's values given in a VALUES block (and so needs DISTINCT).  A
// ranked shape scores each service with IF(EXISTS ...) and keeps each
// cloud's best.
const SPARQL_FORMS = ['exists-in', 'values-join'];

function sparqlQuery(ns, sh, form = 0) {
  const preds = ['tierCountry', 'replicationMethod', 'storageAccess'];
  const iris = (values, sep = ', ') => values.map((v) => `res:${v}`).join(sep);
  const body = ['?c res:cloudName ?name ; res:offers ?s .',
    '?s res:availability ?a ; res:replicationFactor ?r .',
    `FILTER (?a >= ${sh.min_availability} && ?r >= ${sh.min_replication})`];
  ['tiers', 'methods', 'access'].forEach((key, i) => {
    if (!sh[key])
      return;
    if (form === 1)
      body.push(`VALUES ?v${i} { ${iris(sh[key], ' ')} } ?s res:${preds[i]} ?v${i} .`);
    else
      body.push(`FILTER EXISTS { ?s res:${preds[i]} ?v${i} FILTER (?v${i} IN (${iris(sh[key])})) }`);
  });
  const head = `PREFIX res: <${ns}>\n`;
  if (!sh.soft.length)
    return `${head}SELECT DISTINCT ?name WHERE {\n  ${body.join('\n  ')}\n} ORDER BY ?name`;
  const score = sh.soft.map((sc, i) =>
    `IF(EXISTS { ?s res:${preds[sc.list]} ?w${i} FILTER (?w${i} IN (${iris(sc.values)})) }, ` +
    `${sc.weight}, 0)`);
  body.push(`BIND ((${score.join(' + ')}) AS ?sc)`);
  return `${head}SELECT ?name (MAX(?sc) AS ?score) WHERE {\n  ${body.join('\n  ')}\n}\n` +
    `GROUP BY ?name ORDER BY DESC(?score) ?name`;
}

async function sparqlAsk(url, query, ranked) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/sparql-results+json',
    },
    body: new URLSearchParams({ query }).toString(),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`Virtuoso answered ${res.status}: ${text.slice(0, 500)}`);
  const rows = JSON.parse(text).results.bindings.map((b) =>
    [b.name.value, ranked ? b.score.value : null]);
  return answerLines(rows, ranked);
}

async function virtuosoMatch(url, shapesPath, k, reportPath, namesPath) {
  const { ns, shape } = loadShape(shapesPath, k);
  const ranked = shape.soft.length > 0;
  const hasLists = shape.tiers || shape.methods || shape.access;
  // The first query of the first form is the cold one; then each form
  // (when they differ) three times, and the faster is timed warm.
  let form = 0;
  let cold = null;
  if (hasLists) {
    let best = Infinity;
    for (let f = 0; f < SPARQL_FORMS.length; f++) {
      const query = sparqlQuery(ns, shape, f);
      for (let i = 0; i < 3; i++) {
        const a = performance.now();
        await sparqlAsk(url, query, ranked);
        const ms = performance.now() - a;
        if (cold === null)
          cold = ms;
        if (ms < best) {
          best = ms;
          form = f;
        }
      }
    }
  }
  const query = sparqlQuery(ns, shape, form);
  await timeShape(() => sparqlAsk(url, query, ranked), namesPath, reportPath,
    { path: SPARQL_FORMS[form], rssKb: -1, coldMs: cold });
}

// --- main -------------------------------------------------------------------------

const [cmd, ...args] = process.argv.slice(2);
const commands = {
  'duckdb-load': [4, duckdbLoad],
  'duckdb-match': [6, duckdbMatch],
  'virtuoso-match': [5, virtuosoMatch],
  // Prints each shape's query for peer (duckdb or sparql): for reading.
  'show': [2, async (peer, shapesPath) => {
    const all = JSON.parse(fs.readFileSync(shapesPath, 'utf8'));
    for (const sh of all.shapes)
      console.log(`-- ${sh.name}\n${peer === 'duckdb' ? duckdbQuery(sh) : sparqlQuery(all.ns, sh)}\n`);
  }],
};
if (!commands[cmd] || args.length !== commands[cmd][0]) {
  console.error('usage: node peers.mjs duckdb-load NODEDIR CSVDIR DBFILE REPORT\n' +
    '       node peers.mjs duckdb-match NODEDIR DBFILE SHAPES K REPORT NAMES\n' +
    '       node peers.mjs virtuoso-match URL SHAPES K REPORT NAMES\n' +
    '       node peers.mjs show duckdb|sparql SHAPES');
  process.exit(2);
}
try {
  await commands[cmd][1](...args);
} catch (e) {
  console.error(`peers: ${cmd}: ${e.message}`);
  process.exit(1);
}
