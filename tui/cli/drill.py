"""`lawdrill drill`: a short knowledge paper aimed at a trainee's weakest articles, answered in the terminal.

The articles come from the local history (sim.weakspots.article_spots: rules broken in play, questions and
case analyses missed); the paper is drawn by a seed from the questions testing them, topped up from the whole
bank. Answers are read one line per question from standard input (a pipe works as well as a keyboard); the
finished paper is scored, every missed question shown with its answer and citation, and the sheet recorded
in the store, where it feeds the same weak-spot statistics.

Like every module of tui.cli this imports only the standard library at the top.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from typing import Any

from tui.cli.common import (
    EXIT_OK, AddCommand, UsageError, count_arg, emit, library_note, library_option, open_library, require_paths,
)

_TRUE = {"对", "正确", "是", "√", "t", "true", "y", "yes"}
_FALSE = {"错", "错误", "否", "×", "x", "f", "false", "n", "no"}


def add_commands(command: AddCommand) -> None:
    p = command("drill", "薄弱条文专项练习（答题）",
                "按学习记录中最常出错的法律条文（演练触犯的规则、答错的题和案例分析的失分项）抽一份短试卷，\n"
                "在终端逐题作答：选择题输入字母（多选如 ACD），判断题输入 对 或 错，填空题输入数字或期限（如 15日）。\n"
                "交卷后显示得分、答错的题的正确答案和法律依据，并计入学习记录。没有学习记录时从全部题目中抽题。",
                cmd_drill)
    p.add_argument("--trainee", metavar="NAME", help="学员姓名（默认：训练界面上次使用的姓名）")
    p.add_argument("--questions", type=count_arg, default=10, metavar="N", help="题量（默认 10，1 到 50）")
    p.add_argument("--seed", type=count_arg, metavar="N", help="随机种子（默认按时间；同一种子同一试卷）")
    p.add_argument("--home", metavar="DIR", help="学习记录保存目录（默认：用户数据目录，或环境变量 LAWDRILL_HOME）")
    library_option(p)
    from sim.quizfamilies import FAMILY_LABELS

    p = command("paper", "打印法律知识试卷（审题、纸面考试）",
                "按随机种子从题库抽一份试卷并打印（同一种子、同一题库得到同一份试卷，与知识竞赛轮次的抽题方法相同）。\n"
                "加 --answers 在卷末列出每题的答案、法律依据和出题来源，供出题人逐题审核。\n"
                "题型类别：" + "、".join(f"{k}（{v}）" for k, v in FAMILY_LABELS.items()), cmd_paper)
    p.add_argument("--seed", type=count_arg, required=True, metavar="N", help="随机种子")
    p.add_argument("--questions", type=count_arg, default=30, metavar="N", help="题量（默认 30，1 到 200）")
    p.add_argument("--family", action="append", choices=sorted(FAMILY_LABELS), metavar="类别",
                   help="只抽这一类题（可重复；默认全部类别）")
    p.add_argument("--answers", action="store_true", help="卷末附答案和依据")
    library_option(p)


def cmd_paper(args: argparse.Namespace) -> int:
    from sim.quiz import QKind, draw_paper, question_bank
    from sim.quizfamilies import FAMILY_LABELS
    from sim.scoring import cite_labels

    if not 1 <= args.questions <= 200:
        raise UsageError("题量应在 1 到 200 之间")
    lib = open_library(args.library)
    library_note(lib)
    families = set(args.family or FAMILY_LABELS)
    bank = question_bank(lib)
    pool = [q for q in bank if q.family in families]
    if len(pool) < args.questions:
        raise UsageError(f"所选类别只有 {len(pool)} 道题，不够抽 {args.questions} 道",
                         "减少 --questions，或者去掉 --family 的限制")
    paper = draw_paper(bank, args.seed, args.questions, keep=lambda q: q.family in families)
    emit(f"法律知识试卷（随机种子 {args.seed}，共 {len(paper.items)} 题，试卷校验码 {paper.digest[:12]}）", "")
    for item in paper.items:
        q = item.question
        emit(f"{item.number}. 【{q.kind.label}】{q.stem}")
        for o in item.options():
            emit(f"   {item.letter(o.id)}. {o.label}")
    if args.answers:
        emit("", "答案与依据")
        for item in paper.items:
            q = item.question
            right = ("".join(sorted(item.letter(a) for a in q.answer)) + f"（{q.answer_text()}）"
                     if q.kind in (QKind.SINGLE, QKind.MULTIPLE) else q.answer_text())
            emit(f"{item.number}. {right}。依据：{cite_labels(q.articles, lib.articles)}。"
                 f"类别：{FAMILY_LABELS.get(q.family, q.family)}")
    return EXIT_OK


def parse_response(item: Any, text: str) -> Any:
    """A typed line as the question's response: letters for choice questions, 对/错 for true/false, the text
    itself for a number or a period. None when it cannot be read (the question counts as wrong)."""
    from sim.quiz import QKind

    q = item.question
    text = text.strip()
    if not text:
        return None
    if q.kind is QKind.TRUEFALSE:
        low = text.lower()
        return "true" if low in _TRUE else "false" if low in _FALSE else None
    if q.kind in (QKind.SINGLE, QKind.MULTIPLE):
        letters = [c for c in text.upper() if c.strip() and c not in ",，、 "]
        ids = []
        for c in letters:
            n = ord(c) - ord("A")
            if not 0 <= n < len(item.order):
                return None
            ids.append(item.order[n])
        return ids
    return text


def cmd_drill(args: argparse.Namespace) -> int:
    from sim.quiz import QKind, score_paper
    from sim.scoring import cite_labels
    from sim.store import Store
    from sim.weakspots import drill_paper

    if not 1 <= args.questions <= 50:
        raise UsageError("题量应在 1 到 50 之间")
    if args.home is not None:
        require_paths([args.home], "学习记录目录")
    lib = open_library(args.library)
    library_note(lib)
    try:
        store = Store(args.home)
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"无法打开学习记录目录 {args.home or ''}：{exc}") from None
    try:
        trainee = args.trainee or store.get("trainee")
        if not trainee:
            raise UsageError("请用 --trainee 写明学员姓名")
        seed = args.seed if args.seed is not None else int(time.time())
        paper, spots = drill_paper(store, lib, seed, args.questions, trainee=trainee)
        if not paper.items:
            raise UsageError("题库中没有题目")
        if spots:
            emit(f"学员「{trainee}」的薄弱条文：" + "；".join(f"{w.label}（出错 {w.count} 次）" for w in spots))
        else:
            emit(f"学员「{trainee}」还没有学习记录：本次从全部题目中抽题。")
        emit(f"专项练习：共 {len(paper.items)} 题（随机种子 {seed}）。每题输入答案后按回车；直接回车表示不作答。", "")
        answers: dict[str, Any] = {}
        for item in paper.items:
            q = item.question
            emit(f"{item.number}. 【{q.kind.label}】{q.stem}")
            for o in item.options():
                emit(f"   {item.letter(o.id)}. {o.label}")
            line = sys.stdin.readline()
            if not line:  # end of input: the rest is left blank
                emit("（输入已结束，其余题目按未作答计）")
                break
            answers[q.id] = parse_response(item, line)
        result = score_paper(paper, answers)
        store.record_sheet(trainee=trainee, kind="quiz", ref="drill", title="薄弱条文专项练习", score=result.points,
                           rules=result.missed_rules, articles=result.missed_articles, finished=time.time(),
                           township=store.get("township"))
    finally:
        store.close()
    emit("", f"得分：{result.points} 分（答对 {result.correct} / {result.total} 题）。")
    for r in result.results:
        if r.correct:
            continue
        item = paper.items[r.number - 1]
        q = item.question
        if q.kind in (QKind.SINGLE, QKind.MULTIPLE):
            right = "".join(sorted(item.letter(a) for a in q.answer)) + f"（{q.answer_text()}）"
        else:
            right = q.answer_text()
        emit(f"第 {r.number} 题答错。正确答案：{right}。依据：{cite_labels(q.articles, lib.articles)}"
             + (f"。{q.explain}" if q.explain else ""))
    return EXIT_OK
