"""Notebook 07's methods against independent references: captum 0.9 (Saliency, Occlusion, LayerGradCam), torch's
autograd and central differences (FGSM), a brute-force search (top-activating patches), and the notebook's own
lesson cells. Run with -s to see the largest differences on the 100 test digits."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from lesson_code import lesson_namespace

from helpers import explain
from helpers.data import load_mnist
from helpers.train import to_tensors

N = 100  # test digits compared with captum


@pytest.fixture(scope="module")
def trained():
    from helpers.train import trained_lecture_cnn

    return trained_lecture_cnn(progress=False)[0]


@pytest.fixture(scope="module")
def digits():
    images, labels = load_mnist("test")
    x, y = to_tensors(images[:N], labels[:N])
    return images[:N], x, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _report(name, diff):
    print(f"\n{name}: max |ours − captum| on {N} test digits = {float(diff.detach()):.3g}")


# --- saliency, occlusion, Grad-CAM against captum ------------------------------------------------------------


def test_saliency_equals_captum_and_the_lesson_cell(trained, digits):
    from captum.attr import Saliency

    _, x, y = digits
    ours = explain.saliency(trained, x, y)
    theirs = Saliency(trained).attribute(x, target=y, abs=True)[:, 0]
    diff = (ours - theirs).abs().max()
    _report("saliency", diff)
    assert diff <= 1e-6 * theirs.abs().max()
    lesson = lesson_namespace("07_what_it_looks_at", "lesson-saliency")["saliency"]
    for i in range(5):
        torch.testing.assert_close(lesson(trained, x[i : i + 1], int(y[i])), ours[i], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("size, stride, n", [(7, 3, N), (5, 3, 20), (4, 2, 10), (14, 7, 20), (3, 3, 10)])
def test_occlusion_equals_captum(trained, digits, size, stride, n):
    from captum.attr import Occlusion

    _, x, y = digits
    x, y = x[:n], y[:n]
    drops, ours = explain.occlusion(trained, x, y, size=size, stride=stride)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = Occlusion(lambda z: torch.softmax(trained(z), 1)).attribute(
            x,
            sliding_window_shapes=(1, size, size),
            strides=(1, stride, stride),
            baselines=float(explain.normalise(0.0)),
            target=y,
            perturbations_per_eval=64,
        )[:, 0]
    diff = (ours - theirs).abs().max()
    if n == N:
        _report(f"occlusion (patch {size}, stride {stride})", diff)
    assert diff < 1e-5
    side = len(explain.window_starts(28, size, stride))
    assert drops.shape == (n, side, side)


def test_window_positions_are_the_convolutions_when_they_fit_and_one_more_when_not():
    from helpers.conv import output_size

    for size in range(2, 15):
        for stride in range(1, size + 1):
            starts = explain.window_starts(28, size, stride)
            fits = (28 - size) % stride == 0
            assert len(starts) == output_size(28, size, stride) + (0 if fits else 1)
            assert starts[-1] + size >= 28 > starts[-1]  # the last window reaches the edge


def test_grad_cam_equals_captum_and_the_lesson_cell(trained, digits):
    from captum.attr import LayerAttribution, LayerGradCam

    _, x, y = digits
    cam, stretched = explain.grad_cam(trained, x, y)
    theirs = LayerGradCam(trained, trained[10]).attribute(x, target=y, relu_attributions=True)
    diff = (cam - theirs[:, 0]).abs().max()
    _report("Grad-CAM, 7×7", diff)
    assert cam.shape == (N, 7, 7) and diff <= 1e-6
    up = LayerAttribution.interpolate(theirs, (28, 28), "bilinear")[:, 0]
    diff = (stretched - up).abs().max()
    _report("Grad-CAM, stretched to 28×28", diff)
    assert diff <= 1e-6
    lesson = lesson_namespace("07_what_it_looks_at", "lesson-grad-cam")["grad_cam"]
    for i in range(5):
        small, big = lesson(trained, x[i : i + 1], int(y[i]))
        torch.testing.assert_close(small, cam[i], rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(big, stretched[i], rtol=1e-5, atol=1e-7)


# --- FGSM -------------------------------------------------------------------------------------------------


def test_fgsm_moves_each_pixel_along_the_sign_of_the_loss_gradient(trained, digits):
    """The direction: captum's Saliency of minus log p(label) (the cross-entropy) everywhere, and central differences
    of the loss (1,568 perturbed copies of one digit, one batch) on the ink, where the network is differentiable
    (on flat background, max pooling sees ties, and a one-sided change picks another winner); the lesson cell
    gives the helper's digit."""
    import torch.nn.functional as F
    from captum.attr import Saliency

    images, _, y = digits
    model = trained.double()
    try:
        pixels = torch.as_tensor(images[:5] / 255, dtype=torch.float64)[:, None]
        moved = explain.fgsm(model, pixels, y[:5], 0.1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grad = Saliency(lambda p: -torch.log_softmax(model(explain.normalise(p)), 1)).attribute(
                pixels, target=y[:5], abs=False
            )
        torch.testing.assert_close(moved, (pixels + 0.1 * grad.sign()).clamp(0, 1))
        one, h = pixels[:1], 1e-6
        eye = torch.eye(784, dtype=torch.float64).reshape(784, 1, 28, 28)
        with torch.no_grad():
            loss = lambda p: F.cross_entropy(model(explain.normalise(p)), y[:1].repeat(len(p)), reduction="none")
            numeric = ((loss(one + h * eye) - loss(one - h * eye)) / (2 * h)).reshape(28, 28)
        ink = (one[0, 0] > 0.5) & (numeric.abs() > 1e-2 * numeric.abs().max())
        assert ink.sum() > 50
        agree = (numeric.sign()[ink] == grad[0, 0].sign()[ink]).float().mean()
        assert agree > 0.97, float(agree)
        lesson = lesson_namespace("07_what_it_looks_at", "lesson-fgsm")["fgsm"]
        torch.testing.assert_close(lesson(model, pixels[:1], int(y[0]), 0.1), moved[:1])
    finally:
        trained.float()


def test_fgsm_accuracy_is_fgsm_then_evaluate_and_is_cached(trained, tmp_path, monkeypatch):
    import helpers.train

    images, labels = load_mnist("test")
    pixels = torch.as_tensor(images[:300] / 255, dtype=torch.float32)[:, None]
    y = torch.as_tensor(labels[:300], dtype=torch.int64)
    expected = {}
    for e in (0.0, 0.1, 0.3):
        with torch.no_grad():
            answers = trained(explain.normalise(explain.fgsm(trained, pixels, y, e))).argmax(1)
        expected[e] = float((answers == y).float().mean())
    monkeypatch.setattr(helpers.train, "CACHE_DIR", tmp_path)
    first = explain.fgsm_accuracy(trained, pixels, y, epsilons=(0, 0.1, 0.3), batch_size=128, cache=True)
    assert first == pytest.approx(expected, abs=1 / 300 + 1e-9)  # a tie in the batch order: one digit at most
    assert len(list(tmp_path.glob("fgsm-curve-*.npz"))) == 1
    assert explain.fgsm_accuracy(trained, pixels, y, epsilons=(0, 0.1, 0.3), batch_size=128, cache=True) == first
    assert first[0.0] > first[0.1] > first[0.3]


def test_flip_epsilon_is_the_first_step_where_the_answer_changes(trained):
    images, labels = load_mnist("test")
    pixels = torch.as_tensor(images[:1] / 255, dtype=torch.float32)[:, None]
    flip, answer = explain.flip_epsilon(trained, pixels, int(labels[0]))
    lesson = lesson_namespace("07_what_it_looks_at", "lesson-fgsm")["fgsm"]
    read = lambda e: int(trained(explain.normalise(lesson(trained, pixels, int(labels[0]), e))).argmax())
    assert read(flip) == answer != labels[0]
    assert read(round(flip - 0.01, 2)) == labels[0]


# --- top-activating patches -------------------------------------------------------------------------------


def test_top_activations_match_a_brute_force_search(trained, tmp_path, monkeypatch):
    import helpers.train
    from helpers.models import activations

    images, _ = load_mnist("test")
    x = to_tensors(images[:300])
    monkeypatch.setattr(helpers.train, "CACHE_DIR", tmp_path)
    top = explain.top_activations(trained, x, layers=(6, 10), k=9, batch_size=64, cache=True)
    assert explain.top_activations(trained, x, layers=(6, 10), k=9, cache=True)[10][1].tolist() == top[10][1].tolist()
    maps = activations(trained, x, kinds=(torch.nn.ReLU,))
    for layer in (6, 10):
        m = maps[f"{layer} ReLU"].numpy()  # (300, C, h, w)
        values, images_, rows, cols = top[layer]
        for c in (0, 5):
            best = m[:, c].reshape(len(m), -1).max(1)
            np.testing.assert_allclose(values[c], np.sort(best)[::-1][:9], rtol=1e-5)
            np.testing.assert_allclose(m[images_[c], c, rows[c], cols[c]], values[c], rtol=1e-5)


def test_a_patch_is_the_receptive_field_padded_at_the_edges(trained):
    from helpers.drawing import receptive_field

    image = np.arange(28 * 28, dtype=float).reshape(28, 28)
    inside = explain.patch(image, trained, 10, 3, 3, 18)
    top, left, bottom, right = receptive_field(trained, "10", 3, 3)
    np.testing.assert_array_equal(inside, image[top : bottom + 1, left : right + 1])
    corner = explain.patch(image, trained, 10, 0, 0, 18)  # the field runs over the top and left
    top, left, bottom, right = receptive_field(trained, "10", 0, 0)
    h, w = bottom - top + 1, right - left + 1
    assert (corner[: 18 - h] == 0).all() and (corner[:, : 18 - w] == 0).all()
    np.testing.assert_array_equal(corner[18 - h :, 18 - w :], image[:h, :w])


# --- bad input is a ValueError naming the argument -----------------------------------------------------------


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda m, x: explain.saliency(m, x[:, 0], 1), "x must be"),
        (lambda m, x: explain.saliency(m, x, [1, 2]), "labels must be"),
        (lambda m, x: explain.saliency(m, x, 12), "labels must be digits"),
        (lambda m, x: explain.saliency("cnn", x, 1), "model must be"),
        (lambda m, x: explain.occlusion(m, x, 1, size=3, stride=4), "stride must be"),
        (lambda m, x: explain.occlusion(m, x, 1, size=40), "size must be"),
        (lambda m, x: explain.grad_cam(m, x, 1, layer=13), "layer must be"),
        (lambda m, x: explain.grad_cam(m, x, 1, layer=12), "gives no maps"),
        (lambda m, x: explain.fgsm(m, x, 1, epsilon=2), "epsilon must be"),
        (lambda m, x: explain.fgsm(m, x, 1, epsilon=float("nan")), "epsilon must be"),
        (lambda m, x: explain.fgsm_accuracy(m, x, [1], epsilons=(0, -1)), "each epsilon"),
        (lambda m, x: explain.top_activations(m, x, layers=(6,), k=5), "k must be"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_argument(call, word):
    from helpers.models import lecture_cnn

    torch.manual_seed(0)
    with pytest.raises(ValueError, match=word):
        call(lecture_cnn().eval(), torch.zeros(1, 1, 28, 28))


# --- the exercises' checks: a pass, a hint for a wrong answer, never a traceback -----------------------------


@pytest.mark.slow  # the checks of exercises 1 and 3 load the class CNN
@pytest.mark.parametrize(
    "check, kwargs, right, wrong, hint",
    [
        (explain.check_windows, dict(size=7, stride=3), 64, 8, "along one side"),
        (explain.check_windows, dict(size=5, stride=3), 81, 64, "round up"),
        (explain.check_where_it_looks, dict(index=2), "background", "ink", "many more pixels"),
        (explain.check_flip, dict(index=0), None, 0.01, "move the ε slider further"),
    ],
)
def test_each_check_passes_the_answer_and_hints_at_a_wrong_one(check, kwargs, right, wrong, hint):
    if check is explain.check_flip:  # the answer is worked out here, by the lesson's method
        right = _flip_by_hand(0)
        assert explain.check_flip(0.5, **kwargs).ok is False
    good, bad = check(right, **kwargs), check(wrong, **kwargs)
    assert good.ok and str(good).startswith("✓"), str(good)
    assert not bad.ok and hint in bad, str(bad)


def _flip_by_hand(index):
    from helpers.train import trained_lecture_cnn

    model = trained_lecture_cnn(progress=False)[0]
    images, labels = load_mnist("test")
    pixels = torch.as_tensor(images[index : index + 1] / 255, dtype=torch.float32)[:, None]
    fgsm = lesson_namespace("07_what_it_looks_at", "lesson-fgsm")["fgsm"]
    for e in np.round(np.arange(0.01, 0.51, 0.01), 2):
        if int(model(explain.normalise(fgsm(model, pixels, int(labels[index]), float(e)))).argmax()) != labels[index]:
            return float(e)
    return None


@pytest.mark.parametrize("answer", [None, "forty", [1, 2], {"x": 1}, float("nan"), True, 3 + 4j, object()])
@pytest.mark.parametrize(
    "check, kwargs", [(explain.check_windows, {}), (explain.check_where_it_looks, {}), (explain.check_flip, {})]
)
def test_an_unreadable_answer_gets_a_hint_not_a_traceback(check, kwargs, answer):
    feedback = check(answer, **kwargs)
    assert not feedback.ok and not any(w in feedback for w in ("Traceback", "Error", "dtype", "NoneType"))


# --- the explorers ----------------------------------------------------------------------------------------


def test_the_occlusion_explorer_shows_the_helpers_maps_and_refuses_a_stride_beyond_the_patch(trained, digits):
    from helpers.explain_widgets import occlusion_explorer
    from helpers.widgets import Message, control

    images, x, y = digits
    ui = occlusion_explorer(trained, images, y.numpy(), indices=[0, 1])
    assert ui.result["windows"] == 64 and ui.static_png
    control(ui, "patch_size").value = 5
    drops, per_pixel = explain.occlusion(trained, x[:1], y[:1], size=5, stride=3)
    np.testing.assert_allclose(ui.result["attribution"], per_pixel[0].numpy(), atol=1e-6)
    control(ui, "patch_size").value = 4
    control(ui, "stride").value = 6
    assert isinstance(ui.result, Message) and "stride 6 is larger than patch size 4" in ui.result
    control(ui, "stride").value = 2
    assert ui.result["windows"] == 13 * 13


def test_the_fgsm_explorer_reads_what_the_lesson_cell_makes(trained, digits):
    from helpers.explain_widgets import fgsm_explorer
    from helpers.widgets import control

    images, _, y = digits
    ui = fgsm_explorer(trained, images, y.numpy(), indices=[0, 1])
    assert ui.result["prediction"] == int(y[0])
    lesson = lesson_namespace("07_what_it_looks_at", "lesson-fgsm")["fgsm"]
    pixels = torch.as_tensor(images[:1] / 255, dtype=torch.float32)[:, None]
    for e in (0.1, 0.25):
        control(ui, "epsilon").value = e
        changed = lesson(trained, pixels, int(y[0]), e)
        with torch.no_grad():
            p = torch.softmax(trained(explain.normalise(changed)), 1)[0]
        assert ui.result["prediction"] == int(p.argmax())
        assert ui.result["probability"] == pytest.approx(float(p.max()), abs=1e-5)
        assert np.abs(ui.result["change"]).max() == pytest.approx(e, abs=1e-6)


def test_the_explorers_text_is_16px_or_more_at_presenter_scale(trained, digits):
    import helpers.widgets as hw
    from helpers.explain_widgets import fgsm_explorer, occlusion_explorer

    images, _, y = digits
    hw.presenter(True)
    try:
        for make in (occlusion_explorer, fgsm_explorer):
            ui = make(trained, images, y.numpy(), indices=[0])
            fig = ui.figure.fig
            texts = [
                t for ax in fig.axes for t in (ax.title, *ax.get_xticklabels(), *ax.get_yticklabels()) if t.get_text()
            ]
            assert texts and min(t.get_fontsize() for t in texts) * hw.PRESENTER.dpi / 72 >= 16
            assert fig.get_figwidth() * hw.PRESENTER.dpi <= 1700
    finally:
        hw.presenter(False)


def test_the_explorers_stills_have_text_of_20px_or_more_on_a_1280px_slide(trained, digits, still_fits_a_slide):
    from helpers.explain_widgets import fgsm_explorer, occlusion_explorer

    images, _, y = digits
    for make in (occlusion_explorer, fgsm_explorer):
        still_fits_a_slide(make(trained, images, y.numpy(), indices=[0]))


@pytest.mark.parametrize(
    "make, control_name, value", [("occlusion_explorer", "patch_size", 12), ("fgsm_explorer", "epsilon", 0.2)]
)
def test_a_blitted_redraw_has_the_pixels_of_a_full_redraw(trained, digits, make, control_name, value):
    import io

    from PIL import Image

    import helpers.explain_widgets as ew
    import helpers.widgets as hw

    images, _, y = digits
    ui = getattr(ew, make)(trained, images, y.numpy(), indices=[0, 1])
    hw.control(ui, control_name).value = value  # drawn over the saved background
    fast = np.asarray(Image.open(io.BytesIO(ui.last_png)))
    figure = ui.figure
    for artist in figure.moving:
        artist.set_animated(False)
    figure.canvas.draw()  # everything, the usual way
    np.testing.assert_array_equal(fast, np.asarray(figure.canvas.buffer_rgba())[..., :3])
