"""Tracking of launched actions (holdouts, outcomes) and backtests of the engine (backtest)."""

from aura.tracking.holdout import holdout_mask, in_holdout

__all__ = ["holdout_mask", "in_holdout"]
