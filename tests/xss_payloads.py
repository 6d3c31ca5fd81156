"""A corpus of hostile input for the XSS test (tests/test_xss.py).

Every payload, if it ever runs, calls ``__xss(<id>)``: the browser test defines that hook before
any page script and reads back which ids fired. The templates below use ``§`` for the call and
``¤`` for the bare id; ``payloads()`` numbers them from 1. Payloads that hide the call (base64,
character codes) end with a ``//__xss(<id>)`` comment so that the test can still see that the
payload text reached the page.

Categories: script tags, event handlers, attribute breakouts, dangerous URLs (plain and
obfuscated), template and markup confusion, JSON and script-context breakouts, CSS, SVG/MathML
namespace confusion, Markdown, unicode tricks. ``URL`` payloads are the ones that make sense in a
URL field or a link target.
"""

import base64
from dataclasses import dataclass

CALL = "§"
NUMBER = "¤"

SCRIPT = "script"
HANDLER = "event handler"
BREAKOUT = "attribute breakout"
URL = "url"
TEMPLATE = "template/markup confusion"
JSON = "json/script context"
CSS = "css"
NAMESPACE = "svg/mathml"
MARKDOWN = "markdown"
UNICODE = "unicode"

_TEMPLATES: dict[str, list[str]] = {
    SCRIPT: [
        "<script>§</script>",
        "<SCRIPT>§</SCRIPT>",
        "<ScRiPt >§</sCrIpT >",
        "<script\n>§</script\n>",
        "<script\t>§</script>",
        "<script type=text/javascript>§</script>",
        "<script type=module>§</script>",
        "<script>/*x*/§//</script>",
        "<script src=data:text/javascript,§></script>",
        "<script src='data:,§'></script>",
        "<<script>§//<</script>",
        "<script>§<!--</script>",
        "<scr<script>ipt>§</scr</script>ipt>",
        "<script/x>§</script>",
        "<script defer>§</script>",
        "<script async>§</script>",
        "<script>setTimeout('§')</script>",
        "<script>self['__x'+'ss'](¤)//§</script>",
        "<script>[¤].forEach(__xss)//§</script>",
        "<script>window.onload=function(){§}</script>",
        "<script nomodule>§</script>",
        "<script charset=utf-8>§</script>",
    ],
    HANDLER: [
        "<img src=x onerror=§>",
        "<img src=x onerror='§'>",
        '<img src=x onerror="§">',
        "<img/src=x/onerror=§>",
        "<IMG SRC=x ONERROR=§>",
        "<img src onerror=§>",
        "<img src=x:x onerror=§//>",
        "<img src=x onerror=&#95;&#95;xss(¤)//§>",
        "<svg onload=§>",
        "<svg/onload=§>",
        "<svg><g onload=§></g></svg>",
        "<svg><animate onbegin=§ attributeName=x dur=1s>",
        "<svg><set onbegin=§ attributeName=x to=1>",
        "<body onload=§>",
        "<body onpageshow=§>",
        "<body onfocus=§>",
        "<details open ontoggle=§>",
        "<details ontoggle=§ open><summary>s</summary></details>",
        "<video src=x onerror=§>",
        "<video><source onerror=§></video>",
        "<video poster=x onerror=§></video>",
        "<audio src=x onerror=§>",
        "<input autofocus onfocus=§>",
        "<input onblur=§ autofocus><input autofocus>",
        "<select autofocus onfocus=§></select>",
        "<textarea autofocus onfocus=§></textarea>",
        "<keygen autofocus onfocus=§>",
        "<button autofocus onfocus=§>b</button>",
        "<a autofocus href=# onfocus=§>a</a>",
        "<div tabindex=1 autofocus onfocus=§>d</div>",
        "<marquee onstart=§>m</marquee>",
        "<iframe onload=§></iframe>",
        "<iframe src=x onload=§></iframe>",
        "<object data=x onerror=§></object>",
        "<embed src=x onerror=§>",
        "<link rel=stylesheet href=x onerror=§>",
        "<style onload=§></style>",
        "<img src=x onerror=eval(atob('{b64}'))//§>",
        "<img src=x onerror=eval(String.fromCharCode({codes}))//§>",
        "<img src=x onerror=\\u005f_xss(¤)>",
        "<img src=x onerror=top['__xss'](¤)//§>",
        "<div onmouseover=§>hover</div>",
        "<div onpointerenter=§ style=position:fixed;inset:0>p</div>",
        "<form><button formaction=javascript:§>f</button></form>",
        "<isindex type=image src=x onerror=§>",
        "<image src=x onerror=§>",
        "<picture><img src=x onerror=§></picture>",
        "<table background=x onerror=§>",
        "<frameset onload=§>",
    ],
    BREAKOUT: [
        '"><img src=x onerror=§>',
        "'><img src=x onerror=§>",
        '" onmouseover="§',
        "' onmouseover='§",
        '" autofocus onfocus="§" x="',
        "' autofocus onfocus='§' x='",
        '"><svg onload=§>',
        "'><svg onload=§>",
        "`><img src=x onerror=§>",
        "` onmouseover=§ `",
        "``onmouseover=§",
        '"/><script>§</script>',
        "'/><script>§</script>",
        '" style="x:expression(§)" "',
        '"><a href=javascript:§>x</a>',
        'x" onerror="§" src="x',
        '"><input autofocus onfocus=§>',
        '";§;"',
        "';§;'",
        '\\";§;//',
        '" onfocus=§ autofocus tabindex=0 "',
        "&quot;><img src=x onerror=§>",
        "&#34;><img src=x onerror=§>",
        "&apos;><img src=x onerror=§>",
        "\u201c><img src=x onerror=§>",
        '"\t onmouseover=§ x="',
        '"\n><img src=x onerror=§>',
    ],
    URL: [
        "javascript:§",
        "JavaScript:§",
        "JAVASCRIPT:§",
        "javascript://%0a§",
        "javascript:/*x*/§",
        " javascript:§",
        "\tjavascript:§",
        "java\tscript:§",
        "java\nscript:§",
        "java\rscript:§",
        "jav&#x09;ascript:§",
        "&#106;avascript:§",
        "&#x6A;avascript:§",
        "&#0000106avascript:§",
        "java&#115;cript:§",
        "javascript&colon;§",
        "javascript&#58;§",
        "javascript%3A§",
        "%6Aavascript:§",
        "\x01javascript:§",
        "\u0000javascript:§".replace("\u0000", "\u200b"),
        "javascript\u200b:§",
        "jAvAsCrIpT:void(0),§",
        "javascript:void(§)",
        "javascript:'<img src=x onerror=§>'",
        "data:text/html,<script>§</script>",
        "data:text/html;base64,{b64html}",
        "DATA:text/html,<svg onload=§>",
        "data:image/svg+xml,<svg onload=§>",
        "data:text/javascript,§",
        "data:application/xhtml+xml,<x:script xmlns:x='http://www.w3.org/1999/xhtml'>§</x:script>",
        "vbscript:§",
        "VBScript:msgbox(¤)'§",
        "livescript:§",
        'https://example.org/"><img src=x onerror=§>',
        "https://example.org/'onmouseover='§'",
        'https://example.org/?q="onmouseover=§//',
        'https://example.org/#"><script>§</script>',
        "http://example.org/`onmouseover=§`",
        '//example.org/"onfocus=§//',
    ],
    TEMPLATE: [
        "{{ '<img src=x onerror=§>'|safe }}",
        "{% autoescape off %}<img src=x onerror=§>{% endautoescape %}",
        "{{ 7*7 }}<svg onload=§>",
        "{% verbatim %}<script>§</script>{% endverbatim %}",
        "</textarea><script>§</script>",
        "</title><script>§</script>",
        "</script><script>§</script>",
        "</style><script>§</script>",
        "</noscript><img src=x onerror=§>",
        "</template><img src=x onerror=§>",
        "</option></select><img src=x onerror=§>",
        "</pre><img src=x onerror=§>",
        "</code></pre><svg onload=§>",
        "</li></ul><img src=x onerror=§>",
        "</td></tr></table><img src=x onerror=§>",
        "</iframe><script>§</script>",
        "</xmp><img src=x onerror=§>",
        "</plaintext><img src=x onerror=§>",
        "<!--><img src=x onerror=§>-->",
        "<!-- --!><img src=x onerror=§>",
        "<![CDATA[<img src=x onerror=§>]]>",
        "]]><img src=x onerror=§>",
        "<?xml-stylesheet ?><img src=x onerror=§>",
        '<noscript><p title="</noscript><img src=x onerror=§>">',
        '<xmp><p title="</xmp><img src=x onerror=§>">',
        "${§}",
        "#{§}",
        "{{constructor.constructor('§')()}}",
        "[[§]]<img src=x onerror=§>",
        "<base href=javascript:§//>",
        '<meta http-equiv=refresh content="0;url=javascript:§">',
    ],
    JSON: [
        '"}</script><script>§</script>',
        "'}</script><script>§</script>",
        "\\u003C/script>\\u003Cscript>§\\u003C/script>",
        "</script ><script>§</script>",
        "</SCRIPT><script>§</script>",
        '"-§-"',
        "'-§-'",
        '\\"-§-\\"',
        '"};§;//',
        "\u2028§\u2029",
        '{"a":"</script><img src=x onerror=§>"}',
        "<!--<script>§</script>-->",
        "</script><!--<script>§//-->",
        '"]}</script><svg onload=§>',
        "\\x3c/script\\x3e\\x3cscript\\x3e§\\x3c/script\\x3e",
        "&lt;/script&gt;&lt;script&gt;§&lt;/script&gt;",
    ],
    CSS: [
        '<div style="background:url(javascript:§)">c</div>',
        '<div style="width:expression(§)">c</div>',
        "<style>@import 'javascript:§';</style>",
        "<style>*{background:url('javascript:§')}</style>",
        '<div style="behavior:url(#default#time2)" onbegin=§>c</div>',
        '<p style="-moz-binding:url(data:,§)">c</p>',
        "</style><img src=x onerror=§>",
        "<style>@keyframes x{}</style><div style=animation-name:x onanimationstart=§>c</div>",
        "<div style=transition:color\\ 1s onmouseover=§>c</div>",
        "<svg><style><img src=x onerror=§></style></svg>",
        '<link rel=stylesheet href="javascript:§">',
    ],
    NAMESPACE: [
        "<svg><script>§</script></svg>",
        "<svg><script href=data:,§ />",
        "<svg><a xlink:href=javascript:§><text y=20>x</text></a></svg>",
        "<svg><a href=javascript:§><text y=20>x</text></a></svg>",
        "<svg><foreignObject><img src=x onerror=§></foreignObject></svg>",
        "<svg><desc><img src=x onerror=§></desc></svg>",
        "<svg><title><img src=x onerror=§></title></svg>",
        '<svg></p><style><a id="</style><img src=x onerror=§>">',
        "<math><mtext><table><mglyph><style><img src=x onerror=§>",
        "<math><mi xlink:href=javascript:§>m</mi></math>",
        "<math href=javascript:§>m</math>",
        "<math><maction actiontype=statusline xlink:href=javascript:§>m</maction></math>",
        "<math><mtext><img src=x onerror=§></mtext></math>",
        "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='§'/></svg>#x\"/></svg>",
        "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=§>",
        "<svg><image href=x onerror=§ />",
        "<svg><feImage href=x onerror=§ />",
    ],
    MARKDOWN: [
        "[click me](javascript:§)",
        "[click](JAVASCRIPT:§)",
        "[x](  javascript:§  )",
        "[x](&#106;avascript:§)",
        "[x](data:text/html,<script>§</script>)",
        "[x](vbscript:§)",
        "<javascript:§>",
        '<a href="javascript:§">raw anchor</a>',
        '![x](x"onerror="§)',
        '![alt" onerror="§](x.png)',
        '[x](https://example.org "title\\" onmouseover=\\"§")',
        "[ref][r]\n\n[r]: javascript:§",
        "`<img src=x onerror=§>`",
        "**<img src=x onerror=§>**",
        "_<svg onload=§>_",
        "<details open ontoggle=§>md</details>",
        "> <script>§</script>",
        "- <img src=x onerror=§>",
        "| <script>§</script> | b |",
        "{{< raw >}}<script>§</script>{{< /raw >}}",
        "<!-- <script>§</script> -->",
        "\\<img src=x onerror=§>",
    ],
    UNICODE: [
        "\uff1cscript\uff1e§\uff1c/script\uff1e",
        "\uff1cimg src=x onerror=§\uff1e",
        "\u02c2script\u02c3§\u02c2/script\u02c3",
        "\u2039img src=x onerror=§\u203a",
        "<img src=x onerror=\u200b§>",
        "<img\u00a0src=x\u00a0onerror=§>",
        "<img\u3000src=x onerror=§>",
        "<scr\u0131pt>§</scr\u0131pt>",
        "<\u0073cript>§</\u0073cript>",
        "\u202e>tpircs/<§>tpircs<",
        "<img src=x onerror=§>\ufeff",
        "\U0001f600<img src=x onerror=§>",
        "<img src=x one\u0000rror=§>".replace("\u0000", "\u200d"),
        "<\u0130MG SRC=x ONERROR=§>",
        "\u0430<img src=x onerror=§>",
        '<a href="\u0458avascript:§">cyrillic j</a>',
        "<img src=x onerror=§ \u2029>",
    ],
}


@dataclass(frozen=True)
class Payload:
    id: int
    category: str
    text: str

    @property
    def call(self) -> str:
        return f"__xss({self.id})"

    @property
    def is_url(self) -> bool:
        return self.category == URL


def _fill(template: str, number: int) -> str:
    call = f"__xss({number})"
    text = template.replace(CALL, call).replace(NUMBER, str(number))
    if "{b64}" in text:
        text = text.replace("{b64}", base64.b64encode(call.encode()).decode())
    if "{codes}" in text:
        text = text.replace("{codes}", ",".join(str(ord(c)) for c in call))
    if "{b64html}" in text:
        html = f"<script>{call}</script>"
        text = text.replace("{b64html}", base64.b64encode(html.encode()).decode() + f"#{call}")
    return text


def payloads() -> list[Payload]:
    """Every payload, numbered from 1, each calling ``__xss(<its id>)``."""
    result = []
    number = 0
    for category, templates in _TEMPLATES.items():
        for template in templates:
            number += 1
            result.append(Payload(number, category, _fill(template, number)))
    return result


PAYLOADS = payloads()
