"""troopwatch: what Arabic news articles claim about US forces in Iraq, as tidy tables and figures.

Data flows one way, one module per stage::

    corpus -> text -> numbers / dates -> claims -> timeline / framing -> plots

The notebooks in ``notebooks/`` call these modules; ``troopwatch run`` executes them.
"""
__version__ = "0.1.0"
