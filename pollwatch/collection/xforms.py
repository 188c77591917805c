"""XLSForm → XForm conversion (pyxform) and reading an XForm's questions and an instance's values.

Outside XML always goes through defusedxml: a DOCTYPE or entity declaration is refused, nothing is fetched.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
# Binds that are metadata, not questions.
META_PATHS = {"meta/instanceID", "meta/deprecatedID"}
# Deeper than any XForm or instance (pyxform's forms with nested groups and repeats reach about 15 levels).
MAX_XML_DEPTH = 64


class XmlError(ValueError):
    """The XML is malformed or forbidden (DOCTYPE, entities): a 400 at the edge."""


class FormError(ValueError):
    """The XLSForm does not convert; ``messages`` are pyxform's own, one per line."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class ConvertedForm:
    form_id: str
    title: str
    version: str
    xform: str
    md5: str
    fields: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    # The SMS grammar's prefix (settings sheet ``sms_prefix``); each field's tag is its ``sms_tag``.
    sms_prefix: str = ""


def parse_xml(data: bytes | str) -> Element:
    """Parse outside XML safely; raise :class:`XmlError` with a message fit for a 400.

    The tree is built by a streaming parse that counts the nesting as it goes and stops past ``MAX_XML_DEPTH``:
    a report nested 5,000 elements deep (any phone login can send one) is refused before it is built, instead of
    reaching the recursive code that reads a tree (a RecursionError, a 500).
    """
    raw = data.encode() if isinstance(data, str) else data
    depth = 0
    try:
        events = iterparse(io.BytesIO(raw), events=("start", "end"), forbid_dtd=True, forbid_entities=True,
                           forbid_external=True)
        for event, _ in events:
            depth += 1 if event == "start" else -1
            if depth > MAX_XML_DEPTH:
                raise XmlError(f"the XML is nested more than {MAX_XML_DEPTH} elements deep")
        return events.root
    except XmlError:
        raise
    except DefusedXmlException as exc:
        raise XmlError(f"XML with a DOCTYPE or entity declarations is refused ({type(exc).__name__})") from exc
    except Exception as exc:  # ParseError and friends
        raise XmlError(f"malformed XML: {exc}") from exc


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def convert_xlsform(data: bytes, *, filename: str = "form.xlsx") -> ConvertedForm:
    """Convert an XLSForm; pyxform's errors become a :class:`FormError`, its warnings are returned verbatim.

    An .xlsx is sized up first (:func:`pollwatch.imports.limits.check_xlsx`): a zip bomb never reaches pyxform."""
    import zipfile

    from pollwatch.imports.limits import XLSFORM_LIMITS, SpreadsheetTooLarge, check_xlsx

    is_xls = filename.lower().endswith(".xls")
    if not is_xls:
        try:
            check_xlsx(data, XLSFORM_LIMITS)
        except SpreadsheetTooLarge as exc:
            raise FormError([f"The XLSForm is too large: {exc}."]) from exc
        except zipfile.BadZipFile as exc:
            raise FormError([f"Could not read the XLSForm: {exc}"]) from exc
    converted = _convert_cached(data, is_xls)
    return dataclasses.replace(converted, fields=copy.deepcopy(converted.fields), warnings=list(converted.warnings))


@functools.lru_cache(maxsize=16)  # pyxform takes ~0.2 s; the demo and tests convert the same few files again
def _convert_cached(data: bytes, is_xls: bool) -> ConvertedForm:
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    file_type = ".xls" if is_xls else ".xlsx"
    try:
        result = convert(io.BytesIO(data), warnings=warnings, file_type=file_type, form_name="data")
    except PyXFormError as exc:
        raise FormError([line for line in str(exc).splitlines() if line.strip()] or [repr(exc)]) from exc
    except Exception as exc:  # not a spreadsheet at all, a corrupt zip, ...
        raise FormError([f"Could not read the XLSForm: {exc}"]) from exc
    xform = result.xform
    root = parse_xml(xform.encode())
    main = _main_instance(root)
    version = main.get("version") or ""
    if not version:
        raise FormError(["The settings sheet needs a `version` (e.g. 2024020701): clients tell versions apart by it."])
    title_el = root.find(f"{H}head/{H}title")
    fields = read_fields(root)
    sms_prefix, sms_tags = ("", {}) if is_xls else read_sms_columns(data)
    for f in fields:
        if f["name"] in sms_tags:
            f["sms_tag"] = sms_tags[f["name"]]
    return ConvertedForm(
        form_id=main.get("id") or "",
        title=(title_el.text or "").strip() if title_el is not None else main.get("id", ""),
        version=version,
        xform=xform,
        md5=hashlib.md5(xform.encode()).hexdigest(),  # noqa: S324 — OpenRosa's formList hash is md5 by spec
        fields=fields,
        warnings=list(dict.fromkeys(list(result.warnings) + warnings + alike_sms_tags_warnings(fields))),
        sms_prefix=sms_prefix,
    )


def read_sms_columns(data: bytes) -> tuple[str, dict[str, str]]:
    """The SMS columns of an .xlsx XLSForm: ``sms_prefix`` (settings sheet) and ``sms_tag`` per question (survey).

    pyxform ignores columns it does not know, so they are read from the workbook itself: (prefix, {name: tag}),
    both upper-cased; letters and digits only (anything else is dropped, so a stray space does not make a tag).
    """
    from openpyxl import load_workbook

    def clean(value: Any) -> str:
        return "".join(ch for ch in str(value or "").upper() if ch.isascii() and ch.isalnum())

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — pyxform read it; a workbook openpyxl cannot read simply has no SMS columns
        return "", {}
    sheets = {name.lower(): name for name in wb.sheetnames}
    tags: dict[str, str] = {}
    prefix = ""
    if "survey" in sheets:
        rows = wb[sheets["survey"]].iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(rows, ())]
        if "sms_tag" in header and "name" in header:
            at_tag, at_name = header.index("sms_tag"), header.index("name")
            for row in rows:
                if len(row) > max(at_tag, at_name) and row[at_name] and clean(row[at_tag]):
                    tags[str(row[at_name]).strip()] = clean(row[at_tag])
    if "settings" in sheets:
        rows = wb[sheets["settings"]].iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(rows, ())]
        values = next(rows, ())
        if "sms_prefix" in header and len(values) > header.index("sms_prefix"):
            prefix = "".join(ch for ch in clean(values[header.index("sms_prefix")]) if ch.isalpha())
    wb.close()
    return prefix, tags


# How an SMS tag reads once its I and L are typed as 1 and its O as 0 (what the SMS grammar forgives).
_SMS_AS_TYPED = str.maketrans("ILO", "110")


def alike_sms_tags(tags: Iterable[str]) -> list[tuple[str, str, str]]:
    """Pairs of a form's SMS tags that a message typed with I/L for 1 and O for 0 (or the other way round) may
    confuse: ``(tag, other tag, text that reads as either)``, in the tags' order.

    Two kinds: the tags read the same (``IA`` and ``LA`` are both ``1A``); or one ends where the other begins, the
    confusable character between them (``AI`` and ``IA``: in ``AA101A120`` the ``1A1`` is ``…10, IA120`` or
    ``…101, AI20``).

    >>> alike_sms_tags(["AA", "IA", "LA", "AB"])
    [('IA', 'LA', '1A')]
    >>> alike_sms_tags(["AI", "IA", "IB"])
    [('IA', 'AI', '1A1')]
    >>> alike_sms_tags(["AA", "AB", "M1"])
    []
    """
    tags = list(dict.fromkeys(t.upper() for t in tags if t))
    typed = {t: t.translate(_SMS_AS_TYPED) for t in tags}
    found: list[tuple[str, str, str]] = []
    for i, a in enumerate(tags):
        for b in tags[i + 1:]:
            if typed[a] == typed[b]:
                found.append((a, b, typed[a]))
    for a in tags:  # a starts with a digit-like character, b ends with one, and b's head is a's tail
        ta = typed[a]
        if len(ta) < 2 or not ta[0].isdigit():
            continue
        for b in tags:
            tb = typed[b]
            if b != a and len(tb) >= 2 and tb[-1].isdigit() and tb[:-1] == ta[1:] and (ta != tb):
                found.append((a, b, ta + tb[-1]))
    return found


def alike_sms_tags_warnings(fields: list[dict[str, Any]]) -> list[str]:
    """The import's warnings about SMS tags a mistyped message may confuse (:func:`alike_sms_tags`)."""
    return [f"SMS tags {a} and {b} read alike when I/L are typed as 1 and O as 0 ({text}): a mistyped message "
            f"could be read either way; consider changing one of them."
            for a, b, text in alike_sms_tags(f["sms_tag"] for f in fields if f.get("sms_tag"))]


def _main_instance(root: Element) -> Element:
    model = root.find(f"{H}head/{XF}model")
    if model is None:
        raise XmlError("not an XForm: no model")
    instance = model.find(f"{XF}instance")
    if instance is None or len(instance) == 0:
        raise XmlError("not an XForm: no main instance")
    return instance[0]


# An XLSForm language column's name ends with its code: ``label::Русский (ru)``.
_LANGUAGE_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\)\s*$")
_ITEXT_REF = re.compile(r"jr:itext\('([^']*)'\)")


def _language_code(name: str) -> str:
    m = _LANGUAGE_CODE.search(name)
    return m.group(1).lower().replace("_", "-") if m else name.strip().lower()


def _itext(model: Element) -> tuple[dict[str, dict[str, str]], str]:
    """The form's translations: {text id: {language code: text}}, and the default language's code."""
    texts: dict[str, dict[str, str]] = {}
    default = ""
    itext = model.find(f"{XF}itext")
    for translation in itext.findall(f"{XF}translation") if itext is not None else []:
        code = _language_code(translation.get("lang", ""))
        if not default or translation.get("default", "").startswith("true"):
            default = code
        for text in translation.findall(f"{XF}text"):
            values = [v for v in text.findall(f"{XF}value") if not v.get("form")] or text.findall(f"{XF}value")
            if values:
                texts.setdefault(text.get("id", ""), {})[code] = "".join(values[0].itertext()).strip()
    return texts, default


def _texts(el: Element | None, tag: str, texts: dict[str, dict[str, str]], default: str,
           itext_id: str | None = None) -> tuple[str, dict[str, str]]:
    """An element's ``tag`` child (label, hint) as (default-language text, {language code: text})."""
    child = el.find(f"{XF}{tag}") if el is not None else None
    if itext_id is None and child is not None:
        m = _ITEXT_REF.search(child.get("ref", ""))
        itext_id = m.group(1) if m else None
    if itext_id is not None and itext_id in texts:
        by_language = texts[itext_id]
        return by_language.get(default) or next(iter(by_language.values()), ""), dict(by_language)
    return ("".join(child.itertext()).strip() if child is not None else ""), {}


def _choice(item: Element, value_tag: str, texts: dict[str, dict[str, str]], default: str) -> dict[str, Any]:
    label, labels = _texts(item, "label", texts, default, item.findtext(f"{XF}itextId"))
    choice: dict[str, Any] = {"name": item.findtext(f"{XF}{value_tag}") or "", "label": label}
    if labels:
        choice["labels"] = labels
    return choice


def label_in(item: dict[str, Any], language: str | None, key: str = "label") -> str:
    """A question's or choice's label (or hint, ``key="hint"``) in ``language``, else in the form's default.

    ``language`` is an interface language code (``ru``, ``pt-br``); a form's ``pt`` serves ``pt-br`` too.
    """
    by_language = item.get(f"{key}s") or {}
    if language:
        language = language.lower()
        text = by_language.get(language) or by_language.get(language.split("-")[0])
        if text:
            return text
    return item.get(key) or ""


def read_fields(root: Element) -> list[dict[str, Any]]:
    """The questions of an XForm, in bind order: name, path (under the root), type, required, label, choices.

    A form with translations also gives ``labels`` (and ``hints``; ``labels`` of each choice): {language code:
    text}; ``label`` is then the default language's (:func:`label_in` picks one).
    """
    model = root.find(f"{H}head/{XF}model")
    main = _main_instance(root)
    root_name = local(main.tag)
    texts, default = _itext(model)
    choice_lists: dict[str, list[dict[str, Any]]] = {}
    for inst in model.findall(f"{XF}instance"):
        if inst.get("id"):
            choice_lists[inst.get("id")] = [_choice(item, "name", texts, default) for item in inst.iter(f"{XF}item")]
    controls: dict[str, dict[str, Any]] = {}
    body = root.find(f"{H}body")
    for el in body.iter() if body is not None else []:
        ref = el.get("ref")
        if not ref or local(el.tag) not in {"input", "select1", "select", "upload", "range", "trigger"}:
            continue
        label, labels = _texts(el, "label", texts, default)
        hint, hints = _texts(el, "hint", texts, default)
        control: dict[str, Any] = {"label": label, "control": local(el.tag)}
        if labels:
            control["labels"] = labels
        if hint:
            control["hint"] = hint
        if hints:
            control["hints"] = hints
        if el.get("mediatype"):  # an upload's accepted files (image/*, audio/*, ...): attachments are held to it
            control["mediatype"] = el.get("mediatype")
        itemset = el.find(f"{XF}itemset")
        if itemset is not None and "instance('" in itemset.get("nodeset", ""):
            control["choices"] = choice_lists.get(itemset.get("nodeset").split("'")[1], [])
        else:
            items = el.findall(f"{XF}item")
            if items:
                control["choices"] = [_choice(i, "value", texts, default) for i in items]
        controls[ref] = control
    fields = []
    for bind in model.findall(f"{XF}bind"):
        nodeset = bind.get("nodeset", "")
        prefix = f"/{root_name}/"
        if not nodeset.startswith(prefix):
            continue
        path = nodeset[len(prefix):]
        if path in META_PATHS:
            continue
        control = controls.get(nodeset, {})
        kind = bind.get("type", "string")
        if control.get("control") == "select":
            kind = "select"
        elif control.get("control") == "select1":
            kind = "select1"
        question = {
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "type": kind,
            "required": bind.get("required", "").startswith("true"),
            "label": control.get("label", ""),
            "choices": control.get("choices", []),
            "question": bool(control) and not bind.get("readonly", "").startswith("true"),
        }
        for key in ("labels", "hint", "hints"):
            if key in control:
                question[key] = control[key]
        if "mediatype" in control:
            question["mediatype"] = control["mediatype"]
        fields.append(question)
    return fields


@dataclass
class InstanceHeader:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    root: Element


def read_instance_header(raw: bytes | str) -> InstanceHeader:
    """The routing facts of a submitted instance: form id, version, instanceID, deprecatedID."""
    root = parse_xml(raw)
    form_id = root.get("id") or ""
    if not form_id:
        raise XmlError("the instance's root element has no id attribute (the form id)")
    meta = None
    for child in root:
        if local(child.tag) == "meta":
            meta = child
    instance_id = deprecated_id = ""
    if meta is not None:
        for child in meta:
            if local(child.tag) == "instanceID":
                instance_id = (child.text or "").strip()
            elif local(child.tag) == "deprecatedID":
                deprecated_id = (child.text or "").strip()
    if not instance_id:
        raise XmlError("the instance has no meta/instanceID")
    if len(instance_id) > 128:
        raise XmlError("meta/instanceID is longer than 128 characters")
    return InstanceHeader(form_id, root.get("version") or "", instance_id, deprecated_id, root)


def typed_value(kind: str, text: str) -> Any:
    """An answer's text as its field's type (raises ValueError when it is not one)."""
    if kind == "int":
        return int(text)
    if kind == "decimal":
        return float(text)
    if kind == "select":
        return text.split()
    if kind == "boolean":
        return text.strip().lower() in {"true", "1", "yes"}
    return text


def read_values(root: Element, fields: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """Typed values by question name; problems (a value that is not of its type) are returned, not raised."""
    by_path: dict[str, str] = {}

    def walk(el: Element, prefix: str) -> None:
        for child in el:
            path = f"{prefix}{local(child.tag)}"
            if len(child):
                walk(child, path + "/")
            else:
                by_path[path] = (child.text or "").strip()

    walk(root, "")
    return typed_values((f, by_path.get(f["path"], "")) for f in fields)


def typed_values(answers: Iterable[tuple[dict[str, Any], str]]) -> tuple[dict[str, Any], list[str]]:
    """Typed values by question name from (field, answer text) pairs, whatever payload the texts came from; an
    empty text is no answer, and a text not of its field's type is kept as text and named in the problems."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for f, text in answers:
        if text == "":
            continue
        try:
            values[f["name"]] = typed_value(f["type"], text)
        except ValueError:
            values[f["name"]] = text
            problems.append(f"{f['name']}: {text!r} is not a valid {f['type']}")
    return values, problems


@functools.lru_cache(maxsize=32)
def _instance_template(xform: str) -> Element:
    return _main_instance(parse_xml(xform))


def fill_instance(xform: str, values: dict[str, Any], *, instance_id: str) -> bytes:
    """A filled instance of an XForm, as a phone sends it: the form's primary instance with ``values`` set.

    Like ODK Collect and Enketo, this copies the model's primary instance (every node, in the form's order, the
    root's ``id`` and ``version``), sets each question's text (a list joins with spaces, a bool is ``true`` or
    ``false``, None leaves the node empty) and sets ``meta/instanceID``. Nodes are written without the XForms
    namespace, as JavaRosa serialises them. The demo's simulated reports are made this way.
    """
    template = _instance_template(xform)

    def plain(el: Element) -> Element:
        out = Element(local(el.tag), {k: v for k, v in el.attrib.items() if "}" not in k})
        out.text = (el.text or "").strip() or None
        out.extend(plain(child) for child in el)
        return out

    root = plain(template)
    nodes: dict[str, Element] = {}

    def index(el: Element, prefix: str) -> None:
        for child in el:
            path = f"{prefix}{child.tag}"
            nodes[path] = child
            index(child, path + "/")

    index(root, "")
    unknown = [name for name in values if name not in nodes and not any(p.rsplit("/", 1)[-1] == name for p in nodes)]
    if unknown:
        raise ValueError(f"not questions of form {root.get('id')!r}: {', '.join(sorted(unknown))}")
    by_name = {path.rsplit("/", 1)[-1]: el for path, el in nodes.items()}
    for name, value in values.items():
        el = nodes.get(name) or by_name[name]
        if value is None:
            el.text = None
        elif isinstance(value, bool):
            el.text = "true" if value else "false"
        elif isinstance(value, list | tuple):
            el.text = " ".join(map(str, value))
        else:
            el.text = str(value)
    meta = nodes.get("meta/instanceID")
    if meta is None:
        raise ValueError(f"form {root.get('id')!r} has no meta/instanceID")
    meta.text = instance_id
    from xml.etree.ElementTree import tostring

    return tostring(root, encoding="utf-8", xml_declaration=False)
