"""`lawdrill contest …`: check a contest file, import result bundles, standings, exports, the organiser's
report, and the two UI commands (run a round as a contestant, the leaderboard: the apps are in tui.contest).

Like tui.cli this module imports only the standard library at the top: each command imports what it needs.
Exit status as in tui.cli: 0 done; 1 problems found (a bad contest file in `check`, a rejected bundle in
`import`); 2 bad input; 3 internal error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli import common
from tui.cli.common import (
    EXIT_FAILED, EXIT_OK, AddCommand, Parser, UsageError, emit, error_line, library_note, print_json, require_file,
    screen_width, table,
)

if TYPE_CHECKING:
    from sim.contest import Contest, Contestant, ContestStore, Round
    from sim.loader import Library



def add_commands(command: AddCommand) -> None:
    """Register `lawdrill contest …` on the main parser."""
    top = command("contest", "大比武：比武文件、成绩包、排名与报告",
                  "大比武（执法能手评选）：同一轮所有参赛人员使用同一案例、同一随机种子、同一时限；\n"
                  "成绩以签名成绩包交回，导入时按操作记录重新评分；排名可封榜、分组、导出。\n"
                  "比武文件格式见 docs/contests.md。", _no_subcommand)
    subs = top.add_subparsers(dest="contest_command", title="子命令", metavar="子命令", parser_class=Parser)

    def sub_command(name: str, help_text: str, description: str, func: Callable[[argparse.Namespace], int]
                    ) -> argparse.ArgumentParser:
        p = subs.add_parser(name, help=help_text, description=description)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="出现内部错误时显示完整的错误追踪")
        p.add_argument("contest", metavar="CONTEST", help="比武文件（YAML）")
        p.set_defaults(func=func)
        return p

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", metavar="URL",
                       help="成绩库地址（默认：数据目录下的 SQLite 文件；也可 postgresql+psycopg://用户@主机/库名）")
        p.add_argument("--home", metavar="DIR", help="数据目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")

    def board_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--round", metavar="R", help="只看某一轮（轮次编号；默认：各轮合计）")
        p.add_argument("--division", metavar="D", help="只看某一组别（组别编号）")
        p.add_argument("--frozen", action="store_true", help="封榜视图：封榜时间之后交卷的成绩不计入（对外公布用）")

    sub_command("check", "检查比武文件", "检查比武文件：格式、轮次时间、案例是否在案例库中、名单编号是否重复、密钥。\n"
                "有错误时逐条列出（文件:行:列: 说明），退出状态为 1。", cmd_check)

    p = sub_command("import", "导入成绩包（校验签名并按记录重新评分）",
                    "导入参赛人员交回的成绩包：校验签名、比武与轮次、名单、案例版本、程序版本、随机种子、\n"
                    "作答时段和时限，并按操作记录重放重新评分（不采信成绩包自报的分数）。\n"
                    "同一成绩包重复提交、同一人同一轮同一案例的第二份，都会被拒绝并说明原因。\n"
                    "给出目录时导入其中所有 *.bundle.json 文件。有任何成绩包被拒绝时退出状态为 1。", cmd_import)
    p.add_argument("bundles", nargs="+", metavar="BUNDLE", help="成绩包文件或目录")
    p.add_argument("--json", action="store_true", help="以 JSON 输出每个成绩包的导入结果")
    store_options(p)

    p = sub_command("standings", "排名", "按比武文件规定的排名规则列出排名（各轮合计或某一轮，可按组别）。\n"
                    "加 --teams 列出乡镇团体排名：团体得分为该乡镇名单上每人总分的平均（未交卷者按 0 分计）。",
                    cmd_standings)
    board_options(p)
    p.add_argument("--teams", action="store_true", help="乡镇团体排名（以乡镇为队）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    store_options(p)

    p = sub_command("export", "导出排名（csv / xlsx / html）", "把排名导出为 CSV、Excel（xlsx）或独立的 HTML 网页文件。",
                    cmd_export)
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "html"], help="导出格式")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件")
    board_options(p)
    store_options(p)

    p = sub_command("report", "组织情况报告（按乡镇）",
                    "按乡镇统计：参赛情况（名单与实际交卷）、平均分、合格率、违反最多的规则（附法律依据）。", cmd_report)
    p.add_argument("--format", choices=["md", "html", "xlsx"], default="md", help="报告格式（默认 md）")
    p.add_argument("-o", "--output", metavar="FILE", help="输出文件（md、html 默认输出到屏幕；xlsx 必须指定）")
    p.add_argument("--round", metavar="R", help="只统计某一轮")
    p.add_argument("--township", metavar="T", help="只出某一乡镇的报告（列出该乡镇每名参赛人员的成绩）")
    store_options(p)

    p = sub_command("codes", "发放签到码（打印签到条）",
                    "为名单上每名参赛人员发放一次性签到码，写入成绩库（只存校验值，不存签到码本身），\n"
                    "并生成可打印的签到条网页（A4，每人一条，沿虚线裁开）。签到码只出现在这份文件里。\n"
                    "再次运行只为尚无签到码的人员发放；--reissue 为某人补发，原签到码随即作废。", cmd_codes)
    p.add_argument("--round", metavar="R", help="只用于某一轮的签到码（默认：各轮通用）")
    p.add_argument("--reissue", metavar="ID", action="append", default=[],
                   help="为这名参赛人员补发签到码（原码作废；可重复给出）")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="签到条文件（HTML；默认：当前目录下的 <比武编号>-签到条.html；已存在时不覆盖）")
    store_options(p)

    p = sub_command("run", "以参赛人员身份进入比武（打开界面）",
                    "打开比武界面：输入签到码签到，显示本轮的案例（实操、案卷评查、案例分析）或法律知识试卷，计时作答，\n"
                    "答卷随时自动保存，时间到自动交卷，成绩包写入输出目录。\n"
                    "--signin：签到界面输入签到码，由签到码确定参赛人员（服务器上为每个浏览器连接运行）；\n"
                    "--as ID：离线考场，指定参赛人员，签到码在界面中输入或用 --code 给出。\n"
                    "签到码存放在成绩库中（--store，默认数据目录下的 SQLite 文件）。给出 --store 或使用 --signin 时，\n"
                    "交卷后成绩按导入时的同样校验直接写入成绩库，成绩包照常写入输出目录存档。", cmd_run)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--signin", action="store_true", help="签到界面：输入签到码，由签到码确定参赛人员")
    who.add_argument("--as", dest="contestant", metavar="ID", help="参赛人员编号（名单中的 id；离线考场用）")
    p.add_argument("--code", metavar="CODE", help="签到码（与 --as 同用；不给出时在界面中输入）")
    p.add_argument("--round", metavar="R", help="进入的轮次（默认：当前开放的一轮）")
    p.add_argument("--out", metavar="DIR", help="成绩包输出目录（默认：数据目录下的 contest-outbox）")
    store_options(p)

    p = sub_command("results", "赛后复盘：把本人的比武成绩导入学习记录",
                    "把参赛人员本人的成绩包导入自己的学习记录（薄弱环节、专项练习）：每份成绩包像组织者导入时一样\n"
                    "校验签名并重新评分；只导入已经结束的轮次，名单中其他人员的成绩包自动略过。\n"
                    "成绩包来自本机的 contest-outbox（在自己电脑上参赛时的默认输出目录），或组织者赛后发回的收卷文件夹。\n"
                    "导入后列出本次比武每个案例或试卷的失分项、与平时练习合并后的薄弱条文，以及对应的练习案例和题目。",
                    cmd_results)
    p.add_argument("bundles", nargs="*", metavar="BUNDLE", help="成绩包文件或目录（默认：数据目录下的 contest-outbox）")
    p.add_argument("--as", dest="contestant", required=True, metavar="ID", help="本人的参赛人员编号（名单中的 id）")
    p.add_argument("--trainee", metavar="NAME", help="学习记录中的学员姓名（默认：训练界面上次使用的姓名，否则为名单中的姓名）")
    p.add_argument("--home", metavar="DIR", help="数据目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    p = sub_command("board", "排行榜（终端界面或投影用网页，定时刷新）",
                    "打开排行榜界面：定时刷新，支持封榜、揭榜和按组别查看。\n"
                    "加 --web 则启动网页排行榜（投影用，自动刷新、封榜与揭晓、分组、收卷情况），\n"
                    "启动时显示组织者控制页地址（揭晓用）。网页不引用任何外部字体或脚本，内网可用。", cmd_board)
    p.add_argument("--round", metavar="R", help="只看某一轮（终端界面）")
    p.add_argument("--web", action="store_true", help="启动网页排行榜（投影用），而不是终端界面")
    p.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                   help="网页排行榜监听的地址（默认 127.0.0.1 只限本机；0.0.0.0 供局域网内其他电脑访问）")
    p.add_argument("--port", type=int, default=8080, metavar="N", help="网页排行榜的端口（默认 8080）")
    store_options(p)

    p = sub_command("pack", "离线比武包（比武文件、固定版本的案例库、安装文件与说明）",
                    "为没有服务器的考场生成一个文件夹或 zip：比武文件、签名密钥、固定版本的案例库、\n"
                    "签到码库（先用 contest codes 发放，只含校验值）、安装文件（用 --wheels 指定）和中文说明。打包后会重新读取并核对每个案例的内容校验值。", cmd_pack)
    p.add_argument("-o", "--output", required=True, metavar="DIR|FILE.zip", help="输出文件夹（须不存在或为空）或 .zip 文件")
    p.add_argument("--wheels", metavar="DIR", help="lawdrill 及其依赖的安装文件目录（*.whl，可用 pip wheel 生成）")
    store_options(p)  # where the sign-in codes were issued (`contest codes`)

    p = sub_command("collection", "收卷情况（谁已交齐、谁未交，按乡镇）",
                    "按乡镇列出某一轮的收卷情况：已交齐、未交齐（缺哪些案例）、未交卷的参赛人员。\n"
                    "不指定轮次时显示当前开放的一轮（没有则为最近开始的一轮）。", cmd_collection)
    p.add_argument("--round", metavar="R", help="轮次编号")
    p.add_argument("--township", metavar="T", help="只看某一乡镇")
    p.add_argument("--missing", action="store_true", help="只列出尚未交齐的人员")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    store_options(p)


def _no_subcommand(args: argparse.Namespace) -> int:
    raise UsageError("lawdrill contest：缺少子命令（check、import、standings、collection、export、report、codes、run、"
                     "board、pack、results）",
                     "运行「lawdrill contest -h」查看用法。")


# --- helpers ---------------------------------------------------------------------------------------------


def _contest(path: str) -> Contest:
    """Load a contest file; a bad one is bad input (exit 2) with every problem listed."""
    from sim.contest import ContestError, load_contest

    require_file(path, "比武文件")
    try:
        return load_contest(path)
    except ContestError as exc:
        lines = [error_line(p) for p in exc.problems]
        raise UsageError("比武文件有错误：\n" + "\n".join(lines), f"运行「lawdrill contest check {path}」查看详情。"
                         ) from None


def _library(contest: Contest) -> Library:
    lib = contest.load_library()
    library_note(lib)
    return lib


def _store(args: argparse.Namespace) -> ContestStore:
    from sim.contest import ContestStore

    try:
        return ContestStore.open(args.store, home=args.home)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except ModuleNotFoundError as exc:
        raise UsageError(f"缺少数据库驱动 {exc.name}：连接 PostgreSQL 请安装 lawdrill[postgres]") from None
    except Exception as exc:  # noqa: BLE001 - any driver's connection failure reads the same to the organiser
        if type(exc).__module__.startswith("sqlalchemy"):
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise UsageError(f"无法打开成绩库 {args.store or '（默认 SQLite 文件）'}：{reason}") from None
        raise


def _round_division(contest: Contest, args: argparse.Namespace) -> None:
    if getattr(args, "round", None) and contest.round(args.round) is None:
        raise UsageError(f"比武「{contest.name}」没有轮次「{args.round}」（可用：{'、'.join(r.id for r in contest.rounds)}）")
    if getattr(args, "division", None) and contest.division(args.division) is None:
        names = "、".join(d.id for d in contest.divisions) or "（未设组别）"
        raise UsageError(f"比武「{contest.name}」没有组别「{args.division}」（可用：{names}）")


def _known_township(contest: Contest, township: str | None) -> None:
    if township and all(c.township != township for c in contest.roster):
        towns = "、".join(dict.fromkeys(c.township for c in contest.roster))
        raise UsageError(f"名单中没有乡镇「{township}」（名单中的乡镇：{towns}）")


# --- commands --------------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from sim.contest import ContestError, load_contest
    from sim.contest.model import KIND_NAMES
    from sim.contest.export import limit_text

    require_file(args.contest, "比武文件")
    try:
        c = load_contest(args.contest)
    except ContestError as exc:
        for p in sorted(exc.problems, key=lambda p: (p.file, p.line, p.col)):
            emit(error_line(p))
        emit(f"检查未通过：{len(exc.problems)} 处错误。")
        return EXIT_FAILED
    for w in c.warnings:
        emit(f"{error_line(w)}（警告）")
    rows = [[r.id, r.title, KIND_NAMES[r.kind], f"{r.questions} 题" if r.kind == "quiz" else str(len(r.cases)), limit_text(r.time_limit),
             f"{r.opens:%Y-%m-%d %H:%M} 至 {r.closes:%Y-%m-%d %H:%M}",
             f"{r.freeze:%m-%d %H:%M}" if r.freeze else "不封榜", str(r.seed)] for r in c.rounds]
    emit(f"比武：{c.name}（{c.id}）", "")
    emit(*table(["轮次", "名称", "类型", "案例/题量", "时限", "开放时段（北京时间）", "封榜", "随机种子"], rows,
                max_width=screen_width(), shrink={1: 8}))
    by_div: dict[str, int] = {}
    for p in c.roster:
        key = (c.division(p.division).name if p.division and c.division(p.division) else "未分组")
        by_div[key] = by_div.get(key, 0) + 1
    if c.relative_to is not None:
        emit("", f"本文件的轮次时间相对于读取当天（{c.relative_to:%Y-%m-%d}）计算，开放时段随日期顺延，"
                 "适用于演示和练习；正式比赛请写明日期。")
    emit("", f"参赛人员 {len(c.roster)} 人（" + "，".join(f"{k} {v} 人" for k, v in by_div.items()) + "）")
    emit(f"检查通过：{len(c.rounds)} 轮，{len(c.roster)} 人" + (f"，{len(c.warnings)} 条警告。" if c.warnings else "。"))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from sim.contest import bundle_files

    contest = _contest(args.contest)
    missing = [b for b in args.bundles if not Path(b).exists()]
    if missing:
        raise UsageError(f"找不到成绩包：{'、'.join(missing)}")
    files = bundle_files(args.bundles)
    if not files:
        raise UsageError("给出的目录中没有成绩包文件（*.bundle.json）")
    library = _library(contest)
    with _store(args) as store:
        outcomes = store.import_bundles(contest, library, files)
    stored = sum(o.already_stored for o in outcomes)
    ok = sum(o.ok for o in outcomes) - stored
    bad = len(outcomes) - ok - stored
    if args.json:
        print_json({"imported": ok, "already_stored": stored, "rejected": bad, "outcomes": [
            {"path": o.path, "ok": o.ok, "code": o.code, "message": o.message, "result_id": o.result_id}
            for o in outcomes]})
    else:
        for o in outcomes:
            mark = "=" if o.already_stored else "✓" if o.ok else "✗"
            emit(f"{mark} {Path(o.path).name}：{o.message}" + ("" if o.ok else f"［{o.code}］"))
        emit(f"导入 {ok} 份" + (f"，此前已导入 {stored} 份" if stored else "") + f"，拒绝 {bad} 份。")
    return EXIT_OK if bad == 0 else EXIT_FAILED


def _standings(args: argparse.Namespace, contest: Contest) -> list[Any]:
    _round_division(contest, args)
    with _store(args) as store:
        return store.standings(contest, args.round, args.division, frozen=args.frozen)


def cmd_standings(args: argparse.Namespace) -> int:
    from sim.contest.export import HEADERS, board_title, case_headers, case_legend, standings_json, standings_rows

    contest = _contest(args.contest)
    rows = _standings(args, contest)
    if args.teams:
        return _team_standings(args, contest, rows)
    if args.json:
        print_json({"contest": contest.id, "round": args.round, "division": args.division, "frozen": args.frozen,
               "tiebreak": list(contest.tiebreak), "standings": standings_json(contest, rows)})
        return EXIT_OK
    emit(board_title(contest, args.round, args.division, args.frozen), "")
    if not rows:
        emit("暂无成绩。")
        return EXIT_OK
    columns = contest.case_columns(args.round)
    library = _library(contest)
    headers = [*HEADERS, *case_headers(contest, library, columns, short=True)]
    emit(*table(headers, standings_rows(contest, rows, columns), max_width=screen_width(),
                shrink={3: 6, 8: 10}))
    emit("", "各案得分（—：未交卷或封榜后交卷）：", *(f"　{line}" for line in case_legend(contest, library, columns)))
    return EXIT_OK


def _team_standings(args: argparse.Namespace, contest: Contest, people: list[Any]) -> int:
    from sim.contest.export import board_title
    from sim.contest.teams import TEAM_HEADERS, team_json, team_rows, team_standings

    teams = team_standings(contest, people, division=args.division)
    if args.json:
        print_json({"contest": contest.id, "round": args.round, "division": args.division, "frozen": args.frozen,
                    "teams": team_json(teams)})
        return EXIT_OK
    emit(board_title(contest, args.round, args.division, args.frozen) + "（乡镇团体）", "")
    emit(*table(list(TEAM_HEADERS), team_rows(contest, teams), max_width=screen_width(), shrink={1: 6}))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from sim.contest.export import export_standings

    contest = _contest(args.contest)
    rows = _standings(args, contest)
    out = Path(args.output)
    if not out.parent.exists():
        raise UsageError(f"输出目录不存在：{out.parent}")
    try:
        export_standings(contest, rows, args.format, out, round_id=args.round, division=args.division,
                         frozen=args.frozen, library=_library(contest))
    except OSError as exc:
        raise UsageError(f"无法写入 {out}：{exc.strerror}") from None
    emit(f"已导出 {len(rows)} 人的排名：{out}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from sim.contest.export import render_report, township_report

    contest = _contest(args.contest)
    _round_division(contest, args)
    if args.format == "xlsx" and not args.output:
        raise UsageError("xlsx 格式的报告需要用 -o 指定输出文件")
    _known_township(contest, args.township)
    library = _library(contest)
    with _store(args) as store:
        rows = store.results(contest.id, args.round)
    report = township_report(contest, rows, library, round_id=args.round, township=args.township)
    if args.output:
        out = Path(args.output)
        if not out.parent.exists():
            raise UsageError(f"输出目录不存在：{out.parent}")
        try:
            render_report(report, args.format, out)
        except OSError as exc:
            raise UsageError(f"无法写入 {out}：{exc.strerror}") from None
        emit(f"已生成报告：{out}")
    else:
        sys.stdout.write(str(render_report(report, args.format)))
    return EXIT_OK


def _need_terminal(what: str, hint: str) -> None:
    """The UI commands draw on a terminal: without one (a pipe, a file, cron) say so instead of writing
    escape codes into a file and waiting for keys that never come."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return  # another driver draws the app (textual-serve's web driver: `lawdrill serve`)
    if not common.terminal_ok():
        raise UsageError(f"当前不是交互式终端，无法打开{what}。", hint)


def cmd_codes(args: argparse.Namespace) -> int:
    import re

    from sim.contest import signin

    def _safe(text: str) -> str:
        return re.sub(r"[^\w.-]+", "_", text)[:48]

    contest = _contest(args.contest)
    _round_division(contest, args)
    out = Path(args.output) if args.output else Path(
        f"{_safe(contest.id)}{'-' + _safe(args.round) if args.round else ''}-签到条.html")
    if out.exists():
        raise UsageError(f"签到条文件已存在：{out}", "签到码无法重新打印：请用 -o 另选文件名，以免覆盖原有签到条。")
    if not out.parent.exists():
        raise UsageError(f"输出目录不存在：{out.parent}")

    def write(issued: list[Any]) -> None:
        # Inside the store's transaction: if the file cannot be written, no code is stored either.
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(signin.render_slips(contest, issued), encoding="utf-8")
        tmp.replace(out)

    with _store(args) as store:
        try:
            issued = signin.issue_codes(store, contest, round_id=args.round, reissue=args.reissue,
                                        on_issued=write)
        except signin.SignInError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(f"无法写入 {out}：{exc.strerror or exc}") from None
        total = signin.issued_count(store, contest, args.round or signin.ANY_ROUND)
        where = (f"签到码存入成绩库 {store.url}：答题服务器须使用同一成绩库"
                 "（lawdrill serve --home 目录 时，发码用 --home 目录/contest，或两者用同一 --store）。")
    scope = f"「{contest.round(args.round).title}」" if args.round else "各轮通用"  # type: ignore[union-attr]
    if not issued:
        emit(f"名单上 {len(contest.roster)} 人都已有签到码（{scope}），未发放新码。",
             "为某人补发：加 --reissue 参赛编号（原签到码随即作废）。")
        return EXIT_OK
    what = "补发" if args.reissue else "发放"
    emit(f"已{what}签到码 {len(issued)} 人（{scope}；现有有效签到码 {total} 人）。",
         f"签到条：{out}", where,
         "签到码只出现在这份文件中（成绩库只存校验值）：打印裁开后请删除或妥善保管该文件。")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    contest = _contest(args.contest)
    contestant = None
    if args.contestant is not None:
        contestant = contest.contestant(args.contestant)
        if contestant is None:
            raise UsageError(f"参赛名单中没有编号为「{args.contestant}」的选手：{contest.path}",
                             "请核对选手编号（--as），或联系比赛组织者。")
    elif args.code is not None:
        raise UsageError("--code 只能与 --as 同用：使用 --signin 时在签到界面中输入签到码。")
    _round_division(contest, args)
    library = _library(contest)
    _need_terminal("比武界面", "比武须在终端窗口中直接运行（不能重定向输入或输出）。")
    return run_contest(contest, library, contestant, home=args.home, out=args.out, store_url=args.store,
                       round_id=args.round, code=args.code, signin=args.signin)


def cmd_board(args: argparse.Namespace) -> int:
    from sim.contest.export import round_windows

    contest = _contest(args.contest)
    if args.round and contest.round(args.round) is None:
        raise UsageError(f"比武「{contest.name}」中没有编号为「{args.round}」的一轮。",
                         "\n".join(["各轮：", *round_windows(contest)]))
    if args.web and not 0 < args.port < 65536:
        raise UsageError(f"端口 {args.port} 无效（应为 1-65535）")
    store = _store(args)
    try:
        if args.web:
            return run_web_board(contest, store, host=args.host, port=args.port)
        _need_terminal("排行榜界面", f"查看排名请用「lawdrill contest standings {args.contest}」。")
        return run_board(contest, store, round_id=args.round)
    finally:
        store.close()  # the board closes it on exit too; closing twice is harmless


def run_web_board(contest: Contest, store: ContestStore, *, host: str, port: int) -> int:
    """`lawdrill contest board --web`: the projector board (tui.contest.web) until Ctrl+C."""
    from tui.contest.web import serve_board  # aiohttp only for this command

    library = _library(contest)
    try:
        serve_board(store, contest, host=host, port=port, library=library, announce=emit)
    except OSError as exc:
        raise UsageError(f"无法在 {host}:{port} 启动网页排行榜：{exc.strerror or exc}",
                         "端口可能已被占用：用 --port 换一个端口。") from None
    return EXIT_OK


def cmd_pack(args: argparse.Namespace) -> int:
    from sim.contest.pack import INSTRUCTIONS, PackError, pack_contest

    contest = _contest(args.contest)
    with _store(args) as store:
        try:
            result = pack_contest(contest, args.output, wheels=args.wheels, codes=store)
        except PackError as exc:
            raise UsageError(str(exc)) from None
        except OSError as exc:
            raise UsageError(f"无法写入 {args.output}：{exc.strerror or exc}") from None
    wheels = f"安装文件 {result.wheels} 个" if result.wheels else "未附安装文件（见说明）"
    emit(f"已生成离线比武包：{result.path}",
         f"共 {result.files} 个文件；核对案例 {result.cases} 个，内容与本机一致；{wheels}。",
         f"考场操作步骤见包内「{INSTRUCTIONS}」。")
    return EXIT_OK


def cmd_collection(args: argparse.Namespace) -> int:
    from sim.contest.collection import COMPLETE, NONE, PARTIAL, STATE_LABELS, collection, default_round
    from sim.contest.export import case_title, division_name, time_text

    contest = _contest(args.contest)
    _round_division(contest, args)
    _known_township(contest, args.township)
    round_ = (contest.round(args.round) if args.round
              else default_round(contest, dt.datetime.now(dt.timezone.utc)))
    assert round_ is not None
    with _store(args) as store:
        rows = store.results(contest.id, round_.id)
    col = collection(contest, round_, rows, township=args.township)
    library = _library(contest)
    if args.json:
        print_json({"contest": contest.id, "round": round_.id, "cases": list(round_.cases),
                    "counts": {s: col.count(s) for s in (COMPLETE, PARTIAL, NONE)},
                    "townships": [{"township": t.township, "division": t.division,
                                   "counts": {s: t.count(s) for s in (COMPLETE, PARTIAL, NONE)},
                                   "people": [{"id": p.contestant.id, "name": p.contestant.name, "state": p.state,
                                               "handed_in": list(p.handed_in), "missing": list(p.missing),
                                               "last": p.last.isoformat() if p.last else None}
                                              for p in t.people]}
                                  for t in col.townships]})
        return EXIT_OK
    n = len(round_.cases)
    emit(f"{contest.name} · {round_.title} · 收卷情况（本轮 {n} 个案例）", "")
    marks = {COMPLETE: "✓", PARTIAL: "△", NONE: "✗"}
    for t in col.townships:
        division = division_name(contest, t.division)
        emit(f"{t.township}" + (f"（{division}）" if division else "") + f"：{len(t.people)} 人，"
             f"{STATE_LABELS[COMPLETE]} {t.count(COMPLETE)}，{STATE_LABELS[PARTIAL]} {t.count(PARTIAL)}，"
             f"{STATE_LABELS[NONE]} {t.count(NONE)}")
        for p in t.people:
            if args.missing and p.state == COMPLETE:
                continue
            line = f"　{marks[p.state]} {p.contestant.id} {p.contestant.name}　{STATE_LABELS[p.state]} {len(p.handed_in)}/{n}"
            if p.state == PARTIAL:
                line += "，缺：" + "、".join(case_title(library, ref) for ref in p.missing)
            if p.last is not None:
                line += f"，最后交卷 {time_text(p.last)}"
            emit(line)
    emit("", f"合计 {len(col.people)} 人：{STATE_LABELS[COMPLETE]} {col.count(COMPLETE)} 人，"
             f"{STATE_LABELS[PARTIAL]} {col.count(PARTIAL)} 人，{STATE_LABELS[NONE]} {col.count(NONE)} 人。")
    return EXIT_OK


_clock: Callable[[], float] = time.time  # the moment `results` compares with the rounds' closing times


def cmd_results(args: argparse.Namespace) -> int:
    """A contestant's own bundles into their training store: what the contest missed, merged weak spots and
    the practice that matches (sim.contest.takehome, sim.weakspots)."""
    from sim.contest.model import cst_time
    from sim.contest.takehome import take_home
    from sim.scoring import cite_label
    from sim.store import Store
    from sim.weakspots import article_spots, practice_cases, questions_for, rule_names

    contest = _contest(args.contest)
    person = contest.contestant(args.contestant)
    if person is None:
        raise UsageError(f"比武「{contest.name}」的名单中没有编号「{args.contestant}」")
    try:
        store = Store(args.home)  # created when missing: an officer may never have practised on this machine
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"无法打开数据目录 {args.home or ''}：{exc}") from None
    try:
        paths = args.bundles or [str(store.home / "contest-outbox")]
        missing = [b for b in paths if not Path(b).exists()]
        if missing:
            raise UsageError(f"找不到成绩包：{'、'.join(missing)}",
                             "在自己电脑上参赛时成绩包在数据目录的 contest-outbox 中；否则请写明组织者发回的文件夹。")
        library = _library(contest)
        trainee = args.trainee or store.get("trainee") or person.name
        now = cst_time(_clock())
        got = take_home(paths, contest, library, person.id, store, trainee=trainee, township=person.township,
                        now=now)
        spots = article_spots(store, library, trainee=trainee)
    finally:
        store.close()
    if not got.results and not got.refused:
        raise UsageError(f"给出的位置中没有参赛人员「{person.name}」（{person.id}）的成绩包"
                         + (f"（其他人员或其他比武的成绩包 {got.others} 份已略过）" if got.others else ""))
    missed_articles = list(dict.fromkeys(a for h in got.results for a in h.articles))
    missed_rules = list(dict.fromkeys(r for h in got.results for r in h.rules))
    weak = [w.article for w in spots[:5]]
    aim = list(dict.fromkeys(missed_articles + weak))
    offers = practice_cases(library, aim, missed_rules)
    questions = questions_for(library, aim)
    new = sum(h.stored for h in got.results)
    if args.json:
        print_json({
            "contest": contest.id, "contestant": person.id, "trainee": trainee, "imported": new,
            "already_stored": len(got.results) - new, "refused": [
                {"path": n.path, "code": n.code, "message": n.message} for n in got.refused],
            "others": got.others,
            "results": [{"round": h.round.id, "entry": h.entry, "title": h.title, "score": h.score,
                         "rules": list(h.rules), "articles": list(h.articles), "stored": h.stored}
                        for h in got.results],
            "weak_articles": [w.to_json() for w in spots],
            "practice": {"cases": [o.to_json() for o in offers], "questions": questions}})
        return EXIT_OK if not got.refused else EXIT_FAILED
    emit(f"比武「{contest.name}」：学员「{trainee}」（{person.id}，{person.township}）的成绩包 "
         f"{len(got.results) + len(got.refused)} 份，新导入学习记录 {new} 份"
         + (f"，此前已导入 {len(got.results) - new} 份" if len(got.results) > new else "")
         + (f"，未导入 {len(got.refused)} 份" if got.refused else "") + "。"
         + (f"其他人员或其他比武的成绩包 {got.others} 份已略过。" if got.others else ""))
    for n in got.refused:
        emit(f"✗ {Path(n.path).name}：{n.message}［{n.code}］")
    for h in got.results:
        emit("", f"■ {h.round.title}·{h.title}：{h.score} 分")
        case = h.entry.split("#", 1)[0]
        names = rule_names(library, "" if h.round.kind == "quiz" else case, h.rules)
        if not names and not h.articles:
            emit("  没有失分项。")
            continue
        for note in h.notes:  # an analysis: each mistake as its result screen says it
            emit(f"  失分：{note}")
        for title, cites in [] if h.notes else names:
            emit(f"  失分：{title}" + (f"（{cites}）" if cites else ""))
        if h.articles:
            emit("  涉及条文：" + "；".join(cite_label(a, library.articles) for a in h.articles))
    if spots:
        emit("", "薄弱条文（平时练习与比武合计，按出错次数）：")
        for w in spots[:8]:
            emit(f"  {w.label}：出错 {w.count} 次（演练 {w.play} 次，答题与案例分析 {w.sheets} 次，比武 {w.contest} 次）")
    if offers or questions:
        emit("", "建议练习：")
        for o in offers:
            emit(f"  案例「{o.title}」：lawdrill play {o.case}（案例分析在案例库中按 a）")
        if questions:
            emit(f"  专项答题：lawdrill drill --trainee {trainee}（题库中有 {questions} 道题考查这些条文）")
    return EXIT_OK if not got.refused else EXIT_FAILED


# --- the two UI commands: which round, then the app ----------------------------------------------------


def _pick_round(contest: Contest, contestant: Contestant, home: Path, now: float) -> Round | None:
    """The round open now; else one this contestant started and has not handed in completely (the window
    closed meanwhile): the app opens on it and hands the open cases in at once."""
    current = contest.round_at(dt.datetime.fromtimestamp(now, tz=dt.timezone.utc))
    if current is not None:
        return current
    for r in contest.rounds:
        if _pending(contest, contestant, home, r):
            return r
    return None


def _pending(contest: Contest, contestant: Contestant, home: Path, r: Round) -> bool:
    """Whether this contestant started round `r` here and has not handed all of it in."""
    from sim.store import Store

    from tui.contest.app import round_home
    from tui.contest.kinds import round_kind

    folder = round_home(home, contest, contestant, r)
    kind = round_kind(r.kind)
    if kind is None or not (folder / "lawdrill.sqlite3").is_file():
        return False
    store = Store(folder)
    try:
        return bool(kind.pending(store, r.cases))
    finally:
        store.close()


def _admission(contest: Contest, r: Round, home: Path, clock: Callable[[], float]) -> Callable[[str], str | None]:
    """Who may enter round `r` now (asked once the code has named the contestant, before it is used up):
    anyone while it is open; after it closed, only a contestant with cases still to hand in here."""
    from sim.contest.model import cst_time

    def admit(contestant_id: str) -> str | None:
        now = cst_time(clock())
        if now < r.opens:
            return f"「{r.title}」尚未开始，{r.opens:%m月%d日 %H:%M} 开始。"
        person = contest.contestant(contestant_id)
        if now >= r.closes and (person is None or not _pending(contest, person, home, r)):
            return f"「{r.title}」的比赛时间已于 {r.closes:%m月%d日 %H:%M} 结束，不能再进入。"
        return None

    return admit


def run_contest(
    contest: Contest,
    library: Library,
    contestant: Contestant | None,
    *,
    home: str | Path | None = None,
    out: str | Path | None = None,
    clock: Callable[[], float] = time.time,
    store_url: str | None = None,
    round_id: str | None = None,
    code: str | None = None,
    signin: bool = False,
) -> int:
    """`lawdrill contest run CONTEST --signin | --as ID [--code C]`: the app on the round open now (or
    `round_id`, or the one this contestant has still to hand in), behind the sign-in screen unless `code`
    was given and is good. The codes are in the contest store (`store_url`, default the SQLite file in the
    data directory); with `store_url` or `signin` each hand-in is stored there too (tui.contest.app). The
    command line has loaded the contest and checked the contestant and the terminal; what is wrong here (no
    round now, no codes issued, a bad code, a data directory that cannot be opened) is a UsageError."""
    from sim.contest import signin as codes
    from sim.contest.export import round_windows
    from sim.contest.model import KIND_NAMES, cst_time
    from sim.store import default_home

    from tui.contest.app import make_contest_app  # Textual only for the UI commands

    base = Path(home) if home is not None else default_home()
    now = clock()
    try:
        if round_id is not None:
            round_ = contest.round(round_id)
        elif contestant is not None:
            round_ = _pick_round(contest, contestant, base, now)
        else:  # the round open now, else the last one that opened (a contestant may have cases to hand in)
            at = dt.datetime.fromtimestamp(now, tz=dt.timezone.utc)
            round_ = contest.round_at(at) or next(
                (r for r in sorted(contest.rounds, key=lambda r: r.opens, reverse=True) if r.opens <= at), None)
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"无法打开数据目录 {base}：{exc}") from None
    if round_ is None:
        raise UsageError(
            f"现在（{cst_time(now):%Y-%m-%d %H:%M}）不在「{contest.name}」任何一轮的比赛时间内，不能开始答题。",
            "\n".join(["各轮比赛时间：", *round_windows(contest)]),
        )
    from tui.contest.kinds import ROUND_KINDS

    if round_.kind not in ROUND_KINDS:  # a kind the contest file accepts but this version cannot run
        raise UsageError(f"「{round_.title}」是{KIND_NAMES.get(round_.kind, round_.kind)}轮，本版本的比武界面不能作答这一轮。",
                         "可作答的轮次：" + "、".join(KIND_NAMES.get(k, k) for k in ROUND_KINDS) + "。")
    admit = _admission(contest, round_, base, clock)
    if contestant is not None and (reason := admit(contestant.id)) is not None:
        raise UsageError(reason, "\n".join(["各轮比赛时间：", *round_windows(contest)]))
    store = _store(argparse.Namespace(store=store_url, home=base))
    try:
        if not codes.any_codes(store, contest):
            raise UsageError(f"本次比武尚未发放签到码（成绩库 {store.url} 中没有），不能签到。",
                             f"组织者先运行「lawdrill contest codes {contest.path}」发放签到码；离线考场把该成绩库文件"
                             "随比武文件带到各电脑，运行时用 --store sqlite:///文件 指定。")
        desk = codes.SignInDesk(store, contest, round_.id, codes.place_of(base),
                                expected=contestant.id if contestant is not None else None, admit=admit, clock=clock)
        if code is not None:
            outcome = desk.attempt(code)
            if not outcome.ok:
                raise UsageError(f"签到失败：{outcome.message}", "请核对签到条上的签到码，或联系监考人员。")
        results = store if (store_url is not None or signin) else None
        try:
            app = make_contest_app(contest, round_, contestant, library, home=base, out=out, clock=clock,
                                   desk=desk, results=results)
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(f"无法打开数据目录 {base}：{exc}") from None
        app.run()
        return app.return_code or EXIT_OK
    finally:
        store.close()


def run_board(contest: Contest, store: ContestStore, *, round_id: str | None = None,
              clock: Callable[[], float] = time.time) -> int:
    """`lawdrill contest board CONTEST [--store URL] [--round R]` on a contest and store the command line
    opened (the board closes the store when it exits)."""
    from tui.contest.board import make_board_app  # Textual only for the UI commands

    app = make_board_app(contest, store, round_id=round_id, clock=clock)
    app.run()
    return app.return_code or EXIT_OK
