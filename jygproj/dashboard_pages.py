"""The dashboard server's own page (`jygproj dashboard`), in Chinese: the one a missing or wrong token
lands on. Loaded only inside the Voilà server process (the loading state is the template's:
jygproj.commands.dashboard.offline_template).

Jupyter's login page speaks English about "jupyter server list" and "Setup a Password" (issue 15): a
leader who opened a link without its token, or with a mistyped one, gets instead a page that says
so in Chinese and takes the token in a box. Voilà is told to use it by
``--Voila.identity_provider_class`` (jygproj.commands.dashboard.voila_command).
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jupyter_server.auth.identity import PasswordIdentityProvider
from voila.voila_identity_provider import VoilaLoginHandler

TITLE = "情景推演看板"


def _without_token(url: str) -> str:
    """The page to return to after logging in, without the (wrong) token it carried."""
    parts = urlsplit(url or "/")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "token"])
    return urlunsplit(("", "", parts.path or "/", query, ""))


def login_page(*, wrong: bool, next_url: str, xsrf_html: str) -> str:
    """The Chinese page for a missing or wrong token (``wrong``: a token was given and did not match)."""
    if wrong:
        why = "链接中的访问令牌不正确（可能复制不完整或已过期：看板每次启动会生成新的令牌）。"
    else:
        why = "打开看板需要访问令牌，当前链接中没有令牌。"
    action = html.escape("/login?" + urlencode({"next": next_url}), quote=True)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{TITLE}：需要访问令牌</title></head>
<body style="font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif;
 max-width: 40em; margin: 12vh auto; line-height: 1.8; color: #1a202c">
<h2 id="jyg-login-title">{TITLE}无法打开：需要访问令牌</h2>
<p id="jyg-login-why">{why}</p>
<p>请使用启动看板时窗口中显示的完整地址（地址末尾带有一串字母和数字，即访问令牌），或把令牌粘贴在下面：</p>
<form method="post" action="{action}">
{xsrf_html}
<label for="password">访问令牌：</label>
<input type="password" id="password" name="password" style="width: 22em" autofocus>
<button type="submit">打开看板</button>
</form>
<p style="color:#555">如不知道令牌，请联系启动看板的同事。</p>
</body></html>
"""


class DashboardLoginHandler(VoilaLoginHandler):
    """Voilà's login handler with the Chinese page (form field ``password`` as jupyter_server expects)."""

    def _render(self, message=None):
        next_url = self.get_argument("next", default=self.base_url)
        wrong = bool(message) or "token" in dict(parse_qsl(urlsplit(next_url).query))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.write(login_page(wrong=wrong, next_url=_without_token(next_url), xsrf_html=self.xsrf_form_html()))


class DashboardIdentityProvider(PasswordIdentityProvider):
    """jupyter_server's token check, with :class:`DashboardLoginHandler` as its login page (Voilà
    passes its own English one as an argument; this provider replaces it)."""

    def __init__(self, **kwargs):
        kwargs["login_handler_class"] = DashboardLoginHandler
        super().__init__(**kwargs)
