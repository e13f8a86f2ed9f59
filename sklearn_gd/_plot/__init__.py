"""Displays of a descent, scikit-learn style, drawn with matplotlib.

matplotlib is an optional dependency (``pip install "sklearn-gd[plot]"``),
imported only when something is drawn, so importing these classes is free.
"""

from .descent_path import DescentPathDisplay
from .loss_curve import LossCurveDisplay

__all__ = ["DescentPathDisplay", "LossCurveDisplay"]
