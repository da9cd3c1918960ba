"""OPML: the feed lists other readers import and export."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import lxml.etree

from bot.collect.text import one_line


class OpmlError(ValueError):
    """The file is not OPML we can read; the message is one line."""


@dataclass(frozen=True)
class Outline:
    url: str
    title: str | None = None


def read_opml(data: bytes) -> list[Outline]:
    """Every feed (an outline with an xmlUrl) in the document, nested folders included."""
    # No entities, no network: an OPML file from anywhere must not read local files (XXE).
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = lxml.etree.fromstring(data, parser=parser)
    except lxml.etree.XMLSyntaxError as error:
        raise OpmlError(f"not OPML: {one_line(error)}") from None
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise OpmlError("not OPML: no <opml> element")
    outlines, seen = [], set()
    for element in root.iter("outline"):
        attributes = {key.lower(): value for key, value in element.attrib.items()}
        url = (attributes.get("xmlurl") or "").strip()
        if url and url not in seen:
            seen.add(url)
            title = attributes.get("title") or attributes.get("text")
            outlines.append(Outline(url, one_line(title, 500) if title else None))
    return outlines


def write_opml(outlines: list[Outline], title: str = "Morgenlage") -> str:
    """An OPML 2.0 document listing the feeds."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    now = dt.datetime.now(dt.UTC)
    ET.SubElement(head, "dateCreated").text = now.strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    for outline in outlines:
        name = outline.title or outline.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=outline.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
