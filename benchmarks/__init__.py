"""Mercador's benchmark suite: what Mercador costs, as ratios against the
baselines it replaces, measured in the same run (``make bench``)."""
