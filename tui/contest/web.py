"""The leaderboard as web pages for a projector, served with aiohttp: the standings (auto-refresh, freeze and
reveal, divisions, per-case scores), the township team standings (a township's officers as one team,
sim.contest.teams), the collection view (who has handed in, who is missing, per township) and the
organiser's control page (reveal the final standings).

`add_board_routes(app, store, contest)` puts the routes on an aiohttp application under a prefix (default
/board), so `lawdrill serve` can mount the board beside the served rounds; `serve_board` is the standalone
server of `lawdrill contest board --web`. The pages are plain HTML with inline CSS: no script, no font or
file from anywhere else (a Content-Security-Policy header says so to the browser too), so the board works on
a closed network; the refresh is a <meta http-equiv="refresh">. The store is read in a worker thread, so a
slow database never stalls the other pages.

The reveal is the organiser's: the control page needs the key printed when the server starts (the projector
and the contestants on the same network see only the public pages). The reveal state lives in the server
process, per (round, division) board, as on the terminal board.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import html
import secrets
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import attrs
from aiohttp import web

from sim.contest.board import freeze_in_force, reveal_rows, still_open, tiebreak_text
from sim.contest.collection import COMPLETE, NONE, PARTIAL, STATE_LABELS, collection, default_round
from sim.contest.export import board_title, case_headers, case_legend, case_title, division_name, duration_text
from sim.contest.model import CST

if TYPE_CHECKING:
    from sim.contest import Contest, ContestStore, Standing
    from sim.loader import Library

REFRESH_SECONDS = 10
MIN_REFRESH, MAX_REFRESH = 3, 600
# Everything the page needs is in the page: a browser told so refuses any request elsewhere.
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
         '"Microsoft YaHei", "PingFang SC", sans-serif')

_CSS = """
*{box-sizing:border-box}
body{font-family:%(fonts)s;margin:0;background:#10131a;color:#f2f2f2;font-size:clamp(16px,1.6vw,30px);
line-height:1.35}
header{background:#8b0000;padding:.4em 1em}h1{font-size:1.5em;margin:0}
.sub{color:#ffd9d9;font-size:.8em}
nav{padding:.3em 1em;background:#1c2130;font-size:.75em}nav a{color:#9cc3ff;margin-right:1em;text-decoration:none}
nav a.on{color:#fff;font-weight:bold;border-bottom:2px solid #fff}
.banner{margin:.4em 1em;padding:.3em .8em;border-radius:.3em;font-weight:bold}
.live{background:#1e6b30}.frozen{background:#a15c00}.reveal{background:#5b2a86}.final{background:#1f4e9c}
main{padding:0 1em 1em}
table{border-collapse:collapse;width:100%%}th,td{padding:.25em .5em;text-align:left;border-bottom:1px solid #333a4d}
th{color:#c7cde0;font-weight:normal;font-size:.8em}td.n,th.n{text-align:right}
tr.top td{font-weight:bold}tr.hidden td.rank{color:#777}tr.revealed td{background:#24304a}
td.veto{color:#ff7b7b}td.none{color:#666}
.legend,.foot{color:#aab;font-size:.7em;margin-top:.5em}
.towns{display:grid;grid-template-columns:repeat(auto-fill,minmax(16em,1fr));gap:.6em}
.town{background:#1c2130;border-radius:.3em;padding:.4em .7em}.town h2{font-size:1em;margin:0 0 .2em}
.town ul{list-style:none;margin:0;padding:0;font-size:.8em}
.complete{color:#7fdc8f}.partial{color:#ffc36b}.none{color:#ff7b7b}
.counts{font-size:.8em;color:#c7cde0}
form{display:inline}button{font:inherit;font-size:.8em;margin:.2em;padding:.2em .8em}
.empty{margin:2em 1em;color:#aab}
""" % {"fonts": FONTS}


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


@attrs.define
class BoardState:
    """The web board's state in the server: the organiser's key and the reveal of each board."""

    key: str
    # (round id or "", division id or "") -> rows of the final standings revealed from the bottom
    revealed: dict[tuple[str, str], int] = attrs.field(factory=dict)

    def may_control(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.key.encode())


@attrs.frozen
class _Scope:
    round_id: str | None
    division: str | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.round_id or "", self.division or "")

    def query(self, **extra: Any) -> str:
        q = {k: v for k, v in (("round", self.round_id), ("division", self.division)) if v}
        q.update({k: v for k, v in extra.items() if v not in (None, "", False)})
        return ("?" + urlencode(q)) if q else ""


class BadRequest(Exception):
    """A query naming a round or division the contest does not have (shown as a 400 page in Chinese)."""


def add_board_routes(app: web.Application, store: ContestStore, contest: Contest, *, prefix: str = "/board",
                     library: Library | None = None, clock: Callable[[], float] = time.time,
                     key: str | None = None) -> BoardState:
    """Add the board's pages to `app` under `prefix`: `{prefix}/` the standings, `{prefix}/collection` who has
    handed in, `{prefix}/teams` the township teams, `{prefix}/control?key=…` the organiser's reveal,
    `{prefix}/standings.json` (officers and teams). Returns the state,
    whose `key` opens the control page (a random one unless given)."""
    state = BoardState(key or secrets.token_urlsafe(12))
    prefix = prefix.rstrip("/")
    pages = _Pages(contest, store, library, clock, state, prefix)
    app.router.add_get(prefix + "/", pages.board)
    if prefix:
        app.router.add_get(prefix, pages.redirect_to_board)
    app.router.add_get(prefix + "/collection", pages.collection)
    app.router.add_get(prefix + "/teams", pages.teams)
    app.router.add_get(prefix + "/control", pages.control)
    app.router.add_post(prefix + "/control", pages.control_post)
    app.router.add_get(prefix + "/standings.json", pages.standings_json)
    return state


class _Pages:
    def __init__(self, contest: Contest, store: ContestStore, library: Library | None,
                 clock: Callable[[], float], state: BoardState, prefix: str):
        self.contest, self.store, self.library = contest, store, library
        self.clock, self.state, self.prefix = clock, state, prefix

    # --- helpers --------------------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), tz=CST)

    def scope(self, query: Any) -> _Scope:
        rid = query.get("round") or None
        did = query.get("division") or None
        if rid is not None and self.contest.round(rid) is None:
            raise BadRequest(f"没有轮次「{rid}」（可用：{'、'.join(r.id for r in self.contest.rounds)}）")
        if did is not None and self.contest.division(did) is None:
            raise BadRequest(f"没有组别「{did}」")
        return _Scope(rid, did)

    async def read(self, work: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, work)

    def page(self, title: str, body: Sequence[str], *, refresh: str | None = None, status: int = 200
             ) -> web.Response:
        meta = f'<meta http-equiv="refresh" content="{_e(refresh)}">' if refresh else ""
        text = ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                '<meta name="viewport" content="width=device-width,initial-scale=1">'
                f"{meta}<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n"
                + "\n".join(body) + "\n</body></html>\n")
        return web.Response(text=text, content_type="text/html", charset="utf-8", status=status,
                            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store",
                                     "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})

    def bad(self, exc: BadRequest) -> web.Response:
        return self.page("无法显示", [f'<p class="empty">{_e(exc)}</p>',
                                       f'<p class="empty"><a href="{self.prefix}/">返回排行榜</a></p>'], status=400)

    def nav(self, scope: _Scope, *, view: str = "board") -> str:
        links = []
        path = self.prefix + {"board": "/", "teams": "/teams"}.get(view, "/collection")
        rounds: list[tuple[str | None, str]] = [] if view == "collection" else [(None, "总成绩")]
        rounds += [(r.id, r.title) for r in self.contest.rounds]
        for rid, label in rounds:
            on = ' class="on"' if rid == scope.round_id else ""
            links.append(f'<a{on} href="{path}{_e(_Scope(rid, scope.division).query())}">{_e(label)}</a>')
        if view in ("board", "teams") and self.contest.divisions:
            links.append("｜")
            for did, label in [(None, "全部"), *((d.id, d.name) for d in self.contest.divisions)]:
                on = ' class="on"' if did == scope.division else ""
                links.append(f'<a{on} href="{path}{_e(_Scope(scope.round_id, did).query())}">{_e(label)}</a>')
        links.append("｜")
        for other, label in (("board", "排行榜"), ("teams", "乡镇团体"), ("collection", "收卷情况")):
            if other == view:
                continue
            where = {"board": "/", "teams": "/teams", "collection": "/collection"}[other]
            keep = scope if other != "collection" else _Scope(scope.round_id, None)
            links.append(f'<a href="{self.prefix}{where}{_e(keep.query())}">{label}</a>')
        return "<nav>" + "".join(links) + "</nav>"

    @staticmethod
    def refresh_seconds(query: Any) -> int:
        try:
            n = int(query.get("refresh", REFRESH_SECONDS))
        except ValueError:
            n = REFRESH_SECONDS
        return max(MIN_REFRESH, min(MAX_REFRESH, n))

    # --- the standings -----------------------------------------------------------------------------------

    async def redirect_to_board(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(self.prefix + "/" + (f"?{request.query_string}" if request.query_string else ""))

    async def standings(self, scope: _Scope) -> tuple[list[Standing], list[Standing], dt.datetime]:
        now = self.now()

        def work() -> tuple[list[Standing], list[Standing]]:
            public = self.store.standings(self.contest, scope.round_id, scope.division, frozen=True, now=now)
            final = self.store.standings(self.contest, scope.round_id, scope.division)
            return public, final

        public, final = await self.read(work)
        return public, final, now

    def shown(self, scope: _Scope, public: list[Standing], final: list[Standing], now: dt.datetime
              ) -> tuple[list[tuple[Standing, bool]], str, str]:
        """The rows (standing, final?) and the banner (text, class) of the board at `now`."""
        frozen = freeze_in_force(self.contest, scope.round_id, now)
        revealed = self.state.revealed.get(scope.key)
        if revealed is not None and revealed >= len(final):
            return [(s, True) for s in final], "最终排名（已全部揭晓）", "final"
        if revealed is not None:
            return (reveal_rows(public, final, revealed),
                    f"揭晓中：已揭晓 {revealed} / {len(final)} 名", "reveal")
        if frozen is not None:
            return ([(s, False) for s in public],
                    f"封榜　{frozen:%m-%d %H:%M} 以后交卷的成绩暂不公布，最终排名由组织者揭晓", "frozen")
        return [(s, True) for s in final], "实时排名", "live"

    async def board(self, request: web.Request) -> web.Response:
        try:
            scope = self.scope(request.query)
        except BadRequest as exc:
            return self.bad(exc)
        public, final, now = await self.standings(scope)
        rows, banner, kind = self.shown(scope, public, final, now)
        revealing = kind == "reveal"
        columns = self.contest.case_columns(scope.round_id)
        title = board_title(self.contest, scope.round_id, scope.division, False)
        seconds = self.refresh_seconds(request.query)
        cycle = request.query.get("cycle") == "1"
        refresh = str(seconds)
        if cycle and self.contest.divisions:
            # A projector with nobody at the keyboard: each refresh shows the next division.
            ids: list[str | None] = [None, *(d.id for d in self.contest.divisions)]
            nxt = ids[(ids.index(scope.division) + 1) % len(ids)]
            refresh += ";url=" + self.prefix + "/" + _Scope(scope.round_id, nxt).query(
                cycle="1", refresh=request.query.get("refresh"))
        head = ["名次", "姓名", "乡镇", "组别", "总分", "否决项", "用时",
                *case_headers(self.contest, self.library, columns, short=True), "已交"]
        numeric = {0, 4, 5, *range(7, 7 + len(columns) + 1)}
        body = [f"<header><h1>{_e(self.contest.name)}</h1><div class=\"sub\">{_e(title)}</div></header>",
                self.nav(scope), f'<div class="banner {kind}">{_e(banner)}</div>', "<main>"]
        if not rows:
            body.append('<p class="empty">成绩库中还没有成绩。</p>')
        else:
            cells = ["<table><tr>" + "".join(
                f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>" for i, h in enumerate(head))
                + "</tr>"]
            for s, is_final in rows:
                hidden = revealing and not is_final
                classes = " ".join(c for c in ("top" if s.rank <= 3 and not hidden else "",
                                               "hidden" if hidden else "",
                                               "revealed" if revealing and is_final else "") if c)
                rank = "…" if hidden else str(s.rank)
                scores = []
                for rid, ref in columns:
                    v = s.case_score(rid, ref)
                    scores.append('<td class="n none">—</td>' if v is None else f'<td class="n">{v}</td>')
                cells.append(
                    f'<tr class="{classes}"><td class="n rank">{rank}</td><td>{_e(s.name)}</td>'
                    f"<td>{_e(s.township)}</td><td>{_e(division_name(self.contest, s.division) or '—')}</td>"
                    f'<td class="n">{s.score}</td><td class="n{" veto" if s.criticals else ""}">{s.criticals}</td>'
                    f"<td>{_e(duration_text(s.wall_seconds))}</td>{''.join(scores)}"
                    f'<td class="n">{s.cases_done}</td></tr>')
            cells.append("</table>")
            body.extend(cells)
            legend = "；".join(case_legend(self.contest, self.library, columns))
            body.append(f'<p class="legend">各案得分（—：未交卷或封榜后交卷）：{_e(legend)}</p>')
        body.append(f'<p class="foot">{_e(tiebreak_text(self.contest.tiebreak))}　更新于 {now:%H:%M:%S}'
                    f"（每 {seconds} 秒自动刷新）</p></main>")
        return self.page(title, body, refresh=refresh)

    async def standings_json(self, request: web.Request) -> web.Response:
        from sim.contest.export import standings_json

        try:
            scope = self.scope(request.query)
        except BadRequest as exc:
            return web.json_response({"error": str(exc)}, status=400)
        public, final, now = await self.standings(scope)
        rows, banner, kind = self.shown(scope, public, final, now)
        from sim.contest.teams import team_json, team_standings

        hidden = {s.contestant_id for s, is_final in rows if kind == "reveal" and not is_final}
        data = standings_json(self.contest, [s for s, _ in rows])
        for item in data:
            if item["id"] in hidden:
                item["rank"] = None  # not revealed yet
        teams = team_standings(self.contest, self.team_basis(scope, public, final, now), division=scope.division)
        return web.json_response({"contest": self.contest.id, "round": scope.round_id, "division": scope.division,
                                  "view": kind, "banner": banner, "standings": data, "teams": team_json(teams)},
                                 headers={"Cache-Control": "no-store"})

    # --- the township teams ----------------------------------------------------------------------------

    def team_basis(self, scope: _Scope, public: list[Standing], final: list[Standing], now: dt.datetime
                   ) -> list[Standing]:
        """What the teams are ranked from: the public (frozen) standings while the freeze holds and the final
        standings are not wholly revealed, else the final ones — a team table never leaks a hidden result."""
        revealed = self.state.revealed.get(scope.key)
        if revealed is not None and revealed >= len(final):
            return final
        return public if freeze_in_force(self.contest, scope.round_id, now) is not None else final

    async def teams(self, request: web.Request) -> web.Response:
        from sim.contest.teams import TEAM_HEADERS, TEAM_NOTE, team_rows, team_standings

        try:
            scope = self.scope(request.query)
        except BadRequest as exc:
            return self.bad(exc)
        public, final, now = await self.standings(scope)
        basis = self.team_basis(scope, public, final, now)
        frozen = basis is public and freeze_in_force(self.contest, scope.round_id, now) is not None
        teams = team_standings(self.contest, basis, division=scope.division)
        title = board_title(self.contest, scope.round_id, scope.division, False) + "（乡镇团体）"
        seconds = self.refresh_seconds(request.query)
        banner, kind = (("封榜　封榜以后交卷的成绩暂不计入团体得分，最终排名由组织者揭晓", "frozen") if frozen
                        else ("实时团体排名", "live"))
        body = [f"<header><h1>{_e(self.contest.name)}</h1><div class=\"sub\">{_e(title)}</div></header>",
                self.nav(scope, view="teams"), f'<div class="banner {kind}">{_e(banner)}</div>', "<main>"]
        numeric = {0, 3, 4, 5, 6}
        cells = ["<table><tr>" + "".join(
            f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>" for i, h in enumerate(TEAM_HEADERS))
            + "</tr>"]
        for t, row in zip(teams, team_rows(self.contest, teams), strict=True):
            top = ' class="top"' if t.rank <= 3 else ""
            cells.append(f"<tr{top}>" + "".join(
                f'<td class="n{" veto" if i == 6 and t.criticals else ""}">{_e(c)}</td>' if i in numeric
                else f"<td>{_e(c or '—')}</td>" for i, c in enumerate(row)) + "</tr>")
        cells.append("</table>")
        body.extend(cells)
        body.append(f'<p class="legend">{_e(TEAM_NOTE)}。</p>')
        body.append(f'<p class="foot">更新于 {now:%H:%M:%S}（每 {seconds} 秒自动刷新）</p></main>')
        return self.page(title, body, refresh=str(seconds))

    # --- the collection view ---------------------------------------------------------------------------

    async def collection(self, request: web.Request) -> web.Response:
        try:
            scope = self.scope(request.query)
        except BadRequest as exc:
            return self.bad(exc)
        town = request.query.get("township") or None
        if town is not None and all(c.township != town for c in self.contest.roster):
            return self.bad(BadRequest(f"名单中没有乡镇「{town}」"))
        now = self.now()
        round_ = self.contest.round(scope.round_id) if scope.round_id else default_round(self.contest, now)
        assert round_ is not None
        rows = await self.read(lambda: self.store.results(self.contest.id, round_.id))
        col = collection(self.contest, round_, rows, township=town)
        seconds = self.refresh_seconds(request.query)
        title = f"{self.contest.name} · {round_.title} · 收卷情况"
        summary = (f"名单 {len(col.people)} 人：{STATE_LABELS[COMPLETE]} {col.count(COMPLETE)} 人，"
                   f"{STATE_LABELS[PARTIAL]} {col.count(PARTIAL)} 人，{STATE_LABELS[NONE]} {col.count(NONE)} 人"
                   f"（本轮 {len(round_.cases)} 个案例）")
        body = [f"<header><h1>{_e(self.contest.name)}</h1><div class=\"sub\">{_e(round_.title)} · 收卷情况</div>"
                "</header>", self.nav(_Scope(round_.id, None), view="collection"),
                f'<div class="banner {"live" if not col.outstanding else "frozen"}">{_e(summary)}</div>',
                '<main><div class="towns">']
        for t in col.townships:
            counts = (f"{STATE_LABELS[COMPLETE]} {t.count(COMPLETE)}　{STATE_LABELS[PARTIAL]} {t.count(PARTIAL)}"
                      f"　{STATE_LABELS[NONE]} {t.count(NONE)}")
            items = []
            # Who is missing first: that is what the organiser phones the township about.
            for p in sorted(t.people, key=lambda p: ({NONE: 0, PARTIAL: 1, COMPLETE: 2}[p.state], p.contestant.id)):
                done = f"{len(p.handed_in)}/{len(round_.cases)}"
                detail = ""
                if p.state == PARTIAL:
                    detail = "，缺：" + "、".join(case_title(self.library, ref) for ref in p.missing)
                elif p.last is not None:
                    detail = f"，{p.last:%m-%d %H:%M} 交齐"
                items.append(f'<li class="{p.state}">{_e(p.contestant.id)} {_e(p.contestant.name)}　'
                             f"{_e(STATE_LABELS[p.state])} {done}{_e(detail)}</li>")
            division = division_name(self.contest, t.division)
            body.append(f'<section class="town"><h2>{_e(t.township)}'
                        + (f"（{_e(division)}）" if division else "")
                        + f'</h2><div class="counts">{_e(counts)}</div><ul>{"".join(items)}</ul></section>')
        body.append("</div>")
        body.append(f'<p class="foot">更新于 {now:%H:%M:%S}（每 {seconds} 秒自动刷新）</p></main>')
        return self.page(title, body, refresh=str(seconds))

    # --- the organiser's control page ------------------------------------------------------------------

    async def control(self, request: web.Request) -> web.Response:
        message = request.query.get("done", "")
        if not self.state.may_control(request.query.get("key")):
            return self.page("需要组织者密钥", ['<p class="empty">揭晓控制页需要组织者密钥：请使用启动排行榜时'
                                               "显示的控制页地址。</p>"], status=403)
        now = self.now()
        body = [f"<header><h1>{_e(self.contest.name)}</h1><div class=\"sub\">组织者控制页：揭晓最终排名</div>"
                "</header>", "<main>"]
        if message:
            body.append(f'<div class="banner reveal">{_e(message)}</div>')
        scopes = [(None, None), *((r.id, None) for r in self.contest.rounds)]
        scopes += [(rid, d.id) for rid, _ in list(scopes) for d in self.contest.divisions]
        body.append("<table><tr><th>排行榜</th><th>状态</th><th>操作</th></tr>")
        for rid, did in scopes:
            scope = _Scope(rid, did)
            frozen = freeze_in_force(self.contest, rid, now)
            revealed = self.state.revealed.get(scope.key)
            if revealed is not None:
                status = f"揭晓中（已揭晓 {revealed} 名）"
            elif frozen is not None:
                status = f"封榜中（{frozen:%m-%d %H:%M} 起）"
            else:
                status = "实时排名（未封榜）"
            forms = "".join(
                f'<form method="post" action="{self.prefix}/control"><input type="hidden" name="key" '
                f'value="{_e(self.state.key)}"><input type="hidden" name="round" value="{_e(rid or "")}">'
                f'<input type="hidden" name="division" value="{_e(did or "")}">'
                f'<button name="action" value="{a}">{label}</button></form>'
                for a, label in (("next", "揭晓下一名"), ("all", "全部揭晓"), ("reset", "恢复封榜")))
            view = f'{self.prefix}/{_e(scope.query())}'
            body.append(f'<tr><td><a href="{view}">{_e(board_title(self.contest, rid, did, False))}</a></td>'
                        f"<td>{_e(status)}</td><td>{forms}</td></tr>")
        body.append("</table></main>")
        return self.page("组织者控制页", body)

    async def control_post(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        key = form.get("key")
        if not isinstance(key, str) or not self.state.may_control(key):
            return self.page("需要组织者密钥", ['<p class="empty">组织者密钥不正确。</p>'], status=403)
        try:
            scope = self.scope(form)
        except BadRequest as exc:
            return self.bad(exc)
        action = form.get("action")
        now = self.now()
        message = ""
        if action == "reset":
            self.state.revealed.pop(scope.key, None)
            message = "已恢复封榜视图。"
        elif action in ("next", "all"):
            r = still_open(self.contest, scope.round_id, now)
            if freeze_in_force(self.contest, scope.round_id, now) is None and scope.key not in self.state.revealed:
                message = "尚未封榜，排行榜显示的就是实时排名。"
            elif r is not None:
                message = f"「{r.title}」尚未结束（{r.closes:%m-%d %H:%M}），结束后才能揭晓最终排名。"
            else:
                final = await self.read(lambda: self.store.standings(self.contest, scope.round_id, scope.division))
                n = len(final)
                before = self.state.revealed.get(scope.key, 0)
                self.state.revealed[scope.key] = n if action == "all" else min(n, before + 1)
                message = f"{board_title(self.contest, scope.round_id, scope.division, False)}：已揭晓 " \
                          f"{self.state.revealed[scope.key]} / {n} 名。"
        else:
            return self.bad(BadRequest("未知的操作"))
        raise web.HTTPSeeOther(f"{self.prefix}/control?" + urlencode({"key": self.state.key, "done": message}))


def board_app(store: ContestStore, contest: Contest, *, library: Library | None = None,
              clock: Callable[[], float] = time.time, key: str | None = None) -> tuple[web.Application, BoardState]:
    """The standalone board server's application: the board under /board, and / sends the browser there."""
    app = web.Application()
    state = add_board_routes(app, store, contest, library=library, clock=clock, key=key)

    async def root(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/board/")

    app.router.add_get("/", root)
    return app, state


def serve_board(store: ContestStore, contest: Contest, *, host: str, port: int, library: Library | None = None,
                announce: Callable[[str], None] = print) -> None:
    """`lawdrill contest board --web`: serve until Ctrl+C, telling the organiser the two addresses."""
    app, state = board_app(store, contest, library=library)
    shown = host
    if host in ("0.0.0.0", "::", ""):
        import socket

        try:
            shown = socket.gethostbyname(socket.gethostname())
        except OSError:
            shown = "127.0.0.1"
    base = f"http://{shown}:{port}"
    announce(f"排行榜（投影用）：{base}/board/")
    announce(f"收卷情况：{base}/board/collection")
    announce(f"组织者控制页（揭晓用，勿公开）：{base}/board/control?key={state.key}")
    announce("按 Ctrl+C 停止。")
    web.run_app(app, host=host, port=port, print=None, handle_signals=True)
