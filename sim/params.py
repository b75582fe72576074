"""The built-in catalogue of act parameters.

A procedure template lists, for each action, which of these parameters the trainee fills in; a template may
add its own parameters (`params:` in the template) when a case type needs one. Labels are what the
parameter form shows.
"""

from __future__ import annotations

from .model import Option, ParamKind, ParamSpec


def _opts(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(i, label) for i, label in pairs)


SERVICE_METHODS = _opts(
    ("direct", "直接送达（受送达人签收）"),
    ("family", "交同住成年家属签收"),
    ("leave", "留置送达（拒收时留置）"),
    ("post", "邮寄送达"),
    ("electronic", "电子送达"),
    ("entrusted", "委托送达"),
    ("public_notice", "公告送达"),
)

SERVICE_PROOFS = _opts(
    ("signature", "受送达人签名并注明日期"),
    ("relation", "注明代收人与受送达人的关系"),
    ("witness", "基层组织或单位代表到场见证并签名"),
    ("photo_video", "拍照、录像记录留置过程"),
    ("receipt", "邮件回执"),
    ("consent", "当事人签署的电子送达确认书"),
    ("delivery_record", "电子送达到达系统的记录"),
    ("attempts", "记明此前送达方法均无法送达的原因和经过"),
    ("server_signatures", "两名送达人签名"),
)

PENALTY_KINDS = _opts(
    ("warning", "警告"),
    ("criticism", "通报批评"),
    ("fine", "罚款"),
    ("confiscation", "没收违法所得、没收非法财物"),
    ("revoke", "降低资质等级、吊销许可证件"),
    ("suspend", "责令停产停业、责令关闭"),
    ("demolish", "限期拆除"),
    ("correct", "责令限期改正"),
    ("none", "不予行政处罚"),
)

BUILTIN: dict[str, ParamSpec] = {
    p.id: p
    for p in (
        ParamSpec("officers", "执法人员", ParamKind.OFFICERS, help="在场执法人员（从执法队员中选择）"),
        ParamSpec("credentials_shown", "已出示执法证件", ParamKind.BOOL),
        ParamSpec("recorded", "全程音像记录", ParamKind.BOOL),
        ParamSpec("record_made", "制作笔录并经当事人核对签名", ParamKind.BOOL),
        ParamSpec("evidence", "收集的证据", ParamKind.EVIDENCE),
        ParamSpec("method", "送达方式", ParamKind.CHOICE, SERVICE_METHODS),
        ParamSpec("proof", "送达凭证", ParamKind.CHOICES, SERVICE_PROOFS),
        ParamSpec("target", "所涉文书", ParamKind.TARGET, help="送达或执行哪一份已制作的文书"),
        ParamSpec("penalty_kind", "处罚种类", ParamKind.CHOICE, PENALTY_KINDS),
        ParamSpec("amount", "罚款金额（元）", ParamKind.AMOUNT),
        ParamSpec("scheduled_at", "定于（日期时间）", ParamKind.DATETIME),
        ParamSpec("approved", "经行政机关负责人批准", ParamKind.BOOL),
        ParamSpec("urgent", "情况紧急、当场实施", ParamKind.BOOL),
        ParamSpec("words", "对当事人所说的话", ParamKind.PHRASE),
        ParamSpec("document", "文书内容", ParamKind.DOCUMENT),
        ParamSpec("note", "备注", ParamKind.TEXT),
    )
}

# Attributes every act has besides its parameters (readable as act.X in rule expressions).
ACT_BUILTINS = ("name", "at", "date", "effective", "index")
