"""keras.utils.bounding_boxes against Keras's own functions on the same boxes (where Keras is installed),
and by their definitions."""

import numpy
import pytest

from kerasish.utils import bounding_boxes

RNG = numpy.random.default_rng(5)
FORMATS = bounding_boxes.converters.SUPPORTED_FORMATS


def xyxy_boxes(*batch, size=100.0):
    corners = RNG.uniform(0, size, size=(*batch, 2, 2))
    return numpy.concatenate([corners.min(axis=-2), corners.max(axis=-2)], axis=-1).astype("float32")


def array(x):
    return numpy.asarray(x)


@pytest.fixture
def keras_boxes():
    keras = pytest.importorskip("keras")
    return keras.utils.bounding_boxes


@pytest.mark.parametrize("target", FORMATS)
def test_every_format_round_trips(target):
    boxes = xyxy_boxes(2, 5)
    converted = bounding_boxes.convert_format(boxes, "xyxy", target, height=120, width=80)
    back = bounding_boxes.convert_format(converted, target, "xyxy", height=120, width=80)
    numpy.testing.assert_allclose(array(back), boxes, rtol=1e-5, atol=1e-4)


def test_formats_by_definition():
    boxes = numpy.array([[10.0, 20.0, 30.0, 60.0]], "float32")
    expected = {
        "yxyx": [20, 10, 60, 30],
        "xywh": [10, 20, 20, 40],
        "center_xywh": [20, 40, 20, 40],
        "center_yxhw": [40, 20, 40, 20],
        "rel_xyxy": [0.1, 0.1, 0.3, 0.3],
    }
    for target, values in expected.items():
        got = array(bounding_boxes.convert_format(boxes, "xyxy", target, height=200, width=100))
        numpy.testing.assert_allclose(got[0], values, rtol=1e-6)


@pytest.mark.slow  # each format is checked by definition and by round trip above
@pytest.mark.parametrize(
    "source, target", [("xyxy", "rel_center_xywh"), ("center_yxhw", "rel_yxyx"), ("rel_xywh", "yxyx")]
)
def test_convert_format_matches_keras(keras_boxes, source, target):
    boxes = array(bounding_boxes.convert_format(xyxy_boxes(3, 4), "xyxy", source, height=90, width=70))
    ours = bounding_boxes.convert_format(boxes, source, target, height=90, width=70)
    theirs = keras_boxes.convert_format(boxes, source, target, height=90, width=70)
    numpy.testing.assert_allclose(array(ours), array(theirs), rtol=1e-5, atol=1e-4)


def test_bad_formats_and_shapes():
    with pytest.raises(ValueError, match="Supported formats"):
        bounding_boxes.convert_format(numpy.zeros((1, 4)), "xyxy", "xyzw")
    with pytest.raises(ValueError, match="last dimension of 4. Received: boxes.shape=\\(1, 3\\)"):
        bounding_boxes.convert_format(numpy.zeros((1, 3)), "xyxy", "yxyx")
    with pytest.raises(ValueError, match="must receive `height` and `width`"):
        bounding_boxes.convert_format(numpy.zeros((1, 4)), "xyxy", "rel_xyxy")
    with pytest.raises(NotImplementedError, match="supports 'xyxy' only"):
        bounding_boxes.crop(numpy.zeros((1, 4)), 0, 0, 1, 1, bounding_box_format="yxyx")
    with pytest.raises(ValueError, match="`variance` must be length 4"):
        bounding_boxes.encode_box_to_deltas(numpy.ones((1, 4)), numpy.ones((1, 4)), "xyxy", "xyxy", variance=[1, 2])


def test_clip_crop_pad_match_keras(keras_boxes):
    boxes = xyxy_boxes(2, 6, size=140.0) - 20.0
    labels = numpy.arange(12, dtype="float32").reshape(2, 6)
    ours = bounding_boxes.clip_to_image_size({"boxes": boxes, "labels": labels}, height=100, width=90)
    theirs = keras_boxes.clip_to_image_size({"boxes": boxes, "labels": labels}, height=100, width=90)
    numpy.testing.assert_allclose(array(ours["boxes"]), array(theirs["boxes"]), rtol=1e-6)
    numpy.testing.assert_array_equal(array(ours["labels"]), array(theirs["labels"]))
    numpy.testing.assert_allclose(
        array(bounding_boxes.crop(boxes, 10, 5, 50, 60)), array(keras_boxes.crop(boxes, 10, 5, 50, 60)), rtol=1e-6
    )
    numpy.testing.assert_allclose(
        array(bounding_boxes.pad(boxes, 3, 4)), array(keras_boxes.pad(boxes, 3, 4)), rtol=1e-6
    )


def test_clip_marks_boxes_left_without_area():
    boxes = numpy.array([[[-10.0, -10.0, -1.0, -1.0], [5.0, 5.0, 20.0, 20.0]]], "float32")
    clipped = bounding_boxes.clip_to_image_size({"boxes": boxes, "labels": numpy.array([[3, 4]])}, height=10, width=10)
    numpy.testing.assert_array_equal(array(clipped["labels"]), [[-1, 4]])
    numpy.testing.assert_allclose(array(clipped["boxes"])[0, 1], [5, 5, 10, 10])


@pytest.mark.slow  # the fast tier keeps the identity transform below
def test_affine_transform_matches_keras(keras_boxes):
    boxes = xyxy_boxes(2, 3)
    arguments = [
        numpy.array([15.0, -30.0], "float32"),
        numpy.array([0.1, -0.05], "float32"),
        numpy.array([0.0, 0.2], "float32"),
        numpy.array([1.2, 0.8], "float32"),
        numpy.array([5.0, 0.0], "float32"),
        numpy.array([0.0, -10.0], "float32"),
        100,
        120,
    ]
    ours = bounding_boxes.affine_transform(boxes, *arguments)
    theirs = keras_boxes.affine_transform(boxes, *arguments)
    numpy.testing.assert_allclose(array(ours), array(theirs), rtol=1e-4, atol=1e-3)


def test_an_identity_affine_transform_keeps_the_boxes():
    boxes = xyxy_boxes(1, 4)
    zero = numpy.zeros(1, "float32")
    same = bounding_boxes.affine_transform(boxes, zero, zero, zero, numpy.ones(1, "float32"), zero, zero, 50, 50)
    numpy.testing.assert_allclose(array(same), boxes, rtol=1e-5, atol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("variance", [None, [0.1, 0.1, 0.2, 0.2]])
def test_deltas_round_trip_and_match_keras(variance):
    anchors, boxes = xyxy_boxes(7), xyxy_boxes(7)
    deltas = bounding_boxes.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=variance)
    decoded = bounding_boxes.decode_deltas_to_boxes(anchors, deltas, "xyxy", "xyxy", variance=variance)
    numpy.testing.assert_allclose(array(decoded), boxes, rtol=1e-4, atol=1e-3)
    levels = bounding_boxes.decode_deltas_to_boxes({"p3": anchors}, {"p3": deltas}, "xyxy", "xyxy", variance=variance)
    numpy.testing.assert_allclose(array(levels["p3"]), array(decoded))
    keras = pytest.importorskip("keras")
    theirs = keras.utils.bounding_boxes.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=variance)
    numpy.testing.assert_allclose(array(deltas), array(theirs), rtol=1e-5, atol=1e-5)


def test_iou_by_definition_and_masking():
    boxes1 = numpy.array([[0.0, 0.0, 10.0, 10.0], [-1.0, -1.0, -1.0, -1.0]], "float32")
    boxes2 = numpy.array([[5.0, 0.0, 15.0, 10.0], [0.0, 0.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]], "float32")
    iou = array(bounding_boxes.compute_iou(boxes1, boxes2, "xyxy"))
    assert iou.shape == (2, 3)
    numpy.testing.assert_allclose(iou[0], [50 / 150, 1.0, 0.0], rtol=1e-5, atol=1e-6)
    masked = array(bounding_boxes.compute_iou(boxes1, boxes2, "xyxy", use_masking=True, mask_val=-7))
    numpy.testing.assert_array_equal(masked[1], [-7, -7, -7])
    with pytest.raises(ValueError, match="expects boxes1 to be batched"):
        bounding_boxes.compute_iou(boxes1[0], boxes2, "xyxy")
    with pytest.raises(ValueError, match="`image_shape` argument must be provided"):
        bounding_boxes.compute_iou(boxes1, boxes2, "rel_xyxy")


def test_ciou_by_definition():
    """CIoU = IoU - (centre distance / enclosing diagonal)^2 - alpha * v, v from the aspect ratios: the same
    box gives 1; a box scaled about its centre (no distance, same aspect) its IoU; a shifted copy of the
    same size IoU less the distance term."""
    box = numpy.array([[10.0, 20.0, 30.0, 60.0]], "float32")
    scaled = numpy.array([[15.0, 30.0, 25.0, 50.0]], "float32")  # a quarter of the area, the same centre
    shifted = box + numpy.array([[10.0, 0.0, 10.0, 0.0]], "float32")
    ciou = [array(bounding_boxes.compute_ciou(box, other, "xyxy"))[0] for other in (box, scaled, shifted)]
    iou_shifted = (10 * 40) / (2 * 20 * 40 - 10 * 40)
    distance, diagonal = 10.0**2, 30.0**2 + 40.0**2
    numpy.testing.assert_allclose(ciou, [1.0, 0.25, iou_shifted - distance / diagonal], rtol=1e-4)


@pytest.mark.slow  # IoU by definition above (ranks, masking, mixed ranks below) and CIoU by definition
@pytest.mark.parametrize("shapes", [((4,), (5,)), ((2, 4), (2, 5)), ((2, 4), (5,)), ((4,), (2, 5))])
def test_iou_and_ciou_match_keras(keras_boxes, shapes):
    boxes1, boxes2 = xyxy_boxes(*shapes[0]), xyxy_boxes(*shapes[1])
    masking = len(shapes[0]) == len(shapes[1])  # Keras's masking fails on mixed ranks; ours is checked below
    numpy.testing.assert_allclose(
        array(bounding_boxes.compute_iou(boxes1, boxes2, "xyxy", use_masking=masking)),
        array(keras_boxes.compute_iou(boxes1, boxes2, "xyxy", use_masking=masking)),
        rtol=1e-5,
        atol=1e-6,
    )
    pairs = xyxy_boxes(2, 6), xyxy_boxes(2, 6)
    numpy.testing.assert_allclose(
        array(bounding_boxes.compute_ciou(*pairs, "center_xywh")),
        array(keras_boxes.compute_ciou(*pairs, "center_xywh")),
        rtol=1e-4,
        atol=1e-5,
    )


def test_masking_with_mixed_ranks():
    batched = numpy.stack([xyxy_boxes(3), numpy.full((3, 4), -1.0, "float32")])
    single = numpy.concatenate([xyxy_boxes(2), numpy.full((1, 4), -1.0, "float32")])
    for boxes1, boxes2 in ((batched, single), (single, batched)):
        iou = array(bounding_boxes.compute_iou(boxes1, boxes2, "xyxy", use_masking=True))
        plain = array(bounding_boxes.compute_iou(boxes1, boxes2, "xyxy"))
        assert iou.shape == plain.shape == (2, 3, 3)
        expected = plain.copy()
        if boxes1 is batched:
            expected[1] = -1
            expected[:, :, 2] = -1
        else:
            expected[:, 2] = -1
            expected[1] = -1
        numpy.testing.assert_allclose(iou, expected, rtol=1e-6)
