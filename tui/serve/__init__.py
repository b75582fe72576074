"""`lawdrill serve`: the trainee app and contest rounds in browsers on the local network (textual-serve).

server   the aiohttp application: the sign-in and terminal pages (our own template, every file served from
         here: no external font or script), one app process per websocket connection in its own process group,
         reaped on disconnect, idle timeout and shutdown; per-host limits; the web board at /board in a contest
page    the HTML pages and the font stack (CJK fallbacks by local font names only)
"""
