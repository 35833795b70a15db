"""The `<picture>` markup for a planned photo asset."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import escape

from reelpress.media.photo.model import DEFAULT_SIZES, MIME_TYPES, ImageAsset, Rendition
from reelpress.structured.jsonld import image_object


def picture_html(
    asset: ImageAsset,
    alt: str | None,
    url_for: Callable[[str], str],
    *,
    sizes: str = DEFAULT_SIZES,
    hero: bool = False,
    title: str | None = None,
    css_class: str | None = None,
) -> str:
    """`<picture>` with one `<source>` per modern format and a JPEG/PNG `<img>`.

    width/height are the intrinsic size so the browser reserves the box before loading
    (no layout shift); the hero loads eagerly with high priority because it is the
    largest contentful paint, every other photo lazily.
    """
    parts = ["<picture>"]
    for fmt in asset.modern_formats:
        parts.append(
            f'<source type="{MIME_TYPES[fmt]}" '
            f'srcset="{_srcset(asset.renditions_of(fmt), url_for)}" sizes="{escape(sizes)}">'
        )
    fallback = asset.largest_fallback
    attributes = [
        ("src", str(escape(url_for(fallback.path)))),
        ("srcset", _srcset(asset.renditions_of(asset.fallback_format), url_for)),
        ("sizes", str(escape(sizes))),
        ("width", str(asset.width)),
        ("height", str(asset.height)),
        ("alt", str(escape(alt or ""))),
    ]
    if title:
        attributes.append(("title", str(escape(title))))
    if css_class:
        attributes.append(("class", str(escape(css_class))))
    if hero:
        attributes += [("loading", "eager"), ("fetchpriority", "high")]
    else:
        attributes.append(("loading", "lazy"))
    attributes.append(("decoding", "async"))
    parts.append("<img " + " ".join(f'{name}="{value}"' for name, value in attributes) + ">")
    parts.append("</picture>")
    return "".join(parts)


def caption_html(caption: str | None, credit: str | None, *, credit_label: str = "Photo"
                 ) -> str:
    """`<figcaption>` with the caption and the credit, or '' when there is neither. The
    alt text is never repeated here: a screen reader would read it twice."""
    parts = []
    if caption and caption.strip():
        parts.append(f'<span class="caption">{escape(caption.strip())}</span>')
    if credit and credit.strip():
        parts.append(f'<span class="credit">{escape(credit_label)}: '
                     f'{escape(credit.strip())}</span>')
    return f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""


def figure_html(inner: str, caption: str | None, credit: str | None,
                css_class: str = "photo") -> str:
    return f'<figure class="{escape(css_class)}">{inner}{caption_html(caption, credit)}</figure>'


def photo_object(url: str, asset: ImageAsset, caption: str | None, credit: str | None
                 ) -> dict[str, object] | None:
    """ImageObject JSON-LD of a captioned or credited photo (None: a plain URL will do).
    The author's credit wins; the photo's own IPTC/XMP fill in creator and copyright."""
    own = asset.credit
    if not (caption or credit or own):
        return None
    return image_object(url, caption=caption or (own.caption if own else None), credit=credit,
                        creator=own.creator if own else None,
                        copyright_notice=own.copyright if own else None)


def _srcset(renditions: tuple[Rendition, ...], url_for: Callable[[str], str]) -> str:
    ordered = sorted(renditions, key=lambda r: r.width)
    return str(escape(", ".join(f"{url_for(r.path)} {r.width}w" for r in ordered)))
