"""The sandboxed template language of letter bodies.

Admins edit letter templates in the browser, so a template must never reach code, settings
or files. Four walls:

1. Jinja2's ``ImmutableSandboxedEnvironment`` with autoescape, no loader (no ``include``,
   ``import`` or ``extends`` can find anything), only whitelisted filters and no globals;
2. at save time the parsed template is checked: only the known top-level names (``penduduk``,
   ``keluarga``, ``desa``, ``isian``, ``surat``, ``pihak``), no names or attributes starting
   with ``_``, no calls, no ``include``/``import``/``extends``, no ``**``;
3. the data passed in are plain dicts, strings, numbers and dates, never model objects;
4. the HTML that comes out is rebuilt from an allowlist of tags and attributes, so a template
   cannot add scripts, links, images or styles that fetch anything.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from kampung.core import formatting
from kampung.core.errors import KampungError

CONTEXT_NAMES = frozenset({"penduduk", "keluarga", "desa", "isian", "surat", "pihak"})
LOOP_NAMES = frozenset({"loop"})
MAX_TEMPLATE_CHARS = 60_000
MAX_OUTPUT_CHARS = 400_000
MAX_REPEAT = 10_000

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "sup", "sub", "small", "span", "div",
        "h1", "h2", "h3", "h4", "ol", "ul", "li", "table", "thead", "tbody", "tfoot", "tr",
        "td", "th", "hr", "blockquote",
    }
)  # fmt: skip
VOID_TAGS = frozenset({"br", "hr"})
ALLOWED_ATTRIBUTES = frozenset({"class", "colspan", "rowspan"})


class TemplateRefused(KampungError):
    code = "templat_ditolak"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, ChainableUndefined) else str(value)


def filter_tanggal(value: Any) -> str:
    """``14 Februari 2018``; text that is not a date is printed as it is."""
    day = _as_date(value)
    return formatting.tanggal(day) if day else (_text(value) or "-")


def filter_tanggal_hari(value: Any) -> str:
    day = _as_date(value)
    return formatting.tanggal(day, with_day=True) if day else (_text(value) or "-")


def _decimal(value: Any) -> Decimal | None:
    text = _text(value).replace("Rp", "").replace(".", "").replace(",", ".").strip()
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def filter_rupiah(value: Any) -> str:
    amount = _decimal(value) if not isinstance(value, int | Decimal) else Decimal(value)
    return formatting.rupiah(amount) if amount is not None else (_text(value) or "-")


def filter_angka(value: Any) -> str:
    amount = _decimal(value) if not isinstance(value, int | Decimal) else Decimal(value)
    return formatting.number_id(amount) if amount is not None else (_text(value) or "-")


def filter_baris(value: Any) -> Markup:
    """Line breaks of a long answer kept as ``<br>``."""
    return Markup("<br>").join(escape(line) for line in _text(value).splitlines())


def filter_romawi(value: Any) -> str:
    day = _as_date(value)
    return formatting.bulan_romawi(day.month) if day else "-"


class LetterSandbox(ImmutableSandboxedEnvironment):
    """Refuses ``**`` and huge repetitions (``'a' * 10**9``), besides the sandbox's own rules."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("pangkat tidak diizinkan")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, str | list | tuple) and isinstance(b, int) and len(a) * b > MAX_REPEAT:
                    raise SecurityError("perkalian teks terlalu besar")
        return super().call_binop(context, operator, left, right)


FILTERS: dict[str, Any] = {
    "tanggal": filter_tanggal,
    "tanggal_hari": filter_tanggal_hari,
    "rupiah": filter_rupiah,
    "angka": filter_angka,
    "baris": filter_baris,
    "romawi": filter_romawi,
}


def _environment() -> LetterSandbox:
    env = LetterSandbox(autoescape=True, undefined=ChainableUndefined, loader=None, auto_reload=False)
    builtin = env.filters
    safe_builtins = (
        "upper", "lower", "title", "capitalize", "default", "d", "trim", "replace", "join",
        "length", "first", "last", "e", "escape", "string", "int", "round", "truncate", "center",
    )  # fmt: skip
    env.filters = {name: builtin[name] for name in safe_builtins}
    env.filters.update(FILTERS)
    env.globals = {}
    env.tests = {name: env.tests[name] for name in ("defined", "undefined", "none", "number", "string")}
    return env


ENV = _environment()


def _refuse(message: str, line: int | None = None) -> TemplateRefused:
    where = f" (baris {line})" if line else ""
    return TemplateRefused(f"Templat ditolak{where}: {message}")


def _check_tree(tree: nodes.Template) -> None:
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        raise _refuse(
            "templat surat tidak boleh memuat berkas atau templat lain "
            "(include, import, extends tidak diizinkan).",
            node.lineno,
        )
    for call in tree.find_all(nodes.Call):
        raise _refuse(
            "pemanggilan fungsi atau metode (tanda kurung setelah nama) tidak diizinkan.", call.lineno
        )
    for power in tree.find_all(nodes.Pow):
        raise _refuse("operasi pangkat (**) tidak diizinkan.", power.lineno)
    for attr in tree.find_all(nodes.Getattr):
        if attr.attr.startswith("_"):
            raise _refuse(f"atribut '{attr.attr}' tidak boleh dipakai.", attr.lineno)
    for item in tree.find_all(nodes.Getitem):
        if (
            isinstance(item.arg, nodes.Const)
            and isinstance(item.arg.value, str)
            and item.arg.value.startswith("_")
        ):
            raise _refuse(f"atribut '{item.arg.value}' tidak boleh dipakai.", item.lineno)
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for name in tree.find_all(nodes.Name):
        if name.ctx != "load":
            continue
        if name.name.startswith("_"):
            raise _refuse(f"nama '{name.name}' tidak boleh dipakai.", name.lineno)
        if name.name not in CONTEXT_NAMES | LOOP_NAMES and name.name not in assigned:
            known = ", ".join(sorted(CONTEXT_NAMES))
            raise _refuse(
                f"'{name.name}' tidak dikenal. Data yang tersedia hanya: {known} "
                "(contoh: {{ penduduk.nama }}).",
                name.lineno,
            )


def parse_template(source: str) -> nodes.Template:
    """Parse and check a template; raise :class:`TemplateRefused` with an Indonesian message."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise _refuse(
            f"templat terlalu panjang (paling banyak {MAX_TEMPLATE_CHARS:,} karakter).".replace(",", ".")
        )
    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise _refuse(f"penulisan templat salah: {_syntax_message(exc)}", exc.lineno) from exc
    _check_tree(tree)
    try:
        ENV.from_string(source)  # compiles: unknown filters and tests are found here
    except TemplateSyntaxError as exc:
        raise _refuse(f"penulisan templat salah: {_syntax_message(exc)}", exc.lineno) from exc
    return tree


def _syntax_message(exc: TemplateSyntaxError) -> str:
    message = exc.message or "kesalahan penulisan"
    if message.startswith("No filter named"):
        name = message.split("'")[1] if "'" in message else ""
        allowed = ", ".join(sorted(ENV.filters))
        return f"filter '{name}' tidak tersedia. Filter yang boleh dipakai: {allowed}."
    if message.startswith("No test named"):
        return "uji (is ...) itu tidak tersedia."
    if "Unexpected end of template" in message:
        return "templat berakhir sebelum blok ditutup (periksa {% endif %} / {% endfor %})."
    if message.startswith("Encountered unknown tag"):
        tag = message.split("'")[1] if "'" in message else ""
        return f"perintah '{tag}' tidak dikenal atau tidak diizinkan."
    return message


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    parse_template(source)
    return ENV.from_string(source)


def render_body(source: str, context: Mapping[str, Any]) -> str:
    """Render a (checked) body template and clean its HTML; raise TemplateRefused on failure."""
    template = _compiled(source)
    data = {name: context.get(name, {}) for name in CONTEXT_NAMES}
    try:
        output = template.render(data)
    except SecurityError as exc:
        raise _refuse("templat mencoba mengakses sesuatu yang tidak diizinkan.") from exc
    except TemplateError as exc:
        raise _refuse(f"templat tidak dapat diisi: {exc}") from exc
    except (TypeError, ValueError, ArithmeticError, OverflowError, RecursionError) as exc:
        raise _refuse(f"templat tidak dapat diisi: {exc.__class__.__name__}.") from exc
    if len(output) > MAX_OUTPUT_CHARS:
        raise _refuse("hasil templat terlalu panjang.")
    return clean_html(output)[0]


def validate_template(source: str, sample: Mapping[str, Any]) -> str:
    """Refuse a template that is unsafe, malformed, fails with sample data, or writes HTML
    outside the allowlist; return the sample rendering."""
    parse_template(source)
    template = ENV.from_string(source)
    data = {name: sample.get(name, {}) for name in CONTEXT_NAMES}
    try:
        output = template.render(data)
    except SecurityError as exc:
        raise _refuse("templat mencoba mengakses sesuatu yang tidak diizinkan.") from exc
    except TemplateError as exc:
        raise _refuse(f"templat tidak dapat diisi dengan data contoh: {exc}") from exc
    except (TypeError, ValueError, ArithmeticError, OverflowError, RecursionError) as exc:
        raise _refuse(f"templat tidak dapat diisi dengan data contoh ({exc.__class__.__name__}).") from exc
    if len(output) > MAX_OUTPUT_CHARS:
        raise _refuse("hasil templat terlalu panjang.")
    cleaned, dropped = clean_html(output)
    if dropped:
        raise _refuse(
            "HTML berikut tidak diizinkan dalam surat: "
            + ", ".join(sorted(dropped))
            + ". Gunakan hanya paragraf, tabel, daftar, huruf tebal/miring/garis bawah dan atribut class."
        )
    return cleaned


class _Cleaner(HTMLParser):
    """Rebuild HTML keeping only allowed tags and attributes; text is re-escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropped: set[str] = set()
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip_depth += 1
            self.dropped.add(f"<{tag}>")
            return
        if tag not in ALLOWED_TAGS:
            self.dropped.add(f"<{tag}>")
            return
        kept = []
        for name, value in attrs:
            if name in ALLOWED_ATTRIBUTES and value is not None and _attribute_ok(name, value):
                kept.append(f' {name}="{html.escape(value, quote=True)}"')
            else:
                self.dropped.add(f"atribut {name}")
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in ALLOWED_TAGS and tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        return

    def handle_decl(self, decl: str) -> None:
        self.dropped.add("deklarasi <!...>")

    def handle_pi(self, data: str) -> None:
        self.dropped.add("instruksi <?...>")


def _attribute_ok(name: str, value: str) -> bool:
    if name in ("colspan", "rowspan"):
        return value.isdigit() and 0 < int(value) <= 20
    return all(ch.isalnum() or ch in "-_ " for ch in value)


def clean_html(fragment: str) -> tuple[str, set[str]]:
    """The fragment with only allowed markup, and what was dropped."""
    cleaner = _Cleaner()
    cleaner.feed(fragment)
    cleaner.close()
    return "".join(cleaner.out), cleaner.dropped
