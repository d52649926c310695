"""One call/put representation: OptionKind, its sign w, and the forms bsm accepts at the edge."""

from __future__ import annotations

import numpy as np
import pytest

from sigma.conventions import OptionKind, PositionType
from sigma.instruments.occ import OptionKind as OccOptionKind
from sigma.instruments.options import bsm, implied_vol, intrinsic, kind_sign


def test_the_occ_option_kind_is_the_one_option_kind():
    assert OccOptionKind is OptionKind
    assert (OptionKind.CALL.sign, OptionKind.PUT.sign) == (1, -1)


def test_position_types_name_their_option_kind():
    assert PositionType.LC.option_kind is OptionKind.CALL and PositionType.SP.option_kind is OptionKind.PUT
    assert PositionType.LONG.option_kind is None
    assert PositionType.SC.option_kind == "call"  # a StrEnum still compares equal to its value


def test_an_option_kind_a_string_and_a_sign_array_price_alike():
    args = (100.0, [95.0, 105.0], 0.5, 0.03, 0.25)
    by_strings = bsm(*args, ["call", "put"])
    by_signs = bsm(*args, np.array([1.0, -1.0]))
    np.testing.assert_array_equal(by_strings.price, by_signs.price)
    np.testing.assert_array_equal(bsm(*args, OptionKind.PUT).price, bsm(*args, "put").price)
    np.testing.assert_array_equal(intrinsic([110.0, 90.0], 100.0, np.array([1.0, -1.0])), [10.0, 10.0])
    iv = implied_vol(by_signs.price, 100.0, [95.0, 105.0], 0.5, 0.03, np.array([1, -1]))
    np.testing.assert_allclose(iv, 0.25, atol=1e-10)


def test_kind_sign_reads_each_form_once_and_refuses_other_numbers():
    np.testing.assert_array_equal(kind_sign(np.array(["C", "put", "Call"])), [1.0, -1.0, 1.0])
    assert kind_sign(OptionKind.CALL) == 1.0 and kind_sign("p") == -1.0
    assert kind_sign(np.array([], dtype=str)).shape == (0,)
    with pytest.raises(ValueError, match=r"0\.5"):
        kind_sign(np.array([1.0, 0.5]))
