"""Demo data: a seeded generator of realistic DTC stores with a known ground truth."""

from aura.demo.generator import generate
from aura.demo.scenarios import SCENARIOS, Scenario
from aura.demo.truth import GroundTruth

__all__ = ["SCENARIOS", "GroundTruth", "Scenario", "generate"]
