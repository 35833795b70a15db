"""The `<picture>` markup for a planned photo asset."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import escape

from reelpress.media.photo.model import DEFAULT_SIZES, MIME_TYPES, ImageAsset, Rendition


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


def _srcset(renditions: tuple[Rendition, ...], url_for: Callable[[str], str]) -> str:
    ordered = sorted(renditions, key=lambda r: r.width)
    return str(escape(", ".join(f"{url_for(r.path)} {r.width}w" for r in ordered)))
