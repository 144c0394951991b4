#!/usr/bin/env python3
"""The HTTP half of scripts/bench.sh: runs a PostgreSQL-backed `hallpass
serve`, signs real browsers in, preloads sessions in bulk, drives every
scenario with crates/loadgen and prints the table.

Each size has its own database and its own server, both loaded before the
first measurement; every scenario then alternates between the sizes round by
round, so whatever else the machine does in the meantime (PostgreSQL's
background writes after a bulk load, another process) falls on both sides
of the growth ratio alike.

Started by scripts/bench.sh, which builds, measures the baselines, creates
and drops the databases (one per size, $BENCH_DB_URLS) and kills whatever
pids this script leaves in $BENCH_WORK/server.pids. Everything here only
prints: nothing is asserted on timing.
"""

import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

ENV = os.environ
WORK = ENV["BENCH_WORK"]
HALLPASS = ENV["BENCH_HALLPASS"]
LOADGEN = ENV["BENCH_LOADGEN"]
SIZES = [int(s) for s in ENV["BENCH_SIZES"].split()]
DB_URLS = ENV["BENCH_DB_URLS"].split()
assert len(DB_URLS) == len(SIZES), "one database per size"
BROWSERS = int(ENV["BENCH_BROWSERS"])
STEP = float(ENV["BENCH_STEP_SECONDS"])
CONNECTIONS = int(ENV.get("BENCH_CONNECTIONS", "32"))
LOADGEN_THREADS = ENV.get("BENCH_LOADGEN_THREADS", "1")
REPEAT = max(1, int(ENV.get("BENCH_REPEAT", "1")))
APP = "https://app.bench.example"
TICK = os.sysconf("SC_CLK_TCK")
random.seed(7)


def log(*args):
    print("==", *args, file=sys.stderr, flush=True)


# --- the server -------------------------------------------------------------

class Server:
    def __init__(self, db_url):
        self.db_url = db_url
        self.proc = None
        self.secret = None

    def start(self, label):
        env = dict(ENV)
        env.pop("RUST_LOG", None)
        env.update({
            "HALLPASS__ENVIRONMENT": "production",
            "HALLPASS__FRONTEND_API__ALLOWED_ORIGINS": APP,
            # All the load comes from one address and a thousand browsers:
            # budgets far above it keep the limiter's bookkeeping in the
            # measured path without refusing anything.
            "HALLPASS__RATE_LIMIT__FAPI_PER_IP__LIMIT": "4000000000",
            "HALLPASS__RATE_LIMIT__FAPI_PER_CLIENT__LIMIT": "4000000000",
            "HALLPASS__RATE_LIMIT__BAPI_PER_SECRET_KEY__LIMIT": "4000000000",
        })
        err = open(os.path.join(WORK, f"serve-{label}.log"), "w")
        data_dir = os.path.join(WORK, f"data-{urllib.parse.urlsplit(self.db_url).path.strip('/')}")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [HALLPASS, "serve", "--fapi-addr", "127.0.0.1:0", "--bapi-addr", "127.0.0.1:0",
             "--data-dir", data_dir, "--database-url", self.db_url],
            stdout=subprocess.PIPE, stderr=err, env=env, text=True)
        with open(os.path.join(WORK, "server.pids"), "a") as f:
            f.write(f"{self.proc.pid}\n")
        lines = []
        for line in self.proc.stdout:
            lines.append(line.strip())
            if line.strip().startswith("Secret key:"):
                break
        else:
            sys.exit(f"hallpass serve stopped before its banner; see {err.name}")
        field = lambda label: next(l.split(":", 1)[1].strip() for l in lines if l.startswith(label))
        fapi = field("Frontend API:").split(" ")[0]
        bapi = field("Backend API:")
        secret = field("Secret key:").split()[0]
        if secret.startswith("sk_"):
            self.secret = secret
        self.fapi = urllib.parse.urlsplit(fapi).netloc
        self.bapi = urllib.parse.urlsplit(bapi).netloc
        while True:
            try:
                c = http.client.HTTPConnection(self.fapi, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.002)
        return time.monotonic() - started

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def cpu_seconds(self):
        return process_cpu(self.proc.pid)

    def memory(self):
        status = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                status[key] = value.strip()
        kb = lambda k: int(status[k].split()[0])
        return kb("VmHWM") / 1024, kb("VmRSS") / 1024


def process_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def postgres_cpu(db_url):
    """CPU seconds of the PostgreSQL backends serving one bench database
    (its server's pooled connections; other databases on the same server,
    such as the other size or other test runs, are not counted)."""
    pids = subprocess.run(
        ["psql", "-X", "-At", db_url, "-c",
         "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"],
        capture_output=True, text=True, check=True).stdout.split()
    total = 0.0
    for pid in pids:
        try:
            total += process_cpu(pid)
        except OSError:
            continue
    return total


# --- setup: real browsers and bulk sessions ---------------------------------

def client_cookie(response):
    for value in response.headers.get_all("Set-Cookie") or []:
        if value.startswith("__client=") and not value.startswith("__client=;"):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError("no __client cookie")


def sign_in(server, i):
    """A production browser signed in with a ticket, as clerk-js does it:
    its `__client` cookie, session id and user id."""
    fapi = http.client.HTTPConnection(server.fapi, timeout=30)
    bapi = http.client.HTTPConnection(server.bapi, timeout=30)
    fapi.request("POST", "/v1/client?_method=PUT", headers={"Origin": APP, "Content-Length": "0"})
    r = fapi.getresponse()
    r.read()
    cookie = client_cookie(r)
    # Sign-ins need a user who exists.
    user = bapi_json(bapi, server, "POST", "/v1/users",
                     {"external_id": f"user_real{i}", "email_address": [f"real{i}@bench.example"],
                      "first_name": "Real", "last_name": f"User {i}"})["id"]
    ticket = bapi_json(bapi, server, "POST", "/v1/sign_in_tokens", {"user_id": user})["token"]
    fapi.request("POST", "/v1/client/sign_ins",
                 body=urllib.parse.urlencode({"strategy": "ticket", "ticket": ticket}),
                 headers={"Origin": APP, "Cookie": f"__client={cookie}",
                          "Content-Type": "application/x-www-form-urlencoded"})
    r = fapi.getresponse()
    body = json.loads(r.read())
    return client_cookie(r), body["response"]["created_session_id"], user


def bapi_json(bapi, server, method, path, body):
    headers = {"Authorization": f"Bearer {server.secret}", "Content-Type": "application/json"}
    bapi.request(method, path, body=json.dumps(body), headers=headers)
    r = bapi.getresponse()
    out = json.loads(r.read())
    if r.status != 200:
        raise RuntimeError(f"{method} {path}: {r.status} {out}")
    return out


def organize(server, browsers):
    """Every other browser's user joins an organization of ten members
    (the first an admin) and makes it the session's active organization
    (`touch`, as clerk-js's `setActive` does); a JWT template reaching the
    user and the organization. Returns the members' (cookie, session,
    organization)."""
    bapi = http.client.HTTPConnection(server.bapi, timeout=30)
    fapi = http.client.HTTPConnection(server.fapi, timeout=30)
    members = browsers[1::2]
    out = []
    for start in range(0, len(members), 10):
        group = members[start:start + 10]
        org = bapi_json(bapi, server, "POST", "/v1/organizations",
                        {"name": f"Bench {start // 10}", "slug": f"bench-{start // 10}",
                         "public_metadata": {"plan": "pro"}})["id"]
        for k, (cookie, sid, user) in enumerate(group):
            bapi_json(bapi, server, "POST", f"/v1/organizations/{org}/memberships",
                      {"user_id": user, "role": "org:admin" if k == 0 else "org:member"})
            fapi.request("POST", f"/v1/client/sessions/{sid}/touch",
                         body=urllib.parse.urlencode({"active_organization_id": org}),
                         headers={"Origin": APP, "Cookie": f"__client={cookie}",
                                  "Content-Type": "application/x-www-form-urlencoded"})
            r = fapi.getresponse()
            r.read()
            if r.status != 200:
                raise RuntimeError(f"touch: {r.status}")
            out.append((cookie, sid, org))
    bapi_json(bapi, server, "POST", "/v1/jwt_templates",
              {"name": "bench", "claims": {
                  "email": "{{user.primary_email_address}}", "name": "{{user.full_name}}",
                  "ext": "{{user.external_id}}", "meta": "{{user.public_metadata}}",
                  "org": "{{org.slug}}", "role": "{{org.role}}", "plan": "{{org.public_metadata.plan}}"}})
    return out


def psql(db_url, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", db_url, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def preload(db_url, upto):
    """Sessions `sess_bench<g>` for g in [1, upto]: four per client, ten
    per user, one in four ended, the rest active; and as many users
    `user_bench<g>`, each with an external id and one email address (its
    primary); inserted in bulk statements."""
    now = int(time.time() * 1000)
    day = 86_400_000
    psql(db_url, f"""
    INSERT INTO clients (id, rotating_token, last_active_session_id, cookie_expires_at, created_at, updated_at)
      SELECT 'client_bench' || c, 'rt' || c, NULL, {now + 365 * day}, {now}, {now}
      FROM generate_series(1, {(upto + 3) // 4}) c;
    INSERT INTO sessions (id, client_id, user_id, status, last_active_at, expire_at, abandon_at, created_at, updated_at)
      SELECT 'sess_bench' || g, 'client_bench' || ((g - 1) / 4 + 1), 'user_bench' || ((g - 1) / 10 + 1),
             CASE WHEN g % 4 = 0 THEN 'ended' ELSE 'active' END,
             {now - 3_600_000}, {now + 7 * day}, {now + 30 * day}, {now} - g, {now}
      FROM generate_series(1, {upto}) g;
    INSERT INTO users (id, external_id, first_name, last_name, primary_email_address_id,
                       primary_email_address, created_at, updated_at)
      SELECT 'user_bench' || g, 'ext_bench' || g, 'Bench', 'User ' || g, 'idn_bench' || g,
             'bench' || g || '@bench.example', {now} - g, {now}
      FROM generate_series(1, {upto}) g;
    INSERT INTO user_email_addresses (id, user_id, position, email_address, verified, created_at, updated_at)
      SELECT 'idn_bench' || g, 'user_bench' || g, 0, 'bench' || g || '@bench.example', TRUE, {now} - g, {now}
      FROM generate_series(1, {upto}) g;
    """)
    # The steady state of a production table: vacuumed and analysed. Without
    # it autovacuum walks the new rows during the first scenarios and every
    # first read of a row sets its hint bits (a page write).
    psql(db_url, "VACUUM (ANALYZE) clients, sessions, users, user_email_addresses")
    # And written out: the bulk insert's dirty pages are flushed now, not by
    # a checkpoint in the middle of the measurements.
    psql(db_url, "CHECKPOINT")


def settle(quiet=0.05, window=2.0, limit=120.0):
    """Waits, at most `limit` seconds, until the machine's CPUs were busy
    less than `quiet` of the time over `window` seconds: PostgreSQL's
    background writes after the bulk loads (the checkpointer, the WAL
    writer, autovacuum) done before the first measurement. Returns the
    seconds waited and the busy share of the last window."""
    def ticks():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values) - idle, sum(values)

    began = time.monotonic()
    while True:
        busy0, total0 = ticks()
        time.sleep(window)
        busy1, total1 = ticks()
        share = (busy1 - busy0) / max(total1 - total0, 1)
        waited = time.monotonic() - began
        if share < quiet or waited >= limit:
            return waited, share


def table_size(db_url):
    """MB of the sessions table with its indexes, and PostgreSQL's
    shared_buffers: whether the table's working set fits PostgreSQL's
    own cache (beyond it, every page read is a copy from the kernel's)."""
    out = subprocess.run(
        ["psql", "-X", "-At", db_url, "-c",
         "SELECT pg_total_relation_size('sessions') / 1048576.0, current_setting('shared_buffers')"],
        capture_output=True, text=True, check=True).stdout.strip()
    mb, shared = out.split("|")
    return float(mb), shared


def reactivate_revoked(db_url):
    psql(db_url, "UPDATE sessions SET status = 'active' WHERE status = 'revoked' AND id LIKE 'sess_bench%'")


# --- scenarios --------------------------------------------------------------

def scenarios(server, browsers, members, preloaded):
    """name, listener, request lines, expected statuses, each line once?"""
    cookie = lambda c: f"cookie: __client={c}\torigin: {APP}"
    sk = f"authorization: Bearer {server.secret}"
    shuffled = random.sample(browsers, len(browsers))
    # organize() made every other browser a member with an organization active.
    personal = random.sample(browsers[0::2], len(browsers[0::2]))
    users = preloaded // 10
    redirect = urllib.parse.quote(f"{APP}/", safe="")
    live = [g for g in random.sample(range(1, preloaded + 1), min(preloaded, 40_000)) if g % 4]
    return [
        ("FAPI mint POST /v1/client/sessions/{id}/tokens", server.fapi,
         [f"POST\t/v1/client/sessions/{sid}/tokens\torganization_id=\t{cookie(c)}" for c, sid, _ in personal],
         "200", False),
        ("FAPI mint, organization active POST /v1/client/sessions/{id}/tokens", server.fapi,
         [f"POST\t/v1/client/sessions/{sid}/tokens\torganization_id={org}\t{cookie(c)}"
          for c, sid, org in random.sample(members, len(members))],
         "200", False),
        ("BAPI POST /v1/sessions/{id}/tokens", server.bapi,
         [f"POST\t/v1/sessions/{sid}/tokens\t\t{sk}" for _, sid, _ in shuffled], "200", False),
        ("BAPI POST /v1/sessions/{id}/tokens/{template} (user + organization shortcodes)", server.bapi,
         [f"POST\t/v1/sessions/{sid}/tokens/bench\t\t{sk}" for _, sid, _ in shuffled], "200", False),
        ("FAPI GET /v1/client", server.fapi,
         [f"GET\t/v1/client\t\t{cookie(c)}" for c, _, _ in shuffled], "200", False),
        ("handshake GET /v1/client/handshake (307)", server.fapi,
         [f"GET\t/v1/client/handshake?redirect_url={redirect}&suffixed_cookies=true&format=token\t\t{cookie(c)}"
          for c, _, _ in shuffled], "307", False),
        ("GET /.well-known/jwks.json", server.fapi,
         ["GET\t/.well-known/jwks.json\t"], "200", False),
        ("BAPI GET /v1/sessions?user_id= (paginated)", server.bapi,
         [f"GET\t/v1/sessions?user_id=user_bench{random.randint(1, users)}&paginated=true&limit=5&offset={random.choice([0, 5])}\t\t{sk}"
          for _ in range(20_000)], "200", False),
        ("BAPI GET /v1/users?email_address=", server.bapi,
         [f"GET\t/v1/users?email_address=bench{random.randint(1, preloaded)}%40bench.example\t\t{sk}"
          for _ in range(20_000)], "200", False),
        ("BAPI GET /v1/users?external_id=", server.bapi,
         [f"GET\t/v1/users?external_id=ext_bench{random.randint(1, preloaded)}\t\t{sk}"
          for _ in range(20_000)], "200", False),
        ("BAPI GET /v1/sessions/{id}", server.bapi,
         [f"GET\t/v1/sessions/sess_bench{random.randint(1, preloaded)}\t\t{sk}" for _ in range(20_000)],
         "200", False),
        ("BAPI POST /v1/sessions/{id}/revoke", server.bapi,
         [f"POST\t/v1/sessions/sess_bench{g}/revoke\t\t{sk}" for g in live], "200", True),
    ]


def loadgen(target, lines, expect, once, rate, duration, connections):
    path = os.path.join(WORK, "requests.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    cmd = [LOADGEN, "--target", target, "--requests", path, "--rate", f"{rate:.1f}",
           "--duration", str(duration), "--connections", str(connections), "--expect", expect,
           "--threads", LOADGEN_THREADS] + (["--once"] if once else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.exit(f"loadgen failed: {' '.join(cmd)}")
    result = json.loads(out)
    result["loadgen_cpu"] = usage.ru_utime + usage.ru_stime
    return result


def profile(server, name):
    """With BENCH_PERF_DIR set: `perf record -g` of the server during the
    saturation step, one file per scenario and size (`perf report -i FILE`)."""
    out = ENV.get("BENCH_PERF_DIR")
    if not out:
        return None
    os.makedirs(out, exist_ok=True)
    slug = "".join(ch if ch.isalnum() else "_" for ch in name).strip("_")[:60]
    proc = subprocess.Popen(["perf", "record", "-q", "-g", "-p", str(server.proc.pid), "-o",
                             os.path.join(out, f"{slug}.data")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    return proc


def selected(all_scenarios):
    """BENCH_SCENARIOS="mint,GET /v1/client": only the scenarios whose name
    contains one of the comma-separated strings (default: all)."""
    wanted = [w.strip() for w in ENV.get("BENCH_SCENARIOS", "").split(",") if w.strip()]
    return [s for s in all_scenarios if not wanted or any(w in s[0] for w in wanted)]


def run_scenario(sides):
    """One scenario at every size. `sides` is a list of (size, server,
    scenario) with the same scenario built for each size's server. A
    warm-up per side, then REPEAT rounds; in each round every side runs
    (saturation, then 50% of it), in size order in even rounds and the
    reverse in odd ones. Returns {size: row}: the medians of the rounds and
    CPU per request over every saturation step."""
    name, _, _, expect, once = sides[0][2]
    if not once:  # warm-up (a revoke would use up its sessions)
        for _, _, (_, target, lines, _, _) in sides:
            loadgen(target, lines, expect, once, 0, min(1.0, STEP), CONNECTIONS)
    acc = {size: {"sats": [], "halves": [], "cpu": 0.0, "pg": 0.0, "loadgen": 0.0, "n": 0}
           for size, _, _ in sides}
    for round_ in range(REPEAT):
        for size, server, (_, target, lines, _, _) in (sides if round_ % 2 == 0 else sides[::-1]):
            a = acc[size]
            if not once and round_ > 0:  # the other size's step ran in between
                loadgen(target, lines, expect, once, 0, min(0.5, STEP), CONNECTIONS)
            profiler = profile(server, f"{name} {size}") if round_ == 0 else None
            cpu0, pg0 = server.cpu_seconds(), postgres_cpu(server.db_url)
            sat = loadgen(target, lines, expect, once, 0, STEP, CONNECTIONS)
            cpu1, pg1 = server.cpu_seconds(), postgres_cpu(server.db_url)
            if profiler:
                profiler.send_signal(signal.SIGINT)
                profiler.wait()
            if once:
                reactivate_revoked(server.db_url)
            a["cpu"] += cpu1 - cpu0
            a["pg"] += pg1 - pg0
            a["loadgen"] += sat["loadgen_cpu"]
            a["n"] += sat["requests"]
            half = loadgen(target, lines, expect, once, sat["throughput"] / 2, STEP, CONNECTIONS * 2)
            if once:
                reactivate_revoked(server.db_url)
            a["sats"].append(sat)
            a["halves"].append(half)
    rows = {}
    median = statistics.median
    for size, a in acc.items():
        sats, halves, n = a["sats"], a["halves"], max(a["n"], 1)
        row = {
            "name": name,
            "saturation": median([r["throughput"] for r in sats]),
            "errors": sum(r["errors"] for r in sats + halves),
            "requests": sum(r["requests"] for r in sats + halves),
            "p50": median([r["p50_ms"] for r in halves]),
            "p95": median([r["p95_ms"] for r in halves]),
            "p99": median([r["p99_ms"] for r in halves]),
            "half_rate": median([r["throughput"] for r in halves]),
            "hallpass_us": a["cpu"] / n * 1e6,
            "postgres_us": a["pg"] / n * 1e6,
            "loadgen_us": a["loadgen"] / n * 1e6,
        }
        rounds = ", ".join(f"{r['throughput']:,.0f}" for r in sats)
        p99s = ", ".join(f"{r['p99_ms']:.2f}" for r in halves)
        spread = "" if REPEAT == 1 else f" (rounds: {rounds}/s; p99 {p99s} ms)"
        log(f"{name} at {size:,}: {row['saturation']:,.0f}/s saturated; at 50%: p50 {row['p50']:.2f} "
            f"p95 {row['p95']:.2f} p99 {row['p99']:.2f} ms; errors {row['errors']}{spread}")
        rows[size] = row
    return rows


# --- the report -------------------------------------------------------------

def criterion_mean_ns(name):
    path = os.path.join(ENV.get("CARGO_TARGET_DIR", "target"), "criterion", name, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["mean"]["point_estimate"]
    except OSError:
        return None


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    pg = subprocess.run(["psql", "-X", "-At", DB_URLS[0], "-c", "SHOW server_version"],
                        capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}, "
            f"PostgreSQL {pg} on loopback (sslmode={ENV.get('BENCH_PG_SSLMODE', 'default')})")


def report(results, sizes, startup, memory, sessions_in_table, sizes_mb):
    sign = float(ENV["BENCH_OPENSSL_SIGN"])
    verify = float(ENV["BENCH_OPENSSL_VERIFY"])
    pg_sel_tps, pg_sel_ms = float(ENV["BENCH_PG_SELECT_TPS"]), float(ENV["BENCH_PG_SELECT_MS"])
    pg_upd_tps, pg_upd_ms = float(ENV["BENCH_PG_UPDATE_TPS"]), float(ENV["BENCH_PG_UPDATE_MS"])
    big, small = sizes[-1], sizes[0]
    print(f"machine: {machine()}")
    print(f"command: scripts/bench.sh (BENCH_SIZES=\"{' '.join(map(str, sizes))}\" "
          f"BENCH_BROWSERS={BROWSERS} BENCH_STEP_SECONDS={STEP:g} BENCH_CONNECTIONS={CONNECTIONS} "
          f"BENCH_REPEAT={REPEAT})")
    print()
    print("baselines, same run:")
    print(f"- openssl speed rsa2048, 1 core: sign {sign:,.0f}/s, verify {verify:,.0f}/s")
    print(f"- pgbench, 1 client, prepared: point select {pg_sel_tps:,.0f}/s ({pg_sel_ms:.3f} ms), "
          f"single-row update {pg_upd_tps:,.0f}/s ({pg_upd_ms:.3f} ms)")
    sign_ns, verify_ns = criterion_mean_ns("session_token_sign"), criterion_mean_ns("verify_networkless")
    if sign_ns:
        print(f"- criterion: sign a session token {sign_ns / 1000:.1f} µs ({1e9 / sign_ns:,.0f}/s, "
              f"{1e9 / sign_ns / sign:.2f} × openssl sign)")
    if verify_ns:
        print(f"- criterion: hallpass-verify Verifier::verify, networkless {verify_ns / 1000:.1f} µs "
              f"({1e9 / verify_ns:,.0f}/s on 1 core, {1e9 / verify_ns / verify:.2f} × openssl verify)")
    print()
    for size in sizes:
        print(f"### {sessions_in_table[size]:,} sessions in the table "
              f"({BROWSERS:,} of them signed in over HTTP)")
        print()
        print("| scenario | saturation req/s | p50 ms | p95 ms | p99 ms | CPU µs/req hallpass | CPU µs/req PostgreSQL | CPU µs/req loadgen | errors |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in results[size]:
            print(f"| {r['name']} | {r['saturation']:,.0f} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} "
                  f"| {r['hallpass_us']:.0f} | {r['postgres_us']:.0f} | {r['loadgen_us']:.0f} | {r['errors']} |")
        hwm, rss = memory[size]
        print()
        print(f"peak RSS (VmHWM) of this size's hallpass: {hwm:.1f} MB (now {rss:.1f} MB)")
        mb, shared = sizes_mb[size]
        print(f"sessions table with its indexes after the load: {mb:,.0f} MB "
              f"(PostgreSQL shared_buffers: {shared})")
        print()
    if len(sizes) > 1:
        print(f"### growth: {sessions_in_table[big]:,} vs {sessions_in_table[small]:,} sessions")
        print()
        print("| scenario | saturation ratio (large/small) | p99 small ms | p99 large ms |")
        print("|---|---|---|---|")
        for a, b in zip(results[small], results[big]):
            ratio = b["saturation"] / a["saturation"] if a["saturation"] else 0
            print(f"| {a['name']} | {ratio:.2f} | {a['p99']:.2f} | {b['p99']:.2f} |")
        print()
    mint = next((r for r in results[big] if r["name"].startswith("FAPI mint")), None)
    print("ratios:")
    if mint:
        db_share = mint["postgres_us"] / (mint["postgres_us"] + mint["hallpass_us"])
        print(f"- mint saturation / openssl single-core sign: {mint['saturation']:,.0f} / {sign:,.0f} = "
              f"{mint['saturation'] / sign:.2f}")
        print(f"- DB share of a mint (PostgreSQL CPU / (PostgreSQL + hallpass CPU)): {db_share:.0%}")
        print(f"- hallpass CPU per mint / one RS256 signature: "
              f"{mint['hallpass_us']:.0f} µs / {1e6 / sign:.0f} µs = {mint['hallpass_us'] * sign / 1e6:.2f}")
    by_name = {r["name"]: r for r in results[big]}
    org = by_name.get("FAPI mint, organization active POST /v1/client/sessions/{id}/tokens")
    if mint and org:
        print(f"- mint with an organization active / mint without (saturation): "
              f"{org['saturation']:,.0f} / {mint['saturation']:,.0f} = {org['saturation'] / mint['saturation']:.2f}")
    plain = by_name.get("BAPI POST /v1/sessions/{id}/tokens")
    templ = next((r for r in results[big] if "/tokens/{template}" in r["name"]), None)
    if plain and templ:
        print(f"- template mint / session-token mint, Backend API (saturation): "
              f"{templ['saturation']:,.0f} / {plain['saturation']:,.0f} = {templ['saturation'] / plain['saturation']:.2f}")
    print(f"start-up to ready (/readyz 200): {startup['fresh']:.3f} s on an empty database "
          f"(migrations + instance creation), {startup['restart']:.3f} s with an up-to-date schema")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    load_before = loadavg()
    first = Server(DB_URLS[0])
    startup = {"fresh": first.start("fresh")}
    first.stop()
    startup["restart"] = first.start("restart")
    log(f"start-up: {startup['fresh']:.3f} s fresh, {startup['restart']:.3f} s restart")
    servers = {SIZES[0]: first}
    for size, url in zip(SIZES[1:], DB_URLS[1:]):
        servers[size] = Server(url)
        servers[size].start(f"{size}")
    browsers, members, in_table, sizes_mb = {}, {}, {}, {}
    for size, server in servers.items():
        began = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            browsers[size] = list(pool.map(lambda i: sign_in(server, i), range(BROWSERS)))
        log(f"{BROWSERS} browsers signed in over HTTP in {time.monotonic() - began:.1f} s "
            f"(the {size:,}-session server)")
        members[size] = organize(server, browsers[size])
    for size, server in servers.items():
        began = time.monotonic()
        preload(server.db_url, size)
        in_table[size] = size + BROWSERS
        log(f"preloaded {size:,} sessions in {time.monotonic() - began:.1f} s")
        sizes_mb[size] = table_size(server.db_url)
    waited, share = settle()
    log(f"machine settled in {waited:.0f} s ({share:.0%} busy over the last 2 s)")
    per_size = {size: selected(scenarios(server, browsers[size], members[size], size))
                for size, server in servers.items()}
    results = {size: [] for size in SIZES}
    for i in range(len(per_size[SIZES[0]])):
        rows = run_scenario([(size, servers[size], per_size[size][i]) for size in SIZES])
        for size, row in rows.items():
            results[size].append(row)
    memory = {size: server.memory() for size, server in servers.items()}
    for server in servers.values():
        server.stop()
    report(results, SIZES, startup, memory, in_table, sizes_mb)
    print(f"load average (1/5/15 min) before the HTTP scenarios: {load_before}; after: {loadavg()} "
          "(other work on the machine skews the figures)")


if __name__ == "__main__":
    main()
