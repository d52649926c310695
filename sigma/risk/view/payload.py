"""JSON payloads of the risk views, for the `risk_results` table.

A view is a frozen dataclass of floats, strings, dates, tuples, dicts, numpy arrays, Series and
DataFrames. `encode` turns it into plain JSON (no NaN: PostgreSQL's JSON refuses it) with small
markers for what JSON lacks; `decode` rebuilds the same Python values. Frames keep their column
order, index (dates or labels) and per-column kind (float, int, bool, text, datetime).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

_KINDS = {"f": "float64", "i": "int64", "b": "bool"}


def _float(x: float) -> Any:
    return x if math.isfinite(x) else {"__f__": repr(x)}


def _scalar(x: Any) -> Any:
    """A JSON-safe scalar (NaN, ±inf and dates get markers)."""
    if x is None or isinstance(x, str | bool):
        return x
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        return _float(float(x))
    if isinstance(x, pd.Timestamp | datetime):
        return {"__ts__": pd.Timestamp(x).isoformat()}
    if isinstance(x, date):
        return {"__date__": x.isoformat()}
    if x is pd.NaT:
        return None
    return str(x)


def _kind(values: pd.Series | pd.Index) -> str:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "b"
    if pd.api.types.is_integer_dtype(dtype):
        return "i"
    if pd.api.types.is_float_dtype(dtype):
        return "f"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "t"
    return "s" if isinstance(dtype, pd.StringDtype) else "o"


def _column(values: pd.Series | pd.Index) -> dict[str, Any]:
    kind = _kind(values)
    if kind == "t":
        data = [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in values]
        return {"kind": kind, "data": data, "name": _scalar(values.name), "unit": str(values.dtype)}
    data = [_scalar(v) for v in values]  # one small JSON value per cell: payloads are view-sized
    return {"kind": kind, "data": data, "name": _scalar(values.name)}


def _restore(column: dict[str, Any]) -> pd.Series:
    kind, data = column["kind"], [decode(v) for v in column["data"]]
    if kind == "t":
        return pd.Series(pd.to_datetime(data), name=decode(column["name"])).astype(column.get("unit", "datetime64[ns]"))
    if kind in _KINDS:
        data = [np.nan if v is None else v for v in data] if kind == "f" else data
        return pd.Series(data, dtype=_KINDS[kind], name=decode(column["name"]))
    return pd.Series(data, dtype="str" if kind == "s" else object, name=decode(column["name"]))


def encode(value: Any) -> Any:
    """A JSON-ready structure for `value` (see the module docstring)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dc__": type(value).__name__, "fields": fields}
    if isinstance(value, pd.DataFrame):
        cols = [_column(value[c]) | {"name": _scalar(c)} for c in value.columns]
        return {"__df__": cols, "index": _column(value.index), "columns_name": _scalar(value.columns.name)}
    if isinstance(value, pd.Series):
        return {"__s__": _column(value), "index": _column(value.index)}
    if isinstance(value, np.ndarray):
        return {"__a__": [_scalar(v) for v in value.ravel().tolist()], "shape": list(value.shape)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return {"__t__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"__d__": [[encode(k), encode(v)] for k, v in value.items()]}
    return _scalar(value)


def _frame(value: dict[str, Any]) -> pd.DataFrame:
    index = pd.Index(_restore(value["index"]), name=decode(value["index"]["name"]))
    columns = [_restore(c).set_axis(index) for c in value["__df__"]]
    frame = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=index)
    frame.columns = pd.Index([decode(c["name"]) for c in value["__df__"]], name=decode(value.get("columns_name")))
    return frame


def _marker(value: dict[str, Any], registry: Mapping[str, type]) -> Any:
    if "__dc__" in value:
        cls = registry[value["__dc__"]]
        return cls(**{k: decode(v, registry) for k, v in value["fields"].items()})
    if "__df__" in value:
        return _frame(value)
    if "__s__" in value:
        series = _restore(value["__s__"])
        return series.set_axis(pd.Index(_restore(value["index"]), name=decode(value["index"]["name"])))
    if "__a__" in value:
        flat = [np.nan if v is None else decode(v) for v in value["__a__"]]
        return np.asarray(flat, dtype=np.float64).reshape(value["shape"])
    if "__t__" in value:
        return tuple(decode(v, registry) for v in value["__t__"])
    if "__d__" in value:
        return {decode(k, registry): decode(v, registry) for k, v in value["__d__"]}
    if "__f__" in value:
        return float(value["__f__"])
    if "__date__" in value:
        return date.fromisoformat(value["__date__"])
    if "__ts__" in value:
        return pd.Timestamp(value["__ts__"])
    raise ValueError(f"Unknown payload marker in {sorted(value)}")


def decode(value: Any, registry: Mapping[str, type] | None = None) -> Any:
    """The Python value `encode` was given (dataclasses looked up in `registry` by class name)."""
    if isinstance(value, dict):
        return _marker(value, registry or {})
    if isinstance(value, list):
        return [decode(v, registry) for v in value]
    return value
