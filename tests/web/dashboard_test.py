"""The supervisor's dashboard in a real browser (Debian's chromium, headless): served by a real
`hark run` with its database, dialing a real campaign through `hark simulate-callee`.

  dashboard_test.py --hark build/cli/hark --artifacts DIR     (DATABASE_URL must be set)

Logs in as admin and as supervisor; uploads a CSV with bad rows and sees them listed; starts the
campaign from the page and sees the figures, the charts and the calls-up list change, then
empty; reads the call log; checks a supervisor gets no start button and that the API refuses
the action anyway. Screenshots of the wallboard and the call log go to DIR."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

SIM = "127.0.0.140"
HARK = "127.0.0.141"
API = f"http://{HARK}:18141"


def rest(method, path, token=None, body=None, ctype="application/json"):
    """(status, JSON or text) of one API call."""
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text and r.headers.get_content_type() == "application/json" else text)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, (json.loads(text) if text.startswith("{") else text)


def ok(method, path, token=None, body=None, ctype="application/json"):
    status, out = rest(method, path, token, body, ctype)
    assert status < 300, f"{method} {path} -> {status} {out}"
    return out


def fresh_database(base_url):
    """A database of this test's own in the cluster of DATABASE_URL."""
    name = "hark_web_test"
    subprocess.run(["psql", "-q", base_url, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                    "-c", f"CREATE DATABASE {name}"], check=True, stderr=subprocess.DEVNULL)
    return re.sub(r"(postgres(?:ql)?://[^/]*/)[^?]*", r"\g<1>" + name, base_url, count=1)


def login_page(b, user, password):
    b.goto(API + "/#/login")
    b.wait("document.getElementById('username') !== null", what="the login form")
    b.eval(f"""(() => {{ document.getElementById('username').value = {json.dumps(user)};
                 document.getElementById('password').value = {json.dumps(password)};
                 document.getElementById('login').click(); return true; }})()""")
    b.wait("document.getElementById('campaigns') !== null || document.querySelector('main p') !== null &&"
           " location.hash === '#/campaigns'", what=f"the campaigns page after {user} logs in")
    assert b.eval("document.getElementById('who').textContent").startswith(user)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hark", required=True)
    ap.add_argument("--artifacts", required=True)
    args = ap.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    url = fresh_database(os.environ["DATABASE_URL"])
    work = tempfile.mkdtemp(prefix="hark-web-")
    procs = []
    try:
        procs.append(subprocess.Popen([args.hark, "simulate-callee", "--listen", f"sip:{SIM}:5070", "--media-ip", SIM,
                                       "--rtp-ports", "24000-24999", "--duration", "300"],
                                      stdout=open(f"{work}/sim.log", "w"), stderr=subprocess.STDOUT))
        env = dict(os.environ, DATABASE_URL=url, HARK_HTTP_LISTEN=f"{HARK}:18141", HARK_SIP_LISTEN=f"{HARK}:5060",
                   HARK_SIP_TRUNK=f"{SIM}:5070", HARK_RTP_PORTS="25000-25999", HARK_ADMIN_USER="admin",
                   HARK_ADMIN_PASSWORD="web-test-admin", HARK_RING_TIMEOUT="15", HARK_RETRY_UNIT_MS="100",
                   HARK_RECORDINGS_DIR=os.path.join(work, "recordings"))
        procs.append(subprocess.Popen([args.hark, "run", "--duration", "300"], env=env,
                                      stdout=open(f"{work}/hark.log", "w"), stderr=subprocess.STDOUT))
        deadline = time.time() + 30
        while True:
            try:
                if rest("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.time() < deadline, "hark did not come up: " + open(f"{work}/hark.log").read()[-2000:]
            time.sleep(0.1)

        master = ok("POST", "/api/v1/login", body={"username": "admin", "password": "web-test-admin"})["token"]
        group = ok("POST", "/api/v1/groups", master, {"name": "web", "description": "the dashboard test"})["id"]
        for name, role in (("web-admin", "campaign_admin"), ("web-super", "campaign_supervisor")):
            ok("POST", "/api/v1/users", master, {"username": name, "password": name + "-pw", "role": role, "groups": [group]})
        admin = ok("POST", "/api/v1/login", body={"username": "web-admin", "password": "web-admin-pw"})["token"]
        supervisor = ok("POST", "/api/v1/login", body={"username": "web-super", "password": "web-super-pw"})["token"]
        # All day in a zone where it is noon now: the campaign's day (its calls, the "placed"
        # tile, the report's row) never ends mid-test, whatever the hour the test runs at.
        ahead = 12 - time.gmtime().tm_hour  # Etc/GMT-3 is three hours ahead of UTC
        zone = "Etc/GMT" if ahead == 0 else f"Etc/GMT{'-' if ahead > 0 else '+'}{abs(ahead)}"
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + ahead * 3600))
        campaign = ok("POST", "/api/v1/campaigns", admin, {
            "name": "web-demo", "groupId": group, "startDate": today, "endDate": today, "startTime": "00:00",
            "endTime": "24:00", "weekdays": ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], "timeZone": zone,
            "pilotNumber": "5000", "type": "agent_queue", "queue": "sales", "maxAttempts": 1, "amdEnabled": True,
            "fixedChannels": 16, "maxConcurrent": 16, "internalLength": 7, "recording": "all"})["id"]

        # 24 people, 16 machines and one number that only rings, and three rows the import must refuse.
        csv = os.path.join(work, "leads.csv")
        with open(csv, "w") as f:
            f.write("name,phone\n")
            for i in range(24):
                f.write(f"Person {i},1000{i:03d}\n")
            f.write("No phone,\n")
            for i in range(16):
                f.write(f"Machine {i},2000{i:03d}\n")
            f.write("Bad phone,call-me-maybe\n")
            # It rings (no answer) until the 15 s ring timeout: time to hang it up from the page.
            f.write("Ringing,5000001\n")
            f.write('"Unterminated,1000999\n')  # the quote runs to the end: the last line

        with Browser() as b:
            # The page is ours alone: nothing it loads comes from elsewhere.
            b.goto(API + "/")
            b.wait("document.readyState === 'complete'")
            external = b.eval("[...document.querySelectorAll('script[src],link[href]')]"
                              ".map(e => e.src || e.href).filter(u => !u.startsWith(location.origin))")
            assert external == [], f"the page references other sites: {external}"

            # Supervisor: reads, but has no start button, and the API refuses anyway.
            login_page(b, "web-super", "web-super-pw")
            b.goto(API + f"/#/campaigns/{campaign}")
            b.wait("document.getElementById('state') !== null", what="the wallboard")
            assert b.eval("document.getElementById('start') === null && document.getElementById('stop') === null"), \
                "a supervisor sees a start or stop button"
            status, body = rest("POST", f"/api/v1/campaigns/{campaign}/start", supervisor)
            assert status == 403, f"a supervisor's start got {status} {body}"
            b.goto(API + f"/#/campaigns/{campaign}/leads")
            b.wait("document.getElementById('leads') !== null", what="the leads page")
            assert b.eval("document.getElementById('lead-file') === null"), "a supervisor sees the upload form"
            b.eval("document.getElementById('logout').click()")
            b.wait("location.hash === '#/login'", what="the login page after logout")

            # Admin: upload with bad rows, each listed with its line and reason.
            login_page(b, "web-admin", "web-admin-pw")
            b.goto(API + f"/#/campaigns/{campaign}/leads")
            b.wait("document.getElementById('lead-file') !== null", what="the upload form")
            b.set_file("#lead-file", csv)
            b.eval("document.getElementById('upload').click()")
            b.wait("document.querySelectorAll('#rejected tbody tr').length > 0", what="the rejected rows")
            rejected = b.eval("[...document.querySelectorAll('#rejected tbody tr')].map(r => r.textContent)")
            summary = b.eval("document.getElementById('upload-result').textContent")
            assert "41 leads imported" in summary and "3 rows rejected" in summary, summary
            lines = sorted(int(re.match(r"\d+", r).group()) for r in rejected)
            assert lines == [26, 43, 45], f"rejected lines {rejected}"
            b.wait("document.querySelectorAll('#leads tbody tr').length === 41", what="41 leads listed")

            # Start from the page; the figures, the charts and the calls-up list move.
            b.goto(API + f"/#/campaigns/{campaign}")
            b.wait("document.getElementById('start') !== null", what="the start button")
            # The header and the figures come from two requests: either may draw first.
            b.wait("document.querySelector('[data-figure=placed] .v') !== null", what="the figures")
            b.wait("document.querySelector('svg[data-chart][data-points]') !== null", what="the charts")
            placed_before = b.eval("+document.querySelector('[data-figure=placed] .v').textContent")
            points_before = b.eval("+document.querySelector('svg[data-chart]').dataset.points")
            b.eval("document.getElementById('start').click()")
            b.wait("document.getElementById('state').textContent === 'STARTED'", what="the campaign started")
            b.wait("+document.getElementById('active-calls').dataset.count > 0", timeout=60, what="calls up listed")
            b.wait(f"+document.querySelector('[data-figure=placed] .v').textContent > {placed_before}", timeout=60,
                   what="the placed figure to grow")
            b.wait(f"+document.querySelector('svg[data-chart]').dataset.points > {points_before + 1}", what="the chart to grow")
            b.wait("+document.querySelector('[data-figure=machines] .v').textContent > 0", timeout=60, what="machines")
            b.screenshot(os.path.join(args.artifacts, "wallboard.png"))
            # Hang up the ringing call from the page (call control through the database bus).
            ring_row = "[...document.querySelectorAll('#calls-up tbody tr')].find(r => r.textContent.includes('5000001'))"
            b.wait(f"!!{ring_row} && !!{ring_row}.querySelector('button[data-hangup]')", timeout=60,
                   what="the ringing call listed with its hang-up button")
            b.eval(f"{ring_row}.querySelector('button[data-hangup]').click(); true")
            # Every lead dialed once: the list empties.
            b.wait("+document.getElementById('active-calls').dataset.count === 0 && "
                   "+document.querySelector('[data-figure=placed] .v').textContent >= 41", timeout=120,
                   what="the calls-up list to empty after every lead")
            machines = b.eval("+document.querySelector('[data-figure=machines] .v').textContent")
            assert machines > 0, "no machine counted on the wallboard"

            # The call log, with a filter.
            b.goto(API + f"/#/campaigns/{campaign}/calls")
            b.wait("document.querySelectorAll('#calls tbody tr').length >= 41", what="the call log")
            hung_up = b.eval("[...document.querySelectorAll('#calls tbody tr')].filter(r => r.textContent.includes('5000001'))"
                             ".map(r => r.textContent)")
            assert len(hung_up) == 1 and "hung up by request" in hung_up[0], f"the ringing call in the call log: {hung_up}"
            b.screenshot(os.path.join(args.artifacts, "call-log.png"))
            raw_times = b.eval("[...document.querySelectorAll('#calls tbody td')].filter(td => /[+]00$/.test(td.textContent)).length")
            assert raw_times == 0, f"{raw_times} database timestamps shown raw in the call log"
            b.eval("document.getElementById('verdict-filter').value = 'machine';"
                   "document.querySelector('form.inline button[type=submit]').click(); true")
            b.wait("[...document.querySelectorAll('#calls tbody tr')].length > 0 && "
                   "[...document.querySelectorAll('#calls tbody tr')].every(r => r.textContent.includes('machine'))",
                   what="only machines after filtering")
            # A recording plays in the page (fetched with the token, then played from a blob).
            b.eval("document.querySelector('#calls button[data-play]').click(); true")
            b.wait("document.getElementById('player').duration > 0 && document.getElementById('player').currentTime > 0",
                   what="a recording to play")

            # The per-day report: today's row for the campaign counts every lead dialed.
            b.goto(API + "/#/reports")
            b.wait("document.querySelectorAll('#report tbody tr').length > 0", what="the per-day report")
            row = b.eval("[...document.querySelectorAll('#report tbody tr')].map(r => [...r.cells].map(c => c.textContent))"
                         ".find(c => c[1] === 'web-demo')")
            assert row and row[0] == today and int(row[2]) == 41, f"the report's row for today: {row}"
            b.screenshot(os.path.join(args.artifacts, "report.png"))
            assert not b.console, f"errors in the page: {b.console}"
        print("dashboard: ok; screenshots in", args.artifacts)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        # (A failure's message carries the log's tail; the directory was left in /tmp.)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
