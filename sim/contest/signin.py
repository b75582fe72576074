"""Sign-in codes (签到码): one code per roster entry, printed on a slip, typed in to open the round.

A code is 8 characters of an alphabet without the look-alikes 0/O and 1/I (32 symbols, 40 bits), printed in
two groups of four (`ABCD-EFGH`). The store never holds a code: only a 12-bit lookup tag (HMAC-SHA256 with the
contest key, so the bucket of a code cannot be computed without the key), a random salt and the scrypt digest
(n = 2^14, r = 8: about 60 ms and 16 MiB per try). Signing in finds the bucket by the tag and checks the few
rows in it with scrypt, so the code alone names the contestant.

One-time, and yet a crash is not the end: the first successful sign-in binds the code to the place it was
used (the host and the data directory that keeps the contestant's journals and countdown) and to the process
that holds the session. Entering the same code again at the same place resumes that session (the round's
journals are there) once the process that held it has ended — a closed browser tab, a crash, a restart; while
it is still running the code is refused as in use, so two people cannot hold one contestant's round at once.
At another place the code is refused: the session is not there. Issuing a new code to a person (re-issue)
revokes the old one at once; the new one may be used anywhere, once.

Guessing is slowed twice: `AttemptLimiter` on each sign-in screen (after 5 wrong codes in a row each further
try waits 30 s, doubling up to 10 minutes), and in the store, per place, at most PLACE_LIMIT wrong codes in
WINDOW seconds over all connections (a new connection does not start afresh). No UI imports.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import math
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs
import sqlalchemy as sa

from .model import Contest, Contestant
from .store import ContestStore, signin_codes, signin_failures

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0, O, 1, I
LENGTH = 8
TAG_HEX = 3  # 12 bits: ~300 codes fill ~7 % of the 4,096 buckets, so a sign-in runs scrypt about once
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
ANY_ROUND = ""

# Stable outcome codes of a sign-in (tests and the CLI read them; the message is what the contestant reads).
MESSAGES = {
    "ok": "签到成功",
    "malformed": "签到码应为 8 位，由数字 2-9 和字母组成（不含 0、O、1、I）",
    "wrong": "签到码不正确，请核对签到条后重新输入",
    "revoked": "该签到码已作废（已为本人补发新码），请使用新的签到码",
    "other_contestant": "这不是本人的签到码：请输入本人签到条上的签到码",
    "wrong_round": "该签到码不是本轮的签到码",
    "not_in_roster": "该签到码对应的参赛人员已不在名单中，请联系监考人员",
    "in_use": "该签到码正在另一处使用中：同一参赛人员不能同时在两处作答，请联系监考人员",
    "other_place": "该签到码已在另一处签到使用，作答记录保存在那里：请回到原处继续，或请组织者补发签到码",
    "not_admitted": "现在不能进入本轮",
    "locked": "输错次数过多，请稍候再试",
}
GUESSES = {"wrong", "revoked", "other_contestant"}  # what counts towards the limiter (a typo of length does not)
# The store-wide brake: at most this many wrong codes per place in WINDOW seconds, whatever the connections.
PLACE_LIMIT = 100
WINDOW = 600.0


class SignInError(ValueError):
    """A code that cannot be one (wrong length, a character outside the alphabet): a Chinese message."""


@attrs.frozen
class IssuedCode:
    contestant: Contestant
    code: str  # the plain code, shown once: on the slip sheet
    scope: str  # round id, or "" for every round
    reissued: bool


@attrs.frozen
class SignInOutcome:
    ok: bool
    code: str  # a key of MESSAGES
    message: str  # Chinese, for the contestant
    contestant_id: str | None = None
    resumed: bool = False  # the code had been used here before: the session is taken up again
    code_id: int | None = None


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """ABCDEFGH -> ABCD-EFGH (as printed on the slip)."""
    return f"{code[:4]}-{code[4:]}"


def normalize(text: str) -> str:
    """What a contestant typed -> the code: case, spaces and hyphens do not matter. Raises SignInError."""
    code = "".join(ch for ch in text.upper() if ch not in " -—_\u3000\t")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        raise SignInError(MESSAGES["malformed"])
    return code


def _tag(key: bytes, contest_id: str, code: str) -> str:
    return hmac.new(key, f"signin-tag\0{contest_id}\0{code}".encode(), hashlib.sha256).hexdigest()[:TAG_HEX]


def _digest(code: str, salt: str) -> str:
    return hashlib.scrypt(code.encode(), salt=bytes.fromhex(salt), **SCRYPT).hex()


def place_of(home: str | Path) -> str:
    """Where a session lives: this host and the data directory holding the contestant's round."""
    return f"{socket.gethostname()}:{Path(home).resolve()}"


def _start_ticks(pid: int) -> str | None:
    """The start time of a process (Linux /proc), so a recycled pid is not taken for the holder."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    if fields and fields[0] == "Z":
        return "zombie"
    return fields[19] if len(fields) > 19 else None


def holder_of(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{pid}:{_start_ticks(pid) or ''}"


def holder_alive(holder: str | None) -> bool:
    """Whether the process that holds a session (on this host) still runs."""
    if not holder:
        return False
    pid_text, _, start = holder.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    now = _start_ticks(pid)
    if now == "zombie":
        return False  # ended, not yet reaped by its parent
    return not (start and now is not None and now != start)


# --- issuing ---------------------------------------------------------------------------------------------


def _active(conn: sa.Connection, contest_id: str, scope: str) -> dict[str, int]:
    rows = conn.execute(sa.select(signin_codes.c.contestant, signin_codes.c.id).where(
        signin_codes.c.contest == contest_id, signin_codes.c.scope == scope, signin_codes.c.revoked.is_(None)))
    return {r.contestant: r.id for r in rows}


def issued_count(store: ContestStore, contest: Contest, scope: str = ANY_ROUND) -> int:
    """How many roster entries hold a valid code for `scope` (a round id, or "" for every round)."""
    with store.engine.connect() as conn:
        return len(_active(conn, contest.id, scope))


def any_codes(store: ContestStore, contest: Contest) -> bool:
    """Whether any code has been issued for this contest (sign-in is required once there is one)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(signin_codes.c.id).where(signin_codes.c.contest == contest.id)
                            .limit(1)).first() is not None


def issue_codes(store: ContestStore, contest: Contest, *, round_id: str | None = None,
                reissue: Sequence[str] = (), clock: Callable[[], float] = time.time,
                on_issued: Callable[[list[IssuedCode]], None] | None = None) -> list[IssuedCode]:
    """Issue a code to every roster entry that has none for this scope (reissue empty), or a new code to each
    contestant in `reissue` (revoking theirs). Returns the plain codes, which exist nowhere else.
    `on_issued(codes)` runs before the transaction commits (the slip sheet is written there): if it raises,
    nothing is stored, so no code is ever stored without its slip."""
    scope = round_id or ANY_ROUND
    people = [contest.contestant(cid) for cid in reissue] if reissue else list(contest.roster)
    missing = [cid for cid, p in zip(reissue, people) if p is None]
    if missing:
        raise SignInError(f"名单中没有参赛人员「{'、'.join(missing)}」")
    prepared: list[tuple[Contestant, str, dict[str, object]]] = []
    for person in people:
        assert person is not None
        code = new_code()
        salt = secrets.token_hex(16)
        prepared.append((person, code, {
            "contest": contest.id, "scope": scope, "contestant": person.id, "tag": _tag(contest.key, contest.id, code),
            "salt": salt, "digest": _digest(code, salt)}))  # scrypt outside the write transaction

    def work() -> list[IssuedCode]:
        out: list[IssuedCode] = []
        now = clock()
        with store.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                active = _active(conn, contest.id, scope)
                for person, code, row in prepared:
                    if person.id in active:
                        if not reissue:
                            continue
                        conn.execute(signin_codes.update().where(signin_codes.c.id == active[person.id])
                                     .values(revoked=now))
                    conn.execute(signin_codes.insert().values(**row, issued=now))
                    out.append(IssuedCode(person, code, scope, bool(reissue)))
                if out and on_issued is not None:
                    on_issued(out)
        return out

    return store._retry(work)


def copy_codes(source: ContestStore, target: ContestStore, contest: Contest) -> int:
    """Copy this contest's codes (digests only; revoked ones too, so they are refused as revoked) into another
    store, unbound: the store an offline room's machines sign in against (`contest pack`)."""
    with source.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(signin_codes).where(signin_codes.c.contest == contest.id).order_by(signin_codes.c.id))]
    for row in rows:
        row.pop("id")
        row.update(used=None, place=None, holder=None, round=None)

    def work() -> int:
        with target.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                conn.execute(signin_codes.delete().where(signin_codes.c.contest == contest.id))
                if rows:
                    conn.execute(signin_codes.insert(), rows)
        return sum(1 for r in rows if r["revoked"] is None)

    return target._retry(work)


# --- signing in ------------------------------------------------------------------------------------------


def _no(code: str, detail: str = "", **kw: object) -> SignInOutcome:
    return SignInOutcome(False, code, MESSAGES[code] + (f"（{detail}）" if detail else ""), **kw)  # type: ignore[arg-type]


def sign_in(store: ContestStore, contest: Contest, text: str, *, round_id: str, place: str,
            holder: str | None = None, expected: str | None = None,
            admit: Callable[[str], str | None] | None = None,
            clock: Callable[[], float] = time.time) -> SignInOutcome:
    """Check a typed code for round `round_id` at `place` and, if it is good, bind it (first use) or take the
    session up again (same place, holder ended). `expected`: the contestant who must own it (`--as`).
    `admit(contestant_id)` may refuse the contestant before the code is used up (a Chinese reason)."""
    holder = holder or holder_of()
    try:
        code = normalize(text)
    except SignInError:
        return _no("malformed")
    now = clock()
    with store.engine.connect() as conn:
        recent = conn.execute(sa.select(sa.func.count(), sa.func.min(signin_failures.c.at)).where(
            signin_failures.c.contest == contest.id, signin_failures.c.place == place,
            signin_failures.c.at > now - WINDOW)).one()
        if recent[0] >= PLACE_LIMIT:
            wait = max(1, math.ceil((recent[1] + WINDOW - now) / 60))
            return SignInOutcome(False, "locked", f"本处近 {int(WINDOW // 60)} 分钟内输错签到码过多，签到暂停，"
                                                  f"约 {wait} 分钟后恢复；请联系监考人员")
        rows = conn.execute(sa.select(signin_codes).where(
            signin_codes.c.contest == contest.id,
            signin_codes.c.tag == _tag(contest.key, contest.id, code))).all()
    row = next((r for r in rows if hmac.compare_digest(_digest(code, r.salt), r.digest)), None)
    refused = ("wrong" if row is None else "revoked" if row.revoked is not None
               else "other_contestant" if expected is not None and row.contestant != expected else None)
    if refused is not None:
        _failed(store, contest, place, now)
        return _no(refused)
    assert row is not None
    if row.scope and row.scope != round_id:
        r = contest.round(row.scope)
        return _no("wrong_round", f"它用于「{r.title if r else row.scope}」")
    person = contest.contestant(row.contestant)
    if person is None:
        return _no("not_in_roster")
    if admit is not None and (reason := admit(person.id)) is not None:
        return SignInOutcome(False, "not_admitted", reason, person.id)

    def work() -> SignInOutcome:
        with store.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                now_row = conn.execute(sa.select(signin_codes).where(signin_codes.c.id == row.id)).one()
                if now_row.revoked is not None:
                    return _no("revoked")
                if now_row.used is None:
                    done = conn.execute(signin_codes.update().where(
                        signin_codes.c.id == row.id, signin_codes.c.used.is_(None)).values(
                        used=clock(), place=place, holder=holder, round=round_id))
                    if done.rowcount == 1:
                        return SignInOutcome(True, "ok", MESSAGES["ok"], person.id, False, row.id)
                    now_row = conn.execute(sa.select(signin_codes).where(signin_codes.c.id == row.id)).one()
                if now_row.place != place:
                    return _no("other_place", contestant_id=person.id)
                if now_row.holder != holder and holder_alive(now_row.holder):
                    return _no("in_use", contestant_id=person.id)
                same = (signin_codes.c.holder.is_(None) if now_row.holder is None
                        else signin_codes.c.holder == now_row.holder)
                done = conn.execute(signin_codes.update().where(signin_codes.c.id == row.id, same)
                                    .values(holder=holder))
                if done.rowcount != 1:
                    return _no("in_use", contestant_id=person.id)
                return SignInOutcome(True, "ok", MESSAGES["ok"], person.id, True, row.id)

    return store._retry(work)


def _failed(store: ContestStore, contest: Contest, place: str, now: float) -> None:
    def work() -> None:
        with store.engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                conn.execute(signin_failures.delete().where(signin_failures.c.at < now - 6 * WINDOW))
                conn.execute(signin_failures.insert().values(contest=contest.id, place=place, at=now))

    store._retry(work)


def release(store: ContestStore, code_id: int, holder: str | None = None) -> None:
    """The session ended cleanly: the code may be entered again at its place at once."""
    holder = holder or holder_of()
    with store.engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            conn.execute(signin_codes.update().where(signin_codes.c.id == code_id,
                                                     signin_codes.c.holder == holder).values(holder=None))


class AttemptLimiter:
    """Wrong codes in a row: the first FREE are free, then each try waits BASE seconds, doubling to MAX."""

    FREE = 5
    BASE = 30.0
    MAX = 600.0

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.failures = 0
        self.until = 0.0

    def wait(self) -> float:
        """Seconds before the next try is accepted (0: now)."""
        return max(0.0, self.until - self.clock())

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.FREE:
            self.until = self.clock() + min(self.BASE * 2 ** (self.failures - self.FREE), self.MAX)

    def succeeded(self) -> None:
        self.failures = 0
        self.until = 0.0


@attrs.define
class SignInDesk:
    """What the contest app's sign-in screen talks to: one contest, one round, one place, one limiter."""

    store: ContestStore
    contest: Contest
    round_id: str
    place: str
    expected: str | None = None  # `contest run --as ID`: the code must be this contestant's
    admit: Callable[[str], str | None] | None = None
    clock: Callable[[], float] = time.time
    holder: str = attrs.field(factory=holder_of)
    limiter: AttemptLimiter = attrs.field(default=None)
    signed: SignInOutcome | None = None

    def __attrs_post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = AttemptLimiter(self.clock)

    def attempt(self, text: str) -> SignInOutcome:
        wait = self.limiter.wait()
        if wait > 0:
            return SignInOutcome(False, "locked", f"{MESSAGES['locked']}（{int(wait + 0.999)} 秒后可再次输入）")
        out = sign_in(self.store, self.contest, text, round_id=self.round_id, place=self.place,
                      holder=self.holder, expected=self.expected, admit=self.admit, clock=self.clock)
        if out.ok:
            self.limiter.succeeded()
            self.signed = out
        elif out.code in GUESSES:
            self.limiter.failed()
            if (wait := self.limiter.wait()) > 0:
                out = attrs.evolve(out, message=f"{out.message}；输错次数过多，{int(wait + 0.999)} 秒后可再次输入")
        return out

    def release(self) -> None:
        if self.signed is not None and self.signed.code_id is not None:
            release(self.store, self.signed.code_id, self.holder)


# --- the slip sheet --------------------------------------------------------------------------------------

SLIP_CSS = """
@page{size:A4;margin:10mm}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",
"PingFang SC",sans-serif;color:#000}
h1{font-size:13pt;margin:0 0 3mm}
.note{font-size:9pt;margin:0 0 4mm;color:#333}
.sheet{display:grid;grid-template-columns:1fr 1fr;border-top:1px dashed #000;border-left:1px dashed #000}
.slip{height:53mm;padding:4mm 5mm;border-right:1px dashed #000;border-bottom:1px dashed #000;
break-inside:avoid;page-break-inside:avoid;overflow:hidden}
.slip .head{font-size:9pt;color:#333;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.slip .who{font-size:14pt;font-weight:bold;margin:2mm 0 1mm}
.slip .meta{font-size:10pt}
.slip .code{font-family:"DejaVu Sans Mono","Noto Sans Mono","Consolas",monospace;font-size:24pt;font-weight:bold;
letter-spacing:2pt;margin:2mm 0 1mm;white-space:nowrap}
.slip .tip{font-size:8pt;color:#333;line-height:1.35}
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_slips(contest: Contest, issued: Iterable[IssuedCode], *, issued_at: float | None = None) -> str:
    """One page section of cut-out slips (A4, two columns, dashed cut lines): contest, round, name,
    township, contestant id and the code in two groups."""
    items = list(issued)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(issued_at if issued_at is not None else time.time()))
    slips = []
    for it in items:
        r = contest.round(it.scope) if it.scope else None
        scope = f"仅限「{r.title}」" if r is not None else "本次比武各轮通用"
        again = "（补发，原签到码已作废）" if it.reissued else ""
        slips.append(
            '<div class="slip">'
            f'<div class="head">{_h(contest.name)} · {_h(scope)}</div>'
            f'<div class="who">{_h(it.contestant.name)}</div>'
            f'<div class="meta">{_h(it.contestant.township)} · 参赛编号 {_h(it.contestant.id)}</div>'
            f'<div class="code">{_h(grouped(it.code))}</div>'
            f'<div class="tip">签到码{_h(again)}：进入比武时输入（不区分大小写，横线可不输）。'
            '本码只供本人使用，请勿示人；首次签到后即与本人的作答绑定，断线后在同一处重新输入可继续作答。</div>'
            '</div>')
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_h(contest.name)} 签到条</title><style>{SLIP_CSS}</style></head><body>"
            f"<h1>{_h(contest.name)} · 签到条（{len(items)} 人）</h1>"
            f'<p class="note">发放时间 {_h(when)}。沿虚线裁开，每人一条；签到码只在本页出现，成绩库中只保存其校验值，'
            "遗失后请组织者补发（原码随即作废）。</p>"
            f'<div class="sheet">{"".join(slips)}</div></body></html>\n')
