"""The pages `lawdrill serve` sends: the sign-in form, the contest landing page, the terminal page (our own
template in place of textual-serve's, which links Google Fonts), and the notices (host full, link expired).

Every file a page names is served by this server: textual-serve's own xterm.css, textual.js and Roboto Mono
under /static. Chinese text in the terminal needs a CJK font, and the terminal's font family is fixed in
textual.js ('Roboto Mono', Monaco, 'Courier New', monospace); so the template defines "Roboto Mono" as a
composite face: the shipped Roboto Mono for Latin, and for the CJK ranges the first CJK font installed on
the browser's machine, found by local() names only (Noto / Source Han on Linux, Microsoft YaHei on Windows,
PingFang on macOS). Nothing is fetched from anywhere else; the Content-Security-Policy header says so to the
browser too.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from aiohttp import web

# CJK ranges: radicals, punctuation, kana, bopomofo, enclosed and compatibility forms, ideographs (BMP,
# extension A and B-F), compatibility ideographs, vertical and fullwidth forms.
CJK_RANGES = ("U+2E80-2FDF, U+3000-303F, U+3040-30FF, U+3100-312F, U+3190-31FF, U+3200-33FF, U+3400-4DBF, "
              "U+4E00-9FFF, U+F900-FAFF, U+FE10-FE1F, U+FE30-FE4F, U+FF00-FFEF, U+20000-2FA1F")
# Full names and PostScript names as local() matches them; monospaced faces first (a CJK ideograph fills two
# terminal cells either way, but the punctuation of a mono face sits better in the grid).
CJK_LOCAL_FONTS = ("Noto Sans Mono CJK SC", "NotoSansMonoCJKsc-Regular", "Noto Sans CJK SC", "NotoSansCJKsc-Regular",
                   "Source Han Sans SC", "SourceHanSansSC-Regular", "Noto Sans SC", "WenQuanYi Zen Hei Mono",
                   "WenQuanYi Micro Hei Mono", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
                   "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC")
PAGE_FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", '
              '"PingFang SC", sans-serif')


def csp(request: web.Request) -> str:
    """Only this server: scripts, styles, fonts, images and the websocket back to the same host."""
    host = request.host
    return ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            f"font-src 'self'; img-src 'self' data:; connect-src 'self' ws://{host} wss://{host}; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def font_faces(static: str) -> str:
    sources = ", ".join(f'local("{name}")' for name in CJK_LOCAL_FONTS)
    return (
        f'@font-face{{font-family:"Roboto Mono";src:url("{static}fonts/RobotoMono-VariableFont_wght.ttf") '
        f'format("truetype");font-weight:100 700;unicode-range:U+0000-2E7F;}}\n'
        f'@font-face{{font-family:"Roboto Mono";src:{sources};unicode-range:{CJK_RANGES};}}\n'
    )


_FORM_CSS = """
*{box-sizing:border-box}
body{font-family:%(fonts)s;margin:0;background:#0c181f;color:#f2f2f2;font-size:18px;line-height:1.5}
main{max-width:34em;margin:8vh auto;padding:1.5em 2em;background:#12232d;border-radius:.4em}
h1{font-size:1.5em;margin:0 0 .6em}p{margin:.5em 0}.note{color:#b8c4cc;font-size:.85em}
label{display:block;margin:.8em 0 .2em}
input{font:inherit;width:100%%;padding:.35em .5em;border-radius:.2em;border:1px solid #46606e;background:#0c181f;
color:#fff}
button,a.button{font:inherit;display:inline-block;margin-top:1em;padding:.45em 1.6em;background:#8b0000;color:#fff;
border:none;border-radius:.2em;text-decoration:none;cursor:pointer}
.error{background:#5c1a1a;padding:.4em .8em;border-radius:.2em}
a{color:#9cc3ff}
""" % {"fonts": PAGE_FONTS}


def html_page(request: web.Request, title: str, body: Sequence[str], *, status: int = 200,
              head: str = "", css: str = _FORM_CSS) -> web.Response:
    text = ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{_e(title)}</title><style>{css}</style>{head}</head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    return web.Response(text=text, content_type="text/html", charset="utf-8", status=status,
                        headers={"Content-Security-Policy": csp(request), "Cache-Control": "no-store",
                                 "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


def signin_page(request: web.Request, title: str, *, error: str = "", name: str = "", township: str = "",
                status: int = 200) -> web.Response:
    body = [f"<main><h1>{_e(title)}</h1>",
            "<p>请填写姓名和所在乡镇后开始训练。学习记录保存在本服务器上：关闭网页或服务器重启后，"
            "用同样的姓名和乡镇再次进入，即可接着上次的进度。</p>"]
    if error:
        body.append(f'<p class="error" role="alert">{_e(error)}</p>')
    body += ['<form method="post" action="/start">',
             f'<label for="name">姓名</label><input id="name" name="name" maxlength="20" required '
             f'autocomplete="name" value="{_e(name)}" autofocus>',
             f'<label for="township">乡镇（街道）</label><input id="township" name="township" maxlength="30" '
             f'value="{_e(township)}">',
             '<button type="submit" id="start">开始训练</button></form>',
             '<p class="note">同一姓名和乡镇视为同一名学员；同一学员在新窗口进入时，原窗口自动断开。</p></main>']
    return html_page(request, title, body, status=status)


def contest_landing(request: web.Request, title: str, rounds: Sequence[str], board: bool) -> web.Response:
    body = [f"<main><h1>{_e(title)}</h1>",
            "<p>点击「进入答题」后，在答题界面输入考务人员发给您的签到码。答题进度随时保存在本服务器上，"
            "关闭网页后重新进入并签到即可继续。</p>"]
    if rounds:
        body.append("<p class=\"note\">各轮比赛时间：<br>" + "<br>".join(_e(r) for r in rounds) + "</p>")
    body.append('<a class="button" id="enter" href="/play/round">进入答题</a>')
    if board:
        body.append('<p class="note"><a href="/board/">成绩榜</a>　<a href="/board/collection">收卷情况</a></p>')
    body.append("</main>")
    return html_page(request, title, body)


def notice_page(request: web.Request, title: str, lines: Sequence[str], *, status: int,
                retry: bool = True) -> web.Response:
    body = [f"<main><h1>{_e(title)}</h1>", *(f"<p>{_e(line)}</p>" for line in lines)]
    if retry:
        body.append('<a class="button" href="/">返回首页</a>')
    body.append("</main>")
    return html_page(request, title, body, status=status)


_TERMINAL_CSS = """
%(faces)s
html,body{margin:0;height:100%%;background:#0c181f}
body{font-family:%(fonts)s}
#terminal{position:absolute;inset:0;padding:2px}
.dialog{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;z-index:10;
background:#0c181f}
.box{min-width:22em;max-width:36em;padding:1.5em 2em;font-size:18px;text-align:center;color:#f2f2f2;
background:#12232d;border-radius:.4em}
.box button{font:inherit;margin-top:1em;padding:.45em 1.6em;background:#8b0000;color:#fff;border:none;
border-radius:.2em;cursor:pointer}
body.-first-byte .connecting{display:none}
body .textual-terminal{opacity:0;transition:opacity .3s ease-out}
body.-first-byte .textual-terminal{opacity:1}
.closed{display:none}
body.-closed .closed{display:flex}
"""

# textual.js starts the terminal on window.onload; hold that until the terminal font's faces have loaded
# (the CJK one from a local font, or failed for want of one), so xterm.js measures and draws the first
# screen with them rather than with a fallback it would keep.
_TERMINAL_SCRIPT = """
function reconnect(){window.location.href=window.location.pathname;}
(function(){
  var start = window.onload; window.onload = null;
  window.addEventListener("load", function(event){
    var faces = [];
    document.fonts.forEach(function(f){
      if (f.family.replace(/["']/g, "") === "Roboto Mono") faces.push(f.load().catch(function(){ return null; }));
    });
    Promise.all(faces).then(function(){ if (start) start(event); });
  });
})();
"""


def terminal_page(request: web.Request, title: str, websocket_url: str, *, font_size: int = 16) -> web.Response:
    """The page that hosts one app session: textual.js opens the websocket named in data-session-websocket-url
    and draws the app with xterm.js."""
    static = "/static/"
    css = _TERMINAL_CSS % {"faces": font_faces(static), "fonts": PAGE_FONTS}
    head = (f'<link rel="stylesheet" href="{static}css/xterm.css">'
            f'<script src="{static}js/textual.js"></script><script>{_TERMINAL_SCRIPT}</script>')
    body = [
        '<div class="dialog connecting"><div class="box">正在连接，请稍候……</div></div>',
        '<div class="dialog closed"><div class="box"><p id="closed-message">连接已断开。进度已保存在服务器上。</p>'
        '<button type="button" id="reconnect" onclick="reconnect()">重新连接</button></div></div>',
        f'<div id="terminal" class="textual-terminal" data-session-websocket-url="{_e(websocket_url)}" '
        f'data-font-size="{int(font_size)}"></div>',
    ]
    return html_page(request, title, body, head=head, css=css)
