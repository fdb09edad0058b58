"""Default policies of the OS-MERCADOR APIs (policy in code).

One module per half (``publisher``, ``aggregator``) and one for the proxy's
access route (``access``); names follow ``mercador:<resource>:<verb>``.
"""

from keystone_mercador.policies import access
from keystone_mercador.policies import aggregator
from keystone_mercador.policies import publisher


def list_rules():
    return publisher.list_rules() + aggregator.list_rules() + \
        access.list_rules()
