"""`lawdrill serve`: the trainee app, or a contest's rounds, in browsers on the local network (tui.serve)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tui.cli.common import EXIT_OK, AddCommand, UsageError, emit, library_option


def _minutes(text: str) -> float:
    if not re.fullmatch(r"\s*\d+(\.\d+)?\s*", text):
        raise argparse.ArgumentTypeError(f"「{text}」不是分钟数")
    return float(text)


def _positive(text: str) -> int:
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"「{text}」不是正整数")
    return int(text)


def add_commands(command: AddCommand) -> None:
    p = command("serve", "在局域网内以网页提供训练界面或比武答题",
                "在本机启动网页服务：学员在同一局域网内用浏览器打开即可训练或参加比武，不需要在每台电脑上安装。"
                "每个浏览器连接对应服务器上的一个程序；进度保存在服务器的数据目录中，关闭网页或服务器重启后可接着做。"
                "不加 --contest 时提供训练界面；加 --contest 时提供该比武的答题（签到码登录）并在 /board 提供成绩榜。",
                cmd_serve)
    p.add_argument("--contest", metavar="CONTEST", help="比武文件（YAML）：提供这次比武的答题和成绩榜")
    p.add_argument("--round", metavar="R", help="只开放某一轮（轮次编号；默认：当时正在进行的一轮）")
    p.add_argument("--store", metavar="URL",
                   help="比武成绩库地址（默认：数据目录中的 SQLite 文件；多台服务器共用请用 postgresql+psycopg://…）")
    library_option(p)
    p.add_argument("--mode", choices=["practice", "exam"], default="practice",
                   help="训练界面的模式：practice 练习（默认）；exam 考试")
    p.add_argument("--home", metavar="DIR",
                   help="服务器数据目录：每名学员的学习记录、比武进度和成绩库（默认：用户数据目录下的 serve）")
    p.add_argument("--host", default="0.0.0.0", metavar="ADDR",
                   help="监听地址（默认 0.0.0.0：局域网内均可访问；只在本机试用请用 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, metavar="N", help="端口（默认 8000）")
    p.add_argument("--max-sessions", type=_positive, default=60, metavar="N",
                   help="本机同时在线的会话上限（默认 60；满员时新来的浏览器看到「人数已满」的提示）")
    p.add_argument("--idle-timeout", type=_minutes, default=30.0, metavar="MIN",
                   help="无操作多少分钟后关闭会话（默认 30；0 表示不限；进度已保存，刷新页面即可继续）")


def cmd_serve(args: argparse.Namespace) -> int:
    from sim.store import default_home

    if not 0 < args.port < 65536:
        raise UsageError(f"端口 {args.port} 无效（应为 1-65535）")
    if args.contest is None and (args.round or args.store):
        raise UsageError("--round 和 --store 只用于比武（须同时给出 --contest CONTEST）")
    if args.contest is not None and args.library:
        raise UsageError("比武使用比武文件指定的案例库，不能再用 --library", "去掉 --library，或不加 --contest 提供训练界面。")
    home = Path(args.home) if args.home else default_home() / "serve"
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"无法创建数据目录 {home}：{exc.strerror or exc}") from None

    from tui.serve.server import LawdrillServer, ServeConfig  # aiohttp and textual-serve only for this command

    config = ServeConfig(home=home.resolve(), contest_path=args.contest, library=args.library, mode=args.mode,
                         round_id=args.round, max_sessions=args.max_sessions, idle_timeout=args.idle_timeout * 60)
    if args.contest is not None:
        server = _contest_server(args, config)
    else:
        from tui.cli.common import library_note, open_library

        library = open_library(args.library)  # bad paths and broken files are reported before serving
        library_note(library)
        if args.library:
            config.library = [str(Path(p).resolve()) for p in args.library]
        server = LawdrillServer(config, library=library)
    return _run(server, args.host, args.port)


def _contest_server(args: argparse.Namespace, config: object) -> object:
    from sim.contest import ContestError, ContestStore, load_contest

    from tui.cli.common import error_line, library_note, require_file
    from tui.serve.server import LawdrillServer

    require_file(args.contest, "比武文件")
    try:
        contest = load_contest(args.contest)
    except ContestError as exc:
        raise UsageError("比武文件有错误：\n" + "\n".join(error_line(p) for p in exc.problems),
                         f"运行「lawdrill contest check {args.contest}」查看详情。") from None
    if args.round and contest.round(args.round) is None:
        raise UsageError(f"比武「{contest.name}」没有轮次「{args.round}」（可用：{'、'.join(r.id for r in contest.rounds)}）")
    library = contest.load_library()
    library_note(library)
    config.contest_path = str(Path(args.contest).resolve())  # type: ignore[attr-defined]
    home = config.home / "contest"  # type: ignore[attr-defined]
    home.mkdir(parents=True, exist_ok=True)
    try:
        store = ContestStore.open(args.store, home=home)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except ModuleNotFoundError as exc:
        raise UsageError(f"缺少数据库驱动 {exc.name}：连接 PostgreSQL 请安装 lawdrill[postgres]") from None
    except Exception as exc:  # noqa: BLE001 - any driver's connection failure reads the same to the organiser
        if type(exc).__module__.startswith("sqlalchemy"):
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise UsageError(f"无法打开成绩库 {args.store or '（默认 SQLite 文件）'}：{reason}") from None
        raise
    from sim.contest import signin

    if not signin.any_codes(store, contest):
        store.close()
        raise UsageError(f"本次比武尚未发放签到码（成绩库 {store.url} 中没有），参赛人员无法签到。",
                         f"先运行「lawdrill contest codes {args.contest}"
                         + (f" --store {args.store}" if args.store else f" --home {home}")
                         + "」发放签到码并打印签到条。")
    config.store_url = store.engine.url.render_as_string(hide_password=False)  # type: ignore[attr-defined]
    return LawdrillServer(config, contest=contest, store=store, library=library)  # type: ignore[arg-type]


def _run(server: object, host: str, port: int) -> int:
    from aiohttp import web

    from tui.serve.server import LawdrillServer

    assert isinstance(server, LawdrillServer)
    app = server.make_app()
    shown = host
    if host in ("0.0.0.0", "::", ""):
        import socket

        try:
            shown = socket.gethostbyname(socket.gethostname())
        except OSError:
            shown = "127.0.0.1"
    base = f"http://{shown}:{port}"

    async def announce(_app: web.Application) -> None:
        what = f"比武「{server.contest.name}」答题" if server.contest is not None else "训练界面"
        emit(f"{what}已启动：请在浏览器中打开 {base}/")
        if server.board_key is not None:
            emit(f"成绩榜（投影用）：{base}/board/", f"收卷情况：{base}/board/collection",
                 f"组织者控制页（揭晓用，勿公开）：{base}/board/control?key={server.board_key}")
        emit(f"数据目录：{server.config.home}", f"同时在线上限 {server.config.max_sessions} 人；按 Ctrl+C 停止。")

    app.on_startup.append(announce)
    try:
        web.run_app(app, host=host, port=port, print=None, handle_signals=True, shutdown_timeout=30)
    except OSError as exc:
        raise UsageError(f"无法在 {host}:{port} 启动网页服务：{exc.strerror or exc}",
                         "端口可能已被占用：用 --port 换一个端口。") from None
    finally:
        if server.store is not None:
            server.store.close()
    left = server.live_processes()
    if left:
        emit(f"注意：仍有 {len(left)} 个程序未退出（进程号 {'、'.join(map(str, left))}）。")
    else:
        emit("已停止，所有会话均已结束。")
    return EXIT_OK
