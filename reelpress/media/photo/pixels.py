"""Pillow work of the photo stage: open a source safely, then make its outputs.

`open_source` is shared by the plan (header only) and the worker (full decode), so both
refuse the same files with the same words. `process_image_job` is a top-level function
so a process pool can pickle it.

Colour policy: every output is sRGB with no ICC profile. A source carrying another
profile (Display P3, Adobe RGB, a CMYK press profile) is converted to sRGB with
littleCMS, then the profile is dropped: browsers assume sRGB for untagged images, the
outputs are smaller, and a profile can itself carry identifying text.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from reelpress.core.atomic import atomic_path
from reelpress.core.diagnostics import Diagnostic, error, warning
from reelpress.media.photo.credits import PhotoCredit, read_photo_credit
from reelpress.media.photo.model import SOURCE_FORMATS, ImageJob, OutputSpec

PIL_FORMATS = {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}
ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
_ORIENTATION_TAG = 0x0112
_SWAPPING_ORIENTATIONS = (5, 6, 7, 8)


class ImageProblem(Exception):
    """A user's file we cannot use; carries the message and what to do."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class SourceHeader:
    """What the plan learns without decoding pixels."""

    format: str
    display_size: tuple[int, int]  # EXIF orientation applied
    has_alpha: bool
    animated: bool = False  # only the first frame is used
    credit: PhotoCredit | None = None  # from IPTC/XMP, before the metadata is stripped


def open_source(data: bytes, label: str) -> Image.Image:
    """Open image bytes lazily, refusing non-images, unsupported formats and bombs.

    Pillow warns above `Image.MAX_IMAGE_PIXELS` and raises above twice that. The warning
    is turned into an error only inside this block; the global limit is never changed.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(label) from None
    except Image.UnidentifiedImageError:
        raise ImageProblem(
            f"{label} is not an image that can be read",
            "the file content is not JPEG, PNG, WebP, AVIF, GIF or TIFF, whatever its name; "
            "export it again as JPEG",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _corrupt(label, exc) from None
    limit = Image.MAX_IMAGE_PIXELS  # read, never changed: other code shares it
    if limit and image.width * image.height > limit:
        # Pillow only warns between the limit and twice it; when the warning filter
        # above is not in force (another thread left warnings in another state) this
        # still refuses.
        image.close()
        raise _bomb(label)
    if _too_thin(image.size):
        image.close()
        raise ImageProblem(
            f"{label} is {image.width} x {image.height} pixels: too thin to publish (one side "
            f"is over {MAX_ASPECT} times the other, or over {MAX_SIDE} pixels)",
            "crop or scale the image; a header this shape may also be a decompression bomb")
    if image.format not in SOURCE_FORMATS:
        image.close()
        raise ImageProblem(
            f"{label} is a {image.format} image, which is not supported",
            "convert it to JPEG (photos) or PNG (graphics with transparency)",
        )
    return image


# A 1 x 80,000,000 PNG is 70 bytes and passes the pixel limit, but every rendition of it
# (and the 1200x630 social card, filled by upscaling the 1-pixel side) is gigabytes.
MAX_ASPECT = 100
MAX_SIDE = 65_535  # the largest side a JPEG can have


def _too_thin(size: tuple[int, int]) -> bool:
    width, height = size
    return min(width, height) < 1 or max(width, height) > MAX_SIDE or \
        max(width, height) > MAX_ASPECT * min(width, height)


def read_header(image: Image.Image) -> SourceHeader:
    """Size after orientation and whether there is an alpha channel, from the header."""
    width, height = image.size
    if orientation_of(image) in _SWAPPING_ORIENTATIONS:
        width, height = height, width
    animated = bool(getattr(image, "is_animated", False))
    return SourceHeader(image.format or "", (width, height), has_alpha(image), animated,
                        read_photo_credit(image))


def orientation_of(image: Image.Image) -> int:
    """EXIF orientation without decoding; PNG only counts eXIf placed before the pixels."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1  # Pillow's PNG getexif() would decode the whole image to look further
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except (OSError, SyntaxError, ValueError, TypeError):
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ALPHA_MODES or "transparency" in image.info


def process_image_job(job: ImageJob) -> tuple[int, tuple[Diagnostic, ...]]:
    """Decode the source once and write each missing output; (files written, problems)."""
    try:
        data = job.source.read_bytes()
    except OSError as exc:
        return 0, (error(job.article, job.line, f"cannot read {job.source_label}: "
                                                f"{exc.strerror or exc}"),)
    import hashlib  # local: keeps the worker's import cost where it is used

    if hashlib.sha256(data).hexdigest() != job.source_digest:
        return 0, (error(job.article, job.line, f"{job.source_label} changed during the build",
                         "build again"),)
    written = 0
    notes: list[Diagnostic] = []
    try:
        picture = prepare(open_source(data, job.source_label), job, notes)
        for spec in job.outputs:
            write_output(picture, spec)
            written += 1
    except ImageProblem as problem:
        notes.append(error(job.article, job.line, problem.message, problem.hint))
    return written, tuple(notes)


def prepare(image: Image.Image, job: ImageJob, notes: list[Diagnostic]) -> Image.Image:
    """Decode, apply EXIF orientation, convert to sRGB RGB(A), drop every bit of metadata."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(job.source_label) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _corrupt(job.source_label, exc) from None
    if upright.size != job.display_size:
        raise ImageProblem(
            f"{job.source_label} has orientation data after its pixels",
            "save the image again so its EXIF comes first, or rotate it for real",
        )
    target_mode = "RGBA" if job.has_alpha else "RGB"
    srgb = _to_srgb(upright, target_mode, job, notes)
    clean = Image.new(target_mode, srgb.size)
    clean.paste(srgb)  # a fresh image: no info, no EXIF, XMP, comments or ICC carried over
    return clean


def _to_srgb(image: Image.Image, mode: str, job: ImageJob, notes: list[Diagnostic]) -> Image.Image:
    icc = image.info.get("icc_profile")
    if image.mode.startswith("I") or image.mode == "F":
        # 16-bit greyscale: scale 0..65535 down to 0..255 (a plain convert would clip
        # almost everything to white)
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if mode == "RGBA" else "RGB")
    if icc:
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image, source_profile, ImageCms.createProfile("sRGB"),
                renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=mode,
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            notes.append(warning(job.article, job.line,
                                 f"{job.source_label}: its colour profile could not be used; "
                                 "colours may look slightly off",
                                 "export the photo in sRGB"))
    return image if image.mode == mode else image.convert(mode)


def write_output(picture: Image.Image, spec: OutputSpec) -> None:
    """Encode one output to a temporary name, then rename: no half-written cache file."""
    if spec.kind == "card":
        opaque = picture
        if picture.mode == "RGBA":
            opaque = Image.new("RGB", picture.size, (255, 255, 255))
            opaque.paste(picture, mask=picture.getchannel("A"))
        frame = ImageOps.fit(opaque, (spec.width, spec.height), Image.Resampling.LANCZOS,
                             centering=(0.5, 0.5))
    elif picture.size == (spec.width, spec.height):
        frame = picture
    else:
        frame = picture.resize((spec.width, spec.height), Image.Resampling.LANCZOS,
                               reducing_gap=3.0)
    if spec.format == "jpeg" and frame.mode != "RGB":
        frame = frame.convert("RGB")
    try:
        with atomic_path(spec.cache_path) as temp:
            frame.save(temp, format=PIL_FORMATS[spec.format], **_encoder_options(spec))
    except OSError as exc:
        raise ImageProblem(f"cannot write {spec.cache_path}: {exc}",
                           "check free disk space and permissions of the cache folder") from None


def _encoder_options(spec: OutputSpec) -> dict[str, object]:
    if spec.format == "jpeg":
        return {"quality": spec.quality, "optimize": True, "progressive": True}
    if spec.format == "webp":
        return {"quality": spec.quality, "method": 4}
    if spec.format == "avif":
        return {"quality": spec.quality, "speed": spec.speed, "subsampling": "4:2:0"}
    return {"optimize": True}


def _bomb(label: str) -> ImageProblem:
    limit = Image.MAX_IMAGE_PIXELS or 0
    return ImageProblem(
        f"{label} is too large to decode safely (over {limit // 1_000_000} megapixels; "
        "it may be a decompression bomb)",
        "scale the photo down, e.g. to 4000 pixels wide, before adding it",
    )


def _corrupt(label: str, exc: Exception) -> ImageProblem:
    detail = str(exc) or type(exc).__name__
    return ImageProblem(f"{label} is truncated or corrupt ({detail})",
                        "export the image again from the original")
