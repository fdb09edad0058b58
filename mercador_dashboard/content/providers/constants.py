INDEX_URL = 'horizon:admin:providers:index'
REGISTER_URL = 'horizon:admin:providers:register'

INDEX_TEMPLATE = 'admin/providers/index.html'
REGISTER_TEMPLATE = 'admin/providers/register.html'

POLICY_LIST = (('mercador', 'mercador:provider:list'),)
POLICY_CREATE = (('mercador', 'mercador:provider:create'),)
POLICY_DELETE = (('mercador', 'mercador:provider:delete'),)
POLICY_CHECK = (('mercador', 'mercador:provider_offer:list'),)
