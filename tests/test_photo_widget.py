"""The photograph widget (chapters 2 and 4): its compute function against PyTorch, its
browser maths against Python, its shading, texts, repr and argument checks."""

from __future__ import annotations

import base64
import itertools
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js

from convlab import images
from convlab.widgets import PhotoFilter, filter_photo
from convlab.widgets.photo import (
    FILTERS,
    SHADES,
    conv_call,
    photo_kernels,
    photo_levels,
    photo_state,
    shade_levels,
    size_formula,
)


def js_array(value) -> list:
    """A typed array as Node's JSON writes it ({"0": …, "1": …}), or a list, as a list."""
    if isinstance(value, dict):
        return [value[str(i)] for i in range(len(value))]
    return value


def reference(kernel: str, size: int, stride: int, padding: int) -> torch.Tensor:
    """The output by PyTorch alone, on the widget's photo (grey levels / 255, float64)."""
    x = photo_levels().to(torch.float64)[None, None] / 255
    if kernel == "blur":
        K = torch.full((1, 1, size, size), 1 / size**2, dtype=torch.float64)
    else:
        names = ("sobel_x", "sobel_y") if kernel == "magnitude" else (kernel,)
        K = torch.stack([images.KERNELS[n] for n in names])[:, None].to(torch.float64)
    G = F.conv2d(x, K, stride=stride, padding=padding)[0]
    return G.square().sum(0).sqrt() if kernel == "magnitude" else G[0]


# --- the photo it ships -----------------------------------------------------------


def test_the_photo_is_the_course_photo_shrunk_three_times_in_8_bit_grey():
    levels = photo_levels()
    assert levels.shape == (100, 150) and levels.dtype == torch.uint8
    grey = images.photo(gray=True, shrink=3)[0]
    assert (levels.to(torch.float64) / 255 - grey.double()).abs().max() <= 0.5 / 255 + 1e-6
    state = photo_state()
    assert (state["height"], state["width"]) == (100, 150)
    assert base64.b64decode(state["levels"]) == levels.numpy().tobytes()
    assert len(state["levels"]) == 20_000  # 15,000 bytes in base64


def test_the_widget_sends_the_photo_and_refuses_another():
    widget = PhotoFilter()
    assert widget.get_state()["photo"] == photo_state()
    for other in ({"height": 1, "width": 1, "levels": "AA=="}, None, "photo", 3):
        with pytest.raises(ValueError, match="^photo: cannot be changed"):
            widget.photo = other
    assert widget.photo == photo_state()


# --- filter_photo against PyTorch ---------------------------------------------------

SETTINGS = st.tuples(
    st.sampled_from(FILTERS), st.integers(1, 9), st.integers(1, 4), st.integers(0, 4)
)


@given(SETTINGS)
def test_filter_photo_is_pytorchs_conv2d(setting):
    kernel, size, stride, padding = setting
    r = filter_photo(kernel, size, stride, padding)
    torch.testing.assert_close(r.Y, reference(kernel, size, stride, padding))
    assert r.Y.dtype == torch.float64
    k = size if kernel == "blur" else 3
    rows = (100 + 2 * padding - k) // stride + 1
    cols = (150 + 2 * padding - k) // stride + 1
    assert r.Y.shape == (rows, cols)
    assert r.formula == (
        f"⌊(100 + 2·{padding} − {k})/{stride}⌋ + 1 = {rows} rows, "
        f"⌊(150 + 2·{padding} − {k})/{stride}⌋ + 1 = {cols} columns"
    )
    # The PyTorch call printed under the widget computes the same output.
    x = r.X[None, None]
    K = r.kernels[:, None]
    out = eval(r.call, {"F": F, "x": x, "K": K})  # noqa: S307 (text we generate)
    torch.testing.assert_close(out.reshape(r.Y.shape), r.Y)


def test_kernels_are_the_course_kernels():
    torch.testing.assert_close(photo_kernels("blur", 3)[0], images.KERNELS["blur"].double())
    assert photo_kernels("blur", 1).tolist() == [[[1.0]]]
    for name in ("sharpen", "sobel_x", "sobel_y"):
        assert photo_kernels(name, 7).tolist() == [images.KERNELS[name].tolist()]
    assert photo_kernels("magnitude").shape == (2, 3, 3)


def test_zero_padding_darkens_the_blurred_border_by_hand():
    # A 3 × 3 blur's corner window with padding 1 holds 4 photo pixels and 5 zeros.
    r = filter_photo("blur", 3, 1, 1)
    X = r.X
    assert r.Y[0, 0].item() == pytest.approx(X[:2, :2].sum().item() / 9, abs=1e-12)
    assert r.Y[50, 75].item() == pytest.approx(X[49:52, 74:77].mean().item(), abs=1e-12)


def test_shading_by_hand():
    Y = torch.tensor([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 5.0, float("nan")], dtype=torch.float64)
    assert shade_levels(Y, "sobel_x").tolist() == [0, 0, 64, 128, 191, 255, 255, 0]
    assert shade_levels(Y, "blur").tolist() == [0, 0, 0, 0, 255, 255, 255, 0]
    assert shade_levels(Y, "magnitude").tolist() == [0, 0, 0, 0, 85, 170, 255, 0]
    assert set(SHADES) == set(FILTERS)


def test_repr_is_one_deterministic_line():
    assert repr(PhotoFilter()) == (
        "PhotoFilter(3×3 blur, stride 1, padding 0 on the 100×150 photo → Y 98×148, "
        "values 0.04 to 0.75)"
    )
    text = repr(PhotoFilter("magnitude", stride=2, padding=1))
    assert text.startswith("PhotoFilter(Sobel edge magnitude, stride 2, padding 1")
    assert "Y 50×75" in text and "\n" not in text
    assert repr(PhotoFilter("sobel_y", size=5)).startswith("PhotoFilter(Sobel y, stride 1")


# --- argument checks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kernel": "edges"}, ValueError, "^kernel:"),
        ({"kernel": 3}, TypeError, "^kernel:"),
        ({"size": 0}, ValueError, "^size: the widget allows 1 to 9, got 0"),
        ({"size": 10**30}, ValueError, "^size:"),
        ({"size": 2.5}, TypeError, "^size:"),
        ({"size": True}, TypeError, "^size:"),
        ({"stride": 5}, ValueError, "^stride: the widget allows 1 to 4, got 5"),
        ({"stride": np.float32(1)}, TypeError, "^stride:"),
        ({"padding": -1}, ValueError, "^padding:"),
        ({"padding": float("nan")}, TypeError, "^padding:"),
    ],
)
def test_bad_settings_are_refused_with_the_rule(kwargs, error, message):
    with pytest.raises(error, match=message):
        filter_photo(**kwargs)
    kernel = kwargs.pop("kernel", "blur")
    with pytest.raises(error, match=message):
        PhotoFilter(kernel, **kwargs)


def test_numpy_ints_are_plain_ints():
    widget = PhotoFilter(size=np.int64(5), stride=np.int32(2), padding=np.int16(1))
    assert (type(widget.size), widget.size, widget.stride, widget.padding) == (int, 5, 2, 1)
    widget.kernel = np.str_("sharpen")
    assert widget.kernel == "sharpen"


def test_shade_levels_and_helpers_check_their_arguments():
    with pytest.raises(TypeError, match="^Y:"):
        shade_levels([0.5], "blur")
    with pytest.raises(TypeError, match="^Y:"):
        shade_levels(torch.ones(2, dtype=torch.float32), "blur")
    with pytest.raises(ValueError, match="^kernel:"):
        shade_levels(torch.ones(2, dtype=torch.float64), "gauss")
    with pytest.raises(ValueError, match="^stride:"):
        size_formula("blur", 3, 0, 0)
    with pytest.raises(ValueError, match="^padding:"):
        conv_call("blur", 1, 5)


# --- the browser's maths against Python -------------------------------------------


def js_photo() -> dict:
    """The decoded photo as the page holds it, in plain JSON (X a list)."""
    X = (photo_levels().to(torch.float64) / 255).flatten().tolist()
    return {"height": 100, "width": 150, "X": X}


def test_the_page_decodes_the_photo_it_is_sent():
    (decoded,) = run_js("widgets/photo.js", [("decodePhoto", [photo_state()])])
    assert (decoded["height"], decoded["width"]) == (100, 150)
    assert js_array(decoded["X"]) == js_photo()["X"]  # the same doubles, exactly


def test_the_page_filters_the_photo_as_python_does():
    cases = [
        *itertools.product(FILTERS, [3], [1, 2], [0, 1]),
        *[("blur", k, s, p) for k, s, p in [(1, 1, 0), (2, 3, 4), (5, 1, 2), (9, 1, 4), (9, 4, 0)]],
        *[(f, 3, 4, 4) for f in FILTERS],
        ("sharpen", 7, 3, 3),  # the size only changes the blur
    ]
    photo = js_photo()
    calls = []
    for kernel, size, stride, padding in cases:
        calls.append(("filterPhoto", [photo, kernel, size, stride, padding]))
    results = run_js("widgets/photo.js", calls)
    pairs = zip(results, cases, strict=True)
    shades = [("shadeLevels", [js_array(r["Y"]), c[0]]) for r, c in pairs]
    levels = run_js("widgets/photo.js", shades)
    texts = run_js(
        "widgets/photo.js",
        [
            *[("sizeFormula", [*case, [100, 150]]) for case in cases],
            *[("convCall", [case[0], case[2], case[3]]) for case in cases],
        ],
    )
    for n, (case, r) in enumerate(zip(cases, results, strict=True)):
        py = filter_photo(*case)
        Y = torch.tensor(js_array(r["Y"]), dtype=torch.float64)
        assert (r["rows"], r["cols"]) == tuple(py.Y.shape), case
        torch.testing.assert_close(Y.reshape(py.Y.shape), py.Y, rtol=0, atol=1e-12)
        assert r["kernels"] == py.kernels.tolist(), case
        # Levels may differ by one where a value sits on a rounding boundary.
        shade = torch.tensor(js_array(levels[n]), dtype=torch.int16).reshape(py.Y.shape)
        assert (shade - py.levels.to(torch.int16)).abs().max() <= 1, case
        assert texts[n] == py.formula
        assert texts[len(cases) + n] == py.call


def test_the_page_shades_as_python_does_by_hand():
    values = [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 5.0]
    got = run_js("widgets/photo.js", [("shadeLevels", [values, name]) for name in FILTERS])
    Y = torch.tensor(values, dtype=torch.float64)
    for name, levels in zip(FILTERS, got, strict=True):
        assert js_array(levels) == shade_levels(Y, name).tolist()
    texts = run_js("widgets/photo.js", [("shadeText", ["blur"]), ("shadeText", ["sobel_y"])])
    assert texts == ["black 0, white 1", "black −2, mid grey 0, white 2"]


def test_photo_kernels_in_the_page_are_pythons():
    calls = [("photoKernels", [name, size]) for name in FILTERS for size in (1, 3, 8)]
    got = run_js("widgets/photo.js", calls)
    for (_, (name, size)), kernels in zip(calls, got, strict=True):
        assert kernels == photo_kernels(name, size).tolist()


@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 4),
    st.integers(1, 4),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.integers(0, 2**16),
)
def test_correlate_plane_adds_what_correlate2d_adds(h, w, kh, kw, stride, padding, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(h, w, generator=g, dtype=torch.float64)
    K = torch.randn(kh, kw, generator=g, dtype=torch.float64)
    options = {"stride": list(stride), "padding": list(padding)}
    plane, grid = run_js(
        "kernels/correlation.js",
        [
            ("correlatePlane", [X.flatten().tolist(), [h, w], K.tolist(), options]),
            ("correlate2d", [X.tolist(), K.tolist(), options]),
        ],
    )
    if grid is None:  # the kernel does not fit the padded input
        assert plane is None
        assert any(k > n + 2 * p for k, n, p in zip((kh, kw), (h, w), padding, strict=True))
        return
    Y = torch.tensor(js_array(plane["Y"]), dtype=torch.float64).reshape(plane["rows"], -1)
    assert Y.tolist() == grid  # the same sums in the same order: bit for bit
    ref = F.conv2d(X[None, None], K[None, None], stride=stride, padding=padding)[0, 0]
    torch.testing.assert_close(Y, ref)


def test_the_bundle_names_its_widget():
    assert re.search(r"function filterPhoto\(", (PhotoFilter._esm._path).read_text())
