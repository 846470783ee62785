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


def bake_non_scaling_strokes(data: bytes) -> bytes:
    """``data`` (an SVG document) with each non-scaling-stroke path or polyline under a
    group of transform M drawn with its points mapped by M, inside a group of transform M⁻¹."""
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(data)
    for group in list(root.iter(f"{{{SVG}}}g")):
        match = _MATRIX.fullmatch(group.attrib.get("transform", "").strip())
        if match is None:
            continue
        a, b, c, d, e, f = (float(v) for v in match.group(1).replace(",", " ").split())
        det = a * d - b * c
        if det == 0 or (a, b, c, d) == (1, 0, 0, 1):
            continue
        undo = "matrix({})".format(",".join(f"{v:.12g}" for v in (
            d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)))
        for index, path in enumerate(list(group)):
            if path.attrib.get("vector-effect") != NON_SCALING:
                continue
            if path.tag == f"{{{SVG}}}path":
                key, mapped = "d", _mapped_path(path.attrib.get("d", ""), (a, b, c, d, e, f))
            elif path.tag == f"{{{SVG}}}polyline":
                key, mapped = "points", _mapped_path("M" + path.attrib.get("points", ""), (a, b, c, d, e, f))
                mapped = mapped[1:].strip() if mapped else None
            else:
                continue
            if mapped is None:
                continue
            path.attrib[key] = mapped
            del path.attrib["vector-effect"]       # its stroke is in pixels now (and baked once)
            wrapper = ET.Element(f"{{{SVG}}}g", {"transform": undo})
            group.remove(path)
            wrapper.append(path)
            group.insert(index, wrapper)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
