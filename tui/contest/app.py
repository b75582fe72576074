"""Contest mode (大比武): one contestant, one round, the round's cases only, against the clock.

`lawdrill contest run CONTEST --as ID` (tui/cli/contest.py picks the round) opens `ContestApp`: the round's
list (RoundScreen, round.py), each case played on the ordinary workbench in exam mode (no hints, findings
hidden), or — by the round's kind (kinds.py, the one place that knows the kinds) — the case-file review screen
(review.py), the knowledge paper or the case-analysis sheet (sheets.py). `lawdrill contest board CONTEST`
opens the leaderboard (board.py).

Time. The round's time limit runs from the moment the contestant starts the round; that moment is kept in the
contestant's local store, so closing the terminal (or a crash) does not stop or reset the countdown. The limit
ends at `start + time_limit` or when the round window closes, whichever is first. When it runs out every case
the contestant opened is handed in: finished and written as a signed bundle to the outbox.

Sessions in a contest run on a clamped wall clock (never later than the round's end): a contestant who comes
back after the end finds the open cases handed in as they stood at the end, with journal times inside the
limit, so the bundles import.

Nothing lost: every act is in its fsynced journal before the workbench shows it; reopening the app resumes
each open case from its journal (sim.resume), exactly as the trainee app does after a crash. An answer sheet
(review marks, a paper, an analysis) is saved in the local store at every change.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from ..app import LawdrillApp
from ..host import WallClock
from .kinds import round_kind

if TYPE_CHECKING:
    from sim.contest import Contest, Contestant, ContestStore, Mark, Round
    from sim.contest.signin import SignInDesk
    from sim.loader import Library
    from sim.model import Scenario
    from sim.session import Session
    from sim.store import Attempt


def _slug(text: str) -> str:
    """A directory name for an id from a contest file (ids may be Chinese; path separators are not kept)."""
    return re.sub(r"[^\w.-]", "_", text).strip(".") or "_"


def round_home(home: Path, contest: Contest, contestant: Contestant, round_: Round) -> Path:
    """The contestant's local store of one round, under the data directory `home`."""
    return home / "contests" / _slug(contest.id) / _slug(contestant.id) / _slug(round_.id)


class ContestApp(LawdrillApp):
    """The trainee app locked to one round of a contest: no library, no history, no hints."""

    # The round's list is the default screen, and Textual loads a screen's CSS_PATH only when the screen is
    # pushed: its stylesheet is loaded with the app's.
    CSS_PATH = [
        Path(__file__).parent.parent / "app.tcss",
        Path(__file__).with_name("round.tcss"),
        Path(__file__).with_name("signin.tcss"),
    ]

    def __init__(
        self,
        contest: Contest,
        round_: Round,
        contestant: Contestant | None,
        library: Library,
        *,
        home: str | Path | None = None,
        out: str | Path | None = None,
        clock: WallClock | None = None,
        desk: SignInDesk | None = None,
        results: ContestStore | None = None,
    ) -> None:
        from sim.store import default_home

        mode = getattr(round_, "mode", "exam") or "exam"
        super().__init__(
            library,
            home=home,
            mode=mode if mode in ("practice", "exam") else "exam",
            trainee=contestant.id if contestant is not None else "",
            clock=clock,
            seed=round_.seed,
        )
        self.contest = contest
        self.round = round_
        self.base_home = Path(home) if home is not None else default_home()
        self.contest_home = self.base_home / "contests" / _slug(contest.id)
        self.outbox = Path(out) if out is not None else self.base_home / "contest-outbox"
        self.timed_out = False
        self.sessions: dict[str, tuple[Session, str]] = {}  # case id -> open session, attempt id
        kind = round_kind(round_.kind)
        if kind is None:  # contest run refuses such a round before the app is built
            raise ValueError(f"round kind {round_.kind!r} has no contest screen")
        self.kind = kind
        self.kind_cache: dict[str, Any] = {}  # what a round kind computes once (the quiz round's paper)
        # Sign-in (tui/contest/signin.py): the code names the contestant (`--signin`) or must be theirs (`--as`).
        self.desk = desk
        # The contest store each hand-in is written to (`--store`, `--signin`); None: bundle files only.
        self.results = results
        self.contestant = contestant  # type: ignore[assignment]  # None until sign-in names them
        self.round_home: Path | None = None
        if desk is not None and desk.signed is not None and contestant is None:
            contestant = contest.contestant(str(desk.signed.contestant_id))
        if contestant is not None:
            self._bind(contestant)

    def _bind(self, contestant: Contestant) -> None:
        """The contestant is known (given, or signed in): open their round's local store."""
        from sim.store import Store

        self.contestant = contestant
        self.trainee = contestant.id
        self.round_home = round_home(self.base_home, self.contest, contestant, self.round)
        # Opened here, not on mount: a directory that cannot be written is reported by the command line.
        self.store = Store(self.round_home)

    @property
    def signing_in(self) -> bool:
        """The sign-in screen comes first: a code is needed and none has been accepted yet."""
        return self.desk is not None and self.desk.signed is None

    def signed_in(self) -> None:
        """The sign-in screen accepted a code: on to the round's list (the countdown resumes where it was)."""
        from .round import RoundScreen

        assert self.desk is not None and self.desk.signed is not None
        outcome = self.desk.signed
        person = self.contest.contestant(str(outcome.contestant_id))
        assert person is not None
        try:
            self._bind(person)
        except (OSError, sqlite3.Error) as exc:
            self.exit(return_code=2, message=f"无法打开数据目录 {self.base_home}：{exc}")
            return
        base = self.screen_stack[0]
        if isinstance(base, RoundScreen):
            base.signed_in()
        self.pop_screen()
        again = "，继续上次的作答" if outcome.resumed else ""
        self.notify(f"{person.name}（{person.township}）{person.id}{again}", title="签到成功", markup=False)

    # --- the round's clock ---------------------------------------------------------------------------------

    @property
    def review(self) -> bool:
        return self.round.kind == "review"

    @property
    def started_at(self) -> float | None:
        if self.store is None:
            return None  # not signed in yet
        value = self.store.get(f"round-start:{self.round.id}")
        return float(value) if value else None

    def start_round(self) -> None:
        """The countdown starts now (once: a second call keeps the first start)."""
        assert self.store is not None
        if self.started_at is None:
            self.store.set(f"round-start:{self.round.id}", repr(float(self.clock())))

    @property
    def ends_at(self) -> float:
        """When the round ends for this contestant: start + limit, or the window's close if sooner."""
        closes = self.round.closes.timestamp()
        start = self.started_at
        if start is None:
            return closes
        return min(start + self.round.time_limit.total_seconds(), closes)

    def remaining(self) -> float | None:
        """Seconds left, None before the contestant has started."""
        if self.started_at is None:
            return None
        return self.ends_at - self.clock()

    def session_clock(self) -> float:
        """The wall clock sessions record: never past the round's end (see the module docstring)."""
        return min(self.clock(), self.ends_at)

    def window_closed(self) -> bool:
        return self.clock() >= self.round.closes.timestamp()

    def results_visible(self) -> bool:
        """A handed-in case's result: at once in a practice round, after the window closes in an exam."""
        return self.mode == "practice" or self.window_closed()

    def on_mount(self) -> None:
        if self.signing_in:
            from .signin import SignInScreen

            self.push_screen(SignInScreen())  # before the round: the round's list waits under it, empty
        self.set_interval(1.0, self.tick, name="contest-clock")
        # A header that was hidden while the clock ran shows the time as soon as its screen is back on top.
        self.screen_change_signal.subscribe(self, lambda _screen: self.show_clocks())

    def shown_screens(self) -> list[Screen[Any]]:
        """The screens the contestant can see: the top one and, under a translucent one (a dialog), those
        that show through it down to the first opaque screen."""
        stack = self.screen_stack
        shown = stack[-1:]
        for below in reversed(stack[:-1]):
            if shown[-1].styles.background.a >= 1:
                break
            shown.append(below)
        return shown

    def show_clocks(self) -> None:
        """Redraw the countdown of the headers on screen. Hidden screens are left alone: a change to a screen
        under the top one makes Textual repaint the whole top screen, so updating every header of the stack
        each second repainted the whole terminal once a second (what starved a host serving 50 rounds)."""
        from .round import ContestHeader

        for screen in self.shown_screens():
            for header in screen.query(ContestHeader):
                header.show_time()

    def tick(self) -> None:
        """Once a second (and whenever a test moves the fake clock): redraw the countdown; hand in at 0."""
        self.show_clocks()
        left = self.remaining()
        if left is not None and left <= 0 and not self.timed_out:
            self.timed_out = True
            self.call_later(self.time_up)

    # --- the round's cases ---------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        from .round import RoundScreen

        return RoundScreen()

    def begin(self) -> None:  # the library screen is never shown in a contest
        pass

    def attempt_of(self, case_id: str) -> Attempt | None:
        """The contestant's attempt at a case of this round (the latest, if several)."""
        assert self.store is not None
        found = [a for a in self.store.open_attempts() + self.store.history() if a.scenario == case_id]
        return found[0] if found else None

    def bundle_of(self, case_id: str) -> Path | None:
        assert self.store is not None
        value = self.store.get(f"bundle:{case_id}")
        return Path(value) if value else None

    def case_title(self, ref: str) -> str:
        """A round entry's title: the case's (a review entry "case#trap" is that case's file), or the paper's."""
        return self.kind.title(self, ref)

    def sheet_answers(self, ref: str, empty: Any = None) -> Any:
        """The answer sheet of an entry as saved (JSON: review marks, a paper's answers, an analysis)."""
        assert self.store is not None
        raw = self.store.get(f"answers:{ref}")
        try:
            value = json.loads(raw) if raw else empty
        except ValueError:  # a local store damaged or edited by hand: the sheet starts again
            return empty
        return value if empty is None or isinstance(value, type(empty)) else empty

    def save_sheet(self, ref: str, answers: Any) -> None:
        """Saved at every change (SQLite commits each write): a crash loses nothing of a sheet."""
        assert self.store is not None
        self.store.set(f"answers:{ref}", json.dumps(answers, ensure_ascii=False, sort_keys=True))

    def review_marks(self, ref: str) -> list[Mark]:
        """The marks a contestant has made on a review entry (kept in the local store at every change)."""
        from sim.contest import Mark

        return [Mark.from_json(m) for m in self.sheet_answers(ref, [])]

    def save_marks(self, ref: str, marks: Sequence[Mark]) -> None:
        self.save_sheet(ref, [m.to_json() for m in marks])

    def can_hand_in(self, ref: str) -> bool:
        """Whether there is anything to hand in: a case opened, a sheet opened (even empty)."""
        if self.bundle_of(ref) is not None:
            return False
        return self.kind.can_hand_in(self, ref)

    def open_case(self, case_id: str) -> None:
        """Open an entry of the round as its kind does (a case on its briefing, whose Enter goes on to
        `enter_case`; a paper at once). The first entry opened starts the round's countdown."""
        assert self.store is not None and self.library is not None
        if self.remaining() is None:
            self.start_round()
        if self._time_is_up():
            return
        self.kind.open(self, case_id)

    def _time_is_up(self) -> bool:
        if self.timed_out or (left := self.remaining()) is not None and left <= 0:
            self.tick()
            return True
        return False

    def enter_case(self, case_id: str) -> None:
        """From the case's briefing on to the entry as its kind does (the workbench, the review file…)."""
        if self._time_is_up():
            return
        self.kind.enter(self, case_id)

    def enter_play(self, case_id: str) -> None:
        """A play round's case: start (or resume) it on the contest workbench."""
        from sim import ReplayError, Session, resume
        from sim.bounds import shown

        from .round import ContestWorkbench

        assert self.store is not None and self.library is not None
        sc = self.library.scenarios[case_id]
        attempt = self.attempt_of(case_id)
        if case_id in self.sessions:
            session, attempt_id = self.sessions[case_id]
        elif attempt is not None:
            try:
                session = resume(sc, attempt.journal, wall_clock=self.session_clock)
            except (ReplayError, OSError) as exc:  # a damaged or planted journal: said, never a crash
                self.notify(shown(str(exc)), title="无法继续本案", severity="error", timeout=10, markup=False)
                return
            attempt_id = attempt.id
            self.notify(
                f"已恢复 {len(session.acts)} 个执法动作，案件时间 {session.now:%Y-%m-%d %H:%M}",
                title="继续办理",
                markup=False,
            )
        else:
            attempt_id, path = self.store.new_journal_path(sc.id)
            session = Session(
                sc,
                seed=self.round.seed,
                journal=path,
                mode=self.mode,
                trainee=self.contestant.id,
                wall_clock=self.session_clock,
            )
            self.store.start(
                attempt_id,
                trainee=self.contestant.id,
                scenario=sc.id,
                title=sc.title,
                content_hash=sc.content_hash,
                mode=self.mode,
                seed=self.round.seed,
                journal=path,
                started=session.started_wall,
            )
        self.sessions[case_id] = (session, attempt_id)
        self.show_case(ContestWorkbench(session, attempt_id))

    def show_case(self, screen: Screen[Any]) -> None:
        """The case's briefing gives way to the case (b shows it again); pushed when no briefing is on top."""
        from .round import ContestBriefing

        if isinstance(self.screen, ContestBriefing):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def left_case(self, session: Session) -> None:
        """The workbench was left (back to the list): its journal is closed; reopening resumes it."""
        for cid, (s, _) in list(self.sessions.items()):
            if s is session:
                del self.sessions[cid]

    # --- handing in -------------------------------------------------------------------------------------

    def finish_session(self, session: Session, attempt_id: str) -> None:
        """The workbench's 交卷 in a contest: finish, write the bundle, back to the round's list (no debrief
        until the round is over)."""
        path = self.hand_in_session(session, attempt_id)
        self.pop_screen()
        self.announce_hand_in([session.scenario.id], [path] if path else [])

    def hand_in_session(self, session: Session, attempt_id: str) -> Path | None:
        assert self.store is not None
        result = session.finish()
        self.store.finish(attempt_id, result, self.session_clock())
        session.close()
        self.left_case(session)
        return self.write_bundle(session.scenario.id)

    def hand_in_case(self, case_id: str) -> Path | None:
        """Hand in an entry that is not on screen (from the list, or at time-out), as its kind does."""
        return self.kind.hand_in(self, case_id)

    def hand_in_play(self, case_id: str) -> Path | None:
        """A play round's case: resume it from its journal first, so what is handed in is exactly what the
        journal holds."""
        from sim import ReplayError, resume
        from sim.bounds import shown

        assert self.store is not None and self.library is not None
        if case_id in self.sessions:
            session, attempt_id = self.sessions[case_id]
            return self.hand_in_session(session, attempt_id)
        attempt = self.attempt_of(case_id)
        if attempt is None:
            return None
        if attempt.status == "open":
            try:
                sc = self.library.scenarios[case_id]
                session = resume(sc, attempt.journal, wall_clock=self.session_clock)
            except (ReplayError, OSError, KeyError) as exc:
                self.notify(shown(str(exc)), title="无法交卷", severity="error", timeout=10, markup=False)
                return None
            return self.hand_in_session(session, attempt.id)
        return self.write_bundle(case_id)

    def write_bundle(self, ref: str) -> Path | None:
        """Write (once) the signed result bundle of a handed-in entry to the outbox: a play case's journal,
        or the answer sheet. None and a message if it cannot be written (a full disk: retried whenever the
        round's list is shown)."""
        from sim.contest import BundleError, write_bundle

        assert self.store is not None
        done = self.bundle_of(ref)
        if done is not None and done.is_file():
            return done
        what = self.kind.bundle_args(self, ref)
        if what is None:
            return None
        journal, kw = what
        kw = {"library": self.library, **kw}
        try:
            path = write_bundle(self.contest, self.round, self.contestant.id, ref, journal, self.outbox, **kw)
        except OSError as exc:
            where = f"{self.outbox}：{exc.strerror or exc}"
            self.notify(where, title="成绩文件写入失败", severity="error", markup=False)
            return None
        except BundleError as exc:
            self.notify(str(exc), title="成绩文件写入失败", severity="error", markup=False)
            return None
        path = Path(path).resolve()
        self.store.set(f"bundle:{ref}", str(path))
        self.store_result(ref)
        return path

    def hand_in_sheet(self, ref: str) -> None:
        """A sheet's screen hands it in: the bundle, back to the list, the result at once in a practice round."""
        self.kind.handed_in(self, ref)  # type: ignore[attr-defined]

    def store_result(self, ref: str) -> None:
        """Write a handed-in entry's result into the contest store (`--store`, `--signin`) through the very
        import an organiser runs (`ContestStore.import_bundles`: the signature checked, the journal replayed
        and re-scored, the store's own checks); the bundle file stays in the outbox for the archive. A store
        that cannot be reached is retried whenever the round's list is shown (`ensure_bundles`)."""
        assert self.store is not None
        path = self.bundle_of(ref)
        if self.results is None or path is None or self.store.get(f"stored:{ref}"):
            return
        assert self.library is not None
        try:
            (outcome,) = self.results.import_bundles(self.contest, self.library, [path])
        except Exception as exc:  # noqa: BLE001 - a database down or locked: the bundle is safe, retry later
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
            self.notify(f"成绩包已保存在本机，稍后重试写入：{reason}", title="成绩库暂时无法写入", severity="warning",
                        timeout=10, markup=False)
            return
        self.store.set(f"stored:{ref}", outcome.code)
        if not outcome.ok:
            self.notify(f"{outcome.message}（成绩包已保存，请联系组织者）", title="成绩未能入库", severity="error",
                        timeout=15, markup=False)

    def ensure_bundles(self) -> None:
        """Bundles of cases already handed in whose file is missing (the disk was full): write them now."""
        assert self.store is not None
        for cid in self.round.cases:
            if self.kind.bundle_lost(self, cid):
                self.store.set(f"bundle:{cid}", "")
                self.write_bundle(cid)
            else:
                self.store_result(cid)

    async def time_up(self) -> None:
        """Time is over: hand in every case the contestant opened, close every dialog, say where the files
        are."""
        from .round import RoundScreen

        handed: list[str] = []
        paths: list[Path] = []
        for cid in self.round.cases:
            if not self.can_hand_in(cid):
                continue  # handed in already, or never opened: nothing to hand in
            path = self.hand_in_case(cid)
            handed.append(cid)
            if path is not None:
                paths.append(path)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        screen = self.screen
        if isinstance(screen, RoundScreen):
            screen.show_round()
        self.announce_hand_in(handed, paths, timed_out=True)

    def announce_hand_in(
        self, cases: Sequence[str], paths: Sequence[Path], *, timed_out: bool = False
    ) -> None:
        from .round import RoundScreen

        if isinstance(self.screen, RoundScreen):
            self.screen.show_round()
        titles = "、".join(f"「{self.case_title(c)}」" for c in cases)
        where = "\n".join(f"　{p}" for p in paths)
        if timed_out:
            text = "本轮时间已到，已自动交卷" + (f"：{titles}" if cases else "（没有作答中的案件）")
        else:
            text = f"已交卷：{titles}"
        if paths:
            text += f"\n成绩文件：\n{where}"
        self.notify(text, title="时间到" if timed_out else "交卷", timeout=15, markup=False)

    # --- after the round --------------------------------------------------------------------------------

    def show_result(self, case_id: str) -> None:
        """After the round (or at once in a practice round): a handed-in entry's result, as its kind shows it."""
        self.kind.show_result(self, case_id)

    def show_play_result(self, case_id: str) -> None:
        """A play round's case: the debrief (replayed from its journal)."""
        from sim import ReplayError, replay

        assert self.library is not None
        attempt = self.attempt_of(case_id)
        sc = self.library.scenarios.get(case_id)
        if attempt is None or sc is None:
            return
        try:
            session = replay(sc, attempt.journal)
        except ReplayError as exc:
            self.notify(str(exc), title="无法重放", severity="error", markup=False)
            return
        if session.result is None:
            session.finish()
        from ..trainee.debrief import DebriefScreen

        assert session.result is not None
        withheld = "" if self.window_closed() else (
            f"参考路径在本轮结束（{self.round.closes:%Y-%m-%d %H:%M}）后公布。"
        )
        self.push_screen(DebriefScreen(session, session.result, attempt.id, reference_withheld=withheld))

    def open_history(self) -> None:
        self.notify("比赛中不提供历史记录。", title="历史记录", markup=False)

    def open_quiz(self) -> None:
        self.notify("比赛中不提供知识练习。", title="知识练习", markup=False)

    def open_analysis(self, scenario: Scenario) -> None:
        self.notify("比赛中不提供案例分析练习。", title="案例分析", markup=False)

    def report_context(self) -> list[tuple[str, str]]:
        c = self.contestant
        return [("比武", self.contest.name), ("轮次", self.round.title), ("乡镇", c.township),
                ("参赛人员", f"{c.name}（{c.id}）")]

    def on_unmount(self) -> None:  # LawdrillApp.on_unmount (closing the store) runs too (MRO)
        for session, _ in self.sessions.values():
            session.close()
        if self.desk is not None:
            try:
                self.desk.release()  # the code may be entered again here at once
            except Exception:  # noqa: BLE001 - a store gone at exit: the ended process frees the code anyway
                pass


def make_contest_app(
    contest: Contest,
    round_: Round,
    contestant: Contestant | None,
    library: Library,
    *,
    home: str | Path | None = None,
    out: str | Path | None = None,
    clock: WallClock | None = None,
    desk: SignInDesk | None = None,
    results: ContestStore | None = None,
) -> ContestApp:
    """`contestant` None: `desk` names them at sign-in. `results`: the store hand-ins are written to."""
    return ContestApp(contest, round_, contestant, library, home=home, out=out, clock=clock, desk=desk,
                      results=results)
