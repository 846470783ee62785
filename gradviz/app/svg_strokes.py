"""SVG from QSvgGenerator made to draw the same in every renderer.

Qt draws the plots' lines with cosmetic pens (a width in pixels, whatever the zoom) and
writes them as paths in data coordinates under a scaling transform, marked
``vector-effect="non-scaling-stroke"``.  librsvg (GNOME's viewers, many converters) ignores
that mark and scales the stroke with the transform: a 2 px ellipse became a disc hundreds
of pixels wide, a curve on a log axis a band.  Here each such path gets its points mapped by
the transform instead, inside a group that undoes it, so the stroke is in pixels for every
renderer and the clip of the group around it still applies where it was defined.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
NON_SCALING = "non-scaling-stroke"
_MATRIX = re.compile(r"matrix\(([^)]*)\)")
_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _mapped_path(d: str, matrix) -> str | None:
    """Path data ``d`` with every point (x, y) mapped to (a x + c y + e, b x + d y + f);
    None if it has commands other than absolute M, L, C and Z (then it is left alone)."""
    a, b, c, dd, e, f = matrix
    out, numbers = [], []

    def flush():
        if len(numbers) % 2:
            return False
        out.extend(f"{a * x + c * y + e:.7g},{b * x + dd * y + f:.7g}"
                   for x, y in zip(numbers[::2], numbers[1::2]))
        numbers.clear()
        return True

    for token in _TOKEN.findall(d):
        if token.isalpha():
            if token not in "MLCZ" or not flush():
                return None
            out.append(token)
        else:
            numbers.append(float(token))
    return " ".join(out) if flush() else None


def _affine(element) -> tuple:
    """The element's own transform as (a, b, c, d, e, f) (identity if none or not a matrix)."""
    match = _MATRIX.fullmatch(element.attrib.get("transform", "").strip())
    if match is None:
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return tuple(float(v) for v in match.group(1).replace(",", " ").split())


def _compose(outer, inner) -> tuple:
    """outer ∘ inner for affine maps (a, b, c, d, e, f): x' = a x + c y + e, y' = b x + d y + f."""
    a1, b1, c1, d1, e1, f1 = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (a1 * a2 + c1 * b2, b1 * a2 + d1 * b2, a1 * c2 + c1 * d2, b1 * c2 + d1 * d2,
            a1 * e2 + c1 * f2 + e1, b1 * e2 + d1 * f2 + f1)


def _inverse(m) -> tuple | None:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if det == 0:
        return None
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def _bake(element, around) -> None:
    """Bake every non-scaling-stroke path or polyline below ``element``, ``around`` being
    the transform of everything above it: its points mapped by ``around`` and the path
    wrapped in a group of the inverse, so that its stroke is drawn in pixels."""
    here = _compose(around, _affine(element))
    for index, child in enumerate(list(element)):
        if child.attrib.get("vector-effect") != NON_SCALING:
            _bake(child, here)
            continue
        transform = _compose(here, _affine(child))
        undo = _inverse(transform)
        if undo is None or transform[:4] == (1.0, 0.0, 0.0, 1.0):
            continue
        if child.tag == f"{{{SVG}}}path":
            key, mapped = "d", _mapped_path(child.attrib.get("d", ""), transform)
        elif child.tag == f"{{{SVG}}}polyline":
            key, mapped = "points", _mapped_path("M" + child.attrib.get("points", ""), transform)
            mapped = mapped[1:].strip() if mapped else None
        else:
            continue
        if mapped is None:
            continue
        child.attrib[key] = mapped
        child.attrib.pop("transform", None)
        del child.attrib["vector-effect"]      # its stroke is in pixels now (and baked once)
        wrapper = ET.Element(f"{{{SVG}}}g", {"transform": "matrix({})".format(
            ",".join(f"{v:.12g}" for v in undo))})
        element.remove(child)
        wrapper.append(child)
        element.insert(index, wrapper)


def bake_non_scaling_strokes(data: bytes) -> bytes:
    """``data`` (an SVG document) with each non-scaling-stroke path or polyline under
    scaling transforms T drawn with its points mapped by T, inside a group of transform
    T⁻¹ (so a clip defined further out still applies where it was)."""
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(data)
    _bake(root, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
