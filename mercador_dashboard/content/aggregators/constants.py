INDEX_URL = 'horizon:admin:aggregators:index'
REGISTER_URL = 'horizon:admin:aggregators:register'

INDEX_TEMPLATE = 'admin/aggregators/index.html'
REGISTER_TEMPLATE = 'admin/aggregators/register.html'
CREDENTIAL_TEMPLATE = 'admin/aggregators/credential.html'
CREDENTIAL_AJAX_TEMPLATE = 'admin/aggregators/_credential.html'

POLICY_LIST = (('mercador', 'mercador:aggregator:list'),)
POLICY_CREATE = (('mercador', 'mercador:aggregator:create'),)
POLICY_DELETE = (('mercador', 'mercador:aggregator:delete'),)
