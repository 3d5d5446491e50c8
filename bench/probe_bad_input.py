"""Probe a running `yishi serve --demo` with odd values: every route's path params, the query
params handlers read, and every form found by crawling the pages each demo user can see.
Prints the requests that answered 5xx and their count.

    python bench/probe_bad_input.py http://127.0.0.1:8791 [--quick]
"""
from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import httpx

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8791"
USERS = ["admin", "qu_shenhe", "dawan_staff", "dawan_zhaoji", "dawan_member", "dawan_collector",
         "dawan_danwei", "guanchayuan"]
PASSWORD = "yishi-demo-2026"
ODD = ["99999999999999999999", "9223372036854775808", "-1", "0", "garbage", "1e400",
       "0001-01-01T00:00", "0001-01-01", "9999-12-31", "a\x00b\x01c\x0b", "9" * 400, "NaN"]
QUERY = ["community", "received_from", "received_to", "status", "grade", "due", "town", "category",
         "page", "q", "year", "month", "round", "kind", "sort", "view", "period", "lang", "next",
         "from", "to", "unit", "overdue", "source"]


class Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = a.get("method") or ("post" if a.get("hx-post") else "get")
            self._form = {"action": a.get("action") or a.get("hx-post") or "", "method": method.lower(), "fields": {}}
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea") and self._form is not None and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and a["name"] in self._form["fields"]:
                return
            self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag == "button" and a.get("hx-post"):
            self.forms.append({"action": a["hx-post"], "method": "post", "fields": {}})

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def login(user: str) -> httpx.Client:
    c = httpx.Client(base_url=BASE, timeout=60, follow_redirects=False)
    c.get("/login")
    c.post("/login", data={"username": user, "password": PASSWORD, "next": "/rounds"},
           headers={"x-csrftoken": c.cookies.get("csrftoken", "")})
    return c


def crawl(c: httpx.Client, limit: int) -> tuple[set[str], list[dict]]:
    seen: set[str] = set()
    queue = ["/rounds", "/suggestions", "/", "/district", "/projects", "/s"]
    forms: list[dict] = []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or "logout" in path:
            continue
        seen.add(path)
        if path.endswith((".pdf", ".xlsx", ".pb", ".csv", ".svg", ".png", ".zip")):
            continue  # exports: probed through their path and query, not crawled
        try:
            r = c.get(path)
        except httpx.HTTPError:
            continue
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        p = Forms()
        p.feed(r.text)
        for href in p.links:
            u = urlparse(urljoin(path, href))
            if u.netloc or not u.path.startswith("/") or u.path.startswith("/static"):
                continue
            if u.path not in seen:
                queue.append(u.path)
        for f in p.forms:
            f["action"] = urlparse(urljoin(path, f["action"] or path)).path
            f["page"] = path
            forms.append(f)
    return seen, forms


def main() -> None:
    quick = "--quick" in sys.argv
    bad: list[str] = []
    total = 0
    tried: set[tuple] = set()

    def hit(c, method, url, **kw):
        nonlocal total
        key = (method, url, repr(sorted((kw.get("data") or {}).items())), repr(kw.get("params")))
        if key in tried:
            return
        tried.add(key)
        total += 1
        try:
            r = c.request(method, url, **kw)
            status = r.status_code
        except httpx.HTTPError as exc:
            status = f"error {type(exc).__name__}"
        if not isinstance(status, int) or status >= 500:
            bad.append(f"{status} {method} {url} {kw.get('params') or ''} {kw.get('data') or ''}"[:300])

    for user in [None, *USERS]:
        c = login(user) if user else httpx.Client(base_url=BASE, timeout=60)
        if user:
            c.get("/rounds")
        pages, forms = crawl(c, 60 if quick else 250)
        print(f"{user}: {len(pages)} pages, {len(forms)} forms", flush=True)
        token = c.cookies.get("csrftoken", "")
        # path params: every number in a crawled path swapped for odd values
        shapes = set()
        for path in pages:
            shape = re.sub(r"/\d+", "/N", path)
            if shape in shapes:
                continue
            shapes.add(shape)
            parts = path.split("/")
            for i, part in enumerate(parts):
                if part.isdigit():
                    for odd in ODD[:6]:
                        hit(c, "GET", "/".join([*parts[:i], odd, *parts[i + 1:]]))
            if path.endswith((".pdf", ".pb", ".svg", ".png", ".zip")):
                continue
            for q in QUERY:
                for odd in ODD:
                    hit(c, "GET", path, params={q: odd})
        # forms: each field odd, others as the page gave them
        done = set()
        for f in forms:
            key = (f["action"], f["method"], tuple(sorted(f["fields"])))
            if key in done or "logout" in f["action"] or "/login" in f["action"]:
                continue
            done.add(key)
            for name in f["fields"]:
                if name == "_csrf_token":
                    continue
                for odd in ODD:
                    data = {**f["fields"], name: odd, "_csrf_token": token}
                    if f["method"] == "get":
                        hit(c, "GET", f["action"], params=data)
                    else:
                        hit(c, "POST", f["action"], data=data, headers={"x-csrftoken": token})
    print(f"\n{len(bad)} of {total} odd requests answered 5xx")
    for line in bad:
        print(" ", line)


main()
