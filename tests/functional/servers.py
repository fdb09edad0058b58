"""The functional suites' servers: the same ones the demo runs."""

from keystone_mercador.demo.servers import ADMIN_PASSWORD  # noqa: F401
from keystone_mercador.demo.servers import BIN  # noqa: F401
from keystone_mercador.demo.servers import free_port  # noqa: F401
from keystone_mercador.demo.servers import KeystoneServer  # noqa: F401
