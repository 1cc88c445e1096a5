"""Deterministic holdout assignment for launched actions.

A customer is held out of an action iff

    h = int(md5(f"{action_id}|{customer_key}".encode()).hexdigest()[:8], 16) / 16**8
    h < fraction

where `customer_key` is the customer's key (for email customers ``lower(trim(email))``).
The same rule in DuckDB SQL:

    CAST(('0x' || left(md5(action_id || '|' || customer_key), 8)) AS UBIGINT)
        / 4294967296.0 < fraction
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

_SCALE = float(16**8)


def holdout_key(customer_key: str) -> str:
    """The key a customer is hashed by: the address of an 'email:' customer key, else the
    customer key itself (macros/holdout.sql aura_holdout_key)."""
    return customer_key[len("email:"):] if customer_key.startswith("email:") else customer_key


def holdout_hash(action_id: str, customer_key: str) -> float:
    """The uniform [0, 1) number the holdout rule compares with the fraction."""
    digest = hashlib.md5(f"{action_id}|{customer_key}".encode()).hexdigest()
    return int(digest[:8], 16) / _SCALE


def in_holdout(action_id: str, customer_key: str, fraction: float) -> bool:
    """True if `customer_key` is held out of `action_id`."""
    return holdout_hash(action_id, customer_key) < fraction


def holdout_mask(action_id: str, keys: Iterable[str] | np.ndarray, fraction: float) -> np.ndarray:
    """Boolean array: element i is True iff keys[i] is held out of `action_id`."""
    prefix = f"{action_id}|"
    md5 = hashlib.md5
    values = np.fromiter(
        (int(md5((prefix + str(k)).encode()).hexdigest()[:8], 16) for k in keys),
        dtype=np.int64,
    )
    return values / _SCALE < fraction
