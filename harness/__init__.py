"""The demo and test harness: real servers on this machine.

Not part of any distribution: ``make demo`` (``python -m harness``), the
functional tests and the benchmarks use it from the checkout. ``servers``
runs Keystone, Glance, Placement, the proxy and Horizon under gunicorn,
``clouds`` sets the demo's two clouds up and seeds them, ``client`` is the
small Keystone REST client they all use.
"""
