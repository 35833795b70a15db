"""A photo's own credit (IPTC IIM and XMP), read from the source header before the
encoder strips all metadata: agencies put the by-line, credit line and copyright there,
and a newsroom must print them when the author wrote none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree

from PIL import Image, IptcImagePlugin

# IPTC IIM record 2 datasets (IPTC Photo Metadata Standard, "IIM" column)
_IIM = {"creator": (2, 80), "credit": (2, 110), "copyright": (2, 116), "caption": (2, 120)}
_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
_MAX_FIELD = 300  # a credit line, not an essay: longer values are cut


@dataclass(frozen=True)
class PhotoCredit:
    """Who made the photo and who must be credited (each may be missing)."""

    creator: str | None = None    # IPTC By-line / dc:creator
    credit: str | None = None     # IPTC Credit / photoshop:Credit
    copyright: str | None = None  # IPTC Copyright Notice / dc:rights
    caption: str | None = None    # IPTC Caption-Abstract / dc:description

    @property
    def line(self) -> str | None:
        """What to print after 'Photo:': the credit line, else the creator."""
        return self.credit or self.creator

    def __bool__(self) -> bool:
        return any((self.creator, self.credit, self.copyright, self.caption))


def _clean(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    text = " ".join(value.replace("\x00", " ").split())
    return text[:_MAX_FIELD] or None


def _from_iptc(image: Image.Image) -> dict[str, str]:
    try:
        info = IptcImagePlugin.getiptcinfo(image)  # type: ignore[arg-type]
    except (OSError, SyntaxError, ValueError, IndexError, TypeError):
        return {}
    if not info:
        return {}
    found = {name: _clean(info.get(key)) for name, key in _IIM.items()}
    return {name: value for name, value in found.items() if value}


def _xmp_text(root: ElementTree.Element, path: str) -> str | None:
    """A simple property (attribute or element) or the first item of an rdf:Alt/Seq/Bag."""
    prefix, local = path.split(":")
    name = f"{{{_NS[prefix]}}}{local}"
    for description in root.iter(f"{{{_NS['rdf']}}}Description"):
        if name in description.attrib:
            return _clean(description.attrib[name])
        element = description.find(name)
        if element is not None:
            item = element.find(".//rdf:li", _NS)
            return _clean((item if item is not None else element).text)
    return None


def _from_xmp(image: Image.Image) -> dict[str, str]:
    raw = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if not raw:
        return {}
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    if "<!ENTITY" in text or "<!DOCTYPE" in text:  # no entity expansion from a file
        return {}
    match = re.search(r"<x:xmpmeta.*</x:xmpmeta>|<rdf:RDF.*</rdf:RDF>", text, re.DOTALL)
    try:
        root = ElementTree.fromstring(match.group(0) if match else text)
    except ElementTree.ParseError:
        return {}
    found = {"creator": _xmp_text(root, "dc:creator"),
             "credit": _xmp_text(root, "photoshop:Credit"),
             "copyright": _xmp_text(root, "dc:rights"),
             "caption": _xmp_text(root, "dc:description")}
    return {name: value for name, value in found.items() if value}


def read_photo_credit(image: Image.Image) -> PhotoCredit | None:
    """IPTC first (what news agencies write), XMP for what IPTC lacks; None when neither."""
    fields = {**_from_xmp(image), **_from_iptc(image)}
    credit = PhotoCredit(**fields)
    return credit if credit else None
