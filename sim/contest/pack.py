"""`lawdrill contest pack`: everything a room without a server needs, in one folder or zip — the contest file,
its key, the pinned case library, the installation wheels (when given) and the instructions in Chinese.

The library is copied file for file (the bundled laws, procedures and cases, and every library path the
contest names) and the packed contest file points at the copy, so a machine with another lawdrill version
still plays exactly the cases the contest pins: the pack is checked by loading it back and comparing every
round case's content hash with the organiser's. A manifest lists the SHA-256 of every file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ..loader import bundled_scenarios, library_files
from .export import limit_text
from .model import Contest, ContestError, load_contest, split_case_ref

if TYPE_CHECKING:
    from .store import ContestStore

CONTEST_FILE = "contest.yaml"
CODES_FILE = "codes.sqlite3"  # the sign-in codes (digests only) the room's machines check
INSTRUCTIONS = "说明.txt"
MANIFEST = "manifest.json"


class PackError(Exception):
    """Why a pack could not be written (Chinese, for the organiser)."""


@attrs.frozen
class PackResult:
    path: Path  # the folder or the zip written
    files: int
    cases: int  # round cases whose content hash was checked in the packed library
    wheels: int


def set_top_key(text: str, key: str, value: str) -> str:
    """Replace the top-level `key:` entry of a block-style YAML document (its line and the indented lines
    under it) by `key: value`, keeping every other line and comment; append it when the key is missing."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(rf"{re.escape(key)}\s*:", line)), None)
    new = f"{key}: {value}"
    if start is None:
        return text.rstrip("\n") + f"\n# Written by `lawdrill contest pack`.\n{new}\n"
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t", "-")) or not lines[end].strip()):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key stay
    return "\n".join([*lines[:start], new, *lines[end:]]) + "\n"


def _library_layout(contest: Contest) -> list[tuple[Path, str]]:
    """(source file, path inside the pack's library/) for every file the contest's library reads."""
    root = bundled_scenarios().resolve()
    given = [Path(p).resolve() for p in contest.library]
    out: list[tuple[Path, str]] = []
    for f in library_files(list(contest.library) or None):
        f = f.resolve()
        for i, g in enumerate(given, 1):
            if f == g:
                out.append((f, f"{i}-{g.name}"))
                break
            if g.is_dir() and f.is_relative_to(g):
                out.append((f, f"{i}-{g.name}/{f.relative_to(g).as_posix()}"))
                break
        else:
            rel = f.relative_to(root).as_posix() if f.is_relative_to(root) else f"extra/{f.name}"
            out.append((f, f"base/{rel}"))
    return out


def _instructions(contest: Contest, has_wheels: bool, key_note: str, has_codes: bool = True) -> str:
    rounds = "\n".join(f"　　{r.title}：{r.opens:%Y-%m-%d %H:%M} 至 {r.closes:%Y-%m-%d %H:%M}（北京时间），"
                       f"限时 {limit_text(r.time_limit)}" for r in contest.rounds)
    if contest.relative_to is not None:
        rounds += "\n　　（比武文件中的时间相对于读取当天计算，以上按制作本包当天列出。）"
    install = ("　　pip install --no-index --find-links wheels lawdrill" if has_wheels else
               "　　本包未附安装文件。组织者请在一台能上网、操作系统和 Python 版本与比赛电脑相同的电脑上，\n"
               "　　在 lawdrill 源代码目录运行：\n"
               "　　　　pip wheel . -w wheels\n"
               "　　把得到的 wheels 文件夹放进本包（或重新运行 lawdrill contest pack 并加 --wheels wheels），\n"
               "　　再在每台电脑上运行：\n"
               "　　pip install --no-index --find-links wheels lawdrill")
    codes_line = f"\n　　{CODES_FILE}　签到码库（只存签到码的校验值）" if has_codes else ""
    store = f" --store sqlite:///{CODES_FILE}" if has_codes else " --store 签到码库地址"
    codes_note = (f"{CODES_FILE} 是签到码库，\n　　只存签到码的校验值，不存签到码本身。" if has_codes else
                  "本包未附签到码库：\n　　请向组织者索取（组织者用 contest codes 发放后重新打包）。")
    return f"""{contest.name} · 离线比武包

一、包内文件
　　{CONTEST_FILE}　比武文件（轮次、名单、时限、排名规则）
　　keys/　　　　　成绩包签名密钥（{key_note}）
　　library/　　　 本次比武使用的案例库（已固定版本，与组织者的完全一致）
　　wheels/　　　　lawdrill 及其依赖的安装文件{"" if has_wheels else "（本包未附，见下文）"}{codes_line}
　　{MANIFEST}　 每个文件的 SHA-256 校验值与各案例的内容校验值

二、安装（每台电脑一次，不需要联网）
　　1. 安装 Python 3.11 或更高版本。
　　2. 在本包所在文件夹打开命令行，建立独立环境：
　　　　python -m venv lawdrill-venv
　　　　Windows：lawdrill-venv\\Scripts\\activate　　其他系统：. lawdrill-venv/bin/activate
　　3. 从本地安装文件安装：
{install}

三、赛前检查
　　lawdrill contest check {CONTEST_FILE}
　　显示“检查通过”即可。

四、比赛
　　lawdrill contest run {CONTEST_FILE} --as 参赛编号{store} --out 成绩包
　　打开后输入本人签到条上的签到码（也可在命令末尾加 --code 签到码）；{codes_note}
　　时间到自动交卷；成绩包写入“成绩包”文件夹。请勿修改或删除其中的文件。
　　各轮时间：
{rounds}

五、收卷
　　把每台电脑的“成绩包”文件夹复制到U盘交给组织者。组织者运行：
　　　　lawdrill contest import 比武文件 成绩包所在目录
　　　　lawdrill contest collection 比武文件
　　后一条命令列出谁已交齐、谁还没交。同一份成绩包导入两次不会重复计分。
"""


def pack_contest(contest: Contest, out: str | Path, *, wheels: str | Path | None = None,
                 codes: ContestStore | None = None) -> PackResult:
    """Write the pack of `contest` to `out`: a folder (which must not exist or be empty), or a zip when `out`
    ends with .zip. `wheels`: a folder of *.whl files to ship (lawdrill and its dependencies). `codes`: the
    store the contest's sign-in codes were issued into; their digests go into the pack's codes.sqlite3."""
    out = Path(out)
    as_zip = out.suffix.lower() == ".zip"
    if out.exists() and (as_zip or not out.is_dir() or any(out.iterdir())):
        raise PackError(f"输出位置已存在：{out}（请换一个新的文件夹名或 zip 文件名）")
    if not out.parent.exists():
        raise PackError(f"输出目录不存在：{out.parent}")
    wheel_files: list[Path] = []
    if wheels is not None:
        wdir = Path(wheels)
        if not wdir.is_dir():
            raise PackError(f"找不到安装文件目录：{wdir}")
        wheel_files = sorted(wdir.glob("*.whl"))
        if not any(w.name.lower().startswith("lawdrill-") for w in wheel_files):
            raise PackError(f"安装文件目录 {wdir} 中没有 lawdrill 的安装文件（lawdrill-*.whl）",)
    with tempfile.TemporaryDirectory(prefix="lawdrill-pack-") as tmp:
        stage = Path(tmp) / contest.id
        stage.mkdir()
        layout = _library_layout(contest)
        for src, rel in layout:
            dest = stage / "library" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        text = Path(contest.path).read_text(encoding="utf-8")
        # Every library path: the bundled base first, then the contest's own, in its order (later ones win).
        own = {rel.split("/")[0] for _src, rel in layout if not rel.startswith("base/")}
        paths = ["library/base", *(f"library/{d}" for d in sorted(own, key=lambda r: int(r.split("-")[0])))]
        text = set_top_key(text, "library", "[" + ", ".join(json.dumps(p, ensure_ascii=False) for p in paths) + "]")
        key_note = "随比武文件分发给比赛电脑，不要张贴或外传"
        if re.search(r"(?m)^key_file\s*:", text):
            (stage / "keys").mkdir()
            (stage / "keys" / "contest.key").write_bytes(contest.key + b"\n")
            text = set_top_key(text, "key_file", "keys/contest.key")
        elif re.search(r"(?m)^key_env\s*:", text):
            key_note = "本比武的密钥取自环境变量，未放入本包：比赛电脑上须设置同一环境变量"
        else:
            key_note = "本比武的密钥直接写在比武文件中（不推荐）"
        (stage / CONTEST_FILE).write_text(text, encoding="utf-8")
        if codes is not None:
            from .signin import copy_codes
            from .store import ContestStore

            room = ContestStore.open(f"sqlite:///{(stage / CODES_FILE).resolve()}")
            try:
                if copy_codes(codes, room, contest) == 0:
                    raise PackError(f"成绩库 {codes.url} 中没有本次比武的签到码，离线考场无法签到：请先运行 "
                                    "lawdrill contest codes 发放（与打包用同一 --store / --home）")
            finally:
                room.close()
        if wheel_files:
            (stage / "wheels").mkdir()
            for w in wheel_files:
                shutil.copyfile(w, stage / "wheels" / w.name)
        # The pack is checked by loading it back: the same key, every round case with the same content.
        try:
            packed = load_contest(stage / CONTEST_FILE, today=contest.relative_to)
        except ContestError as exc:
            raise PackError("打包后的比武文件无法读取：" + "；".join(p.message for p in exc.problems)) from None
        ours, theirs = contest.load_library(), packed.load_library()
        checked = 0
        hashes: dict[str, str] = {}
        from .papers import SHEETS, SheetError

        for r in contest.rounds:
            for ref in r.cases:
                case = split_case_ref(ref)[0]
                if r.kind in SHEETS:  # pinned as the sheet kind pins it (a paper by its digest, a case by its hash)
                    try:
                        a_hash, b_hash = (SHEETS[r.kind].content_hash(r, case, lib) for lib in (ours, theirs))
                    except SheetError:
                        a_hash, b_hash = "", None
                    paper = case not in ours.scenarios  # an entry that is no case: the round's paper
                    name = f"{r.id}/{case}" if paper else case
                    if a_hash != b_hash:
                        what = f"轮次「{r.title}」的试卷" if paper else f"案例「{case}」"
                        raise PackError(f"打包后的{what}与组织者的版本不一致，未生成比武包")
                    hashes[name] = a_hash
                    checked += 1
                    continue
                a, b = ours.scenarios.get(case), theirs.scenarios.get(case)
                if a is None or b is None or a.content_hash != b.content_hash:
                    raise PackError(f"打包后的案例「{case}」与组织者的版本不一致，未生成比武包")
                hashes[case] = a.content_hash
                checked += 1
        if packed.key != contest.key:
            raise PackError("打包后的比武文件读到的密钥与原文件不同，未生成比武包")
        (stage / INSTRUCTIONS).write_text(_instructions(contest, bool(wheel_files), key_note, codes is not None), encoding="utf-8")
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        manifest = {"format": "lawdrill-contest-pack", "version": 1, "contest": contest.id,
                    "cases": dict(sorted(hashes.items())),
                    "files": {p.relative_to(stage).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                              for p in files}}
        (stage / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        if as_zip:
            partial = out.with_name(out.name + ".part")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
                for p in files:
                    z.write(p, f"{contest.id}/{p.relative_to(stage).as_posix()}")
            os.replace(partial, out)
        else:
            out.mkdir(exist_ok=True)
            for p in files:
                dest = out / p.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(p, dest)
    return PackResult(out, len(files), checked, len(wheel_files))
