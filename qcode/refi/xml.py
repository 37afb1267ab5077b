"""What qcode's REFI-QDA reader and writer share: namespaces, stable GUIDs, safe parsing.

REFI-QDA (QDA-XML 1.0, www.qdasoftware.org) is the exchange format of ATLAS.ti, NVivo,
MAXQDA and QualCoder: a project file (``.qdpx``, a zip with ``project.qde``) and a codebook
file (``.qdc``). Reading is namespace-tolerant because real exporters disagree: ATLAS.ti
writes the 1.0 namespace with a ``0:4`` schema location, older files use
``urn:QDA-XML:codebook:0:4``. Parsing goes through ``defusedxml``: no entity expansion and
no external entities, whatever a file declares.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from qcode.errors import QcodeError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# Every GUID qcode writes is uuid5(namespace, "kind:key") over the project's content, so an
# unchanged project exports byte-identically and two exports of one project line up.
GUID_NAMESPACE = uuid.UUID("8d3e6f0c-1f3b-5a7e-9c41-6b2f0d9a4e17")


class RefiError(QcodeError):
    """A REFI-QDA file that qcode cannot read or write."""


def guid(kind: str, *parts: object) -> str:
    """The stable GUID of one thing: ``guid("code", "trust.high")``."""
    key = "\x1f".join([kind, *(str(part) for part in parts)])
    return str(uuid.uuid5(GUID_NAMESPACE, key))


def local(tag: str) -> str:
    """An element's name without its namespace: ``{urn:...}Code`` -> ``Code``."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(element: Element, name: str) -> Iterator[Element]:
    """The direct children called ``name``, in any (or no) namespace."""
    for child in element:
        if isinstance(child.tag, str) and local(child.tag) == name:
            yield child


def child(element: Element, name: str) -> Element | None:
    return next(children(element, name), None)


def child_text(element: Element, name: str) -> str:
    found = child(element, name)
    return (found.text or "") if found is not None else ""


def parse_xml(raw: bytes, *, source: str, root_name: str) -> Element:
    """Parse ``raw`` safely and check that its root element is ``root_name`` in a
    QDA-XML namespace (any version) or none.

    Raises :class:`RefiError` with the line and column of the first problem, e.g. for a
    file that was cut off while it was copied.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(raw)
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        where = f"{source}:{line}:{(column or 0) + 1}" if line else source
        reason = str(exc).split(":", 1)[0]
        ending = ("the file ends in the middle of an element (cut off?)"
                  if "no element found" in str(exc) or "unclosed token" in str(exc)
                  else f"not well-formed XML ({reason})")
        raise RefiError(
            f"{where}: {ending}; export the file again from the program that made it"
        ) from None
    except DefusedXmlException as exc:
        raise RefiError(
            f"{source}: refused: the XML declares entities or external references "
            f"({type(exc).__name__}), which REFI-QDA files never need"
        ) from None
    found_ns = namespace(root.tag)
    if local(root.tag) != root_name or (found_ns and not found_ns.startswith("urn:QDA-XML:")):
        raise RefiError(
            f"{source}: not a REFI-QDA file: the root element is <{local(root.tag)}> in "
            f"namespace '{found_ns or 'none'}', expected <{root_name}> in urn:QDA-XML"
        )
    return root
