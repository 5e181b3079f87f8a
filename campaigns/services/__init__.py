"""Writes of the campaigns context, split by step (STYLE §1): ``campaigns`` (a campaign's life and its owner),
``participations`` (a learner's sendings), ``exports`` (the results CSV job). Callers import the submodule."""
